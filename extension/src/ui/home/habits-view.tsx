import type { Habit, HabitStats, SaysoClient } from '@sayso/sdk';
import { useState } from 'react';
import { Heatmap } from './heatmap';

/** Habits with their streaks, a 12-week heatmap each, a check-in button and a box to add one. */
export function HabitsView({ client, habits, stats, onError }: {
  client: SaysoClient; habits: Habit[]; stats: Record<string, HabitStats>; onError: (m: string) => void;
}) {
  const [name, setName] = useState('');
  async function add() {
    const n = name.trim();
    if (!n) return;
    setName('');
    await client.habits.create({ name: n }).catch((e: Error) => onError(e.message));
  }
  return (
    <div className="flex flex-col gap-3">
      <form className="flex gap-2" onSubmit={(e) => (e.preventDefault(), void add())}>
        <input name="new-habit" className="min-w-0 flex-1 rounded-lg border border-slate-300 px-2 py-1.5 text-sm" placeholder="A new habit, e.g. Stretch" value={name} onChange={(e) => setName(e.target.value)} />
        <button className="rounded-lg bg-brand-600 px-3 text-sm font-medium text-white">Add</button>
      </form>
      {habits.length === 0 && <p className="text-sm text-slate-500">No habits yet. Say “I did my meditation” to check one in.</p>}
      <ul className="flex flex-col gap-3">
        {habits.map((h) => {
          const s = stats[h.id];
          return (
            <li key={h.id} data-habit={h.name} className="flex flex-col gap-2 rounded-xl bg-white p-3 ring-1 ring-slate-200">
              <div className="flex items-center gap-2">
                <span className="flex-1 text-sm font-semibold">{h.name}</span>
                <span data-streak={s?.currentStreak ?? 0} className="text-xs text-slate-500">
                  {s ? `${s.currentStreak} ${h.cadence === 'daily' ? 'day' : 'week'} streak · best ${s.longestStreak}` : '…'}
                </span>
                <button type="button" className="rounded-lg bg-emerald-600 px-2 py-1 text-xs font-medium text-white" onClick={() => void client.habits.checkIn(h.id).catch((e: Error) => onError(e.message))}>
                  Done today
                </button>
              </div>
              {s && <Heatmap days={s.days} />}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
