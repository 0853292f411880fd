import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Habit, HabitCheckin, JournalEntry, JournalSearchHit, Task, User } from '@sayso/protocol';

// The boundary schemas: REST validates bodies and queries with these, the OpenAPI document is
// generated from them, and the voice and sync paths validate their writes with the same ones.
extendZodWithOpenApi(z);

const isRealDay = (s: string) => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
};
export const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'use a calendar day as YYYY-MM-DD, e.g. 2026-11-28')
  .refine(isRealDay, 'this day does not exist in the calendar')
  .openapi({ example: '2026-11-28' });
export const ClockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use a 24-hour time as HH:MM, e.g. 09:30')
  .openapi({ example: '09:30' });
const Title = z.string().trim().min(1, 'must not be empty').max(500, 'keep it under 500 characters');
const ListName = z.string().trim().min(1, 'must not be empty').max(100, 'keep it under 100 characters');
const Version = z.number().int().min(1).openapi({ description: 'The version you last saw; the update fails with 409 if it changed.' });
export const Priority = z.enum(['none', 'low', 'medium', 'high']);
const Source = z.enum(['api', 'voice', 'widget', 'extension', 'sheets', 'calendar']);
const Instant = z.string().openapi({ format: 'date-time' });
const Id = z.uuid('must be a UUID');

export const IdParams = z.object({ id: Id });
export const HabitDayParams = z.object({ id: Id, day: Day });

type Due = { dueDate?: string | null | undefined; dueTime?: string | null | undefined };
/** On create a time needs a date; on a patch only an explicit `dueDate: null` beside a time is wrong. */
const withDueTimeRule = <T extends z.ZodType<Due>>(s: T, creating: boolean) =>
  s.refine((v) => !v.dueTime || (creating ? Boolean(v.dueDate) : v.dueDate !== null), {
    message: 'a due time needs a due date',
    path: ['dueTime'],
  });

export const TaskCreate = withDueTimeRule(
  z.strictObject({
    title: Title,
    notes: z.string().max(10_000).nullable().optional(),
    priority: Priority.optional(),
    dueDate: Day.nullable().optional(),
    dueTime: ClockTime.nullable().optional(),
    list: ListName.optional(),
  }),
  true,
).openapi('TaskCreate');

export const TaskPatch = withDueTimeRule(
  z.strictObject({
    title: Title.optional(),
    notes: z.string().max(10_000).nullable().optional(),
    priority: Priority.optional(),
    status: z.enum(['open', 'done']).optional(),
    dueDate: Day.nullable().optional(),
    dueTime: ClockTime.nullable().optional(),
    list: ListName.optional(),
    version: Version.optional(),
  }),
  false,
).openapi('TaskPatch');

const Limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const Flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const TaskListQuery = z.strictObject({
  status: z.enum(['open', 'done']).optional(),
  list: ListName.optional(),
  dueFrom: Day.optional(),
  dueTo: Day.optional(),
  overdue: Flag.optional().openapi({ description: 'Only open tasks due before today (in your time zone).' }),
  limit: Limit(200, 50),
  cursor: z.string().max(200).optional(),
});

export const VersionBody = z.strictObject({ version: Version.optional() }).optional();

const Base64 = z.string().regex(/^[A-Za-z0-9+/_-]+={0,2}$/, 'must be base64');
const Mood = z.number().int().min(1).max(5).openapi({ description: '1 (low) to 5 (great).' });

export const JournalCreate = z
  .strictObject({
    text: z.string().trim().min(1, 'must not be empty').max(20_000, 'keep an entry under 20,000 characters').optional(),
    ciphertext: Base64.max(100_000).optional(),
    iv: Base64.max(64).optional(),
    keyId: z.string().min(1).max(200).optional(),
    mood: Mood.nullable().optional(),
    day: Day.optional(),
  })
  .refine((v) => (v.text === undefined) !== (v.ciphertext === undefined), {
    message: 'send either `text`, or `ciphertext` with `iv` and `keyId` for an encrypted entry (not both)',
  })
  .refine((v) => v.ciphertext === undefined || (v.iv !== undefined && v.keyId !== undefined), {
    message: 'an encrypted entry needs `iv` and `keyId` with its `ciphertext`',
    path: ['iv'],
  })
  .openapi('JournalCreate');

export const JournalPatch = z
  .strictObject({
    text: z.string().trim().min(1).max(20_000).optional(),
    ciphertext: Base64.max(100_000).optional(),
    iv: Base64.max(64).optional(),
    keyId: z.string().min(1).max(200).optional(),
    mood: Mood.nullable().optional(),
    day: Day.optional(),
    version: Version.optional(),
  })
  .refine((v) => !(v.text !== undefined && v.ciphertext !== undefined), { message: 'send `text` or `ciphertext`, not both' })
  .refine((v) => v.ciphertext === undefined || (v.iv !== undefined && v.keyId !== undefined), {
    message: 'an encrypted entry needs `iv` and `keyId` with its `ciphertext`',
    path: ['iv'],
  })
  .openapi('JournalPatch');

export const JournalListQuery = z.strictObject({
  from: Day.optional(),
  to: Day.optional(),
  limit: Limit(200, 50),
  cursor: z.string().max(200).optional(),
});

export const JournalSearchQuery = z.strictObject({
  q: z.string().trim().min(1, 'say what to look for').max(500),
  limit: Limit(50, 10),
});

const HabitName = z.string().trim().min(1, 'must not be empty').max(100, 'keep it under 100 characters');
export const HabitCreate = z
  .strictObject({
    name: HabitName,
    cadence: z.enum(['daily', 'weekly']).optional(),
    target: z.number().int().min(1).max(1000).optional(),
  })
  .openapi('HabitCreate');
