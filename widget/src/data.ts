import type { ChangeOp, Habit, HabitStats, JournalEntry, Task } from '@sayso/sdk';

// What the panels show, and how a live change lands in it. Pure functions: the controller keeps
// the state, the views only read it.

export interface HabitView {
  habit: Habit;
  /** Undefined until the stats arrive. */
  stats: HabitStats | undefined;
}

export interface PanelData {
  tasks: Task[];
  journal: JournalEntry[];
  habits: HabitView[];
}

export const EMPTY_DATA: PanelData = { tasks: [], journal: [], habits: [] };

/** How many journal entries the panel keeps. */
export const RECENT_ENTRIES = 5;

/** Replaces the item with the same id, or adds it; a newer version never loses to an older one. */
function upsert<T extends { id: string; version: number }>(list: T[], item: T, op: ChangeOp): T[] {
  if (op === 'deleted') return list.filter((x) => x.id !== item.id);
  const at = list.findIndex((x) => x.id === item.id);
  if (at < 0) return [item, ...list];
  if (list[at]!.version > item.version) return list;
  return list.map((x, i) => (i === at ? item : x));
}

export const applyTask = (data: PanelData, op: ChangeOp, task: Task): PanelData => ({ ...data, tasks: upsert(data.tasks, task, op) });

export const applyEntry = (data: PanelData, op: ChangeOp, entry: JournalEntry): PanelData => ({
  ...data,
  journal: upsert(data.journal, entry, op)
    .sort((a, b) => b.day.localeCompare(a.day) || b.createdAt.localeCompare(a.createdAt))
    .slice(0, RECENT_ENTRIES),
});

export function applyHabit(data: PanelData, op: ChangeOp, habit: Habit): PanelData {
  if (op === 'deleted') return { ...data, habits: data.habits.filter((h) => h.habit.id !== habit.id) };
  const at = data.habits.findIndex((h) => h.habit.id === habit.id);
  if (at < 0) return { ...data, habits: [...data.habits, { habit, stats: undefined }] };
  return { ...data, habits: data.habits.map((h, i) => (i === at && h.habit.version <= habit.version ? { ...h, habit } : h)) };
}

export const applyStats = (data: PanelData, stats: HabitStats): PanelData => ({
  ...data,
  habits: data.habits.map((h) => (h.habit.id === stats.habitId ? { ...h, stats } : h)),
});

/** `YYYY-MM-DD` of `now` in `timeZone` (the person's, from `client.me()`). */
export function dayIn(timeZone: string | undefined, now = new Date()): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  } catch {
    return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  }
}

/**
 * Today's tasks: open ones that are overdue, due today or undated (the inbox), then the ones
 * done today. Overdue and timed ones first, so what is pressing is on top.
 */
export function todaysTasks(tasks: readonly Task[], today: string): Task[] {
  const open = tasks.filter((t) => t.status === 'open' && (t.dueDate === null || t.dueDate <= today));
  const done = tasks.filter((t) => t.status === 'done' && t.completedAt !== null && t.completedAt.slice(0, 10) >= today);
  const key = (t: Task) => `${t.dueDate ?? '9999-99-99'} ${t.dueTime ?? '99:99'}`;
  open.sort((a, b) => key(a).localeCompare(key(b)) || b.createdAt.localeCompare(a.createdAt));
  return [...open, ...done];
}

/**
 * The heatmap's cells: `weeks` columns of 7 days ending with today's week (Monday first), each
 * with the day's summed value, or null for days after today.
 */
export function heatmapWeeks(days: ReadonlyArray<{ day: string; value: number }>, today: string, weeks = 12): Array<Array<{ day: string; value: number } | null>> {
  const values = new Map<string, number>();
  for (const d of days) values.set(d.day, (values.get(d.day) ?? 0) + d.value);
  const end = new Date(`${today}T00:00:00Z`);
  const weekday = (end.getUTCDay() + 6) % 7; // Monday 0
  const start = new Date(end.getTime() - ((weeks - 1) * 7 + weekday) * 86_400_000);
  const columns: Array<Array<{ day: string; value: number } | null>> = [];
  for (let w = 0; w < weeks; w++) {
    const column: Array<{ day: string; value: number } | null> = [];
    for (let d = 0; d < 7; d++) {
      const day = new Date(start.getTime() + (w * 7 + d) * 86_400_000).toISOString().slice(0, 10);
      column.push(day > today ? null : { day, value: values.get(day) ?? 0 });
    }
    columns.push(column);
  }
  return columns;
}
