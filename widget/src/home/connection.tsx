import type { Connection } from './store.js';

const LOOKS: Record<Connection, { text: string; dot: string }> = {
  connecting: { text: 'Connecting…', dot: 'bg-amber-400' },
  open: { text: 'Live', dot: 'bg-emerald-500' },
  reconnecting: { text: 'Reconnecting…', dot: 'bg-amber-400 animate-pulse' },
  closed: { text: 'Offline', dot: 'bg-slate-400' },
};

/** The live subscription's state: changes from other devices appear only while it is `Live`. */
export function ConnectionIndicator(props: { state: Connection }) {
  const look = LOOKS[props.state];
  return (
    <p role="status" class="flex items-center gap-2 text-sm text-slate-600" data-connection={props.state} title="Live updates from your other devices">
      <span aria-hidden="true" class={`inline-block size-2.5 rounded-full ${look.dot}`} />
      {look.text}
    </p>
  );
}
