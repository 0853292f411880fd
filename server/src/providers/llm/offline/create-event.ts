import type { UnderstandContext } from '../port.js';
import { findWhen, today, type When } from './dates.js';
import type { Found } from './found.js';
import { ASSISTANT_TALK, EVENT_NOUN, OFF_DOMAIN, PLACEHOLDER } from './lexicon.js';
import type { Utterance } from './normalize.js';
import { titleFrom } from './titles.js';

// Creating calendar events: "put the dentist on my calendar Thursday at 2", "schedule lunch
// with Sam", "I have a meeting with Al at 10". An event needs a day; without one it is still
// made, with a confidence low enough that the reply asks when.

const EVENT_WORD = String.raw`(?:meeting|appointment|appt|event|call|conference|interview|lunch|dinner|brunch|breakfast|session|party|date|reservation|reservations|calendar entry|calendar event|entry|standup|stand-up|catch-up|catch up|drinks|visit|class|lesson|practice|birthday|anniversary|wedding)`;
// Said first with a day or time, these name an event: "coffee with Jess on Monday at 8:30".
const NOUN_WORD = String.raw`(?:meeting|appointment|appt|call|conference|interview|lunch|dinner|brunch|breakfast|party|standup|stand-up|catch-up|catch up|coffee|drinks|class|lesson|practice|session|reservation|birthday|wedding|anniversary|game|match|date night|playdate|visit)`;
const IMPERATIVE = /^(?:make|prepare|brew|get|order|play|start|turn|put|find|show|tell|give|send|buy|cook|check|open|read|set|watch|call|text|book|go|stop|pause|cancel)\b/i;
const CALENDAR_PLACE = /\s*\b(?:in|on|to|into|onto|in to|for) (?:my|the|our|a)(?: \w+)? (?:calendar|schedule|diary|agenda)\b/i;
const ON_CALENDAR =
  /^(?:add|put|write|enter|note|mark|set|create|make|schedule|book|block|pencil|save|insert|place|stick|plug|repeat)(?: in| down| out| off)?\b(.*?)\s*\b(?:(?:in|on|to|into|onto|in to|for) (?:my|the|our|a)(?: \w+)? (?:calendar|schedule|diary|agenda))\b(.*)$/i;
