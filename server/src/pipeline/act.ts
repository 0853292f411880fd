import type { Action, ItemRef, Task, TurnOutcome } from '@sayso/protocol';
import type { WriteContext } from '../domain/changes.js';
import type { HabitService } from '../domain/habits.js';
import type { JournalService } from '../domain/journal.js';
import type { TaskService } from '../domain/tasks.js';
import { todayIn } from '../domain/paging.js';
import { addDays } from '../domain/streaks.js';
import type { TurnContext } from './messages.js';
import { bestMatch } from './resolve.js';
import * as say from './say.js';

/** Calendar events are tasks with a date and time on this list; Google Calendar sync mirrors it. */
export const CALENDAR_LIST = 'calendar';

export interface ActDeps {
  tasks: TaskService;
  journal: JournalService;
  habits: HabitService;
  /** The recorded result of a turn that already wrote, if any. */
  turns: { result(userId: string, turnId: string): Promise<unknown | null> };
  /** An LLM's summary of journal entries, when one is configured; the offline summary otherwise. */
  summarize?: (entries: Array<{ day: string; text: string; mood: number | null }>) => Promise<string>;
}

export interface ActResult {
  outcome: TurnOutcome;
  reply: string;
}

/**
 * Carries out one understood action through the same services as REST, as the person
 * (`ctx.source = 'voice'`, `ctx.turnId` set so a retried turn writes once).
 */
export async function act(deps: ActDeps, ctx: WriteContext, action: Action, context: TurnContext): Promise<ActResult> {
  const today = todayIn(context.timeZone ?? 'UTC');
  // A retried turn whose write already committed answers from the record, and acts no more.
  const earlier = ctx.turnId ? await deps.turns.result(ctx.userId, ctx.turnId) : null;
  if (earlier) {
    const habitId = (earlier as { habitId?: string }).habitId;
    const habitName = habitId ? await deps.habits.get(ctx.userId, habitId).then((h) => h.name, () => undefined) : undefined;
    return describeWrite(action, { ...(earlier as object), ...(habitName ? { habitName } : {}) }, today);
  }
  switch (action.kind) {
    case 'task':
      return actOnTask(deps, ctx, action, context, today);
    case 'event':
      return actOnEvent(deps, ctx, action, context, today);
    case 'journal':
      return actOnJournal(deps, ctx, action, today);
    case 'habit':
      return actOnHabit(deps, ctx, action, context);
    default:
      return { outcome: { action, status: 'none' }, reply: say.capabilities() };
  }
}

type Of<K> = Extract<Action, { kind: K }>;
const taskItem = (t: Task, kind: 'task' | 'event' = 'task') => ({ kind, id: t.id, title: t.title, version: t.version });

async function findTask(deps: ActDeps, userId: string, ref: ItemRef, context: TurnContext, list?: string): Promise<Task | null> {
  if (ref.last && context.last && (context.last.kind === 'task' || context.last.kind === 'event')) {
    return deps.tasks.get(userId, context.last.id).catch(() => null);
  }
  if (!ref.text) return null;
  const open = await deps.tasks.list(userId, { limit: 200, status: 'open', ...(list ? { list } : {}) });
  return bestMatch(ref.text, open.items);
}

async function actOnTask(deps: ActDeps, ctx: WriteContext, a: Of<'task'>, context: TurnContext, today: string): Promise<ActResult> {
  const failed = (reply: string): ActResult => ({ outcome: { action: a, status: 'failed' }, reply });
  switch (a.action) {
    case 'create': {
      const { value } = await deps.tasks.create(ctx, {
        title: a.title,
        ...(a.dueDate ? { dueDate: a.dueDate } : {}),
        ...(a.dueDate && a.dueTime ? { dueTime: a.dueTime } : {}),
        ...(a.priority ? { priority: a.priority } : {}),
        ...(a.list ? { list: a.list } : {}),
        ...(a.notes ? { notes: a.notes } : {}),
      });
      return describeWrite(a, value, today);
    }
    case 'query': {
      const q =
        a.scope === 'overdue'
          ? { overdue: true as const }
          : a.scope === 'today'
            ? { dueTo: today }
            : a.range
              ? { dueFrom: a.range.from, dueTo: a.range.to }
              : {};
      const page = await deps.tasks.list(ctx.userId, { limit: 50, status: 'open', ...q, ...(a.list ? { list: a.list } : {}) });
      return { outcome: { action: a, status: 'answered' }, reply: say.taskList(page.items, a.scope, a.list) };
    }
    default: {
      const task = await findTask(deps, ctx.userId, a.target, context);
      if (!task) return failed(say.notFound('task', a.target.text));
      const { value } =
        a.action === 'complete'
          ? await deps.tasks.complete(ctx, task.id)
          : a.action === 'remove'
            ? await deps.tasks.remove(ctx, task.id)
            : await deps.tasks.update(ctx, task.id, {
                ...a.changes,
                // A new time without a date keeps the task's date (or today).
                ...(a.changes.dueTime && !a.changes.dueDate && !task.dueDate ? { dueDate: today } : {}),
              });
      return describeWrite(a, value, today);
    }
  }
}

