import type { JournalEntry, SaysoClient } from '@sayso/sdk';
import { useState } from 'react';

const MOODS = ['😞', '🙁', '😐', '🙂', '😄'];

/** A journal editor (new entry, or the one picked from the list) and the latest entries. */
export function JournalView({ client, entries, onError }: { client: SaysoClient; entries: JournalEntry[]; onError: (m: string) => void }) {
  const [editing, setEditing] = useState<JournalEntry | null>(null);
  const [text, setText] = useState('');
  const [mood, setMood] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);

  function pick(entry: JournalEntry | null) {
    setEditing(entry);
    setText(entry?.text ?? '');
    setMood(entry?.mood ?? null);
  }
  async function save() {
    if (!text.trim()) return;
    setSaving(true);
    try {
      if (editing) await client.journal.update(editing.id, { version: editing.version, text, mood });
      else await client.journal.create({ text, ...(mood ? { mood } : {}) });
      pick(null);
    } catch (e) {
      onError((e as Error).message);
    } finally {
      setSaving(false);
    }
  }
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-col gap-2 rounded-xl bg-white p-3 ring-1 ring-slate-200">
        <textarea
          name="journal-text"
          rows={5}
          className="resize-y rounded-lg border border-slate-200 p-2 text-sm"
          placeholder="How was today? (or say “journal …” on any page)"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <div className="flex items-center gap-1">
          {MOODS.map((m, i) => (
            <button
              key={m}
              type="button"
              aria-label={`Mood ${i + 1}`}
              aria-pressed={mood === i + 1}
              className={`rounded-lg px-1.5 py-0.5 text-lg ${mood === i + 1 ? 'bg-brand-500/20 ring-1 ring-brand-500' : 'opacity-60'}`}
              onClick={() => setMood(mood === i + 1 ? null : i + 1)}
            >
              {m}
            </button>
          ))}
          <span className="flex-1" />
          {editing && (
            <button type="button" className="px-2 text-sm text-slate-500" onClick={() => pick(null)}>
              Cancel
            </button>
          )}
          <button type="button" disabled={saving} className="rounded-lg bg-brand-600 px-3 py-1 text-sm font-medium text-white disabled:opacity-50" onClick={() => void save()}>
            {editing ? 'Save changes' : 'Save entry'}
          </button>
        </div>
      </div>
      <ul data-journal className="flex flex-col gap-2">
        {entries.map((e) => (
          <li key={e.id}>
            <button type="button" className="w-full rounded-xl bg-white p-3 text-left text-sm ring-1 ring-slate-200 hover:ring-brand-400" onClick={() => pick(e)}>
              <span className="mb-1 block text-xs text-slate-500">
                {e.day} {e.mood ? MOODS[e.mood - 1] : ''}
              </span>
              <span className="line-clamp-3">{e.text ?? '(encrypted entry)'}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
