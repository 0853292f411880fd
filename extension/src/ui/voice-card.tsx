import { ChipRow } from './chip-row';
import { LevelMeter } from './level-meter';
import { useVoiceView, type VoiceStore } from './voice-store';

const STATE_TEXT: Record<string, string> = {
  disconnected: 'Ready',
  connecting: 'Connecting…',
  idle: 'Ready',
  listening: 'Listening…',
  thinking: 'Thinking…',
  speaking: 'Speaking…',
  error: 'Something went wrong',
};

/** Listening state, level, live transcript, reply and the chips of what was done. */
export function VoiceCard({ store, onClose, hint }: { store: VoiceStore; onClose?: () => void; hint?: string }) {
  const view = useVoiceView(store);
  const listening = view.state === 'listening';
  return (
    <section data-state={view.state} className="flex flex-col gap-3 text-white">
      <header className="flex items-center gap-3">
        <span className={`relative flex h-3 w-3 ${listening ? '' : 'opacity-60'}`}>
          {listening && <span className="absolute inline-flex h-full w-full animate-ping rounded-full bg-rose-400 opacity-75" />}
          <span className={`relative inline-flex h-3 w-3 rounded-full ${listening ? 'bg-rose-500' : 'bg-brand-400'}`} />
        </span>
        <span data-voice-state className="text-sm font-semibold">{STATE_TEXT[view.state] ?? view.state}</span>
        <LevelMeter store={store} active={listening} />
        <span className="flex-1" />
        {onClose && (
          <button type="button" title="Cancel (Esc)" className="rounded px-2 py-0.5 text-xs text-white/70 hover:bg-white/10" onClick={onClose}>
            Esc
          </button>
        )}
      </header>
      <p data-transcript className={`min-h-[1.5rem] text-base leading-snug ${view.final ? 'text-white' : 'text-white/70 italic'}`}>
        {view.transcript || (listening ? 'Say something like “remind me to reply to this tomorrow”' : hint ?? '')}
      </p>
      {view.reply && <p data-reply className="text-sm text-brand-400">{view.reply}</p>}
      {view.error && (
        <p role="alert" data-error className="rounded-lg bg-rose-500/20 px-3 py-2 text-sm text-rose-200">
          {view.error}
        </p>
      )}
      {view.chips.length > 0 && (
        <ul className="flex flex-col gap-1.5">
          {view.chips.map((entry) => (
            <ChipRow key={entry.chip.id + entry.chip.verb} entry={entry} store={store} />
          ))}
        </ul>
      )}
    </section>
  );
}
