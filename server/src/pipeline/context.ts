import { and, eq, isNull } from 'drizzle-orm';
import type { TurnOutcome } from '@sayso/protocol';
import type { UnderstandContext } from '../providers/llm/port.js';
import type { Db } from '../store/open-store.js';
import { habits, tasks } from '../store/schema.js';
import type { TurnContext } from './messages.js';

/** The person's own data that helps understanding: open task titles, habit names, list names. */
export async function understandContext(db: Db, userId: string, turn: TurnContext, now: Date): Promise<UnderstandContext> {
  const [open, habitRows] = await Promise.all([
    db
      .select({ title: tasks.title, list: tasks.list })
      .from(tasks)
      .where(and(eq(tasks.userId, userId), eq(tasks.status, 'open'), isNull(tasks.deletedAt)))
      .limit(200),
    db.select({ name: habits.name }).from(habits).where(and(eq(habits.userId, userId), isNull(habits.deletedAt))),
  ]);
  return {
    now,
    timeZone: turn.timeZone ?? 'UTC',
    taskTitles: open.map((t) => t.title),
    habitNames: habitRows.map((h) => h.name),
    lists: [...new Set(open.map((t) => t.list))],
    ...(turn.last ? { last: { kind: turn.last.kind, title: turn.last.title } } : {}),
  };
}

/** The context the next turn starts from: what this one touched becomes "it". */
export function nextContext(turn: TurnContext, outcome: TurnOutcome): TurnContext {
  const item = outcome.item;
  if (!item || outcome.status !== 'done' || item.kind === 'checkin') return turn;
  return { ...turn, last: { kind: item.kind, id: item.id, title: item.title } };
}
