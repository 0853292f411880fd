import type { Action, ItemRef } from '@sayso/protocol';
import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { ProviderError } from '../provider-error.js';

/** A model or tool-call failure: see ProviderError. */
export class LLMError extends ProviderError {
  override readonly name = 'LLMError';
}

// One zod schema per tool is both what the model is shown (via z.toJSONSchema) and what its
// arguments are checked against, so the two cannot drift apart.

const isRealDay = (s: string) => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
};
// A plain pattern rather than z.iso.date(): its leap-year regex is long, and grammar-constrained
// local servers (llama.cpp) turn patterns into grammars.
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'use a calendar day as YYYY-MM-DD, e.g. 2025-03-14', abort: true })
  .refine(isRealDay, 'that calendar day does not exist')
  .describe("A calendar day as YYYY-MM-DD in the person's time zone.");
const Time = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'use a 24-hour time as HH:MM, e.g. 09:30')
  .describe("A 24-hour time as HH:MM in the person's time zone.");
const text = (what: string, max: number) =>
  z.string({ error: `say ${what}` }).trim().min(1, `say ${what}`).max(max, `keep it under ${max} characters`);
const Title = text('what it is (title)', 500).describe('Short title in the words the person used, without dates or times.');
const Item = text('which item', 200).describe('Words from the title or name of the existing item, e.g. "dentist".');
const Last = z.boolean().describe('True when the person means the item just talked about ("it", "that one").');
const ListName = text('the list name', 100).describe('A named list such as "shopping"; leave out for the main to-do list.');

const Ref = { item: Item.optional(), last: Last.optional() };
const hasRef = (a: { item?: string | undefined; last?: boolean | undefined }) => a.item !== undefined || a.last === true;
const NEEDS_REF = { error: 'say which item (item), or set last for "it"', path: ['item'] };
const Range = { from: Day.optional().describe('First day, YYYY-MM-DD.'), to: Day.optional().describe('Last day (inclusive), YYYY-MM-DD.') };
const rangeOk = (a: { from?: string | undefined; to?: string | undefined }) =>
  (a.from === undefined) === (a.to === undefined) && (a.from === undefined || a.from <= a.to!);
const BAD_RANGE = { error: 'give both from and to, with from not after to', path: ['from'] };

const ref = (a: { item?: string | undefined; last?: boolean | undefined }): ItemRef => ({
  ...(a.item !== undefined ? { text: a.item } : {}),
  ...(a.last === true ? { last: true } : {}),
});
const range = (a: { from?: string | undefined; to?: string | undefined }) =>
  a.from !== undefined && a.to !== undefined ? { range: { from: a.from, to: a.to } } : {};

interface ToolSpec {
  description: string;
  schema: z.ZodType;
  /** Argument names where null means "clear it"; elsewhere null is taken as "not given". */
  nullable?: readonly string[];
  read(args: unknown): { action: Action } | { issues: z.ZodError['issues'] };
}

function tool<S extends z.ZodType>(description: string, schema: S, build: (a: z.output<S>) => Action, nullable?: readonly string[]): ToolSpec {
  return {
    description,
    schema,
    ...(nullable ? { nullable } : {}),
    read(args) {
      const parsed = schema.safeParse(args);
      return parsed.success ? { action: build(parsed.data) } : { issues: parsed.error.issues };
    },
  };
}

