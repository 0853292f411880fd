import type { ItemRef } from '@sayso/protocol';
import type { UnderstandContext } from '../port.js';
import { cleanPhrase } from './lexicon.js';

const PRONOUN = /^(?:it|that|this|that one|this one|the last one|the last task|that task|this task|the task|the item|the last item|last one|the reminder|that reminder|the event|that event|this event|the meeting|that meeting|the appointment|that appointment)$/i;

/** True when `phrase` points back at the item the conversation last touched ("it", "that one"). */
export function isPronoun(phrase: string): boolean {
  return phrase.trim() === '' || PRONOUN.test(phrase.trim());
}

/** An ItemRef for what was said: "it" becomes `{ last: true }`, anything else its words. */
export function refFor(phrase: string): ItemRef {
  const clean = cleanPhrase(phrase.replace(/^(?:the )?(?:task|to-?do|todo|reminder|item)(?: (?:called|named|to|about|for))?\s+/i, ''));
  return isPronoun(phrase) || !clean ? { last: true } : { text: clean };
}

/** A follow-up is only sure when the conversation has something to follow. */
export function followUpConfidence(ref: ItemRef, ctx: UnderstandContext, sure: number): number {
  return ref.last && !ctx.last ? Math.min(sure, 0.4) : sure;
}
