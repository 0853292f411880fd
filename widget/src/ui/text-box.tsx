import { useState } from 'preact/hooks';
import type { WidgetController } from '../controller.js';
import { Icon } from './icons.js';

/** For when speaking is not an option: a typed command goes the same way as speech. */
export function TextBox({ controller, disabled }: { controller: WidgetController; disabled: boolean }) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!text.trim() || sending) return;
    setSending(true);
    const sent = await controller.sendText(text);
    setSending(false);
    if (sent) setText('');
  };
  return (
    <form onSubmit={submit} class="mx-3 mb-3 flex items-center gap-1 rounded-full border border-(--sw-line) bg-(--sw-bg) py-1 pr-1 pl-4 focus-within:border-(--sayso-accent)">
      <input
        data-text-input
        aria-label="Type a command"
        placeholder="Or type: add buy oat milk"
        autocomplete="off"
        enterKeyHint="send"
        value={text}
        disabled={disabled}
        onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
        class="min-w-0 flex-1 bg-transparent py-1 outline-none placeholder:text-(--sw-muted)"
      />
      <button type="submit" aria-label="Send" disabled={disabled || sending || !text.trim()} class="rounded-full bg-(--sayso-accent) p-2 text-(--sayso-accent-contrast) disabled:opacity-40">
        <Icon name="send" class="size-4" />
      </button>
    </form>
  );
}