const TOOLS: Record<string, ToolSpec> = {
  create_task: tool(
    'Add a to-do or reminder: "remind me to call mom tomorrow at 9", "add milk to my shopping list".',
    z.object({ title: Title, dueDate: Day.optional(), dueTime: Time.optional(), priority: z.enum(['low', 'medium', 'high']).optional(), list: ListName.optional() }),
    (a) => ({
      kind: 'task',
      action: 'create',
      title: a.title,
      ...(a.dueDate !== undefined ? { dueDate: a.dueDate } : {}),
      ...(a.dueTime !== undefined ? { dueTime: a.dueTime } : {}),
      ...(a.priority !== undefined ? { priority: a.priority } : {}),
      ...(a.list !== undefined ? { list: a.list } : {}),
    }),
  ),
  complete_task: tool(
    'Mark an open task done: "I paid the rent", "mark the report done", "done with it".',
    z.object(Ref).refine(hasRef, NEEDS_REF),
    (a) => ({ kind: 'task', action: 'complete', target: ref(a) }),
  ),
  update_task: tool(
    'Change an open task: title, due day or time (null clears it), priority or list: "move it to Friday", "make the report high priority".',
    z
      .object({
        ...Ref,
        title: Title.optional().describe('The new title.'),
        dueDate: Day.nullable().optional(),
        dueTime: Time.nullable().optional(),
        priority: z.enum(['none', 'low', 'medium', 'high']).optional(),
        list: ListName.optional(),
      })
      .refine(hasRef, NEEDS_REF)
      .refine((a) => [a.title, a.dueDate, a.dueTime, a.priority, a.list].some((v) => v !== undefined), { error: 'say what to change', path: ['title'] }),
    (a) => ({
      kind: 'task',
      action: 'update',
      target: ref(a),
      changes: {
        ...(a.title !== undefined ? { title: a.title } : {}),
        ...(a.dueDate !== undefined ? { dueDate: a.dueDate } : {}),
        ...(a.dueTime !== undefined ? { dueTime: a.dueTime } : {}),
        ...(a.priority !== undefined ? { priority: a.priority } : {}),
        ...(a.list !== undefined ? { list: a.list } : {}),
      },
    }),
    ['dueDate', 'dueTime'],
  ),
  remove_task: tool(
    'Delete a task or take an item off a list: "delete the gym task", "take eggs off my shopping list".',
    z.object(Ref).refine(hasRef, NEEDS_REF),
    (a) => ({ kind: 'task', action: 'remove', target: ref(a) }),
  ),
  query_tasks: tool(
    'List tasks: "what do I have to do today" (today), "what\'s overdue" (overdue), "read my shopping list" (all, list).',
    z.object({ scope: z.enum(['today', 'overdue', 'upcoming', 'all']), ...Range, list: ListName.optional() }).refine(rangeOk, BAD_RANGE),
    (a) => ({ kind: 'task', action: 'query', scope: a.scope, ...range(a), ...(a.list !== undefined ? { list: a.list } : {}) }),
  ),
  create_event: tool(
    'Put something on the calendar on a day, maybe at a time: "dentist on Friday at 3pm", "lunch with Sam Thursday at noon".',
    z.object({ title: Title, date: Day, time: Time.optional(), durationMinutes: z.number().int().min(1).max(1440).optional() }),
    (a) => ({
      kind: 'event',
      action: 'create',
      title: a.title,
      date: a.date,
      ...(a.time !== undefined ? { time: a.time } : {}),
      ...(a.durationMinutes !== undefined ? { durationMinutes: a.durationMinutes } : {}),
    }),
  ),
  query_events: tool(
    'What is on the calendar in a window of days: "what\'s on tomorrow", "am I free Saturday", "my week".',
    z.object({ from: Day.describe('First day, YYYY-MM-DD.'), to: Day.describe('Last day (inclusive), YYYY-MM-DD.') }).refine(rangeOk, BAD_RANGE),
    (a) => ({ kind: 'event', action: 'query', range: { from: a.from, to: a.to } }),
  ),
  remove_event: tool(
    'Cancel a calendar event: "cancel the team meeting tomorrow"; with only a date, clears that day.',
    z.object({ ...Ref, date: Day.optional() }).refine((a) => hasRef(a) || a.date !== undefined, NEEDS_REF),
    (a) => ({ kind: 'event', action: 'remove', target: ref(a), ...(a.date !== undefined ? { date: a.date } : {}) }),
  ),
  write_journal: tool(
    'Write a journal entry in the person\'s own words, only when they ask to: "journal: slept badly", "dear diary, ...".',
    z.object({ text: text('what to write', 20_000).describe('The entry, as said, without the cue words.'), mood: z.number().int().min(1).max(5).optional().describe('1 (low) to 5 (great), only if stated.') }),
    (a) => ({ kind: 'journal', action: 'create', text: a.text, ...(a.mood !== undefined ? { mood: a.mood } : {}) }),
  ),
  ask_journal: tool(
    'Search or summarise the journal: "what did I write about sleep?" (question), "how was my week?" (summarize over from..to).',
    z.object({ question: text('the question', 500).optional(), ...Range, summarize: z.boolean().optional() }).refine(rangeOk, BAD_RANGE),
    (a) => ({
      kind: 'journal',
      action: 'query',
      ...(a.question !== undefined ? { question: a.question } : {}),
      ...range(a),
      ...(a.summarize !== undefined ? { summarize: a.summarize } : {}),
    }),
  ),
  create_habit: tool(
    'Start tracking a new habit: "new habit: floss every day", "I want to run 3 times a week".',
    z.object({ name: text('the habit name', 100), cadence: z.enum(['daily', 'weekly']).optional(), target: z.number().int().min(1).max(1000).optional().describe('Times per day or week.') }),
    (a) => ({
      kind: 'habit',
      action: 'create',
      name: a.name,
      ...(a.cadence !== undefined ? { cadence: a.cadence } : {}),
      ...(a.target !== undefined ? { target: a.target } : {}),
    }),
  ),
  check_in_habit: tool(
    'Record doing an existing habit: "I meditated", "drank 3 glasses of water". Use the habit\'s name as item.',
    z.object({ ...Ref, value: z.number().positive().max(1_000_000).optional().describe('How much, e.g. 3 glasses.'), day: Day.optional().describe('Only when not today.') }).refine(hasRef, NEEDS_REF),
    (a) => ({
      kind: 'habit',
      action: 'complete',
      target: ref(a),
      ...(a.value !== undefined ? { value: a.value } : {}),
      ...(a.day !== undefined ? { day: a.day } : {}),
    }),
  ),
  query_habits: tool(
    'How habits are going: "how\'s my running streak" (item), "show my habits".',
    z.object({ item: Item.optional() }),
    (a) => ({ kind: 'habit', action: 'query', ...(a.item !== undefined ? { target: { text: a.item } } : {}) }),
  ),
  none: tool(
    'Anything that is not a request about the person\'s tasks, calendar, journal or habits (small talk, general questions, weather, music, devices), or too unclear to act on.',
    z.object({ reason: z.string().trim().max(300).optional().describe('Why, in a few words.') }),
    (a) => ({ kind: null, action: 'none', ...(a.reason ? { reason: a.reason } : {}) }),
  ),
};

