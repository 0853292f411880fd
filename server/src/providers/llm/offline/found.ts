import type { Action } from '@sayso/protocol';
import type { UnderstandContext } from '../port.js';
import type { Utterance } from './normalize.js';

/** What one rule makes of an utterance. */
export interface Found {
  action: Action;
  /** 0..1; writes from weak cues stay low so the act stage asks first. */
  confidence: number;
}

/** One reading of an utterance: undefined when the rule does not apply. */
export type Rule = (u: Utterance, ctx: UnderstandContext) => Found | undefined;
