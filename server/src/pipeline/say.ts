import type { DayRange, JournalEntry, JournalSearchHit, Task } from '@sayso/protocol';
import { addDays } from '../domain/streaks.js';

// What Sayso says back, in short spoken sentences. Dates are said relative to today when near.

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function day(d: string, today: string): string {
  if (d === today) return 'today';
  if (d === addDays(today, 1)) return 'tomorrow';
  if (d === addDays(today, -1)) return 'yesterday';
  const date = new Date(`${d}T00:00:00Z`);
  if (d > today && d <= addDays(today, 6)) return WEEKDAYS[date.getUTCDay()]!;
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}`;
}

export function time(t: string): string {
  const [h, m] = t.split(':').map(Number) as [number, number];
  const hour = h % 12 === 0 ? 12 : h % 12;
  return `${hour}${m ? `:${String(m).padStart(2, '0')}` : ''} ${h < 12 ? 'a.m.' : 'p.m.'}`;
}

const when = (t: Pick<Task, 'dueDate' | 'dueTime'>, today: string) =>
  t.dueDate ? ` for ${day(t.dueDate, today)}${t.dueTime ? ` at ${time(t.dueTime)}` : ''}` : '';

export const snippet = (text: string, max = 60) => (text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text);

export function capabilities(): string {
  return "Sorry, that's not something I can do. I can add and finish tasks, put events on your calendar, take journal notes, and track habits.";
}

/** Ends a sentence once: "at 1 p.m." already has its full stop. */
const sentence = (s: string) => (s.endsWith('.') ? s : `${s}.`);

export const taskAdded = (t: Task, today: string) => sentence(`Added ${t.title}${when(t, today)}${t.list !== 'inbox' ? ` to your ${t.list} list` : ''}`);

export function taskChanged(verb: 'complete' | 'update' | 'remove', t: Task, today: string): string {
  if (verb === 'complete') return `Marked ${t.title} as done.`;
  if (verb === 'remove') return `Deleted ${t.title}.`;
  return sentence(`Updated ${t.title}${when(t, today)}`);
}

export const eventAdded = (t: Task, today: string) => sentence(`Put ${t.title} on your calendar${when(t, today)}`);

export function notFound(what: string, text?: string): string {
  return text ? `I couldn't find a ${what} matching ${text}. Nothing was changed.` : `Which ${what} do you mean? Nothing was changed.`;
}

export function noHabit(text?: string): string {
  return text
    ? `You don't have a habit called ${text}. Say "start a habit of ${text}" to track it.`
    : 'Which habit? Nothing was changed.';
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

export function taskList(tasks: Task[], scope: string, listName?: string): string {
  const where = listName ? ` on your ${listName} list` : scope === 'today' ? ' for today' : scope === 'overdue' ? ' overdue' : '';
  if (tasks.length === 0) return `You have nothing${where}.`;
  const named = tasks.slice(0, 5).map((t) => t.title);
  const more = tasks.length > 5 ? `, and ${tasks.length - 5} more` : '';
  return `You have ${tasks.length} ${tasks.length === 1 ? 'task' : 'tasks'}${where}: ${list(named)}${more}.`;
}

export function eventList(events: Task[], range: DayRange, today: string): string {
  const span = range.from === range.to ? day(range.from, today) : `from ${day(range.from, today)} to ${day(range.to, today)}`;
  if (events.length === 0) return `Nothing on your calendar ${span}.`;
  const named = events.slice(0, 5).map((e) => `${e.title}${e.dueTime ? ` at ${time(e.dueTime)}` : ''}`);
  return `On your calendar ${span}: ${list(named)}${events.length > 5 ? `, and ${events.length - 5} more` : ''}.`;
}

export function journalHits(hits: JournalSearchHit[], today: string): string {
  const best = hits.filter((h) => h.entry.text && h.score > 0.2);
  if (best.length === 0) return "I didn't find anything about that in your journal.";
  const [first] = best;
  return `On ${day(first!.entry.day, today)} you wrote: ${snippet(first!.entry.text!, 160)}`;
}

const STOP = new Set('i me my the a an and but or to of in on at for with was were is it this that had have has be been so very just really not no yes today'.split(' '));

/** An offline summary: how many entries, the mood, and what came up most. */
export function journalSummary(entries: JournalEntry[]): string {
  const plain = entries.filter((e) => e.text);
  if (plain.length === 0) return 'You have no journal entries for that time.';
  const moods = plain.flatMap((e) => (e.mood ? [e.mood] : []));
  const counts = new Map<string, number>();
  for (const e of plain) {
    for (const w of new Set(e.text!.toLowerCase().match(/[a-z']{4,}/g) ?? [])) if (!STOP.has(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  const top = [...counts].filter(([, n]) => n > 1).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([w]) => w);
  const mood = moods.length ? ` Your average mood was ${(moods.reduce((a, b) => a + b, 0) / moods.length).toFixed(1)} out of 5.` : '';
  const themes = top.length ? ` You wrote most about ${list(top)}.` : '';
  return `You wrote ${plain.length} ${plain.length === 1 ? 'entry' : 'entries'}.${mood}${themes}`;
}

export function streaks(stats: Array<{ name: string; currentStreak: number; longestStreak: number }>): string {
  if (stats.length === 0) return "You aren't tracking any habits yet. Say \"start a habit of\" and its name.";
  return stats
    .slice(0, 4)
    .map((s) => `${s.name}: ${s.currentStreak} in a row${s.longestStreak > s.currentStreak ? `, best ${s.longestStreak}` : ''}.`)
    .join(' ');
}
