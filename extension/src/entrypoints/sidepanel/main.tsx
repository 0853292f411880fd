import type { Habit, HabitStats, JournalEntry, LiveEvent, SaysoClient, Task } from '@sayso/sdk';
import { StrictMode, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { browser } from 'wxt/browser';
import { HabitsView } from '../../ui/home/habits-view';
import { JournalView } from '../../ui/home/journal-view';
import { TasksView } from '../../ui/home/tasks-view';
import { upsert, useLive } from '../../ui/home/use-live';
import { useAccount } from '../../ui/use-account';
import '../../ui/styles.css';

type Tab = 'tasks' | 'journal' | 'habits';

/** Home: tasks, the journal and habits, kept live over the gateway's live socket. */
function Home() {
  const { loaded, client, session } = useAccount();
  const [tab, setTab] = useState<Tab>((new URLSearchParams(location.search).get('tab') as Tab | null) ?? 'tasks');
  const [tasks, setTasks] = useState<Task[]>([]);
  const [entries, setEntries] = useState<JournalEntry[]>([]);
  const [habits, setHabits] = useState<Habit[]>([]);
  const [stats, setStats] = useState<Record<string, HabitStats>>({});
  const [error, setError] = useState('');

  const loadStats = useCallback(async (c: SaysoClient, id: string) => {
    const s = await c.habits.stats(id);
    setStats((prev) => ({ ...prev, [id]: s }));
  }, []);
  const reload = useCallback(async () => {
    if (!client) return;
    try {
      const [open, done, journal, hs] = await Promise.all([
        client.tasks.list({ status: 'open', limit: 100 }),
        client.tasks.list({ status: 'done', limit: 10 }),
        client.journal.list({ limit: 20 }),
        client.habits.list(),
      ]);
      setTasks([...open.items, ...done.items]);
      setEntries(journal.items);
      setHabits(hs.items);
      await Promise.all(hs.items.map((h) => loadStats(client, h.id)));
      setError('');
    } catch (e) {
      setError((e as Error).message);
    }
  }, [client, loadStats]);
  useEffect(() => void reload(), [reload]);

  const live = useLive(
    client,
    (e: LiveEvent) => {
      switch (e.type) {
        case 'task_update':
          setTasks((ts) => upsert(ts, e.data.task, e.data.op === 'deleted'));
          return;
        case 'journal_update':
          setEntries((es) => upsert(es, e.data.entry, e.data.op === 'deleted'));
          return;
        case 'habit_update':
          setHabits((hs) => upsert(hs, e.data.habit, e.data.op === 'deleted'));
          if (e.data.op !== 'deleted' && client) void loadStats(client, e.data.habit.id);
          return;
        case 'checkin_update':
          if (client) void loadStats(client, e.data.habitId);
          return;
      }
    },
    () => void reload(),
  );

  if (!loaded) return null;
  if (!client || !session) {
    return (
      <main className="flex flex-col gap-3 p-5 font-sans text-sm">
        <h1 className="text-lg font-bold text-brand-600">Sayso</h1>
        <p>Sign in to see your tasks, journal and habits here.</p>
        <button type="button" className="self-start rounded-lg bg-brand-600 px-3 py-1.5 text-white" onClick={() => void browser.runtime.openOptionsPage()}>
          Open options
        </button>
      </main>
    );
  }
  const tabs: Array<[Tab, string]> = [['tasks', 'Tasks'], ['journal', 'Journal'], ['habits', 'Habits']];
  return (
    <main className="flex min-h-screen flex-col gap-3 bg-slate-50 p-4 font-sans text-slate-800">
      <header className="flex items-center gap-2">
        <h1 className="text-lg font-bold text-brand-600">Sayso</h1>
        <span data-live={live} title={`Live updates: ${live}`} className={`h-2 w-2 rounded-full ${live === 'open' ? 'bg-emerald-500' : 'bg-slate-300'}`} />
        <span className="flex-1" />
        <span className="text-xs text-slate-500">{session.user.name}</span>
      </header>
      <nav className="flex gap-1 rounded-xl bg-slate-200/60 p-1" role="tablist">
        {tabs.map(([id, label]) => (
          <button
            key={id}
            role="tab"
            aria-selected={tab === id}
            className={`flex-1 rounded-lg py-1.5 text-sm ${tab === id ? 'bg-white font-semibold shadow-sm' : 'text-slate-600'}`}
            onClick={() => setTab(id)}
          >
            {label}
          </button>
        ))}
      </nav>
      {error && <p role="alert" className="rounded-lg bg-rose-50 p-2 text-sm text-rose-700">{error}</p>}
      {tab === 'tasks' && <TasksView client={client} tasks={tasks} onError={setError} />}
      {tab === 'journal' && <JournalView client={client} entries={entries} onError={setError} />}
      {tab === 'habits' && <HabitsView client={client} habits={habits} stats={stats} onError={setError} />}
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Home />
  </StrictMode>,
);
