import { useState } from 'react';
import { ask, type TextTurnResult } from '../lib/messages';
import { useVoiceView, type VoiceStore } from './voice-store';

/**
 * A mic button (the same capture as the hotkey) and a box for typed commands. `rewrite` turns
 * what was typed into what Sayso should read (e.g. the Calendar's day in view).
 */
export function CommandBox({ store, placeholder, rewrite, onDone }: {
  store: VoiceStore;
  placeholder: string;
  rewrite?: (text: string) => string;
  onDone?: (r: TextTurnResult) => void;
}) {
  const view = useVoiceView(store);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const listening = view.state === 'listening';

  async function submit() {
    const typed = text.trim();
    if (!typed) return;
    setBusy(true);
    store.update({ transcript: typed, final: true, reply: '', error: null });
    try {
      const r = await ask<TextTurnResult>({ type: 'turn:text', text: rewrite ? rewrite(typed) : typed });
      store.applyText(typed, r);
      setText('');
      onDone?.(r);
    } catch (err) {
      store.update({ error: (err as Error).message });
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="flex items-center gap-2" onSubmit={(e) => (e.preventDefault(), void submit())}>
      <button
        type="button"
        data-action="mic"
        title={listening ? 'Stop' : 'Talk'}
        aria-pressed={listening}
        className={`grid h-9 w-9 shrink-0 place-items-center rounded-full ${listening ? 'bg-rose-500' : 'bg-brand-500'} text-white shadow`}
        onClick={() => void ask({ type: 'capture:toggle' }).catch((err: Error) => store.update({ error: err.message }))}
      >
        <svg viewBox="0 0 24 24" className="h-4 w-4 fill-current" aria-hidden="true">
          <path d="M12 14a3 3 0 0 0 3-3V5a3 3 0 1 0-6 0v6a3 3 0 0 0 3 3Zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11h-2Z" />
        </svg>
      </button>
      <input
        name="command"
        className="min-w-0 flex-1 rounded-lg bg-white/10 px-2.5 py-1.5 text-sm text-white placeholder:text-white/40 outline-none ring-1 ring-white/15 focus:ring-brand-400"
        placeholder={placeholder}
        value={text}
        disabled={busy}
        onChange={(e) => setText(e.target.value)}
        // Google's pages bind shortcuts to every key: keep typing here to this box.
        onKeyDown={(e) => e.stopPropagation()}
        onKeyUp={(e) => e.stopPropagation()}
        onKeyPress={(e) => e.stopPropagation()}
      />
    </form>
  );
}
