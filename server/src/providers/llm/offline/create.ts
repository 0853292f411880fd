import type { UnderstandContext } from '../port.js';
import { cutSpans, findWhen, today, type When } from './dates.js';
import type { Found } from './found.js';
import { cleanPhrase, contentStems, EVENT_NOUN, OFF_DOMAIN, PLACEHOLDER } from './lexicon.js';
import type { Utterance } from './normalize.js';

// Creating tasks and events. Strong cues ("remind me to", "add X to my Y list") are trusted;
// weak ones ("I need to...", a bare "add ...") also need a date or a plain object, and never
// fire on things Sayso does not do ("add this song to my playlist").

const RECURRENCE = /\b(?:every (?:single )?(?:day|week|month|year|morning|evening|night|weekday)|every|each|daily|weekly|monthly|yearly|repeat(?:ing)?(?: every year)?|recurring)\b/gi;
const TITLE_LEAD =
  /^(?:(?:me|us|to|that|about|of|for|on|a|an|please|reminder|remainder|note|saying|i (?:need|have|must|should|want|got) to|i've got to|i have (?:a|an|my)|there(?:'s| is) (?:a|an)|we(?:'re| are) having|we have (?:a|an)|i'm having)\s+)+/i;

/** A clean title: no date/time words, no "remind me to", no dangling prepositions. */
export function titleFrom(body: string, when: When): string {
  const cut = cutSpans(body, when.spans).replace(RECURRENCE, ' ').replace(/\s+/g, ' ').trim();
  return cleanPhrase(cleanPhrase(cut.replace(TITLE_LEAD, ''))).replace(/\s+(?:at|on|by|for|in|from|to)$/i, '');
}

function task(title: string, when: When, confidence: number, extra: { list?: string; priority?: 'low' | 'medium' | 'high' } = {}): Found {
  const clean = PLACEHOLDER.test(title) ? '' : title;
  return {
    action: {
      kind: 'task',
      action: 'create',
      title: clean,
      ...(when.date ? { dueDate: when.date } : {}),
      ...(when.time ? { dueTime: when.time } : {}),
      ...(extra.priority ? { priority: extra.priority } : {}),
      ...(extra.list ? { list: extra.list } : {}),
    },
    // No title means the reply must ask what to add.
    confidence: clean ? confidence : Math.min(confidence, 0.45),
  };
}

/** Matches a said list name to one the person has ("groceries" -> "grocery"). */
function resolveList(said: string, ctx: UnderstandContext): string | undefined {
  const name = said.trim().toLowerCase().replace(/^(?:my|the|our|new) /, '');
  if (!name || /^(?:to-?do|todo|to do|task|tasks|a|the|my)$/.test(name)) return undefined;
  const stems = contentStems(name).join(' ');
  return ctx.lists?.find((l) => contentStems(l).join(' ') === stems) ?? name;
}