const CALENDAR_FIRST = /^(?:add|put|mark|block|set|update|note|in)(?: (?:to|in|on|into))? (?:my |the )?(?:\w+ )?(?:calendar|schedule)(?: (?:for|with|that|to|as))? ?(.*)$/i;
const ARRANGE = new RegExp(
  String.raw`^(?:schedule|book|arrange|set up|setup|organi[sz]e|plan|fix|set|create|make|add|put|get|have|hold|put in|pencil in|pencil|block out|block)(?: me| up| in)?(?: a| an| my| the| our| some)?(?: new)? (.*?\b${EVENT_WORD}s?\b.*)$`,
  'i',
);
const SCHEDULE = /^(?:schedule|book|calendar)\b (.+)$/i;
// Bookings Sayso cannot make: it keeps a calendar, it does not reserve tables or rooms.
const BOOKING = /\b(?:book|reserve)(?: me)? (?:a |an |the )?(?:table|room|hotel|flight|seat|car|ride|spot|court|massage)\b/i;
const SET_FOR = /^set (?:up )?(?!(?:a |an |the |my )?(?:reminder|timer|alarm|volume|temperature|status|mood|colou?r|time zone)\b)(.+?) (?:for|on|at) .+$/i;
const NEW_ENTRY = /^(?:new )?calendar (?:event|entry)\b ?(.*)$|^save the date\b ?(.*)$|^(?:an? )?new (?:event|meeting|appointment)\b ?(.*)$/i;
// "mark friday as a holiday", "today needs to be marked as my cheat day".
const MARK_DAY = /^(?:.+? (?:needs to be|should be|is to be|has to be) )?(?:mark|flag|set|block)(?:ed)?(?: (.+?))? as (?:my |a |an |the )?((?:[\w']+ )?(?:day|holiday|vacation|day off|birthday|anniversary|leave))$/i;
const ATTEND = /^attend (?:the |a |an |my )?(.+)$/i;
const HAVE_EVENT = new RegExp(
  String.raw`^(?:i|we|there)(?:'ve got| have got| have| got| am having| are having|'ll have| will have|'m having|'re having|'s| is| will be| (?:need|want|would like)(?= an? ))(?: a| an| my| the| our)? (.*?\b(?:${EVENT_WORD}|flight|birthday|wedding|party|concert|exam|test|trip|holiday|doctor'?s?|dentist|haircut)s?\b.*)$`,
  'i',
);
const MEET = /^(?:meet|see|visit|attend|go to|i want to (?:meet|see|go to|attend|visit)|(?:i'm|i am|we're|we are|i'll be|i will be|we'll be) (?:meeting|seeing|visiting|attending|going to))\b (.+)$/i;
const NOUN_FIRST = new RegExp(String.raw`^(?:(?:a|an|my|the|our|new) )?(?:(?![\w']+ed\b|is\b|was\b|has\b|had\b|got\b)[\w']+ ){0,2}?${NOUN_WORD}s?\b.*$`, 'i');
// "my meeting went well today" reports the past; only plans become events.
const PAST_WORDS = new Set(['was', 'were', 'went', 'had', 'did', 'got', 'ran', 'came', 'left', 'took', 'saw', 'met', 'ate', 'felt', 'said', 'told']);
const ED_NOT_PAST = new Set(['scheduled', 'booked', 'planned', 'wed', 'bed', 'red', 'shed', 'need', 'feed', 'seed', 'speed', 'weekend', 'bred']);
const tellsThePast = (s: string) =>
  s.toLowerCase().split(/\s+/).some((w) => PAST_WORDS.has(w) || (w.length > 4 && w.endsWith('ed') && !ED_NOT_PAST.has(w)));
const NOT_A_START = /^(?:what|when|where|who|why|how|which|is|are|was|were|do|does|did|have|has|can|could|should|will|would|am|i|it|this|that|there|today|tomorrow|tonight)\b/i;
const DURATION = /\b(?:for )?(?:(\d+|an?|one|half an?)[ -](minutes?|mins?|hours?|hrs?)|(\d+) and a half hours?)(?: long)?\b/i;

function durationOf(s: string): { minutes?: number; span?: [number, number] } {
  const m = DURATION.exec(s);
  if (!m) return {};
  const n = m[3] ? Number(m[3]) + 0.5 : /^half/i.test(m[1] ?? '') ? 0.5 : /^(?:an?|one)$/i.test(m[1] ?? '') ? 1 : Number(m[1]);
  const minutes = Math.round(/^h/i.test(m[2] ?? 'h') ? n * 60 : n);
  return { minutes, span: [m.index, m.index + m[0].length] };
}

function event(titleText: string, when: When, confidence: number, duration: number | undefined, ctx: UnderstandContext): Found {
  const title = PLACEHOLDER.test(titleText) ? '' : titleText;
  // An event without a day still is one; the low confidence makes the reply ask when.
  const sure = when.date ? confidence : Math.min(confidence, 0.45);
  const minutes = duration ?? when.durationMinutes;
  return {
    action: {
      kind: 'event',
      action: 'create',
      title,
      date: when.date ?? today(ctx),
      ...(when.time ? { time: when.time } : {}),
      ...(minutes ? { durationMinutes: minutes } : {}),
    },
    confidence: title ? sure : Math.min(sure, 0.45),
  };
}

/** Event creation: "put the dentist on my calendar Thursday at 2", "schedule lunch with Sam", "I have a meeting with Al at 10". */
export function createEvent(u: Utterance, ctx: UnderstandContext): Found | undefined {
  const s = u.text;
  if (OFF_DOMAIN.test(s) || ASSISTANT_TALK.test(s) || BOOKING.test(s)) return undefined;
  const dur = durationOf(s);
  const base = dur.span ? `${s.slice(0, dur.span[0])} ${s.slice(dur.span[1])}`.replace(/\s+/g, ' ').trim() : s;
  const when = findWhen(base, ctx, 'future');
  const make = (phrase: string, confidence: number) =>
    event(titleFrom(phrase.replace(CALENDAR_PLACE, ' '), findWhen(phrase, ctx, 'future')), when, confidence, dur.minutes, ctx);

  const onCal = ON_CALENDAR.exec(base);
  if (onCal) return make(`${onCal[1]} ${onCal[2]}`.replace(/\b(?:an? )?(?:event|entry)(?: for| called| of)?\b/i, ' '), 0.85);
  const calFirst = CALENDAR_FIRST.exec(base);
  if (calFirst) return make(calFirst[1]!, 0.8);
  const newEntry = NEW_ENTRY.exec(base);
  if (newEntry) return make(newEntry[1] ?? newEntry[2] ?? newEntry[3] ?? '', 0.6);
  const markDay = MARK_DAY.exec(base);
  if (markDay) return event(markDay[2]!, when, 0.7, undefined, ctx);
  const attend = ATTEND.exec(base);
  if (attend && EVENT_NOUN.test(attend[1]!)) return make(attend[1]!, 0.55);
  const arrange = ARRANGE.exec(base);
  // "make dinner" is cooking: without an article or a "with", make/get/have name no event.
  const bareNoun = /^(?:make|get|have|put|set|add|create|hold|fix|plan)(?: me| up)? (?!(?:a|an|the|my|our|some|new)\b)[\w']+\b(?!.*\bwith\b)/i.test(base) && !/\b(?:meetings?|appointments?|events?|reservations?|calendar)\b/i.test(base);
  // "make a call" is a phone call and "add call mom" a to-do, not calendar entries.
  const phoneCall = /^(?:make|place|get|have|give)(?: me)? (?:a |an )?(?:phone |quick )?call\b/i.test(base) || /\bcall (?!with|at|on|for|about|in|to|tomorrow|today|tonight|next|this)[a-z]/i.test(base);
  if (arrange && !phoneCall && !bareNoun) {
    const phrase = arrange[1]!.replace(/^(?:(?:an?|new|calendar)\s+)*(?:event|entry|calendar entry|calendar event)(?: (?:for|called|of|with|on|at))?\s*/i, '');
    return make(phrase, /^(?:schedule|book|arrange|set up|organi)/i.test(base) ? 0.85 : 0.75);
  }
  const sched = SCHEDULE.exec(base);
  if (sched && (when.date || when.time)) return make(sched[1]!, 0.7);
  const have = HAVE_EVENT.exec(base);
  if (have && (when.date || when.time) && !/\b(?:had|was|went)\b/i.test(base)) return make(have[1]!, 0.7);
  const meet = MEET.exec(base);
  if (meet && (when.date || when.time) && !OFF_DOMAIN.test(meet[1]!)) {
    return make(/^(?:meet|i'm meeting|i am meeting|we're meeting|i want to meet)/i.test(base) ? `meet ${meet[1]}` : meet[1]!, 0.6);
  }
  if (NOUN_FIRST.test(base) && !NOT_A_START.test(base) && !IMPERATIVE.test(base) && !phoneCall && !tellsThePast(base) && (when.date || when.time)) {
    return make(base, 0.6);
  }
  const setFor = SET_FOR.exec(base);
  if (setFor && when.date && !PLACEHOLDER.test(setFor[1]!)) return make(setFor[1]!, 0.55);
  return undefined;
}
