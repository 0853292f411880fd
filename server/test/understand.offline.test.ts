import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Action } from '@sayso/protocol';
import { OfflineUnderstander } from '../src/providers/llm/offline.js';
import type { UnderstandContext } from '../src/providers/llm/port.js';
import { readLines, scoreLines } from '../eval/score.js';

const engine = new OfflineUnderstander();
// Wednesday 12 March 2025, 15:00 in London.
const base: UnderstandContext = { now: new Date('2025-03-12T15:00:00Z'), timeZone: 'Europe/London' };
const understand = async (text: string, extra: Partial<UnderstandContext> = {}) => (await engine.understand(text, { ...base, ...extra })).action;
const none = expect.objectContaining({ kind: null, action: 'none' });

describe('the offline understander', () => {
  it('declares that it needs no network and makes no tool calls', async () => {
    expect(engine.capabilities).toEqual({ offline: true, toolCalls: false });
    const result = await engine.understand('add milk to my shopping list', base);
    expect(result.engine).toBe('offline-rules');
    expect(result.confidence).toBeGreaterThan(0.5);
  });
});

describe('creating tasks', () => {
  it('puts an item on the named list with a clean title', async () => {
    expect(await understand('add milk to my shopping list')).toEqual({ kind: 'task', action: 'create', title: 'milk', list: 'shopping' });
  });

  it('uses the list name the person already has', async () => {
    expect(await understand('put oat milk on my groceries list', { lists: ['grocery'] })).toMatchObject({ title: 'oat milk', list: 'grocery' });
  });

  it('reads "tomorrow at 9" in the person\'s time zone, not the server\'s', async () => {
    // 02:00 UTC on the 13th is still the evening of the 12th in Los Angeles.
    const la = { now: new Date('2025-03-13T02:00:00Z'), timeZone: 'America/Los_Angeles' };
    expect(await understand('remind me to call mom tomorrow at 9', la)).toEqual({
      kind: 'task', action: 'create', title: 'call mom', dueDate: '2025-03-13', dueTime: '09:00',
    });
    const tokyo = { now: new Date('2025-03-13T02:00:00Z'), timeZone: 'Asia/Tokyo' };
    expect(await understand('remind me to call mom tomorrow at 9', tokyo)).toMatchObject({ dueDate: '2025-03-14', dueTime: '09:00' });
  });

  it('ignores fillers and stutters', async () => {
    expect(await understand('um add uh call mom tomorrow')).toEqual({ kind: 'task', action: 'create', title: 'call mom', dueDate: '2025-03-13' });
  });

  it('understands spoken numbers for times', async () => {
    expect(await understand('please remind me at five thirty pm to pick up the dry cleaning')).toMatchObject({
      title: 'pick up the dry cleaning', dueDate: '2025-03-12', dueTime: '17:30',
    });
  });

  it('takes a priority and keeps it out of the title', async () => {
    expect(await understand('add pay the electricity bill, high priority')).toMatchObject({ title: 'pay the electricity bill', priority: 'high' });
  });

  it('asks rather than invents a title when none was said', async () => {
    const { action, confidence } = await engine.understand('add something to my list', base);
    expect(action).toMatchObject({ kind: 'task', action: 'create', title: '' });
    expect(confidence).toBeLessThan(0.5);
  });
});

