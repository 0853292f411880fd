import type { UnderstandContext } from '../port.js';
import { addDays, findRange, formatDay, today, wallClock } from './dates.js';
import type { Found } from './found.js';
import { OFF_DOMAIN } from './lexicon.js';
import type { Utterance } from './normalize.js';

const ASKING =
  /^(?:what|what's|whats|what're|which|when|when's|where|who|how|is|are|was|were|do|does|did|have|has|am|any|anything|show|read|list|tell|give|check|open|display|see|get|bring up|pull up|go through|review|can i|could i|will i|send me(?! (?:a |an )?(?:reminder|remainder|notification|alert))|let me (?:see|hear)|let me know (?:what|if|when|whether|how|which|who|my|our)|items|things|i(?:'d| would)? (?:like|want|need) to (?:see|know|hear|check)|upcoming|latest|next|up coming|(?:my )?(?:[\w']+ ){0,2}(?:schedule|calendar|agenda|appointments|meetings|events|lists?|plan|plans|planning|reminders|tasks|to-?do list)$)\b/i;
const TASK_WORDS = /\b(?:to-?do|todo|to do|tasks?|chores?|errands?|overdue|past due|reminders?)\b/i;
// "list" as a noun: "my list", "the shopping list", "lists"; not "list all the nearby shops".
const LIST_NOUN = /\b(?:my|the|this|that|our|on|a|any) (?:[\w']+ ){0,2}lists?\b|\blists\b|\b(?:shopping|grocery|groceries|to-?do|todo|to do|task|work|packing|wish) lists?\b|^(?:check |read |show |open |see )?(?:my )?lists?$/i;
const TASK_ASK = /\bwhat (?:do|else do|should) i (?:have|need|got) to do\b|\bwhat(?:'s| is| else is) (?:left|pending|next|due)\b|\bwhat (?:do|should) i (?:do|work on) (?:next|today|first)\b|\bwhat am i (?:doing|supposed to do)\b/i;
// Words that are about one's own calendar whoever asks ("any meetings friday")...
const STRONG_EVENT = /\b(?:calendar|schedule|scheduled|agenda|meetings?|appointments?|appts?|events?|alerts|reminders?)\b/i;
// ...and words that are only when the person asks about their own ("my party", not "the game").
const EVENT_WORDS =
  /\b(?:plans?|planned|booked|busy|free|going on|happening|on for|coming up|upcoming|up coming|a date|parties|party|birthday|wedding|concert|interview|lunch|dinner|conference|sessions?|classes|class|program|tournament|holidays?|payday|pickup|bin day|trash day)\b/i;
const FIRST_PERSON = /\b(?:i|i'm|i've|me|my|mine|we|our|us)\b/i;
const ASKER = /\b(?:give|tell|show|read|let|send|get|find|bring) me\b/gi;
const NOT_MINE =
  /\b(?:local|nearby|near me|around me|around here|in town|in the city|in the area|in my (?:city|area|town|neighbou?rhood)|in the world|in (?:washington|new york|london|paris)\b|movies?|cinemas?|theaters?|tv|trains?|buses|flights?|stocks?|holidays? in (?!(?:the |this |current |next )?(?:month|week|year)\b)|news|restaurants?|shops?|stores?|bars?|clubs?|photos?|pictures?|places|politics|(?:happening|going on|taking place|events?) (?:in|at|around|near) (?!my\b))\b/i;
// Questions that are about the calendar by their form: "am I free Saturday", "what does my day look like".
const EVENT_ASK =
  /^(?:am i (?:busy|free|booked|available)|what (?:do i have|have i got|have i|'ve i got|do i got)(?: going on| on| planned| scheduled| booked| coming up)?\b|is there anything (?:on|planned|scheduled)|(?:anything|something|any plans|plans) (?:on|for|planned|scheduled|happening|going on)\b|(?:what time|when) (?:does|will|is|do) (?:the|my|our) (?:[\w']+ ){0,2}(?:party|meeting|dinner|lunch|event|appointment|wedding|concert|game|match|show|class|interview)\b|when(?:'s| is| are) (?:my|our) (?:next |first |last )?\w+|what time (?:is|does) (?:my|our) |(?:what does|what's|whats|how does|how's) (?:my|the) (?:\w+ )?(?:day|morning|afternoon|evening|week|weekend|schedule|calendar|month)(?: \w+)? look(?:ing)?(?: like)?\b|what(?:'s| is) (?:on|happening|planned)(?: for)? (?:today|tonight|tomorrow|this|next|on|\d|mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|(?:my )?(?:schedule|calendar|agenda|events|upcoming events|appointments|meetings)$|when(?:'s| is) (?:[\w]+'s) (?:[\w']+ )?(?:birthday|party|wedding|anniversary|appointment|meeting|game|recital|graduation))/i;
const DATETIME = /^(?:what day|what date|what time is it|what's the time|what is the time)\b|\b(?:today's date|the date today|current date|the date and time|date today)\b/i;

/** Which list was named: "my shopping list" -> "shopping"; the to-do list is the default, so no name. */
export function listName(text: string): string | undefined {
  const m = /\b(?:my|the|our|this|that|a|on) ((?:[a-z']+ ){0,2}?)(?:list|lists)\b/i.exec(text);
  const name = m?.[1]?.trim().toLowerCase().replace(/^(?:my|the|our|new) /, '');
  if (!name || /^(?:my|the|our|your|to-?do|todo|to do|task|new|old|whole|entire|current|specific|last|first|next|same|main|other|only|\w+ item|item|this|that)$/.test(name)) return undefined;
  return name;
}

/** "what's on my calendar tomorrow", "am I free saturday", "read my shopping list", "what's overdue". */
export function query(u: Utterance, ctx: UnderstandContext): Found | undefined {
  // "in the last year how many…": the window said first, then the question.
  const s = u.lower.replace(/^(?:in|during|over|for) the (?:last|past|next|coming) (?:\d+ )?\w+ /, '');
  if (!ASKING.test(s)) return undefined;
  // "a list of contacts" names a list; only what the list is of is off-domain.
  const asked = s.replace(/\blist of (?:[\w']+ ){0,2}/, 'list ');
  if (OFF_DOMAIN.test(asked) && !/\b(?:my (?:calendar|schedule|agenda)|reminders?)\b/.test(s)) return undefined;
  if (DATETIME.test(s) || NOT_MINE.test(s) && !/\b(?:my|our) (?:calendar|schedule|agenda|list|to-?do)\b/.test(s)) return undefined;
  const mine = FIRST_PERSON.test(s.replace(ASKER, ''));
  if (/\b(?:journal|diary|wrote|habits?|streak)\b/.test(s)) return undefined;
  const found = findRange(u.text, ctx, 'future');
  const isTask = TASK_ASK.test(s) || TASK_WORDS.test(s) || LIST_NOUN.test(s);
  if (isTask) {
    const overdue = /\b(?:overdue|past due|late|missed|behind)\b/.test(s);
    const list = listName(s);
    const t = today(ctx);
    const scope = overdue ? 'overdue' : found && found.range.from === t && found.range.to === t ? 'today' : found || /\b(?:upcoming|coming up|next|soon)\b/.test(s) ? 'upcoming' : 'all';
    return {
      action: {
        kind: 'task',
        action: 'query',
        scope,
        ...(found && scope !== 'today' && scope !== 'overdue' ? { range: found.range } : {}),
        ...(list ? { list } : {}),
      },
      confidence: 0.8,
    };
  }
  const mentionsEvents = STRONG_EVENT.test(s) || (EVENT_WORDS.test(s) && (mine || /^(?:any|is there any|are there any)\b/.test(s) || (found !== undefined && (/\b(?:the|\w+'s)\b/.test(s) || /^(?:is|are|when)\b/.test(s)))));
  if (/\b(?:won|score|scores|scored|highlights|beat|lost)\b/.test(s) && !mine) return undefined;
  const anything = /\b(?:do|if|whether) i have (?:anything|anywhere|somewhere|any plans|plans|something)\b/.test(s);
  if (!EVENT_ASK.test(s) && !mentionsEvents && !anything) return undefined;
  const wc = wallClock(ctx);
  const from = formatDay(wc);
  const range = found?.range ?? (/\b(?:my|the) day\b/.test(s) ? { from, to: from } : { from, to: formatDay(addDays(wc, 6)) });
  return { action: { kind: 'event', action: 'query', range }, confidence: mentionsEvents && mine ? 0.8 : 0.65 };
}
