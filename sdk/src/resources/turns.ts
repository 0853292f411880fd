import type { TurnOutcome } from '@sayso/protocol';
import { SaysoError } from '../errors.js';
import { randomId, type CreateOptions, type Http } from '../http.js';
import type { Habits } from './habits.js';
import type { Journal } from './journal.js';
import type { Tasks } from './tasks.js';

/** What `POST /v1/turns` answers: what Sayso understood, did and said. */
export interface TextTurnResult {
  turnId: string;
  /** Absent when the turn was still running after `waitMs` (status 202). */
  text?: string;
  reply?: string;
  outcome?: TurnOutcome;
  timings?: Record<string, number>;
}

/** `client.turns`: say something in text, and take back what a turn did. */
export class Turns {
  constructor(
    private readonly http: Http,
    private readonly items: { tasks: Tasks; journal: Journal; habits: Habits },
  ) {}

  /**
   * A typed turn ("add milk to my shopping list"), understood and carried out like speech. Sent
   * with an Idempotency-Key (a new one per call unless you pass yours), so a retry after a dropped
   * connection is the same turn and does nothing twice.
   *
   * @example
   * const { reply, outcome } = await client.turns.say('remind me to call mom tomorrow at 9');
   */
  say(text: string, params: { waitMs?: number } = {}, opts: CreateOptions = {}): Promise<TextTurnResult> {
    return this.http.request({ method: 'POST', path: '/v1/turns', body: { text, ...params }, idempotencyKey: opts.idempotencyKey ?? randomId(), signal: opts.signal });
  }

  /**
   * Takes back what a turn did (the chip's "Undo"): a created task, event, journal entry or habit
   * is deleted, a completed task reopened, a check-in removed. Edits and removals cannot be
   * undone this way; the error says so.
   *
   * @example
   * voice.on('result', ({ outcome }) => showChip(outcome, () => client.turns.undo(outcome)));
   */
  async undo(outcome: TurnOutcome | { status: 'failed' }): Promise<void> {
    const item = 'item' in outcome ? outcome.item : undefined;
    if (!item || outcome.status !== 'done' || !('action' in outcome)) {
      throw new SaysoError('This turn changed nothing, so there is nothing to undo.', { status: undefined, code: 'validation_failed' });
    }
    const verb = outcome.action.action;
    const { tasks, journal, habits } = this.items;
    if (item.kind === 'checkin' && item.habitId && item.day) return void (await habits.removeCheckin(item.habitId, item.day));
    if (verb === 'create') {
      if (item.kind === 'task' || item.kind === 'event') return void (await tasks.remove(item.id));
      if (item.kind === 'journal') return void (await journal.remove(item.id));
      if (item.kind === 'habit') return void (await habits.remove(item.id));
    }
    if (verb === 'complete' && item.kind === 'task') return void (await tasks.reopen(item.id));
    throw new SaysoError(`Undo is not available for this ${verb === 'update' ? 'edit' : 'change'}: change "${item.title}" back in its list instead.`, {
      status: undefined,
      code: 'validation_failed',
    });
  }
}
