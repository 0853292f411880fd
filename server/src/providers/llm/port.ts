import type { Understanding } from '@sayso/protocol';

/**
 * The understanding port: one transcript in, one structured action out.
 *
 * Engines differ in what they need and can do (a rule-based parser runs offline; a model with
 * tool calls needs the network), so each declares it in `capabilities` and the pipeline picks or
 * wraps engines on that, never on the engine's name.
 *
 * @example
 * ```ts
 * const { action, confidence } = await understander.understand('add milk to my shopping list', {
 *   now: new Date(), timeZone: 'Europe/London', lists: ['shopping'],
 * });
 * // action: { kind: 'task', action: 'create', title: 'milk', list: 'shopping' }
 * ```
 */
export interface Understander {
  /** Engine id, copied into `Understanding.engine`, e.g. `offline-rules`. */
  readonly id: string;
  readonly capabilities: UnderstanderCapabilities;
  understand(text: string, context: UnderstandContext): Promise<Understanding>;
}

export interface UnderstanderCapabilities {
  /** True when the transcript never leaves this machine and no network is needed. */
  offline: boolean;
  /** True when the engine is a model answering through tool calls. */
  toolCalls: boolean;
}

/** What an engine may use besides the words: the clock, and the person's own data. */
export interface UnderstandContext {
  /** The instant the person spoke; relative dates ("tomorrow at 9") count from here. */
  now: Date;
  /** IANA zone of the person, e.g. `Europe/London`: "tomorrow" is their tomorrow. */
  timeZone: string;
  /** Titles of the person's open tasks, to resolve "mark the report done". */
  taskTitles?: string[];
  /** Names of the person's habits, to tell "ran 5 km today" (a check-in) from small talk. */
  habitNames?: string[];
  /** Names of the person's lists, e.g. `shopping`. */
  lists?: string[];
  /** The item the conversation last created or changed, for follow-ups ("move it to Friday"). */
  last?: { kind: 'task' | 'event' | 'habit' | 'journal'; title: string };
}
