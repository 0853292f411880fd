import type { UnderstandContext } from '../port.js';
import { cutSpans, findWhen } from './dates.js';
import type { Found } from './found.js';
import { cleanPhrase, EVENT_NOUN, findName, OFF_DOMAIN } from './lexicon.js';
import type { Utterance } from './normalize.js';
import { followUpConfidence, isPronoun } from './targets.js';

const VERB =
  /^(?:do |completely |just |go ahead and |find and |(?:open|find|go to|check)(?: my| the)? (?:calendar|lists?|schedule)(?: and)? )?(?:delete|remove|cancel|clear|erase|drop|scrap|wipe|trash|bin|discard|get rid of|scratch|strike|forget about|call off|nix|undo)\b\s*(.*)$/i;
const TAKE_OFF = /(?:^|\b(?:so|and|then|please) )(?:take|cross|knock|strike) (.+?) (?:off|out of|off of|from) (?:of )?(?:my |the |our )?(.*)$/i;
// "make sure my calendar is clear tomorrow": a wish for an empty day.
const CLEAR_DAY = /^(?:make sure |make |i want |i need )?(?:my|the) (?:calendar|schedule|day) (?:is |to be )?(?:completely |totally |entirely )?(?:clear|empty|free|blank)\b(.*)$/i;
const DONT_NEED = /^(?:i )?(?:don't|do not|no longer) (?:need|want) (.+?) (?:on|in) (?:my |the )(.*list)$|^(?:i )?(?:don't|do not|no longer) (?:need|want) ((?:this|that|the|my) (?:[\w ]*?)(?:list|task|item|reminder))(?: any ?more)?$/i;
// "from my shopping list", "off the calendar", "in my schedule": where the item is, not what it is.
const PLACE = /\s*\b(?:from|off|of|on|in|out of)(?: of)? (?:my|the|our|a)(?: \w+)?(?: \w+)? (list|calendar|schedule|agenda|diary|to-?do list|to do list|tasks)\b/i;
const EVERYTHING = /^(?:all|everything|all (?:of )?(?:my|the) (?:events?|meetings?|appointments?|tasks?|items?|reminders?|schedules?|data|things)|(?:my|the) (?:calendar|schedule|day|agenda)|(?:entire|whole) (?:calendar|schedule|day|list))\b/i;

/** "delete the dentist appointment", "take eggs off my shopping list", "cancel it". */
export function remove(u: Utterance, ctx: UnderstandContext): Found | undefined {
  const s = u.text;
  const clearDay = CLEAR_DAY.exec(s);
  if (clearDay) {
    const day = findWhen(clearDay[1] ?? '', ctx, 'future');
    return { action: { kind: 'event', action: 'remove', target: {}, ...(day.date ? { date: day.date } : {}) }, confidence: 0.5 };
  }
  const verb = VERB.exec(s);
  const take = verb ? undefined : (TAKE_OFF.exec(s) ?? DONT_NEED.exec(s));
  if (!verb && !take) return undefined;
  let phrase = verb ? verb[1]! : (take![1] ?? take![3]!);
  const place = take ? (take[2] ?? '') : (PLACE.exec(phrase)?.[1] ?? '');
  // Sayso keeps no songs, alarms or emails; but "remove the santana music list" names one of its lists.
  const aList = /\blist\b/i.test(place) || /\blist$/i.test(phrase);
  if (!aList && (OFF_DOMAIN.test(s) || /\b(?:files?|photos?|pictures?|apps?|accounts?|subscriptions?|orders?|history|cache|notifications?|browser|password|game|songs?|cookies|duplicates)\b/i.test(s))) {
    return undefined;
  }
  phrase = phrase.replace(PLACE, ' ').trim();
  // "clear my schedule for today": a range of the calendar, not one item.
  const dated = findWhen(phrase, ctx, 'future');
  const bare = cleanPhrase(cutSpans(phrase, dated.spans).replace(/\b(?:that|which) i have\b|\bscheduled\b|\bi have\b/gi, ' '));
  const onCalendar = /\b(?:calendar|schedule|agenda|diary)\b/i.test(place) || EVENT_NOUN.test(phrase) || EVERYTHING.test(phrase);
  const onList = /\b(?:list|to-?do|tasks?)\b/i.test(place) || /\b(?:list|to-?do|task|item|reminder)\b/i.test(phrase) || findName(ctx.taskTitles, phrase) !== undefined;
  if (isPronoun(bare) && !EVERYTHING.test(phrase)) {
    // "cancel that": undo what the conversation last made; with nothing to point at, not a request.
    if (!ctx.last || ctx.last.kind === 'journal' || ctx.last.kind === 'habit') return undefined;
    const target = { last: true };
    return ctx.last.kind === 'event'
      ? { action: { kind: 'event', action: 'remove', target, ...(dated.date ? { date: dated.date } : {}) }, confidence: 0.75 }
      : { action: { kind: 'task', action: 'remove', target }, confidence: followUpConfidence(target, ctx, 0.75) };
  }
  const everything = EVERYTHING.test(bare) || /^(?:all|everything)\b/i.test(bare);
  const target = everything ? {} : { text: bare.replace(/^(?:(?:my|the|all|all of|of|item|items|task|event)\s+)+/i, '') };
  const confidence = everything ? 0.5 : 0.8;
  if (onCalendar && !onList) {
    return { action: { kind: 'event', action: 'remove', target, ...(dated.date ? { date: dated.date } : {}) }, confidence };
  }
  return { action: { kind: 'task', action: 'remove', target }, confidence: onList ? confidence : Math.min(confidence, 0.65) };
}