const LIST_ADD =
  /^(?:add|put|write|stick|include|jot|pop|place|throw|insert|enter|save|append|list)(?: down)? (.+?) (?:to|on|onto|in|into|under) (?:my|the|our|a|this|that)?(?: new)? ?((?:[\w'-]+ ){0,3}?)(?:list|lists|groceries)(?: (?:for|on|by|at|due))?$/i;
const LIST_ADD_SHORT = /^(?:add|put) (.+?) (?:to|on|onto) (?:my |the |our )?(grocery|shopping|to-?do|todo|to do|tasks)$/i;
const LIST_CREATE = /^(?:create|make|start|new|set up|build|begin)(?: me)?(?: a| an| my)?(?: new)? ((?:[\w'-]+ ){0,3}?)list\b(?: (?:for|of|called|named|titled|with))? ?(.*)$/i;
const REMIND = /^(?:be sure to |make sure to |and )?remind(?: me| us)?\b(?: (?:to|about|of|that|for))? ?(.*)$/i;
const REMINDER =
  /^(?:set|create|make|add|schedule|put|give|send|i need|i want|need|new|leave)(?: me| up| in| myself)?(?: a| an| my)?(?: new)?(?: (?:repeating|recurring|daily|weekly|quick|event|appointment))? (?:reminder|remainder|notification|alert)s?(?: for me)?\b(?: (?:to|for|about|that|of|saying|on))? ?(.*)$/i;
const REMINDER_NOUN = /^(?:reminder|new reminder)s?(?: (?:to|for|about|that))? (.+)$/i;
const NOTIFY = /^(?:let me know|notify me|alert me|ping me|give me a (?:heads up|shout|nudge))\b(?: (?:about|of|when|to|that|on|for|with))? (.+)$/i;
const REMEMBER = /^(?:(?:don't|do not) (?:let me )?forget|remember|make sure (?:i|that i|to)|don't let me forget)\b(?: (?:me )?(?:to|about|that))? ?(.+)$/i;
const NEED_TO = /^(?:(?:i |we )?(?:need to|have to|have got to|gotta)|(?:i|i've|i'll|i'm|we|we've|we'll) (?:got to|must|should|ought to|supposed to|want to remember to|will need to|'ll need to))\b (.+)$/i;
const TASK_EXPLICIT =
  /^(?:add|create|make|new|set|put in|enter|log|save|set up)(?: me)?(?: a| an)?(?: new)? (?:task|to-?do|to do|action item)s?(?: item)?\b(?: (?:to|for|called|named|that says|saying|about))? ?(.*)$/i;
const TASK_PREFIX = /^(?:to-?do|todo|to do|task)(?: item)? (.+)$/i;
const BARE_ADD = /^(?:add|jot down|write down|note down|put down)\b (.+)$/i;
const ASSISTANT_TALK = /\b(?:you|your|yourself)\b/i;
const ALARM = /\b(?:wake|alarm|timer)\b/i;

/** Task creation: lists, reminders, "I need to … tomorrow", "new task …". */
export function createTask(u: Utterance, ctx: UnderstandContext): Found | undefined {
  const s = u.text;
  const when = findWhen(s, ctx, 'future');
  const dateless = cutSpans(s, when.spans).replace(/\s+(?:for|on|by|at|due)$/i, '');

  const listAdd = LIST_ADD.exec(dateless) ?? LIST_ADD_SHORT.exec(dateless);
  if (listAdd) {
    const said = listAdd[2] ?? '';
    if (OFF_DOMAIN.test(said) || /\b(?:favou?rites?|play|reading list|watch)\b/i.test(said) || OFF_DOMAIN.test(listAdd[1]!)) return undefined;
    const list = resolveList(said, ctx);
    const title = titleFrom(listAdd[1]!, { spans: [] }).replace(/^["']|["']$/g, '');
    return task(title, when, 0.9, list ? { list } : {});
  }
  const listCreate = LIST_CREATE.exec(s);
  if (listCreate && !OFF_DOMAIN.test(s)) {
    const said = /^(?:to-?do|to do|todo|task)\s*$/i.test(listCreate[1] ?? '') ? '' : listCreate[1] || listCreate[2] || '';
    const name = cleanPhrase(said);
    return task('', when, 0.45, name ? { list: name.toLowerCase() } : {});
  }
  const remind = REMIND.exec(s) ?? REMINDER.exec(s) ?? REMINDER_NOUN.exec(s);
  if (remind) {
    if (ALARM.test(s) || /^reminders? (?:about|on|for) (?:my|the) calendar/i.test(remind[1] ?? '')) return undefined;
    // "alert me on any news" is a subscription, not a reminder.
    if (!/^(?:be sure to |make sure to |and )?remind/i.test(s) && /\b(?:alerts?|notifications?|updates?)\b/i.test(s) && OFF_DOMAIN.test(s)) return undefined;
    return task(titleFrom(remind[1] ?? '', findWhen(remind[1] ?? '', ctx, 'future')), when, 0.85, priorityOf(s));
  }
  const notify = NOTIFY.exec(s);
  if (notify && EVENT_NOUN.test(notify[1]!) && !OFF_DOMAIN.test(s)) {
    return task(titleFrom(notify[1]!, findWhen(notify[1]!, ctx, 'future')), when, 0.6);
  }
  const remember = REMEMBER.exec(s);
  if (remember && !/\b(?:calendar|schedule)\b/i.test(s) && !OFF_DOMAIN.test(s)) {
    const body = remember[1]!;
    if (ASSISTANT_TALK.test(body) || /^(?:when|what|who|how|the time|that time)\b/i.test(body)) return undefined;
    return task(titleFrom(body, findWhen(body, ctx, 'future')), when, 0.75, priorityOf(s));
  }
  const explicit = TASK_EXPLICIT.exec(s) ?? TASK_PREFIX.exec(s);
  if (explicit) {
    const body = explicit[1] ?? '';
    return task(titleFrom(body, findWhen(body, ctx, 'future')), when, 0.85, priorityOf(s));
  }
  const need = NEED_TO.exec(s);
  if (need && (when.date || when.time)) {
    const body = need[1]!;
    if (ASSISTANT_TALK.test(body) || OFF_DOMAIN.test(body) || /^(?:go to (?:bed|sleep)|sleep|pee|leave|know|find out|check the|be reminded of any)\b/i.test(body)) return undefined;
    if (EVENT_NOUN.test(body) && /^(?:be at|attend|go to|meet)\b/i.test(body)) return undefined;
    return task(titleFrom(body, findWhen(body, ctx, 'future')), when, 0.65);
  }
  const bare = BARE_ADD.exec(s);
  if (bare && !/\b(?:calendar|schedule|agenda|event)\b/i.test(s)) {
    const body = bare[1]!;
    if (OFF_DOMAIN.test(s) || ASSISTANT_TALK.test(body) || /\b(?:favou?rites?|to (?:the|my) (?:cart|basket|queue|library))\b/i.test(body)) return undefined;
    const title = titleFrom(body, findWhen(body, ctx, 'future'));
    if (title.split(' ').length > 8) return undefined;
    return task(title, when, when.date || when.time ? 0.75 : 0.6, priorityOf(s));
  }
  return undefined;
}

function priorityOf(s: string): { priority?: 'low' | 'medium' | 'high' } {
  if (/\b(?:urgent|urgently|high priority|top priority|important|asap)\b/i.test(s)) return { priority: 'high' };
  if (/\blow priority\b/i.test(s)) return { priority: 'low' };
  return {};
}

const EVENT_WORD = String.raw`(?:meeting|appointment|appt|event|call|conference|interview|lunch|dinner|brunch|breakfast|session|party|date|reservation|reservations|calendar entry|calendar event|entry|standup|stand-up|catch-up|catch up|drinks|visit|class|lesson|practice|birthday|anniversary|wedding)`;
// Said first with a day or time, these name an event: "coffee with Jess on Monday at 8:30".
const NOUN_WORD = String.raw`(?:meeting|appointment|appt|call|conference|interview|lunch|dinner|brunch|breakfast|party|standup|stand-up|catch-up|catch up|coffee|drinks|class|lesson|practice|session|reservation|birthday|wedding|anniversary|game|match|date night|playdate|visit)`;
const IMPERATIVE = /^(?:make|prepare|brew|get|order|play|start|turn|put|find|show|tell|give|send|buy|cook|check|open|read|set|watch|call|text|book|go|stop|pause|cancel)\b/i;
const CALENDAR_PLACE = /\s*\b(?:in|on|to|into|onto|in to|for) (?:my|the|our|a)(?: \w+)? (?:calendar|schedule|diary|agenda)\b/i;
const ON_CALENDAR =
  /^(?:add|put|write|enter|note|mark|set|create|make|schedule|book|block|pencil|save|insert|place|stick|plug)(?: in| down| out| off)?\b(.*?)\s*\b(?:(?:in|on|to|into|onto|in to|for) (?:my|the|our|a)(?: \w+)? (?:calendar|schedule|diary|agenda))\b(.*)$/i;
const CALENDAR_FIRST = /^(?:add|put|mark|block|set|update|note|in)(?: (?:to|in|on|into))? (?:my |the )?(?:\w+ )?(?:calendar|schedule)(?: (?:for|with|that|to|as))? ?(.*)$/i;
const ARRANGE = new RegExp(
  String.raw`^(?:schedule|book|arrange|set up|setup|organi[sz]e|plan|fix|set|create|make|add|put|get|have|hold|put in)(?: me| up| in)?(?: a| an| my| the| our| some)?(?: new)? (.*?\b${EVENT_WORD}s?\b.*)$`,
  'i',
);
const SCHEDULE = /^(?:schedule|book|calendar)\b (.+)$/i;
const SET_FOR = /^set (?:up )?(?!(?:a |an |the |my )?(?:reminder|timer|alarm|volume|temperature|status|mood|colou?r|time zone)\b)(.+?) (?:for|on|at) .+$/i;
const NEW_ENTRY = /^(?:new )?calendar (?:event|entry)\b ?(.*)$/i;
const HAVE_EVENT = new RegExp(
  String.raw`^(?:i|we|there) (?:have|'ve got|got|have got|am having|are having|'ll have|will have|'m having|'re having|'s|is|will be|(?:need|want|would like)(?= an? ))(?: a| an| my| the| our)? (.*?\b(?:${EVENT_WORD}|flight|birthday|wedding|party|concert|exam|test|trip|holiday|doctor'?s?|dentist|haircut)s?\b.*)$`,
  'i',
);
const MEET = /^(?:meet|see|visit|attend|go to|i want to (?:meet|see|go to|attend|visit)|(?:i'm|i am|we're|we are|i'll be|i will be|we'll be) (?:meeting|seeing|visiting|attending|going to))\b (.+)$/i;
const NOUN_FIRST = new RegExp(String.raw`^(?:(?:a|an|my|the|our|new) )?(?:[\w']+ ){0,3}?${NOUN_WORD}s?\b.*$`, 'i');
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
  if (OFF_DOMAIN.test(s) || ASSISTANT_TALK.test(s)) return undefined;
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
  if (newEntry) return make(newEntry[1]!, 0.6);
  const arrange = ARRANGE.exec(base);
  // "make a call" is a phone call and "add call mom" a to-do, not calendar entries.
  const phoneCall = /^(?:make|place|get|have|give)(?: me)? (?:a |an )?(?:phone |quick )?call\b/i.test(base) || /\bcall (?!with|at|on|for|about|in|to|tomorrow|today|tonight|next|this)[a-z]/i.test(base);
  if (arrange && !phoneCall) {
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
  if (NOUN_FIRST.test(base) && !NOT_A_START.test(base) && !IMPERATIVE.test(base) && !phoneCall && (when.date || when.time)) return make(base, 0.6);
  const setFor = SET_FOR.exec(base);
  if (setFor && when.date && !PLACEHOLDER.test(setFor[1]!)) return make(setFor[1]!, 0.55);
  return undefined;
}
