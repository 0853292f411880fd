import { defineContentScript } from 'wxt/utils/define-content-script';
import { ask } from '../lib/messages';
import { VoiceCard } from '../ui/voice-card';
import { useVoiceView, VoiceStore } from '../ui/voice-store';
import { mountInShadowRoot } from '../ui/mount';
import '../ui/styles.css';

// The capture overlay, injected by the background into the tab where the hotkey was pressed
// (never preloaded on every page). Lives in a shadow root so the page's CSS cannot reach it.
export default defineContentScript({
  matches: ['<all_urls>'],
  registration: 'runtime',
  cssInjectionMode: 'ui',
  async main(ctx) {
    const flag = globalThis as { saysoOverlay?: boolean };
    if (flag.saysoOverlay) return; // injected again by a second press
    flag.saysoOverlay = true;
    const store = new VoiceStore({ visible: true });

    const cancel = () => {
      store.update({ visible: false });
      void ask({ type: 'capture:cancel' }).catch(() => {});
    };
    ctx.addEventListener(window, 'keydown', (e) => {
      if (e.key === 'Escape' && store.view.visible) {
        e.stopPropagation();
        cancel();
      }
    }, { capture: true });

    await mountInShadowRoot(ctx, 'sayso-overlay', <Overlay store={store} onClose={cancel} />);
  },
});

function Overlay({ store, onClose }: { store: VoiceStore; onClose: () => void }) {
  const view = useVoiceView(store);
  if (!view.visible) return null;
  return (
    <div
      data-sayso-overlay
      role="dialog"
      aria-label="Sayso"
      className="fixed right-5 bottom-5 z-[2147483647] w-[360px] rounded-2xl bg-slate-900/95 p-4 font-sans shadow-2xl ring-1 ring-white/10 backdrop-blur"
    >
      <VoiceCard store={store} onClose={onClose} />
    </div>
  );
}
