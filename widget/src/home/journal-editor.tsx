import { ConflictError, type JournalEntry } from '@sayso/sdk';
import { useEffect, useRef, useState } from 'preact/hooks';
import { longDay } from './dates.js';
import { messageOf } from './errors.js';
import { useAction } from './hooks.js';
import type { JournalVault } from './journal-vault.js';
import type { HomeStore } from './store.js';
import { ErrorMessage, Field, inputClass, primaryButton, secondaryButton } from './ui.js';

export const MOODS = ['', '1', '2', '3', '4', '5'] as const;
export const MOOD_NAMES: Record<number, string> = { 1: 'Low', 2: 'Meh', 3: 'Okay', 4: 'Good', 5: 'Great' };

/**
 * Writes a new entry, or edits `editing` (sending the version it was loaded at). With encryption
 * on, the text and mood are encrypted here first; while locked, writing waits for the passphrase.
 */
export function JournalEditor(props: { store: HomeStore; vault: JournalVault; editing: JournalEntry | undefined; onDone(): void }) {
  const { store, vault, editing } = props;
  const readable = editing ? vault.read(editing) : undefined;
  const opened = typeof readable === 'object' ? readable : undefined;
  const [text, setText] = useState('');
  const [mood, setMood] = useState('');
  const [day, setDay] = useState(store.today());
  const action = useAction();
  const textRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    setText(opened?.text ?? '');
    setMood(opened?.mood ? String(opened.mood) : '');
    setDay(editing?.day ?? store.today());
    action.setError(undefined);
    if (editing) textRef.current?.focus();
  }, [editing?.id]);

  async function submit(e: Event) {
    e.preventDefault();
    const moodValue = mood ? Number(mood) : null;
    const ok = await action.run(
      async () => {
        const encrypted = vault.journal;
        const content = { text: text.trim(), mood: moodValue, day };
        const saved = encrypted
          ? (editing ? await encrypted.update(editing.id, { version: editing.version, ...content }) : await encrypted.create(content)).entry
          : editing
            ? await store.client.journal.update(editing.id, { version: editing.version, ...content })
            : await store.client.journal.create(content);
        store.putEntry(saved);
      },
      (err) => {
        if (err instanceof ConflictError && err.current) store.putEntry(err.current as JournalEntry);
        return messageOf(err, editing ? 'save your changes' : 'save the entry');
      },
    );
    if (ok) {
      setText('');
      setMood('');
      setDay(store.today());
      props.onDone();
      textRef.current?.focus();
    }
  }

  if (vault.status === 'locked') {
    return (
      <section aria-labelledby="journal-editor-title" class="rounded-xl border border-slate-200 bg-white p-4 text-sm text-slate-600 shadow-sm">
        <h2 id="journal-editor-title" class="text-sm font-semibold text-slate-800">New entry</h2>
        <p class="mt-1">Your journal is encrypted: unlock it above to write.</p>
      </section>
    );
  }
  return (
    <form onSubmit={submit} aria-labelledby="journal-editor-title" class="space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="journal-editor-title" class="text-sm font-semibold text-slate-800">
        {editing ? `Edit the entry of ${longDay(editing.day)}` : 'New entry'}
        {vault.status === 'unlocked' ? <span class="ml-2 font-normal text-slate-500">· encrypted on this device</span> : null}
      </h2>
      <Field label="Entry">
        <textarea
          ref={textRef}
          class={`${inputClass} min-h-36`}
          name="text"
          required
          maxLength={20_000}
          placeholder="How was today?"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </Field>
      <div class="grid grid-cols-2 gap-3">
        <Field label="Mood">
          <select class={inputClass} name="mood" value={mood} onChange={(e) => setMood(e.currentTarget.value)}>
            {MOODS.map((m) => (
              <option key={m} value={m}>{m ? `${m} · ${MOOD_NAMES[Number(m)]}` : 'No mood'}</option>
            ))}
          </select>
        </Field>
        <Field label="Day">
          <input class={inputClass} type="date" name="day" required value={day} onInput={(e) => setDay(e.currentTarget.value)} />
        </Field>
      </div>
      <ErrorMessage message={action.error} onDismiss={() => action.setError(undefined)} />
      <div class="flex gap-2">
        <button type="submit" class={primaryButton} disabled={action.busy || !text.trim()}>
          {action.busy ? 'Saving…' : editing ? 'Save changes' : 'Save entry'}
        </button>
        {editing ? (
          <button type="button" class={secondaryButton} onClick={props.onDone}>Cancel</button>
        ) : null}
      </div>
    </form>
  );
}
