import { useEffect, useRef } from 'preact/hooks';
import type { WidgetController, WidgetState } from '../controller.js';
import { Icon } from './icons.js';

const STATUS: Record<WidgetState['voice'], string> = {
  disconnected: 'Hold the mic and speak',
  connecting: 'Connecting…',
  idle: 'Hold the mic and speak',
  listening: 'Listening…',
  thinking: 'Thinking…',
  speaking: 'Speaking…',
  error: 'Press the mic to try again',
};

/**
 * The mic button, its level meter, what is being heard and Sayso's answer. Push-to-talk: hold the
 * button, or hold Space (or press Enter to start and again to stop) while it has focus.
 * Hands-free: the button starts listening, then mutes and unmutes.
 */
export function VoiceArea({ controller, state, handsFree }: { controller: WidgetController; state: WidgetState; handsFree: boolean }) {
  const meter = useRef<HTMLSpanElement>(null);
  useEffect(() => controller.onLevel((level) => meter.current?.style.setProperty('--level', level.toFixed(3))), [controller]);
  useEffect(() => {
    if (state.voice !== 'listening' && state.voice !== 'idle') meter.current?.style.setProperty('--level', '0');
  }, [state.voice]);

  const live = state.voice !== 'disconnected' && state.voice !== 'error' && state.voice !== 'connecting';
  const status = handsFree
    ? state.voice === 'idle' ? (state.muted ? 'Muted: press the mic to listen' : 'Listening for you…')
      : state.voice === 'disconnected' ? 'Press the mic to start listening' : STATUS[state.voice]
    : STATUS[state.voice];

  const down = () => void controller.press();
  const up = () => controller.release();
  const onKeyDown = (e: KeyboardEvent) => {
    if (handsFree) return;
    if (e.key === ' ') {
      e.preventDefault(); // no click, no page scroll
      if (!e.repeat) down();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      state.pressed ? up() : down();
    }
  };
  const onKeyUp = (e: KeyboardEvent) => {
    if (!handsFree && e.key === ' ') {
      e.preventDefault();
      up();
    }
  };

  return (
    <div class="flex flex-col items-center gap-2 px-4 pt-4 pb-2">
      <div class="relative flex size-20 items-center justify-center">
        <span ref={meter} aria-hidden="true" class={`sw-meter absolute inset-1 rounded-full bg-(--sayso-accent)/25 ${state.voice === 'thinking' ? 'sw-pulse' : ''}`} />
        <button
          data-autofocus
          data-mic
          data-state={state.voice}
          aria-label={handsFree ? (live && !state.muted ? 'Mute the microphone' : 'Start listening') : 'Push to talk: hold, or hold Space'}
          aria-pressed={handsFree ? live && !state.muted : state.pressed}
          aria-describedby="sw-voice-status"
          onPointerDown={handsFree ? undefined : (e) => (e.preventDefault(), (e.currentTarget as HTMLElement).focus(), down())}
          onPointerUp={handsFree ? undefined : up}
          onPointerLeave={handsFree ? undefined : up}
          onPointerCancel={handsFree ? undefined : up}
          onClick={handsFree ? () => void controller.toggleHandsFree() : undefined}
          onKeyDown={onKeyDown}
          onKeyUp={onKeyUp}
          onContextMenu={(e) => e.preventDefault()}
          class={`relative flex size-16 touch-none items-center justify-center rounded-full shadow-md select-none ${
            state.voice === 'listening' || state.pressed ? 'bg-(--sayso-accent) text-(--sayso-accent-contrast) ring-4 ring-(--sayso-accent)/30'
            : handsFree && state.muted ? 'bg-(--sw-soft) text-(--sw-muted)'
            : 'bg-(--sayso-accent) text-(--sayso-accent-contrast)'
          }`}
        >
          <Icon name="mic" class="size-7" />
        </button>
      </div>
      <p id="sw-voice-status" data-status class="text-xs text-(--sw-muted)">{status}</p>
      <div aria-live="polite" class="flex w-full flex-col gap-1 text-center">
        {state.transcript?.text && (
          <p data-transcript data-final={state.transcript.final} class={`break-words ${state.transcript.final ? '' : 'text-(--sw-muted) italic'}`}>
            “{state.transcript.text}”
          </p>
        )}
        {state.reply && <p data-reply class="text-[13px] break-words text-(--sw-muted)">{state.reply}</p>}
      </div>
    </div>
  );
}
