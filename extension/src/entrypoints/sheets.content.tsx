import type { Habit, Task } from '@sayso/sdk';
import { useCallback, useEffect, useState } from 'react';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { SHEETS_MATCH, sheetsCommand, spreadsheetOf } from '../lib/google-pages';
import { api } from '../lib/messages';
import { CommandBox } from '../ui/command-box';
import { SheetSyncCard } from '../ui/sheet-sync-card';
import { VoiceCard } from '../ui/voice-card';
import { VoiceStore } from '../ui/voice-store';
import { mountInShadowRoot } from '../ui/mount';
import '../ui/styles.css';

// A sidebar on Google Sheets: the Sayso tasks and habits, whether this spreadsheet syncs with them,
// and voice or typed commands that act on it ("add a row for milk", "mark the dentist done").
export default defineContentScript({
  matches: [SHEETS_MATCH],
  cssInjectionMode: 'ui',
  runAt: 'document_idle',
  async main(ctx) {
    const store = new VoiceStore();
    await mountInShadowRoot(ctx, 'sayso-sheets', <SheetsSidebar store={store} />);
  },
});

function SheetsSidebar({ store }: { store: VoiceStore }) {
  const [open, setOpen] = useState(true);
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [habits, setHabits] = useState<Habit[]>([]);
  const [error, setError] = useState('');
  const [syncKey, setSyncKey] = useState(0);
  const sheet = spreadsheetOf(location.href, document.title);

  const refresh = useCallback(async () => {
    try {
      const [t, h] = await Promise.all([api('tasks.list', { status: 'open', limit: 50 }), api('habits.list')]);
      setTasks(t.items);
      setHabits(h.items);
      setSyncKey((k) => k + 1);
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);
  useEffect(() => {
    void refresh();
    const off = store.onResult(() => void refresh());
    // Changes made elsewhere (the phone, the side panel) show within half a minute.
    const timer = setInterval(() => document.visibilityState === 'visible' && void refresh(), 30_000);
    return () => (off(), clearInterval(timer));
  }, [refresh, store]);

  if (!open) {
    return (
      <button
        type="button"
        data-sayso-sheets-tab
        className="fixed top-1/3 right-0 z-[2147483646] rounded-l-xl bg-slate-900 px-2 py-3 font-sans text-xs font-semibold text-white shadow-lg [writing-mode:vertical-rl]"
        onClick={() => setOpen(true)}
      >
        Sayso
      </button>
    );
  }
  return (
    <aside
      data-sayso-sheets
      className="fixed top-16 right-3 bottom-6 z-[2147483646] flex w-[320px] flex-col gap-3 overflow-y-auto rounded-2xl bg-slate-900/95 p-4 font-sans text-white shadow-2xl ring-1 ring-white/10"
    >
      <header className="flex items-start gap-2">
        <div className="min-w-0 flex-1">
          <h2 className="text-sm font-bold text-brand-400">Sayso</h2>
          <p data-sheet-name className="truncate text-xs text-white/70">{sheet.name}</p>
        </div>
        <button type="button" title="Hide" className="rounded px-1.5 text-white/60 hover:bg-white/10" onClick={() => setOpen(false)}>
          ×
        </button>
      </header>
      <SheetSyncCard spreadsheetId={sheet.id} refreshKey={syncKey} />
      <CommandBox store={store} placeholder="“add a row for milk”, “mark the dentist done”" rewrite={(t) => sheetsCommand(t)} />
      <VoiceCard store={store} hint="Type or talk: your tasks and habits change here and in every synced place." />
      {error && <p role="alert" className="text-xs text-rose-300">{error}</p>}
      <section className="flex flex-col gap-1">
        <h3 className="text-xs font-semibold tracking-wide text-white/60 uppercase">Tasks</h3>
        {tasks === null ? (
          <p className="text-xs text-white/50">Loading…</p>
        ) : tasks.length === 0 ? (
          <p className="text-xs text-white/50">No open tasks.</p>
        ) : (
          <ul data-sheet-tasks className="flex flex-col">
            {tasks.map((t) => (
              <li key={t.id} data-task-id={t.id} className="flex items-center gap-2 border-b border-white/5 py-1.5 text-sm">
                <input
                  type="checkbox"
                  aria-label={`Done: ${t.title}`}
                  onChange={() => void api('tasks.complete', t.id).then(refresh, (err: Error) => setError(err.message))}
                />
                <span data-task-title className="min-w-0 flex-1 truncate">{t.title}</span>
                {t.dueDate && <span className="text-[11px] text-white/50">{t.dueDate}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
      {habits.length > 0 && (
        <section className="flex flex-col gap-1">
          <h3 className="text-xs font-semibold tracking-wide text-white/60 uppercase">Habits</h3>
          <ul className="flex flex-wrap gap-1.5">
            {habits.map((h) => (
              <li key={h.id}>
                <button
                  type="button"
                  title="Check in for today"
                  className="rounded-full bg-white/10 px-2.5 py-1 text-xs hover:bg-emerald-600"
                  onClick={() => void api('habits.checkIn', h.id).catch((err: Error) => setError(err.message))}
                >
                  {h.name}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </aside>
  );
}