/** The tool definitions sent with every request: one function per kind and verb. */
export const ACTION_TOOLS: ChatCompletionFunctionTool[] = Object.entries(TOOLS).map(([name, spec]) => {
  const { $schema: _, ...parameters } = z.toJSONSchema(spec.schema) as Record<string, unknown>;
  return { type: 'function', function: { name, description: spec.description, parameters } };
});

/**
 * Checks one tool call of the model and turns it into an {@link Action}. Throws an
 * {@link LLMError} that names the faulty fields (never their values, which may be personal)
 * when the call is unknown or its arguments are invalid, so a bad call never becomes a write.
 *
 * @example
 * ```ts
 * toAction('create_task', '{"title":"call mom","dueDate":"2025-03-13"}');
 * // { kind: 'task', action: 'create', title: 'call mom', dueDate: '2025-03-13' }
 * ```
 */
export function toAction(toolName: string, argsJson: string): Action {
  const spec = TOOLS[toolName];
  if (!spec) throw invalid(`called an unknown tool ${JSON.stringify(toolName.slice(0, 60))}`);
  let args: unknown;
  try {
    args = argsJson.trim() === '' ? {} : JSON.parse(argsJson);
  } catch (err) {
    throw invalid(`sent ${toolName} arguments that are not JSON`, err);
  }
  if (args === null || typeof args !== 'object' || Array.isArray(args)) throw invalid(`sent ${toolName} arguments that are not an object`);
  // Small local models often send null for "not given".
  const keep = new Set(spec.nullable ?? []);
  const cleaned = Object.fromEntries(Object.entries(args).filter(([k, v]) => v !== null || keep.has(k)));
  const read = spec.read(cleaned);
  if ('action' in read) return read.action;
  const problems = read.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`);
  throw invalid(`sent an invalid ${toolName} call (${problems.join('; ')})`);
}

const invalid = (what: string, cause?: unknown) =>
  new LLMError(`The model ${what}; nothing was written. Try again, or use the offline engine.`, { retryable: false, ...(cause ? { cause } : {}) });
