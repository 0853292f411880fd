import type { SaysoClient, Task } from '@sayso/sdk';
import { useState } from 'react';

/** Open tasks with a checkbox each, and a box to add one. */
export function TasksView({ client, tasks, onError }: { client: SaysoClient; tasks: Task[]; onError: (m: string) => void }) {
  const [title, setTitle] = useState('');
  const open = tasks.filter((t) => t.status === 'open');
  const done = tasks.filter((t) => t.status === 'done').slice(0, 5);

  async function add() {
    const t = title.trim();
    if (!t) return;
    setTitle('');
    await client.tasks.create({ title: t }).catch((e: Error) => onError(e.message));
  }
  async function toggle(task: Task) {
    const call = task.status === 'open' ? client.tasks.complete(task.id, { version: task.version }) : client.tasks.reopen(task.id, { version: task.version });
    await call.catch((e: Error) => onError(e.message));
  }
  return (
    <div className="flex flex-col gap-3">
      <form className="flex gap-2" onSubmit={(e) => (e.preventDefault(), void add())}>
        <input
          name="new-task"
          className="min-w-0 flex-1 rounded-lg border border-slate-300 px-2 py-1.5 text-sm"
          placeholder="Add a task"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
        />
        <button className="rounded-lg bg-brand-600 px-3 text-sm font-medium text-white">Add</button>
      </form>
      {open.length === 0 && <p className="text-sm text-slate-500">Nothing to do. Say “remind me to…” on any page.</p>}
      <ul data-tasks className="flex flex-col divide-y divide-slate-100">
        {[...open, ...done].map((t) => (
          <li key={t.id} data-task-id={t.id} className="flex items-center gap-2 py-2 text-sm">
            <input type="checkbox" aria-label={`Done: ${t.title}`} checked={t.status === 'done'} onChange={() => void toggle(t)} />
            <span data-task-title className={`flex-1 ${t.status === 'done' ? 'text-slate-400 line-through' : ''}`}>{t.title}</span>
            {t.list !== 'inbox' && <span className="rounded bg-slate-100 px-1.5 text-xs text-slate-500">{t.list}</span>}
            {t.dueDate && (
              <span className="text-xs text-slate-500">
                {t.dueDate}
                {t.dueTime ? ` ${t.dueTime}` : ''}
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
