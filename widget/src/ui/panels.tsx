import { useRef, useState } from 'preact/hooks';
import type { JournalEntry, Task } from '@sayso/sdk';
import { heatmapWeeks, todaysTasks, type HabitView, type PanelData } from '../data.js';
import { Icon } from './icons.js';

// Today's tasks, recent journal entries and habit streaks, as three tabs (WAI-ARIA tabs pattern:
// arrow keys, Home and End move between tabs; Tab goes on into the panel).

const TABS = [
  { id: 'tasks', label: 'Today' },
  { id: 'journal', label: 'Journal' },
  { id: 'habits', label: 'Habits' },
] as const;
type TabId = (typeof TABS)[number]['id'];

export interface PanelsProps {
  data: PanelData;
  today: string;
  language: string;
  loading: boolean;
  onToggleTask(id: string): void;
}

export function Panels(props: PanelsProps) {
  const [tab, setTab] = useState<TabId>('tasks');
  const buttons = useRef<Array<HTMLButtonElement | null>>([]);
  const select = (i: number) => {
    const next = TABS[(i + TABS.length) % TABS.length]!;
    setTab(next.id);
    buttons.current[(i + TABS.length) % TABS.length]?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const at = TABS.findIndex((t) => t.id === tab);
    const to = e.key === 'ArrowRight' ? at + 1 : e.key === 'ArrowLeft' ? at - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : null;
    if (to === null) return;
    e.preventDefault();
    select(to);
  };
  return (
    <div class="flex min-h-0 flex-1 flex-col">
      <div role="tablist" aria-label="Your things" class="flex gap-1 border-b border-(--sw-line) px-3" onKeyDown={onKeyDown}>
        {TABS.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => void (buttons.current[i] = el)}
            role="tab"
            id={`sw-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`sw-panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => setTab(t.id)}
            class={`-mb-px border-b-2 px-2.5 py-2 text-[13px] font-medium ${tab === t.id ? 'border-(--sayso-accent) text-(--sw-fg)' : 'border-transparent text-(--sw-muted) hover:text-(--sw-fg)'}`}
          >
            {t.label}
          </button>
        ))}
      </div>
      {TABS.map((t) => (
        <div
          key={t.id}
          role="tabpanel"
          id={`sw-panel-${t.id}`}
          aria-labelledby={`sw-tab-${t.id}`}
          tabIndex={0}
          hidden={tab !== t.id}
          class="min-h-0 flex-1 overflow-y-auto px-3 py-2"
        >
          {props.loading ? <p class="py-3 text-(--sw-muted)">Loading…</p>
          : t.id === 'tasks' ? <TaskList {...props} />
          : t.id === 'journal' ? <JournalList entries={props.data.journal} language={props.language} />
          : <HabitList habits={props.data.habits} today={props.today} />}
        </div>
      ))}
    </div>
  );
}

function TaskList({ data, today, language, onToggleTask }: PanelsProps) {
  const tasks = todaysTasks(data.tasks, today);
  if (!tasks.length) return <Empty text='Nothing due today. Say "add call the dentist tomorrow at nine".' />;
  return (
    <ul aria-label="Today's tasks" class="flex flex-col">
      {tasks.map((task) => (
        <li key={task.id} data-task-id={task.id} class="flex items-start gap-2.5 border-b border-(--sw-line) py-2 last:border-b-0">
          <button
            role="checkbox"
            aria-checked={task.status === 'done'}
            aria-label={`Done: ${task.title}`}
            onClick={() => onToggleTask(task.id)}
            class={`mt-0.5 flex size-4.5 shrink-0 items-center justify-center rounded-full border-2 ${task.status === 'done' ? 'border-(--sayso-accent) bg-(--sayso-accent) text-(--sayso-accent-contrast)' : 'border-(--sw-muted)'}`}
          >
            {task.status === 'done' && <Icon name="check" class="size-3" />}
          </button>
          <div class="min-w-0 flex-1">
            <p class={`break-words ${task.status === 'done' ? 'text-(--sw-muted) line-through' : ''}`}>{task.title}</p>
            <Due task={task} today={today} language={language} />
          </div>
        </li>
      ))}
    </ul>
  );
}