async function actOnEvent(deps: ActDeps, ctx: WriteContext, a: Of<'event'>, context: TurnContext, today: string): Promise<ActResult> {
  if (a.action === 'create') {
    const { value } = await deps.tasks.create(ctx, {
      title: a.title,
      dueDate: a.date,
      ...(a.time ? { dueTime: a.time } : {}),
      list: CALENDAR_LIST,
    });
    return describeWrite(a, value, today);
  }
  if (a.action === 'query') {
    const page = await deps.tasks.list(ctx.userId, { limit: 50, list: CALENDAR_LIST, status: 'open', dueFrom: a.range.from, dueTo: a.range.to });
    return { outcome: { action: a, status: 'answered' }, reply: say.eventList(page.items, a.range, today) };
  }
  const event = await findTask(deps, ctx.userId, a.target, context, CALENDAR_LIST);
  if (!event) return { outcome: { action: a, status: 'failed' }, reply: say.notFound('event', a.target.text) };
  const { value } = await deps.tasks.remove(ctx, event.id);
  return describeWrite(a, value, today);
}

async function actOnJournal(deps: ActDeps, ctx: WriteContext, a: Of<'journal'>, today: string): Promise<ActResult> {
  if (a.action === 'create') {
    const { value } = await deps.journal.create(ctx, { text: a.text, ...(a.mood ? { mood: a.mood } : {}) });
    return describeWrite(a, value, today);
  }
  if (a.question && !a.summarize) {
    const hits = await deps.journal.search(ctx.userId, a.question, 3);
    return { outcome: { action: a, status: 'answered' }, reply: say.journalHits(hits, today) };
  }
  const range = a.range ?? { from: addDays(today, -6), to: today };
  const page = await deps.journal.list(ctx.userId, { from: range.from, to: range.to, limit: 200 });
  const plain = page.items.flatMap((e) => (e.text ? [{ day: e.day, text: e.text, mood: e.mood }] : []));
  const reply = deps.summarize && plain.length > 0 ? await deps.summarize(plain).catch(() => say.journalSummary(page.items)) : say.journalSummary(page.items);
  return { outcome: { action: a, status: 'answered' }, reply };
}

async function actOnHabit(deps: ActDeps, ctx: WriteContext, a: Of<'habit'>, context: TurnContext): Promise<ActResult> {
  if (a.action === 'create') {
    const { value } = await deps.habits.create(ctx, { name: a.name, ...(a.cadence ? { cadence: a.cadence } : {}), ...(a.target ? { target: a.target } : {}) });
    return describeWrite(a, value, '');
  }
  const habits = (await deps.habits.list(ctx.userId)).map((h) => ({ ...h, title: h.name }));
  const ref = a.target;
  const habit =
    ref?.last && context.last?.kind === 'habit'
      ? habits.find((h) => h.id === context.last!.id) ?? null
      : ref?.text
        ? bestMatch(ref.text, habits)
        : null;
  if (a.action === 'query') {
    const chosen = habit ? [habit] : habits;
    const stats = await Promise.all(chosen.map(async (h) => ({ name: h.name, ...(await deps.habits.stats(ctx.userId, h.id)) })));
    return { outcome: { action: a, status: 'answered' }, reply: say.streaks(stats) };
  }
  if (!habit) return { outcome: { action: a, status: 'failed' }, reply: say.noHabit(ref?.text) };
  const { value } = await deps.habits.checkIn(ctx, habit.id, { ...(a.value ? { value: a.value } : {}), ...(a.day ? { day: a.day } : {}) });
  return describeWrite(a, { ...value, habitName: habit.name }, '');
}

const checkinOf = (v: object) =>
  'habitId' in v && typeof v.habitId === 'string' && 'day' in v && typeof v.day === 'string' ? { habitId: v.habitId, day: v.day } : {};

/**
 * The outcome and reply of a write, from the action and the written item alone: the same
 * words whether the turn ran now or is a retry answered from its record.
 */
export function describeWrite(action: Action, value: unknown, today: string): ActResult {
  const v = value as Task & { name?: string; habitName?: string; text?: string | null };
  switch (action.kind) {
    case 'task':
      return {
        outcome: { action, status: 'done', item: taskItem(v) },
        reply: action.action === 'create' ? say.taskAdded(v, today) : say.taskChanged(action.action as 'complete' | 'update' | 'remove', v, today),
      };
    case 'event':
      return {
        outcome: { action, status: 'done', item: taskItem(v, 'event') },
        reply: action.action === 'create' ? say.eventAdded(v, today) : `Removed ${v.title} from your calendar.`,
      };
    case 'journal':
      return { outcome: { action, status: 'done', item: { kind: 'journal', id: v.id, title: say.snippet(v.text ?? '') } }, reply: 'Saved to your journal.' };
    case 'habit':
      if (action.action === 'create') {
        return { outcome: { action, status: 'done', item: { kind: 'habit', id: v.id, title: v.name ?? '', version: v.version } }, reply: `Started tracking ${v.name}.` };
      }
      return {
        outcome: { action, status: 'done', item: { kind: 'checkin', id: v.id, title: v.habitName ?? '', ...checkinOf(v) } },
        reply: `Checked in ${v.habitName ?? 'that'}${action.action === 'complete' && action.value && action.value !== 1 ? ` with ${action.value}` : ''}.`,
      };
    default:
      return { outcome: { action, status: 'none' }, reply: say.capabilities() };
  }
}