describe('completing, changing and removing tasks', () => {
  const last = { kind: 'task', title: 'Call mom' } as const;

  it('completes a task by its words', async () => {
    expect(await understand('mark buy milk as done')).toEqual({ kind: 'task', action: 'complete', target: { text: 'buy milk' } });
  });

  it('completes the task just discussed', async () => {
    expect(await understand("that's done", { last })).toEqual({ kind: 'task', action: 'complete', target: { last: true } });
  });

  it('moves the last task to Friday', async () => {
    expect(await understand('move it to Friday', { last })).toEqual({
      kind: 'task', action: 'update', target: { last: true }, changes: { dueDate: '2025-03-14' },
    });
  });

  it('corrects only the time with "actually make that 10am"', async () => {
    expect(await understand('actually make that 10am', { last })).toEqual({
      kind: 'task', action: 'update', target: { last: true }, changes: { dueTime: '10:00' },
    });
  });

  it('is unsure about "it" when the conversation has nothing to point at', async () => {
    const { action, confidence } = await engine.understand('move it to Friday', base);
    expect(action).toMatchObject({ action: 'update', target: { last: true } });
    expect(confidence).toBeLessThan(0.5);
  });

  it('raises the priority of a named task', async () => {
    expect(await understand('push pay rent to next monday')).toMatchObject({ target: { text: 'pay rent' }, changes: { dueDate: '2025-03-17' } });
    expect(await understand('make it high priority', { last })).toMatchObject({ changes: { priority: 'high' } });
  });

  it('takes an item off a list', async () => {
    expect(await understand('take eggs off my shopping list')).toEqual({ kind: 'task', action: 'remove', target: { text: 'eggs' } });
  });
});

describe('asking about tasks', () => {
  it('lists overdue tasks', async () => {
    expect(await understand("what's overdue")).toEqual({ kind: 'task', action: 'query', scope: 'overdue' });
  });

  it('reads a named list', async () => {
    expect(await understand('read me my shopping list')).toEqual({ kind: 'task', action: 'query', scope: 'all', list: 'shopping' });
  });

  it("gives today's tasks", async () => {
    expect(await understand('what do I have to do today')).toEqual({ kind: 'task', action: 'query', scope: 'today' });
  });
});

describe('calendar events', () => {
  it('creates an event with a day, a time and a duration', async () => {
    expect(await understand('schedule a 30 minute call with Ana on thursday at 4')).toEqual({
      kind: 'event', action: 'create', title: 'call with Ana', date: '2025-03-13', time: '16:00', durationMinutes: 30,
    });
  });

  it('creates an event said as a statement', async () => {
    expect(await understand("I have a doctor's appointment on the 24th at 9:15")).toMatchObject({
      kind: 'event', action: 'create', date: '2025-03-24', time: '09:15',
    });
  });

  it('answers what is on the calendar for a range', async () => {
    expect(await understand("what's on my calendar tomorrow")).toEqual({ kind: 'event', action: 'query', range: { from: '2025-03-13', to: '2025-03-13' } });
    expect(await understand('what does next week look like on my calendar')).toEqual({
      kind: 'event', action: 'query', range: { from: '2025-03-17', to: '2025-03-23' },
    });
  });

  it('cancels a meeting on a day', async () => {
    expect(await understand('cancel my meeting with Sam tomorrow')).toEqual({
      kind: 'event', action: 'remove', target: { text: 'meeting with Sam' }, date: '2025-03-13',
    });
  });

  it('does not guess at moving an event, which has no update action', async () => {
    expect(await understand('move it to Friday', { last: { kind: 'event', title: 'Team lunch' } })).toEqual(none);
  });
});

describe('the journal', () => {
  it('takes dictation after "journal:" and keeps the words as said', async () => {
    expect(await understand('journal: slept badly, long run helped')).toEqual({ kind: 'journal', action: 'create', text: 'slept badly, long run helped' });
  });

  it('takes "dear diary" and "note to self" entries', async () => {
    expect(await understand('Dear diary, the interview went better than I expected')).toMatchObject({
      kind: 'journal', action: 'create', text: 'the interview went better than I expected',
    });
    expect(await understand('note to self: the blue mug is in the attic')).toMatchObject({ text: 'the blue mug is in the attic' });
  });

  it('records a mood when one is said', async () => {
    expect(await understand('Journal - mood 4, work was calm')).toMatchObject({ kind: 'journal', action: 'create', mood: 4 });
  });

  it('searches past entries for a topic', async () => {
    const action = await understand('what did I write about sleep');
    expect(action).toMatchObject({ kind: 'journal', action: 'query' });
    expect((action as Extract<Action, { kind: 'journal'; action: 'query' }>).question).toContain('sleep');
  });

  it('summarises the last seven days for "how was my week"', async () => {
    expect(await understand('how was my week')).toEqual({
      kind: 'journal', action: 'query', range: { from: '2025-03-06', to: '2025-03-12' }, summarize: true,
    });
  });

  it('does not write small talk into the journal', async () => {
    expect(await understand('today was a long day')).toEqual(none);
  });
});

