import type { JournalEntry, JournalSearchHit } from '@sayso/sdk';
import { useState } from 'preact/hooks';
import { describeDay } from './dates.js';
import { messageOf } from './errors.js';
import { useAction } from './hooks.js';
import { JournalEditor, MOOD_NAMES } from './journal-editor.js';
import type { HomeStore } from './store.js';
import { dangerButton, ErrorMessage, inputClass, quietButton, secondaryButton } from './ui.js';

/** The journal: editor, semantic search and the latest entries. */
export function JournalView(props: { store: HomeStore }) {
  const { store } = props;
  const [editingId, setEditingId] = useState<string | undefined>(undefined);
  const editing = editingId ? store.entries.get(editingId) : undefined;
  const today = store.today();
  const entries = [...store.entries.values()].sort((a, b) => b.day.localeCompare(a.day) || b.createdAt.localeCompare(a.createdAt));

  return (
    <section aria-labelledby="journal-title" class="grid gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
      <div class="lg:col-span-2">
        <h1 id="journal-title" tabIndex={-1} class="text-2xl font-semibold tracking-tight">Journal</h1>
      </div>
      <div class="space-y-6">
        <JournalEditor store={store} editing={editing} onDone={() => setEditingId(undefined)} />
        <JournalSearch store={store} today={today} />
      </div>
      <div>
        <h2 class="mb-2 text-sm font-semibold text-slate-800">Recent entries</h2>
        {!store.loaded ? (
          <p class="text-sm text-slate-500">Loading entries…</p>
        ) : entries.length === 0 ? (
          <p class="text-sm text-slate-500">No entries yet. Write one, or say "journal: today was…".</p>
        ) : (
          <ul class="space-y-3" aria-label="Recent entries" data-testid="journal-list">
            {entries.map((e) => (
              <JournalItem key={e.id} store={store} entry={e} today={today} editing={e.id === editingId} onEdit={() => setEditingId(e.id)} />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

function JournalItem(props: { store: HomeStore; entry: JournalEntry; today: string; editing: boolean; onEdit(): void }) {
  const { store, entry } = props;
  const action = useAction();
  const remove = () =>
    action.run(
      async () => {
        await store.client.journal.remove(entry.id, { version: entry.version });
        store.dropEntry(entry.id);
      },
      (err) => messageOf(err, 'delete the entry'),
    );
  return (
    <li>
      <article
        aria-labelledby={`entry-${entry.id}`}
        class={`rounded-xl border bg-white p-4 shadow-sm ${props.editing ? 'border-brand-500' : 'border-slate-200'}`}
      >
        <header class="flex items-center justify-between gap-2">
          <h3 id={`entry-${entry.id}`} class="text-sm font-medium text-slate-800">
            <time dateTime={entry.day}>{describeDay(entry.day, props.today)}</time>
            {entry.mood ? <span class="ml-2 font-normal text-slate-500">Mood {entry.mood} · {MOOD_NAMES[entry.mood]}</span> : null}
          </h3>
          <div class="flex gap-1">
            <button type="button" class={quietButton} onClick={props.onEdit} disabled={entry.text === null || props.editing}>
              Edit<span class="sr-only"> the entry of {entry.day}</span>
            </button>
            <button type="button" class={dangerButton} onClick={() => void remove()} disabled={action.busy}>
              Delete<span class="sr-only"> the entry of {entry.day}</span>
            </button>
          </div>
        </header>
        {entry.text !== null ? (
          <p class="mt-2 whitespace-pre-wrap break-words text-sm text-slate-700" data-testid="entry-text">{entry.text}</p>
        ) : (
          <p class="mt-2 text-sm italic text-slate-500">Encrypted on another device: it can be read there.</p>
        )}
        <div class="mt-2">
          <ErrorMessage message={action.error} onDismiss={() => action.setError(undefined)} />
        </div>
      </article>
    </li>
  );
}

/** Finds entries by meaning (`client.journal.search`), not only by words. */
function JournalSearch(props: { store: HomeStore; today: string }) {
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<JournalSearchHit[] | undefined>(undefined);
  const [searched, setSearched] = useState('');
  const action = useAction();

  async function submit(e: Event) {
    e.preventDefault();
    const q = query.trim();
    if (!q) return;
    await action.run(async () => {
      const res = await props.store.client.journal.search(q, { limit: 10 });
      setHits(res.items);
      setSearched(q);
    }, (err) => messageOf(err, 'search the journal'));
  }

  return (
    <div class="space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <form role="search" onSubmit={submit} class="space-y-2" aria-label="Journal">
        <label class="block text-sm">
          <span class="mb-1 block font-semibold text-slate-800">Search your journal</span>
          <span class="mb-2 block text-xs text-slate-500">By meaning: "times I felt calm" finds a quiet walk.</span>
          <span class="flex gap-2">
            <input class={inputClass} type="search" name="q" maxLength={500} value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
            <button type="submit" class={secondaryButton} disabled={action.busy || !query.trim()}>
              {action.busy ? 'Searching…' : 'Search'}
            </button>
          </span>
        </label>
      </form>
      <ErrorMessage message={action.error} onDismiss={() => action.setError(undefined)} />
      {hits ? (
        <div aria-live="polite">
          <h3 class="text-sm font-medium text-slate-800">
            {hits.length === 0 ? `Nothing found for “${searched}”.` : `Closest to “${searched}”`}
          </h3>
          <ol class="mt-2 space-y-2" data-testid="search-results">
            {hits.map((h) => (
              <li key={h.entry.id} class="rounded-md bg-slate-50 p-3">
                <p class="text-xs text-slate-500">
                  <time dateTime={h.entry.day}>{describeDay(h.entry.day, props.today)}</time> · match {Math.round(h.score * 100)}%
                </p>
                <p class="mt-1 line-clamp-3 whitespace-pre-wrap break-words text-sm text-slate-700">{h.entry.text ?? 'Encrypted entry'}</p>
              </li>
            ))}
          </ol>
          <button type="button" class={`${quietButton} mt-2`} onClick={() => (setHits(undefined), setQuery(''))}>
            Clear search
          </button>
        </div>
      ) : null}
    </div>
  );
}
