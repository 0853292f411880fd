import { cutSpans, type When } from './dates.js';
import { cleanPhrase } from './lexicon.js';

// Titles as a person would write them: "remind me to call mom tomorrow at 9" -> "call mom".

const RECURRENCE = /\b(?:every (?:single )?(?:day|week|month|year|morning|evening|night|weekday)|every|each|daily|weekly|monthly|yearly|repeat(?:ing)?(?: every year)?|recurring)\b/gi;
const TITLE_LEAD =
  /^(?:(?:me|us|to|that|about|of|for|on|a|an|please|reminder|remainder|note|saying|i (?:need|have|must|should|want|got) to|i've got to|i have (?:a|an|my)|there(?:'s| is) (?:a|an)|we(?:'re| are) having|we have (?:a|an)|i'm having)\s+)+/i;

/** A clean title: no date/time words, no "remind me to", no dangling prepositions. */
export function titleFrom(body: string, when: When): string {
  const cut = cutSpans(body, when.spans)
    .replace(RECURRENCE, ' ')
    .replace(/\s*\b(?:(?:it's|its|it is|make it|mark it|as|with) )?(?:(?:high|low|medium|top) priority|urgent(?:ly)?|asap)\b/gi, ' ')
    .replace(/\s*\b(?:and )?(?:add|put|save|note|write) (?:it|that|this) (?:down )?(?:to|in|on|into) (?:my |the )?(?:calendar|schedule|diary|list)$/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  return cleanPhrase(cleanPhrase(cut.replace(TITLE_LEAD, ''))).replace(/\s+(?:at|on|by|for|in|from|to)$/i, '');
}