describe('habits', () => {
  const habitNames = ['Meditation', 'Running', 'Drink water'];

  it('starts a daily habit', async () => {
    expect(await understand('start a habit of meditating every morning')).toEqual({ kind: 'habit', action: 'create', name: 'meditating', cadence: 'daily' });
  });

  it('starts a habit with a weekly target', async () => {
    expect(await understand('new habit go to the gym three times a week')).toMatchObject({ cadence: 'weekly', target: 3 });
  });

  it('checks in on a known habit with the amount done', async () => {
    expect(await understand('I ran 5 km today', { habitNames })).toEqual({ kind: 'habit', action: 'complete', target: { text: 'Running' }, value: 5 });
    expect(await understand('drank three glasses of water', { habitNames })).toMatchObject({ target: { text: 'Drink water' }, value: 3 });
    expect(await understand('did my meditation', { habitNames })).toEqual({ kind: 'habit', action: 'complete', target: { text: 'Meditation' } });
  });

  it('dates a check-in said about yesterday', async () => {
    expect(await understand('I meditated yesterday too', { habitNames })).toMatchObject({ day: '2025-03-11' });
  });

  it('does not take running into a friend for a run', async () => {
    expect(await understand('I ran into an old friend today', { habitNames })).toEqual(none);
    expect(await understand('I ran 5 km today')).toEqual(none);
  });

  it('answers streak questions', async () => {
    expect(await understand("what's my meditation streak", { habitNames })).toEqual({ kind: 'habit', action: 'query', target: { text: 'Meditation' } });
    expect(await understand('how am I doing on my habits', { habitNames })).toEqual({ kind: 'habit', action: 'query' });
  });
});

describe('things Sayso does not do', () => {
  it.each([
    'I have to tell you a joke',
    "what's the weather tomorrow",
    'play my running playlist',
    'call mom',
    'set an alarm for 7 am',
    'wake me up at 6 tomorrow',
    'send an email to my boss saying I am sick',
    'book me an uber to the airport at 6 tomorrow',
    'add this song to my favorites',
    'delete my last email',
    'turn off the kitchen lights',
    'the party was fun last night',
    'add some salt to the soup',
    'remind me what the capital of France is',
    'remind everyone about the party',
    'what time is it',
    '',
  ])('%j is none, with a reason', async (text) => {
    const action = await understand(text);
    expect(action).toEqual(none);
    expect((action as Extract<Action, { action: 'none' }>).reason).toBeTruthy();
  });
});

describe('the eval', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const devel = resolve(here, '../../../shared/eval/slurp-devel.jsonl');

  // The aims of shared/eval/README.md; a regression below them fails the suite.
  it.skipIf(!existsSync(devel))('meets the aims on the SLURP devel file', () => {
    const { figures } = scoreLines(readLines(devel));
    expect(figures.n).toBe(2033);
    expect(figures.actionAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(figures.rejection).toBeGreaterThanOrEqual(0.95);
    expect(figures.falseActionRate).toBeLessThanOrEqual(0.02);
  });

  it('meets the aims on our own journal, habit and follow-up cases', () => {
    const { figures, scored } = scoreLines(readLines(resolve(here, '../eval/sayso-cases.jsonl')));
    expect(figures.n).toBeGreaterThanOrEqual(150);
    expect(figures.actionAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(figures.rejection).toBeGreaterThanOrEqual(0.95);
    expect(figures.falseActionRate).toBeLessThanOrEqual(0.02);
    const withFields = scored.filter((s) => s.fieldsOk !== undefined);
    expect(withFields.filter((s) => s.fieldsOk).length / withFields.length).toBeGreaterThanOrEqual(0.95);
  });
});
