import type { TaskPriority } from '@sayso/sdk';
import { useRef, useState } from 'preact/hooks';
import { messageOf } from './errors.js';
import { useAction } from './hooks.js';
import type { HomeStore } from './store.js';
import { ErrorMessage, Field, inputClass, primaryButton } from './ui.js';

export const PRIORITIES: ReadonlyArray<{ id: TaskPriority; label: string }> = [
  { id: 'none', label: 'No priority' },
  { id: 'low', label: 'Low' },
  { id: 'medium', label: 'Medium' },
  { id: 'high', label: 'High' },
];

/** Adds a task: title, optional due date and time, priority and list. */
export function TaskForm(props: { store: HomeStore; lists: string[]; defaultList: string }) {
  const [title, setTitle] = useState('');
  const [dueDate, setDueDate] = useState('');
  const [dueTime, setDueTime] = useState('');
  const [priority, setPriority] = useState<TaskPriority>('none');
  const [list, setList] = useState('');
  const action = useAction();
  const titleRef = useRef<HTMLInputElement>(null);

  async function submit(e: Event) {
    e.preventDefault();
    const ok = await action.run(async () => {
      const task = await props.store.client.tasks.create({
        title: title.trim(),
        priority,
        list: list.trim() || props.defaultList,
        ...(dueDate ? { dueDate } : {}),
        ...(dueDate && dueTime ? { dueTime } : {}),
      });
      props.store.putTask(task);
    }, (err) => messageOf(err, 'add the task'));
    if (ok) {
      setTitle('');
      setDueTime('');
      titleRef.current?.focus();
    }
  }

  return (
    <form onSubmit={submit} aria-labelledby="add-task-title" class="space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id="add-task-title" class="text-sm font-semibold text-slate-800">Add a task</h2>
      <div class="grid gap-3 sm:grid-cols-[minmax(0,1fr)_auto]">
        <Field label="Title">
          <input
            ref={titleRef}
            class={inputClass}
            name="title"
            required
            maxLength={500}
            placeholder="Call the dentist"
            value={title}
            onInput={(e) => setTitle(e.currentTarget.value)}
          />
        </Field>
        <div class="flex items-end">
          <button type="submit" class={`${primaryButton} w-full sm:w-auto`} disabled={action.busy || !title.trim()}>
            {action.busy ? 'Adding…' : 'Add task'}
          </button>
        </div>
      </div>
      <div class="grid grid-cols-2 gap-3 md:grid-cols-4">
        <Field label="Due date">
          <input class={inputClass} type="date" name="dueDate" value={dueDate} onInput={(e) => setDueDate(e.currentTarget.value)} />
        </Field>
        <Field label="Time">
          <input
            class={inputClass}
            type="time"
            name="dueTime"
            value={dueTime}
            disabled={!dueDate}
            title={dueDate ? undefined : 'Pick a due date first'}
            onInput={(e) => setDueTime(e.currentTarget.value)}
          />
        </Field>
        <Field label="Priority">
          <select class={inputClass} name="priority" value={priority} onChange={(e) => setPriority(e.currentTarget.value as TaskPriority)}>
            {PRIORITIES.map((p) => (
              <option key={p.id} value={p.id}>{p.label}</option>
            ))}
          </select>
        </Field>
        <Field label="List">
          <input
            class={inputClass}
            name="list"
            list="task-lists"
            maxLength={100}
            placeholder={props.defaultList}
            value={list}
            onInput={(e) => setList(e.currentTarget.value)}
          />
          <datalist id="task-lists">
            {props.lists.map((l) => (
              <option key={l} value={l} />
            ))}
          </datalist>
        </Field>
      </div>
      <ErrorMessage message={action.error} onDismiss={() => action.setError(undefined)} />
    </form>
  );
}
