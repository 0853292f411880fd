import type { Understanding } from '@sayso/protocol';
import { createEvent } from './offline/create-event.js';
import { createTask } from './offline/create-task.js';
import type { Rule } from './offline/found.js';
import { habitCheckIn, habitCreate, habitQuery } from './offline/habits.js';
import { journalCreate, journalQuery } from './offline/journal.js';
import { moveLeadingWhen } from './offline/dates.js';
import { normalize } from './offline/normalize.js';
import { query } from './offline/queries.js';
import { remove } from './offline/remove.js';
import { taskComplete, taskUpdate } from './offline/tasks.js';
import type { Understander, UnderstandContext } from './port.js';

/**
 * Rules in the order they are tried; the first that applies wins. Explicit cues come before
 * loose ones, and queries before creates, so a question is never mistaken for a write.
 */
const RULES: readonly Rule[] = [
  journalCreate,
  journalQuery,
  habitCreate,
  habitQuery,
  habitCheckIn,
  taskUpdate,
  taskComplete,
  remove,
  query,
  createEvent,
  createTask,
];

// Event phrasing ("schedule…", "…on my calendar") is tried before task phrasing, except that a
// reminder or a list is a task even when it names an event ("remind me about the meeting").
const TASK_FIRST = /^(?:(?:i |we )?(?:need|have|got) to|remind|(?:set|set up|create|make|add|put|send me|give me|leave me|new)(?: a| an)?(?: new)? (?:reminder|remainder)|add .+ to (?:my |the )?(?:[\w'-]+ )*list|reminder|don't forget|remember)\b/i;

/**
 * Sayso's offline understanding engine: rules over the words plus chrono-node for dates. No
 * network, no model. Anything not clearly a request about tasks, events, the journal or habits
 * is `none`, since acting on small talk is worse than asking.
 *
 * @example
 * ```ts
 * const engine = new OfflineUnderstander();
 * const { action } = await engine.understand('remind me to call mom tomorrow at 9', { now, timeZone: 'Europe/London' });
 * // { kind: 'task', action: 'create', title: 'call mom', dueDate: '2025-03-13', dueTime: '09:00' }
 * ```
 */
export class OfflineUnderstander implements Understander {
  readonly id = 'offline-rules';
  readonly capabilities = { offline: true, toolCalls: false } as const;

  async understand(text: string, context: UnderstandContext): Promise<Understanding> {
    return this.understandSync(text, context);
  }

  /** The same as {@link understand}, for callers that score thousands of lines. */
  understandSync(text: string, context: UnderstandContext): Understanding {
    const said = normalize(text);
    if (!said.lower) return this.none('Nothing was said.');
    const reordered = moveLeadingWhen(said.text, context);
    const u = { ...said, text: reordered, lower: reordered.toLowerCase() };
    const rules = TASK_FIRST.test(u.lower) ? [...RULES.slice(0, -2), createTask, createEvent] : RULES;
    for (const rule of rules) {
      const found = rule(u, context);
      if (found) return { action: found.action, confidence: round(found.confidence), engine: this.id };
    }
    return this.none('Not a request about tasks, events, the journal or habits.');
  }

  private none(reason: string): Understanding {
    return { action: { kind: null, action: 'none', reason }, confidence: 0.9, engine: this.id };
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
