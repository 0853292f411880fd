import { ConflictError, type Task } from '@sayso/sdk';
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeDay } from './dates.js';
import { messageOf } from './errors.js';
import { useAction } from './hooks.js';
import type { HomeStore } from './store.js';
import { dangerButton, ErrorMessage, inputClass, quietButton } from './ui.js';

const PRIORITY_LOOKS: Record<Task['priority'], string | undefined> = {
  none: undefined,
  low: 'bg-sky-50 text-sky-800',
  medium: 'bg-amber-50 text-amber-800',
  high: 'bg-red-50 text-red-800',
};

/**
 * One task: done checkbox, title (rename inline), due, priority and list. Every change sends the
 * version shown; if the task changed elsewhere meanwhile, the latest one is shown with a message.
 */
export function TaskItem(props: { store: HomeStore; task: Task; today: string; showList: boolean }) {
  const { store, task, today } = props;
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(task.title);
  const action = useAction();
  const editRef = useRef<HTMLInputElement>(null);
  const renameRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (editing) editRef.current?.select();
  }, [editing]);

  const change = (doing: string, work: () => Promise<Task>) =>
    action.run(
      async () => store.putTask(await work()),
      (err) => {
        if (err instanceof ConflictError && err.current) store.putTask(err.current as Task);
        return messageOf(err, doing);
      },
    );

  const toggle = () =>
    task.status === 'open'
      ? change('mark the task done', () => store.client.tasks.complete(task.id, { version: task.version }))
      : change('reopen the task', () => store.client.tasks.reopen(task.id, { version: task.version }));

  async function saveTitle() {
    const title = draft.trim();
    setEditing(false);
    if (!title || title === task.title) return;
    await change('rename the task', () => store.client.tasks.update(task.id, { version: task.version, title }));
    renameRef.current?.focus();
  }

  function cancelEdit() {
    setEditing(false);
    setDraft(task.title);
    setTimeout(() => renameRef.current?.focus(), 0);
  }

  const remove = () =>
    action.run(
      async () => {
        await store.client.tasks.remove(task.id, { version: task.version });
        store.dropTask(task.id);
      },
      (err) => {
        if (err instanceof ConflictError && err.current) store.putTask(err.current as Task);
        return messageOf(err, 'delete the task');
      },
    );

  const done = task.status === 'done';
  const overdue = !done && task.dueDate !== null && task.dueDate < today;
  const priorityLook = PRIORITY_LOOKS[task.priority];
  return (
    <li class="group py-2" data-task-id={task.id}>
      <div class="flex items-start gap-3">
        <input
          type="checkbox"
          class="mt-1 size-4 shrink-0 accent-brand-600"
          checked={done}
          disabled={action.busy}
          onChange={() => void toggle()}
          aria-label={`Done: ${task.title}`}
        />
        <div class="min-w-0 flex-1">
          {editing ? (
            <input
              ref={editRef}
              class={inputClass}
              aria-label={`New title for ${task.title}`}
              value={draft}
              maxLength={500}
              onInput={(e) => setDraft(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') void saveTitle();
                if (e.key === 'Escape') cancelEdit();
              }}
              onBlur={() => void saveTitle()}
            />
          ) : (
            <p
              class={`break-words text-sm ${done ? 'text-slate-500 line-through' : 'text-slate-900'}`}
              data-testid="task-title"
              onDblClick={() => (setDraft(task.title), setEditing(true))}
            >
              {task.title}
            </p>
          )}
          <p class="mt-0.5 flex flex-wrap gap-x-3 gap-y-1 text-xs text-slate-500">
            {task.dueDate ? (
              <span class={overdue ? 'font-medium text-red-700' : undefined}>
                {overdue ? 'Overdue: ' : 'Due '}
                <time dateTime={task.dueTime ? `${task.dueDate}T${task.dueTime}` : task.dueDate}>
                  {describeDay(task.dueDate, today)}
                  {task.dueTime ? ` ${task.dueTime}` : ''}
                </time>
              </span>
            ) : null}
            {priorityLook ? <span class={`rounded px-1.5 ${priorityLook}`}>{task.priority} priority</span> : null}
            {props.showList ? <span class="rounded bg-slate-100 px-1.5 text-slate-700">{task.list}</span> : null}
            {task.source === 'voice' ? <span>by voice</span> : null}
          </p>
        </div>
        <div class="flex shrink-0 gap-1 opacity-100 sm:opacity-60 sm:group-hover:opacity-100 sm:focus-within:opacity-100">
          <button
            ref={renameRef}
            type="button"
            class={quietButton}
            disabled={action.busy || editing}
            onClick={() => (setDraft(task.title), setEditing(true))}
            aria-label={`Rename ${task.title}`}
          >
            Rename
          </button>
          <button type="button" class={dangerButton} disabled={action.busy} onClick={() => void remove()} aria-label={`Delete ${task.title}`}>
            Delete
          </button>
        </div>
      </div>
      {action.error ? (
        <div class="ml-7 mt-2">
          <ErrorMessage message={action.error} onDismiss={() => action.setError(undefined)} />
        </div>
      ) : null}
    </li>
  );
}
