import { useEffect, useRef } from 'preact/hooks';
import type { WidgetConfig } from '../config.js';
import type { WidgetController } from '../controller.js';
import { Chips } from './chips.js';
import { Icon } from './icons.js';
import { Panels } from './panels.js';
import { ProblemBanner } from './problem-banner.js';
import { TextBox } from './text-box.js';
import { useControllerState } from './use-controller.js';
import { VoiceArea } from './voice-area.js';

export interface AppProps {
  controller: WidgetController;
  config: WidgetConfig;
  setOpen(open: boolean): void;
}

/**
 * The launcher and the panel. Floating (`position` bottom-right or bottom-left), the panel is a
 * non-modal dialog: opening it moves focus in, Escape closes it and focus goes back to the
 * launcher. `inline`, it is a region in the page's flow, always shown.
 */
export function App({ controller, config, setOpen }: AppProps) {
  const state = useControllerState(controller);
  const inline = config.position === 'inline';
  const open = inline || config.open;
  const launcher = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLElement>(null);
  // Set when the person opened the panel, so focus moves in; an `open` attribute at load does not steal focus.
  const focusIn = useRef(false);
  const focusLauncher = useRef(false);
  useEffect(() => controller.configure(config), [controller, config.voiceReplies, config.handsFree]);

  useEffect(() => {
    if (open && focusIn.current) {
      focusIn.current = false;
      const first = panel.current?.querySelector<HTMLElement>('[data-autofocus]') ?? panel.current?.querySelector<HTMLElement>('[role=alert] button, button');
      first?.focus();
    }
    if (!open && focusLauncher.current) {
      focusLauncher.current = false;
      launcher.current?.focus();
    }
  }, [open]);

  const close = () => {
    focusLauncher.current = true;
    setOpen(false);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && !inline && !e.defaultPrevented) {
      e.preventDefault();
      close();
    }
  };

  const side = config.position === 'bottom-left' ? 'left-5 items-start' : 'right-5 items-end';
  return (
    <div
      class={`sw-${config.theme} ${inline ? 'relative flex flex-col' : `fixed bottom-5 z-(--sayso-z-index) flex flex-col-reverse gap-3 ${side}`}`}
      lang={config.language}
    >
      {!inline && (
        <button
          ref={launcher}
          aria-label={open ? 'Close Sayso' : 'Open Sayso'}
          aria-haspopup="dialog"
          aria-expanded={open}
          aria-controls="sw-panel"
          data-launcher
          onClick={() => (open ? close() : ((focusIn.current = true), setOpen(true)))}
          class="flex size-14 items-center justify-center rounded-full bg-(--sayso-accent) text-(--sayso-accent-contrast) shadow-lg ring-1 ring-black/10"
        >
          <Icon name={open ? 'close' : 'mic'} class="size-6" />
        </button>
      )}
      {open && (
        <section
          ref={panel}
          id="sw-panel"
          role={inline ? 'region' : 'dialog'}
          aria-label="Sayso"
          onKeyDown={onKeyDown}
          class={`flex flex-col overflow-hidden rounded-(--sayso-radius) border border-(--sw-line) bg-(--sw-bg) text-(--sw-fg) ${inline ? 'h-full min-h-[420px] w-full' : 'h-[min(620px,calc(100vh-110px))] w-[min(var(--sayso-width),calc(100vw-40px))] shadow-2xl'}`}
        >
          <header class="flex items-center gap-2 border-b border-(--sw-line) px-4 py-3">
            <span class={`size-2 rounded-full ${state.live === 'open' ? 'bg-emerald-500' : state.status === 'stopped' ? 'bg-(--sw-danger)' : 'bg-amber-400'}`} aria-hidden="true" />
            <h2 class="flex-1 text-[15px] font-semibold">Sayso</h2>
            {!inline && (
              <button onClick={close} aria-label="Close Sayso" class="rounded-full p-1.5 text-(--sw-muted) hover:bg-(--sw-soft) hover:text-(--sw-fg)">
                <Icon name="close" />
              </button>
            )}
          </header>
          {state.problem && <ProblemBanner problem={state.problem} onRetry={() => controller.retry()} onDismiss={state.status === 'stopped' ? undefined : () => controller.report(undefined)} />}
          {/* Stopped (refused, not set up, unreachable at start): only the problem and its way out. */}
          {state.status !== 'stopped' && (
            <>
              <VoiceArea controller={controller} state={state} handsFree={config.handsFree} />
              <Chips chips={state.chips} controller={controller} />
              <TextBox controller={controller} disabled={state.status !== 'ready'} />
              <Panels
                data={state.data}
                today={state.today}
                language={config.language}
                loading={state.status === 'starting'}
                onToggleTask={(id) => void controller.toggleTask(id)}
              />
            </>
          )}
        </section>
      )}
    </div>
  );
}