function Due({ task, today, language }: { task: Task; today: string; language: string }) {
  if (!task.dueDate) return null;
  const overdue = task.status === 'open' && task.dueDate < today;
  const when = task.dueDate === today ? 'Today' : formatDay(task.dueDate, language);
  return <p class={`text-xs ${overdue ? 'text-(--sw-danger)' : 'text-(--sw-muted)'}`}>{overdue ? `Overdue · ${when}` : when}{task.dueTime ? ` · ${task.dueTime}` : ''}</p>;
}

function JournalList({ entries, language }: { entries: JournalEntry[]; language: string }) {
  if (!entries.length) return <Empty text='No entries yet. Say "journal: today was a good day".' />;
  return (
    <ul aria-label="Recent journal entries" class="flex flex-col gap-2">
      {entries.map((e) => (
        <li key={e.id} class="rounded-[calc(var(--sayso-radius)*0.6)] bg-(--sw-soft) px-3 py-2">
          <p class="text-xs text-(--sw-muted)">
            {formatDay(e.day, language)}
            {e.mood !== null && ` · mood ${e.mood}/5`}
          </p>
          <p class="line-clamp-3 break-words">{e.text ?? (e.ciphertext ? 'Encrypted entry' : '')}</p>
        </li>
      ))}
    </ul>
  );
}

function HabitList({ habits, today }: { habits: HabitView[]; today: string }) {
  if (!habits.length) return <Empty text='No habits yet. Say "track meditation every day".' />;
  return (
    <ul aria-label="Habits" class="flex flex-col gap-3">
      {habits.map(({ habit, stats }) => {
        const days = stats?.days ?? [];
        const total = days.reduce((n, d) => n + (d.value > 0 ? 1 : 0), 0);
        const streak = stats?.currentStreak ?? 0;
        const unit = habit.cadence === 'weekly' ? 'week' : 'day';
        return (
          <li key={habit.id} class="flex flex-col gap-1.5">
            <div class="flex items-baseline justify-between gap-2">
              <span class="font-medium break-words">{habit.name}</span>
              <span class="shrink-0 text-xs text-(--sw-muted)">
                {stats ? `${streak} ${unit}${streak === 1 ? '' : 's'} streak` : '…'}
              </span>
            </div>
            <Heatmap days={days} today={today} label={`${habit.name}: checked in on ${total} of the last 84 days; best streak ${stats?.longestStreak ?? 0}`} />
          </li>
        );
      })}
    </ul>
  );
}

function Heatmap({ days, today, label }: { days: ReadonlyArray<{ day: string; value: number }>; today: string; label: string }) {
  const weeks = heatmapWeeks(days, today);
  const max = Math.max(1, ...days.map((d) => d.value));
  return (
    <div role="img" aria-label={label} class="flex gap-[3px]">
      {weeks.map((week, w) => (
        <div key={w} class="flex flex-col gap-[3px]">
          {week.map((cell, d) => (
            <span
              key={d}
              title={cell ? `${cell.day}: ${cell.value}` : undefined}
              class="size-3 rounded-[2px]"
              style={{
                background: !cell ? 'transparent' : cell.value > 0 ? `color-mix(in srgb, var(--sayso-accent) ${Math.round(35 + (65 * cell.value) / max)}%, var(--sw-soft))` : 'var(--sw-soft)',
              }}
            />
          ))}
        </div>
      ))}
    </div>
  );
}

const Empty = ({ text }: { text: string }) => <p class="py-3 text-(--sw-muted)">{text}</p>;

function formatDay(day: string, language: string): string {
  try {
    return new Intl.DateTimeFormat(language, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
  } catch {
    return day;
  }
}
