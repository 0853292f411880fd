import type { JournalEntry, JournalSearchHit } from '@sayso/sdk';
import { useState } from 'preact/hooks';
import { describeDay } from './dates.js';
import { messageOf } from './errors.js';
import { useAction } from './hooks.js';
import { JournalEditor, MOOD_NAMES } from './journal-editor.js';
import { JournalLockPanel, useVault } from './journal-lock-panel.js';
import { vaultOf, type JournalVault } from './journal-vault.js';
import type { HomeStore } from './store.js';
import { dangerButton, ErrorMessage, inputClass, quietButton, secondaryButton } from './ui.js';

/** The journal: encryption, editor, search (semantic on the server, or local when encrypted) and the latest entries. */
export function JournalView(props: { store: HomeStore }) {
  const { store } = props;
  const vault = useVault(vaultOf(store));
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
        <JournalLockPanel vault={vault} />
        <JournalEditor store={store} vault={vault} editing={editing} onDone={() => setEditingId(undefined)} />
        <JournalSearch store={store} vault={vault} today={today} />
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
              <JournalItem key={e.id} store={store} vault={vault} entry={e} today={today} editing={e.id === editingId} onEdit={() => setEditingId(e.id)} />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

function JournalItem(props: { store: HomeStore; vault: JournalVault; entry: JournalEntry; today: string; editing: boolean; onEdit(): void }) {
  const { store, entry } = props;
  const readable = props.vault.read(entry);
  const mood = typeof readable === 'object' ? readable.mood : null;
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
            {mood ? <span class="ml-2 font-normal text-slate-500">Mood {mood} · {MOOD_NAMES[mood]}</span> : null}
            {entry.ciphertext !== null ? <span class="ml-2 font-normal text-slate-500" data-testid="entry-encrypted">· Encrypted</span> : null}
          </h3>
          <div class="flex gap-1">
            <button type="button" class={quietButton} onClick={props.onEdit} disabled={typeof readable !== 'object' || props.editing}>
              Edit<span class="sr-only"> the entry of {entry.day}</span>
            </button>
            <button type="button" class={dangerButton} onClick={() => void remove()} disabled={action.busy}>
              Delete<span class="sr-only"> the entry of {entry.day}</span>
            </button>
          </div>
        </header>
        {typeof readable === 'object' ? (
          <p class="mt-2 whitespace-pre-wrap break-words text-sm text-slate-700" data-testid="entry-text">{readable.text}</p>
        ) : (
          <p class="mt-2 text-sm italic text-slate-500" data-testid={readable === 'pending' ? 'entry-pending' : 'entry-locked'}>
            {readable === 'pending' ? 'Decrypting…' : readable === 'damaged' ? 'This entry could not be decrypted: it was changed or damaged after it was written.' : 'Locked — unlock to read'}
          </p>
        )}
        <div class="mt-2">
          <ErrorMessage message={action.error} onDismiss={() => action.setError(undefined)} />
        </div>
      </article>
    </li>
  );
}

/**
 * Finds entries by meaning (`client.journal.search`) while the journal is plain; once it is
 * encrypted, by words on this device (the server cannot search what it cannot read).
 */
function JournalSearch(props: { store: HomeStore; vault: JournalVault; today: string }) {
  const { vault } = props;
  const local = vault.status !== 'off';
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<Array<{ entry: JournalEntry; text: string | null; score?: number }> | undefined>(undefined);
  const [searched, setSearched] = useState('');
  const action = useAction();

  async function submit(e: Event) {
    e.preventDefault();
    const q = query.trim();
    if (!q) return;
    await action.run(async () => {
      if (local) {
        setHits((await vault.search(q)).map((h) => ({ entry: h.entry.entry, text: h.entry.text })));
      } else {
        const res = await props.store.client.journal.search(q, { limit: 10 });
        setHits(res.items.map((h: JournalSearchHit) => ({ entry: h.entry, text: h.entry.text, score: h.score })));
      }
      setSearched(q);
    }, (err) => messageOf(err, 'search the journal'));
  }

  return (
    <div class="space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <form role="search" onSubmit={submit} class="space-y-2" aria-label="Journal">
        <label class="block text-sm">
          <span class="mb-1 block font-semibold text-slate-800">Search your journal</span>
          <span class="mb-2 block text-xs text-slate-500">
            {local
              ? vault.status === 'locked'
                ? 'Unlock your journal to search it: encrypted entries are searched on this device, since the server cannot read them.'
                : 'By words, on this device: the server cannot read encrypted entries, so it cannot search them.'
              : 'By meaning: "times I felt calm" finds a quiet walk.'}
          </span>
          <span class="flex gap-2">
            <input class={inputClass} type="search" name="q" maxLength={500} value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
            <button type="submit" class={secondaryButton} disabled={action.busy || !query.trim() || vault.status === 'locked'}>
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
                  <time dateTime={h.entry.day}>{describeDay(h.entry.day, props.today)}</time>
                  {h.score !== undefined ? ` · match ${Math.round(h.score * 100)}%` : ''}
                </p>
                <p class="mt-1 line-clamp-3 whitespace-pre-wrap break-words text-sm text-slate-700">{h.text ?? 'Locked — unlock to read'}</p>
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
