import type { Task } from '@sayso/sdk';

export type TaskFilter = 'open' | 'today' | 'upcoming' | 'overdue' | 'done';

export const TASK_FILTERS: ReadonlyArray<{ id: TaskFilter; label: string }> = [
  { id: 'open', label: 'All open' },
  { id: 'today', label: 'Today' },
  { id: 'upcoming', label: 'Upcoming' },
  { id: 'overdue', label: 'Overdue' },
  { id: 'done', label: 'Done' },
];

/** Lists every person has, then the others their tasks use, by name. */
export const STANDARD_LISTS = ['inbox', 'calendar'] as const;

/** Whether `task` belongs under `filter` on `today` (the person's `YYYY-MM-DD`). */
export function inFilter(task: Task, filter: TaskFilter, today: string): boolean {
  if (filter === 'done') return task.status === 'done';
  if (task.status !== 'open') return false;
  switch (filter) {
    case 'open':
      return true;
    case 'today':
      return task.dueDate === today;
    case 'upcoming':
      return task.dueDate !== null && task.dueDate > today;
    case 'overdue':
      return task.dueDate !== null && task.dueDate < today;
  }
}

/** Done tasks latest first; open ones by due date and time (undated last, newest first). */
export function sortTasks(tasks: Task[], filter: TaskFilter): Task[] {
  if (filter === 'done') return [...tasks].sort((a, b) => (b.completedAt ?? '').localeCompare(a.completedAt ?? ''));
  const due = (t: Task) => (t.dueDate ? `${t.dueDate}T${t.dueTime ?? '99:99'}` : '~');
  return [...tasks].sort((a, b) => due(a).localeCompare(due(b)) || b.createdAt.localeCompare(a.createdAt));
}

export function listsOf(tasks: Iterable<Task>): string[] {
  const others = new Set<string>();
  for (const t of tasks) if (!(STANDARD_LISTS as readonly string[]).includes(t.list)) others.add(t.list);
  return [...STANDARD_LISTS, ...[...others].sort((a, b) => a.localeCompare(b))];
}
