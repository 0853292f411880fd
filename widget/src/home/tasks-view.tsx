import { useState } from 'preact/hooks';
import type { HomeStore } from './store.js';
import { TASK_FILTERS, inFilter, listsOf, sortTasks, type TaskFilter } from './task-filters.js';
import { TaskForm } from './task-form.js';
import { TaskItem } from './task-item.js';

const ALL = '';

/** Tasks by list and by when they are due; add, rename, complete, reopen, delete. */
export function TasksView(props: { store: HomeStore }) {
  const { store } = props;
  const [filter, setFilter] = useState<TaskFilter>('open');
  const [list, setList] = useState<string>(ALL);
  const today = store.today();
  const all = [...store.tasks.values()];
  const lists = listsOf(all);
  const inList = list === ALL ? all : all.filter((t) => t.list === list);
  const shown = sortTasks(inList.filter((t) => inFilter(t, filter, today)), filter);
  const count = (f: TaskFilter) => inList.filter((t) => inFilter(t, f, today)).length;
  const openIn = (l: string) => all.filter((t) => t.status === 'open' && (l === ALL || t.list === l)).length;
  const filterLabel = TASK_FILTERS.find((f) => f.id === filter)!.label;

  return (
    <section aria-labelledby="tasks-title" class="grid gap-6 md:grid-cols-[12rem_minmax(0,1fr)]">
      <div class="md:col-span-2">
        <h1 id="tasks-title" tabIndex={-1} class="text-2xl font-semibold tracking-tight">Tasks</h1>
      </div>
      <nav aria-label="Lists">
        <h2 class="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">Lists</h2>
        <ul class="flex flex-wrap gap-1 md:flex-col">
          {[ALL, ...lists].map((l) => (
            <li key={l}>
              <button
                type="button"
                aria-pressed={list === l}
                onClick={() => setList(l)}
                class={`flex w-full items-center justify-between gap-3 rounded-md px-3 py-1.5 text-left text-sm ${
                  list === l ? 'bg-brand-50 font-medium text-brand-700' : 'text-slate-700 hover:bg-slate-100'
                }`}
              >
                <span class="truncate">{l === ALL ? 'All lists' : l}</span>
                <span class="text-xs text-slate-500">{openIn(l)}</span>
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <div class="min-w-0 space-y-4">
        <TaskForm store={store} lists={lists} defaultList={list === ALL ? 'inbox' : list} />
        <div class="rounded-xl border border-slate-200 bg-white shadow-sm">
          <div role="group" aria-label="Show" class="flex flex-wrap gap-1 border-b border-slate-200 p-2">
            {TASK_FILTERS.map((f) => (
              <button
                key={f.id}
                type="button"
                aria-pressed={filter === f.id}
                onClick={() => setFilter(f.id)}
                class={`rounded-md px-3 py-1 text-sm ${
                  filter === f.id ? 'bg-slate-900 text-white' : 'text-slate-700 hover:bg-slate-100'
                } ${f.id === 'overdue' && count('overdue') > 0 && filter !== f.id ? 'text-red-700' : ''}`}
              >
                {f.label} <span class="text-xs opacity-70">{count(f.id)}</span>
              </button>
            ))}
          </div>
          <h2 class="sr-only" aria-live="polite">
            {filterLabel}
            {list === ALL ? '' : ` in ${list}`}: {shown.length} {shown.length === 1 ? 'task' : 'tasks'}
          </h2>
          {!store.loaded ? (
            <p class="p-4 text-sm text-slate-500">Loading tasks…</p>
          ) : shown.length === 0 ? (
            <p class="p-4 text-sm text-slate-500">{emptyText(filter)}</p>
          ) : (
            <ul class="divide-y divide-slate-100 px-4" aria-label="Tasks" data-testid="task-list">
              {shown.map((t) => (
                <TaskItem key={t.id} store={store} task={t} today={today} showList={list === ALL} />
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}

function emptyText(filter: TaskFilter): string {
  switch (filter) {
    case 'open': return 'Nothing to do. Add a task above, or say "add buy milk tomorrow".';
    case 'today': return 'Nothing due today.';
    case 'upcoming': return 'Nothing due later.';
    case 'overdue': return 'Nothing overdue.';
    case 'done': return 'No finished tasks yet.';
  }
}
