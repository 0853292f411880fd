import * as chrono from 'chrono-node';
import type { DayRange } from '@sayso/protocol';

// Dates and times in the person's time zone. chrono reads wall-clock components; we hand it a
// reference whose local components equal the person's wall clock, and read components back,
// so the server's own zone never leaks into "tomorrow".

export interface Clock {
  now: Date;
  timeZone: string;
}

/** A calendar day as numbers, month 1-12. */
interface Day {
  y: number;
  m: number;
  d: number;
}

export interface When {
  /** YYYY-MM-DD, when a day was said (or implied by a time). */
  date?: string;
  /** HH:MM, when a clock time was said. */
  time?: string;
  /** Minutes from start to end, when a span of time was said ("from 2 to 4pm"). */
  durationMinutes?: number;
  /** Character spans of `text` that said the date or time, to cut out of titles. */
  spans: Array<[number, number]>;
}

/** `future`: "friday" is the next one (creating, moving). `past`: the last one (journal, check-ins). */
export type Direction = 'future' | 'past';

/** Building an Intl formatter costs ~10x formatting with one: keep one per zone. */
const wallFormats = new Map<string, Intl.DateTimeFormat>();

export function wallClock({ now, timeZone }: Clock): Day & { h: number; min: number } {
  let format = wallFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23',
    });
    wallFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(now);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour') % 24, min: get('minute') };
}

const pad = (n: number) => String(n).padStart(2, '0');
export const formatDay = ({ y, m, d }: Day) => `${y}-${pad(m)}-${pad(d)}`;
const toUTC = ({ y, m, d }: Day) => Date.UTC(y, m - 1, d);
const fromUTC = (ms: number): Day => {
  const t = new Date(ms);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
};
export const addDays = (day: Day, n: number): Day => fromUTC(toUTC(day) + n * 86_400_000);
/** 0 = Monday ... 6 = Sunday. */
const weekdayIndex = (day: Day) => (new Date(toUTC(day)).getUTCDay() + 6) % 7;
const monthEnd = (y: number, m: number): Day => addDays(m === 12 ? { y: y + 1, m: 1, d: 1 } : { y, m: m + 1, d: 1 }, -1);

export function today(clock: Clock): string {
  return formatDay(wallClock(clock));
}