export const HabitPatch = z
  .strictObject({
    name: HabitName.optional(),
    cadence: z.enum(['daily', 'weekly']).optional(),
    target: z.number().int().min(1).max(1000).optional(),
    version: Version.optional(),
  })
  .openapi('HabitPatch');

export const CheckinInput = z
  .strictObject({
    day: Day.optional().openapi({ description: 'Defaults to today in your time zone.' }),
    // The column is a float4: a positive value below ~1e-38 does not fit and failed the insert (500).
    value: z.number().min(0.000001, 'use a value from 0.000001 to 1,000,000').max(1_000_000).optional(),
    note: z.string().max(1000).nullable().optional(),
  })
  .openapi('CheckinInput');

export const CheckinListQuery = z.strictObject({ from: Day.optional(), to: Day.optional() });

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};
export const MePatch = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    timeZone: z
      .string()
      .max(100)
      .refine(isTimeZone, 'use an IANA time zone name, e.g. Europe/Berlin or America/New_York')
      .optional(),
  })
  .openapi('MePatch');

export const LocalSignIn = z
  .strictObject({ name: z.string().trim().min(1).max(100).optional(), password: z.string().max(500).optional() })
  .optional();

// Response shapes, checked against the protocol types below so the document cannot drift.
export const TaskOut = z
  .object({
    id: z.string(), title: z.string(), notes: z.string().nullable(), status: z.enum(['open', 'done']),
    priority: Priority, dueDate: z.string().nullable(), dueTime: z.string().nullable(), list: z.string(),
    source: Source, sheetsRowId: z.string().nullable(), calendarEventId: z.string().nullable(),
    version: z.number(), createdAt: Instant, updatedAt: Instant, completedAt: Instant.nullable(),
  })
  .openapi('Task');
export const JournalEntryOut = z
  .object({
    id: z.string(), text: z.string().nullable(), ciphertext: z.string().nullable(), iv: z.string().nullable(),
    keyId: z.string().nullable(), mood: z.number().nullable(), day: z.string(), source: Source,
    version: z.number(), createdAt: Instant, updatedAt: Instant,
  })
  .openapi('JournalEntry');
export const HabitOut = z
  .object({
    id: z.string(), name: z.string(), cadence: z.enum(['daily', 'weekly']), target: z.number(),
    version: z.number(), createdAt: Instant, updatedAt: Instant,
  })
  .openapi('Habit');
export const CheckinOut = z
  .object({
    id: z.string(), habitId: z.string(), day: z.string(), value: z.number(), note: z.string().nullable(),
    createdAt: Instant, updatedAt: Instant,
  })
  .openapi('HabitCheckin');
export const SearchHitOut = z.object({ entry: JournalEntryOut, score: z.number() }).openapi('JournalSearchHit');
export const UserOut = z
  .object({ id: z.string(), name: z.string(), email: z.string().nullable(), timeZone: z.string() })
  .openapi('User');
export const HabitStatsOut = z
  .object({
    habitId: z.string(),
    currentStreak: z.number().openapi({ description: 'Consecutive periods (days or weeks) meeting the target, up to now.' }),
    longestStreak: z.number(),
    days: z.array(z.object({ day: z.string(), value: z.number() })),
  })
  .openapi('HabitStats');
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
export const ErrorOut = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional(), requestId: z.string().optional() }),
  })
  .openapi('Error');

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const check = <T extends true>(_: T) => _;
check<Same<z.infer<typeof TaskOut>, Task>>(true);
check<Same<z.infer<typeof JournalEntryOut>, JournalEntry>>(true);
check<Same<z.infer<typeof HabitOut>, Habit>>(true);
check<Same<z.infer<typeof CheckinOut>, HabitCheckin>>(true);
check<Same<z.infer<typeof SearchHitOut>, JournalSearchHit>>(true);
check<Same<z.infer<typeof UserOut>, User>>(true);

export type TaskCreateInput = z.infer<typeof TaskCreate>;
export type TaskPatchInput = z.infer<typeof TaskPatch>;
export type TaskListInput = z.infer<typeof TaskListQuery>;
export type JournalCreateInput = z.infer<typeof JournalCreate>;
export type JournalPatchInput = z.infer<typeof JournalPatch>;
export type JournalListInput = z.infer<typeof JournalListQuery>;
export type HabitCreateInput = z.infer<typeof HabitCreate>;
export type HabitPatchInput = z.infer<typeof HabitPatch>;
export type CheckinInputValue = z.infer<typeof CheckinInput>;

export const TurnContextIn = z.strictObject({
  last: z
    .strictObject({ kind: z.enum(['task', 'event', 'habit', 'journal']), id: Id, title: z.string().max(500) })
    .optional(),
});
export const TextTurn = z
  .strictObject({
    text: z.string().trim().min(1, 'say something').max(1000, 'keep a turn under 1,000 characters'),
    context: TurnContextIn.optional().openapi({ description: 'The `context` of the previous reply, so follow-ups ("move it to Friday") work.' }),
    waitMs: z.number().int().min(0).max(30_000).optional(),
  })
  .openapi('TextTurn');
export const TurnOut = z
  .object({
    turnId: z.string(),
    text: z.string().optional(),
    reply: z.string().optional(),
    outcome: z.unknown().optional(),
    timings: z.record(z.string(), z.number()).optional(),
    context: TurnContextIn.optional(),
  })
  .openapi('TurnResult');
