import type { Habit, HabitCadence } from '@sayso/sdk';
import { useState } from 'preact/hooks';
import { messageOf } from './errors.js';
import { Heatmap } from './heatmap.js';
import { useAction } from './hooks.js';
import type { HomeStore } from './store.js';
import { card, dangerButton, ErrorMessage, Field, inputClass, primaryButton, quietButton } from './ui.js';

/** Habits with today's check-in, streaks and a 12-week heatmap. */
export function HabitsView(props: { store: HomeStore }) {
  const { store } = props;
  const habits = [...store.habits.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return (
    <section aria-labelledby="habits-title" class="space-y-6">
      <h1 id="habits-title" tabIndex={-1} class="text-2xl font-semibold tracking-tight">Habits</h1>
      <HabitForm store={store} />
      {!store.loaded ? (
        <p class="text-sm text-slate-500">Loading habits…</p>
      ) : habits.length === 0 ? (
        <p class="text-sm text-slate-500">No habits yet. Add one above, then check in each day (or say "I did my stretching").</p>
      ) : (
        <ul class="grid gap-4 md:grid-cols-2" aria-label="Habits" data-testid="habit-list">
          {habits.map((h) => (
            <HabitCard key={h.id} store={store} habit={h} />
          ))}
        </ul>
      )}
    </section>
  );
}

function HabitForm(props: { store: HomeStore }) {
  const [name, setName] = useState('');
  const [cadence, setCadence] = useState<HabitCadence>('daily');
  const [target, setTarget] = useState('1');
  const action = useAction();

  async function submit(e: Event) {
    e.preventDefault();
    const ok = await action.run(async () => {
      props.store.putHabit(await props.store.client.habits.create({ name: name.trim(), cadence, target: Math.max(1, Number(target) || 1) }));
    }, (err) => messageOf(err, 'add the habit'));
    if (ok) setName('');
  }

  return (
    <form onSubmit={submit} aria-labelledby="add-habit-title" class={`${card} space-y-3`}>
      <h2 id="add-habit-title" class="text-sm font-semibold text-slate-800">Add a habit</h2>
      <div class="grid gap-3 sm:grid-cols-[minmax(0,1fr)_10rem_8rem_auto]">
        <Field label="Name">
          <input class={inputClass} name="name" required maxLength={100} placeholder="Stretch" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label="How often">
          <select class={inputClass} name="cadence" value={cadence} onChange={(e) => setCadence(e.currentTarget.value as HabitCadence)}>
            <option value="daily">Every day</option>
            <option value="weekly">Every week</option>
          </select>
        </Field>
        <Field label="Times">
          <input class={inputClass} type="number" name="target" min={1} max={1000} required value={target} onInput={(e) => setTarget(e.currentTarget.value)} />
        </Field>
        <div class="flex items-end">
          <button type="submit" class={`${primaryButton} w-full`} disabled={action.busy || !name.trim()}>
            {action.busy ? 'Adding…' : 'Add habit'}
          </button>
        </div>
      </div>
      <ErrorMessage message={action.error} onDismiss={() => action.setError(undefined)} />
    </form>
  );
}

function HabitCard(props: { store: HomeStore; habit: Habit }) {
  const { store, habit } = props;
  const action = useAction();
  const today = store.today();
  const stats = store.stats.get(habit.id);
  const todayValue = stats?.days.find((d) => d.day === today)?.value ?? 0;
  const unit = habit.cadence === 'daily' ? ['day', 'days'] : ['week', 'weeks'];
  const plural = (n: number) => `${n} ${n === 1 ? unit[0] : unit[1]}`;
  const headingId = `habit-${habit.id}`;

  // A daily habit with a target of 3 takes three check-ins a day; a weekly one, one a day at most.
  const doneToday = habit.cadence === 'daily' ? todayValue >= habit.target : todayValue > 0;
  const checkIn = () =>
    action.run(async () => {
      await store.client.habits.checkIn(habit.id, { day: today, value: todayValue + 1 });
      await store.refreshStats(habit.id);
    }, (err) => messageOf(err, 'check in'));
  const undo = () =>
    action.run(async () => {
      await store.client.habits.removeCheckin(habit.id, today);
      await store.refreshStats(habit.id);
    }, (err) => messageOf(err, "undo today's check-in"));
  const remove = () =>
    action.run(async () => {
      await store.client.habits.remove(habit.id, { version: habit.version });
      store.dropHabit(habit.id);
    }, (err) => messageOf(err, 'delete the habit'));

  return (
    <li>
      <article aria-labelledby={headingId} class={`${card} space-y-4`} data-habit-id={habit.id}>
        <header class="flex items-start justify-between gap-3">
          <div class="min-w-0">
            <h3 id={headingId} class="break-words font-semibold text-slate-900">{habit.name}</h3>
            <p class="text-xs text-slate-500">
              {habit.target} {habit.target === 1 ? 'time' : 'times'} a {habit.cadence === 'daily' ? 'day' : 'week'}
            </p>
          </div>
          <button type="button" class={dangerButton} onClick={() => void remove()} disabled={action.busy}>
            Delete<span class="sr-only"> {habit.name}</span>
          </button>
        </header>
        <dl class="grid grid-cols-2 gap-3">
          <div class="rounded-lg bg-slate-50 p-3">
            <dt class="text-xs text-slate-500">Current streak</dt>
            <dd class="text-lg font-semibold" data-testid="current-streak">{stats ? plural(stats.currentStreak) : '…'}</dd>
          </div>
          <div class="rounded-lg bg-slate-50 p-3">
            <dt class="text-xs text-slate-500">Longest streak</dt>
            <dd class="text-lg font-semibold" data-testid="longest-streak">{stats ? plural(stats.longestStreak) : '…'}</dd>
          </div>
        </dl>
        <Heatmap days={stats?.days ?? []} today={today} target={habit.target} name={habit.name} />
        <div class="flex flex-wrap items-center gap-2">
          {doneToday ? (
            <p class="text-sm font-medium text-emerald-700" data-testid="done-today">✓ Done today</p>
          ) : (
            <button type="button" class={primaryButton} onClick={() => void checkIn()} disabled={action.busy || !stats}>
              Check in today
              {habit.cadence === 'daily' && habit.target > 1 ? ` (${todayValue} of ${habit.target})` : ''}
              <span class="sr-only"> for {habit.name}</span>
            </button>
          )}
          {todayValue > 0 ? (
            <button type="button" class={quietButton} onClick={() => void undo()} disabled={action.busy}>
              Undo today<span class="sr-only"> for {habit.name}</span>
            </button>
          ) : null}
        </div>
        <ErrorMessage message={action.error} onDismiss={() => action.setError(undefined)} />
      </article>
    </li>
  );
}