// "on the 14th", "the 21st of the month": chrono leaves a bare day of month alone.
const dayOfMonth: chrono.Parser = {
  pattern: () => /\b(?:on |by |for |until )?the (\d{1,2})(?:st|nd|rd|th)\b(?! of \w)(?:(?: of)? (?:this|the|next) month)?/i,
  extract: (context, match) => {
    const d = Number(match[1]);
    if (d < 1 || d > 31) return null;
    const ref = context.reference.instant;
    let y = ref.getFullYear();
    let m = ref.getMonth() + 1;
    if (d < ref.getDate() || /next month/i.test(match[0])) [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
    return { day: d, month: m, year: y };
  },
};

const parser = chrono.casual.clone();
parser.parsers.push(dayOfMonth);

const PAST_WORDS = /\b(?:last|ago|yesterday|earlier|this morning|past|previous)\b/i;

/** Finds the date and time said in `text`, relative to the person's clock. */
export function findWhen(text: string, clock: Clock, direction: Direction): When {
  const wc = wallClock(clock);
  const ref = new Date(wc.y, wc.m - 1, wc.d, wc.h, wc.min);
  const forward = direction === 'future' && !PAST_WORDS.test(text);
  const results = parser.parse(text, ref, { forwardDate: forward });
  const when: When = { spans: [] };
  let dated: Day | undefined;
  let implied: Day | undefined;
  for (const r of results) {
    const c = r.start;
    // "1 of them", a bare year or an hour-less "5" are not dates.
    if (/^\d+$/.test(r.text.trim()) || /^(?:right )?now$/i.test(r.text.trim())) continue;
    // "for 20 minutes" is how long, not when.
    if (/^for (?:a|an|one|half an?|\d+(?:\.\d+)?|a few|a couple of) (?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?)$/i.test(r.text.trim())) continue;
    when.spans.push([r.index, r.index + r.text.length]);
    const day = { y: c.get('year') ?? wc.y, m: c.get('month') ?? wc.m, d: c.get('day') ?? wc.d };
    const saidDay = c.isCertain('day') || c.isCertain('weekday') || c.isCertain('month') || /\b(?:today|tonight|tomorrow|yesterday|week|weekend|month)\b/i.test(r.text);
    // "evening" alone says a part of today, weaker than "the 27th" said elsewhere.
    const partOfDay = !saidDay && /\b(?:morning|afternoon|evening|night)\b/i.test(r.text);
    if (saidDay && !dated) dated = adjustDirection(day, c, wc, direction);
    else if ((partOfDay || !saidDay) && !implied) implied = day;
    if (c.isCertain('hour') && when.time === undefined) {
      let h = c.get('hour') ?? 0;
      // "at 3" means the afternoon in a to-do list, not 3 in the morning.
      if (!c.isCertain('meridiem') && h >= 1 && h <= 7) h += 12;
      when.time = `${pad(h)}:${pad(c.get('minute') ?? 0)}`;
      const end = r.end;
      if (end?.isCertain('hour')) {
        let eh = end.get('hour') ?? 0;
        if (!end.isCertain('meridiem') && eh >= 1 && eh <= 7) eh += 12;
        const minutes = eh * 60 + (end.get('minute') ?? 0) - (h * 60 + (c.get('minute') ?? 0));
        if (minutes > 0) when.durationMinutes = minutes;
      }
    }
  }
  const day = dated ?? implied;
  if (day) when.date = formatDay(day);
  return when;
}

function adjustDirection(day: Day, c: chrono.ParsedComponents, wc: Day, direction: Direction): Day {
  // A weekday alone is the coming one when planning and the last one when looking back.
  if (c.isCertain('weekday') && !c.isCertain('day')) {
    const diff = (toUTC(day) - toUTC(wc)) / 86_400_000;
    if (direction === 'past' && diff > 0) return addDays(day, -7);
    if (direction === 'future' && diff < 0) return addDays(day, 7);
  }
  return day;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_RE = /\b(?:in|for|during|of|on) (january|february|march|april|may|june|july|august|september|october|november|december)\b(?! \d)/i;

export interface RangeFound {
  range: DayRange;
  spans: Array<[number, number]>;
}

/** A window of days said in `text` ("this week", "next weekend", "in march", "tomorrow"), if any. */
export function findRange(text: string, clock: Clock, direction: Direction): RangeFound | undefined {
  const wc = wallClock(clock);
  const t: Day = { y: wc.y, m: wc.m, d: wc.d };
  const monday = addDays(t, -weekdayIndex(t));
  const span = (re: RegExp, make: (m: RegExpExecArray) => [Day, Day] | undefined): RangeFound | undefined => {
    const m = re.exec(text);
    if (!m) return undefined;
    const r = make(m);
    return r && { range: { from: formatDay(r[0]), to: formatDay(r[1]) }, spans: [[m.index, m.index + m[0].length]] };
  };
  const n = (s: string | undefined) => Number(s ?? 1);
  return (
    span(/\b(?:the )?(?:next|coming|following) (\d+) days\b/i, (m) => [t, addDays(t, n(m[1]) - 1)]) ??
    span(/\b(?:the )?(?:last|past|previous) (\d+) days\b/i, (m) => [addDays(t, 1 - n(m[1])), t]) ??
    span(/\b(?:(?:the )?rest of (?:the|this) week|(?:the )?remainder of (?:the|this) week)\b/i, () => [t, addDays(monday, 6)]) ??
    span(/\b(?:this|the|on the) weekend\b|\bweekend\b/i, () => {
      const sat = addDays(monday, 5);
      return direction === 'past' && weekdayIndex(t) < 5 ? [addDays(sat, -7), addDays(sat, -6)] : [sat, addDays(sat, 1)];
    }) ??
    span(/\bnext weekend\b/i, () => [addDays(monday, 12), addDays(monday, 13)]) ??
    span(/\blast weekend\b/i, () => [addDays(monday, -2), addDays(monday, -1)]) ??
    span(/\b(?:next|coming) week\b/i, () => [addDays(monday, 7), addDays(monday, 13)]) ??
    span(/\blast week\b/i, () => [addDays(monday, -7), addDays(monday, -1)]) ??
    span(/\b(?:the )?past (?:7 days|week)\b|\bmy week\b|\bthe week\b(?! of)/i, () =>
      direction === 'past' ? [addDays(t, -6), t] : [t, addDays(monday, 6)],
    ) ??
    span(/\bthis week(?:'s)?\b|\bweekly\b/i, () => [monday, addDays(monday, 6)]) ??
    span(/\b(?:next|coming) month\b/i, () => {
      const [y, m] = wc.m === 12 ? [wc.y + 1, 1] : [wc.y, wc.m + 1];
      return [{ y, m, d: 1 }, monthEnd(y, m)];
    }) ??
    span(/\blast month\b/i, () => {
      const [y, m] = wc.m === 1 ? [wc.y - 1, 12] : [wc.y, wc.m - 1];
      return [{ y, m, d: 1 }, monthEnd(y, m)];
    }) ??
    span(/\b(?:the )?past month\b|\bmy month\b/i, () => [addDays(t, -29), t]) ??
    span(/\b(?:this|current|the) month\b/i, () => [{ y: wc.y, m: wc.m, d: 1 }, monthEnd(wc.y, wc.m)]) ??
    span(/\bthis year\b/i, () => [{ y: wc.y, m: 1, d: 1 }, { y: wc.y, m: 12, d: 31 }]) ??
    span(MONTH_RE, (m) => {
      const month = MONTHS.indexOf(m[1]!.toLowerCase()) + 1;
      let y = wc.y;
      if (direction === 'future' && month < wc.m) y++;
      if (direction === 'past' && month > wc.m) y--;
      return [{ y, m: month, d: 1 }, monthEnd(y, month)];
    }) ??
    singleDay(text, clock, direction)
  );
}

function singleDay(text: string, clock: Clock, direction: Direction): RangeFound | undefined {
  const when = findWhen(text, clock, direction);
  if (!when.date) return undefined;
  return { range: { from: when.date, to: when.date }, spans: when.spans };
}

const COMMAND = /^(?:remind|add|create|make|schedule|put|set|book|delete|remove|cancel|clear|move|mark|start|log|journal|note|write|plan|i need to|i have to|i've got to)\b/i;

/** "On Friday remind me to…" -> "remind me to… on Friday": rules read the command first. */
export function moveLeadingWhen(text: string, clock: Clock): string {
  const first = findWhen(text, clock, 'future').spans[0];
  if (!first) return text;
  const before = text.slice(0, first[0]).trim();
  if (before && !/^(?:on|by|for|this|next|at|in|from)$/i.test(before)) return text;
  const rest = text.slice(first[1]).replace(/^[\s,]+/, '');
  return COMMAND.test(rest) ? `${rest} ${text.slice(0, first[1]).trim()}` : text;
}

/** Cuts `spans` out of `text`. */
export function cutSpans(text: string, spans: ReadonlyArray<[number, number]>): string {
  let out = text;
  for (const [a, b] of [...spans].sort((x, y) => y[0] - x[0])) out = `${out.slice(0, a)} ${out.slice(b).replace(/^'s\b/, '')}`;
  return out.replace(/\s+/g, ' ').trim();
}
