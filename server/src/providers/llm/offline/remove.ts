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
const CLEAR_DAY = /^(?:make sure |make |i want |i need )?(?:my|the) (?:calendar|schedule|day) (?:is |to be )?(?:completely |totally |entirely )?(?:clear|empty|free|blank)\b(.*)$|^make (?:my )?(?:calendar |schedule |day )?(?:blank|clear|empty)\b(.*)$/i;
const DONT_NEED = /^(?:i )?(?:don't|do not|no longer) (?:need|want) (.+?) (?:on|in) (?:my |the )(.*list)$|^(?:i )?(?:don't|do not|no longer) (?:need|want) ((?:this|that|the|my) (?:[\w ]*?)(?:list|task|item|reminder))(?: any ?more)?$/i;
// "from my shopping list", "off the calendar", "in my schedule": where the item is, not what it is.
const PLACE = /\s*\b(?:from|off|of|on|in|out of)(?: of)? (?:my|the|our|a)(?: \w+)?(?: \w+)? (list|calendar|schedule|agenda|diary|to-?do list|to do list|tasks)\b/i;
const EVERYTHING = /^(?:(?:calendar|schedule|agenda|day)(?: clean| clear)?$|all|everything|all (?:of )?(?:my|the) (?:events?|meetings?|appointments?|tasks?|items?|reminders?|schedules?|data|things)|(?:my|the) (?:calendar|schedule|day|agenda)(?: clean| clear)?$|(?:entire|whole) (?:calendar|schedule|day|list))\b/i;

// "what do I have tomorrow, I need to cancel": the items first, the request last.
const TRAILING = /^(.+?)\s+(?:so |and )?(?:i need to|i have to|i want to|i'd like to|please)? ?(?:cancel|delete|remove|clear)(?: (?:it|that|them|those|this|everything|all of (?:it|them)))?$/i;

/** "delete the dentist appointment", "take eggs off my shopping list", "cancel it". */
export function remove(u: Utterance, ctx: UnderstandContext): Found | undefined {
  const s = u.text;
  const clearDay = CLEAR_DAY.exec(s);
  if (clearDay) {
    const day = findWhen(clearDay[1] ?? clearDay[2] ?? '', ctx, 'future');
    return { action: { kind: 'event', action: 'remove', target: {}, ...(day.date ? { date: day.date } : {}) }, confidence: 0.5 };
  }
  const verb = VERB.exec(s);
  const take = verb ? undefined : (TAKE_OFF.exec(s) ?? DONT_NEED.exec(s));
  if (!verb && !take) {
    const trailing = TRAILING.exec(s);
    const day = trailing && findWhen(trailing[1]!, ctx, 'future');
    if (!trailing || !day?.date || !/\b(?:calendar|schedule|scheduled|meetings?|appointments?|events?|plans?)\b/i.test(trailing[1]!)) return undefined;
    if (OFF_DOMAIN.test(s)) return undefined;
    const what = cleanPhrase(cutSpans(trailing[1]!, day.spans));
    const target = /^(?:what|which|do|does|is|are|when)\b/i.test(trailing[1]!) || !what ? {} : { text: what };
    return { action: { kind: 'event', action: 'remove', target, date: day.date }, confidence: 0.45 };
  }
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
  // A task title in common ("dentist") does not make "the dentist appointment" a task.
  const onList = /\b(?:list|to-?do|tasks?)\b/i.test(place) || /\b(?:lists?|to-?dos?|tasks?|items?|reminders?|lines?|entry|entries)\b/i.test(s) || (findName(ctx.taskTitles, phrase) !== undefined && !EVENT_NOUN.test(phrase));
  if (isPronoun(bare) && !EVERYTHING.test(phrase)) {
    // "cancel that": undo what the conversation last made; with nothing to point at, not a request.
    if (!ctx.last || ctx.last.kind === 'journal' || ctx.last.kind === 'habit') return undefined;
    const target = { last: true };
    return ctx.last.kind === 'event'
      ? { action: { kind: 'event', action: 'remove', target, ...(dated.date ? { date: dated.date } : {}) }, confidence: 0.75 }
      : { action: { kind: 'task', action: 'remove', target }, confidence: followUpConfidence(target, ctx, 0.75) };
  }
  const everything = EVERYTHING.test(bare) || /^(?:all|everything)\b/i.test(bare);
  // "clear the chat", "clear all": nothing says it is a task, a list item or an event.
  if (!onCalendar && !onList && !dated.date) return undefined;
  if (everything && !/\b(?:calendar|schedule|agenda|events?|meetings?|appointments?|tasks?|lists?|items?|reminders?|to-?dos?|day)\b/i.test(s)) return undefined;
  const target = everything ? {} : { text: bare.replace(/^(?:(?:my|the|all|all of|of|item|items|task)\s+)+/i, '').replace(/\s+any ?more$/i, '') };
  const confidence = everything ? 0.5 : 0.8;
  if (onCalendar && (!onList || /\b(?:calendar|schedule|agenda|diary)\b/i.test(place))) {
    return { action: { kind: 'event', action: 'remove', target, ...(dated.date ? { date: dated.date } : {}) }, confidence };
  }
  return { action: { kind: 'task', action: 'remove', target }, confidence: onList ? confidence : Math.min(confidence, 0.65) };
}
