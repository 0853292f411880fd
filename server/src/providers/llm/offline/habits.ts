import type { UnderstandContext } from '../port.js';
import { cutSpans, findWhen, today } from './dates.js';
import type { Found } from './found.js';
import { contentStems, findName, HABIT_WORDS, OFF_DOMAIN, stem, UNIT } from './lexicon.js';
import type { Utterance } from './normalize.js';

const CADENCE =
  /\s*\b(?:(?:every|each|per|a|once a|twice a|(\d+) times (?:a|per)) (?:single )?(day|morning|night|evening|afternoon|week|weekday)|daily|nightly|weekly|every ?day|before bed|after work|in the (?:morning|evening))\b/i;
const HABIT_CREATE =
  /^(?:help me (?:to )?|i want to |i'd like to |i would like to |let's |can we )?(?:start|begin|build|create|add|make|set up|setup|form|new|track|get into|pick up)(?: a| an| the| my)?(?: (?:new|daily|weekly|good|healthy|healthier))* habit(?: of| to| for| called| named| where i| that)?\s*(.*)$/i;
const START_DOING =
  /^(?:start|begin|get into|make a habit of|make it a habit to|get in the habit of|commit to|i'm going to start|i will start|i'd like to start)\s+(.+)$/i;
const TRACK = /^(?:track|log|count|monitor)(?: my| how (?:much|many|often)(?: i)?)? (.+)$/i;

/** "start a habit of stretching every morning", "track drinking water daily". */
export function habitCreate(u: Utterance): Found | undefined {
  const explicit = HABIT_CREATE.exec(u.text);
  const start = explicit ? undefined : START_DOING.exec(u.text);
  const track = explicit || start ? undefined : TRACK.exec(u.text);
  const body = (explicit ?? start ?? track)?.[1]?.trim();
  if (body === undefined) return undefined;
  const cadence = CADENCE.exec(body) ?? (explicit ? /\b(daily|weekly)\b/i.exec(u.text.slice(0, u.text.length - body.length)) : null);
  // Without the word "habit", only a said cadence ("every day") or a habit word alone makes one.
  if (!explicit) {
    if (OFF_DOMAIN.test(body) || /\b(?:list|task|event|meeting|journal|diary|book|timer|you)\b/i.test(body)) return undefined;
    const bare = body.replace(/\bagain\b/i, '').trim();
    const habitual = HABIT_WORDS.test(bare) && bare.split(' ').length <= 2 && /ing\b|\bmy\b|^\w+$/i.test(bare);
    if (!cadence && !(start && habitual)) return undefined;
    if (track && !cadence) return undefined;
  }
  const name = body
    .replace(CADENCE, ' ')
    .replace(/^(?:to|of|doing|for)\s+/i, '')
    .replace(/\s+(?:again|more)$/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  const times = (cadence && /\btimes\b/i.test(cadence[0]) ? cadence[1] : undefined) ?? (/\btwice a\b/i.test(cadence?.[0] ?? '') ? '2' : undefined);
  const weekly = /\bweek/i.test(cadence?.[0] ?? '');
  const amount = /(?<![:\d])(\d+)(?![:\d])(?!\s?(?:am|pm)\b)/.exec(name);
  const target = times ? Number(times) : amount && !weekly ? Number(amount[1]) : undefined;
  return {
    action: {
      kind: 'habit',
      action: 'create',
      name,
      ...(cadence ? { cadence: weekly ? ('weekly' as const) : ('daily' as const) } : {}),
      ...(target !== undefined ? { target } : {}),
    },
    confidence: !name ? 0.4 : explicit ? 0.9 : 0.75,
  };
}

const STREAK = /\bstreaks?\b/i;
const HOW_MANY = /^how (?:many|often)(?: (?:days|times|weeks|mornings|nights))?(?: in a row)? (?:have|did|do) i (.+)$/i;
const DOING = /^how (?:am i|'m i|i am|are my|is my) (?:doing |going |getting on )?(?:on|with)? ?(?:my )?(.+)$/i;
const LIST_HABITS = /^(?:show|list|tell|what are|what're|read|give)(?: me)?(?: all)? (?:my|the) (?:habits|habit (?:stats|progress|summary|report)|progress)$/i;
const DID_I = /^(?:did|have) i(?: already)? (?:do |done |finish |finished )?(?:my |the )?(.+)$/i;

/** "what's my running streak", "how many days in a row have I flossed", "did I meditate today". */
export function habitQuery(u: Utterance, ctx: UnderstandContext): Found | undefined {
  const s = u.lower;
  const named = findName(ctx.habitNames, s);
  const query = (text: string | undefined, confidence: number): Found => ({
    action: { kind: 'habit', action: 'query', ...(text ? { target: { text } } : {}) },
    confidence,
  });
  if (STREAK.test(s) && !OFF_DOMAIN.test(s)) {
    const before = /(?:my|the|current|longest)\s+(.+?)\s+streaks?/.exec(s)?.[1];
    return query(named ?? before?.replace(/^(?:current|longest) /, ''), 0.85);
  }
  if (LIST_HABITS.test(s) || /\bhabits?\b.*\b(?:progress|stats|going|doing)\b|\bhow are my habits\b/.test(s)) return query(named, 0.8);
  const many = HOW_MANY.exec(s);
  if (many && (named || HABIT_WORDS.test(many[1]!))) return query(named ?? many[1], 0.75);
  const doing = DOING.exec(s);
  if (doing && (named || /\bhabits?\b/.test(doing[1]!))) return query(named, 0.7);
  const didI = DID_I.exec(s);
  if (didI && named && !/\b(?:add|set|create|put|make|write|send|get|receive)\b/.test(didI[1]!)) return query(named, 0.7);
  return undefined;
}

const CHECK_IN_CUE =
  /^(?:i )?(?:just |already |finally |also )*(?:did|done|finished|completed|had|got in|got through|went for|went on|logged|log|record|recorded|check in|checked in|check off|checked off|tick off|ticked off|mark|marked|count)\b(?: (?:my|the|a|an|some|today's|todays|this morning's|tonight's))?\s*(.*)$/i;
const DONE_SUFFIX = /^(?:my |the )?(.+?) (?:done|complete|completed|checked|finished|is done|was done)(?: for today| today)?$/i;
const FIRST_WORD = /^(?:i )?(?:just |already |finally |also )*(\w+)\b\s*(.*)$/i;
const PAST = /^(?:ran|drank|went|swam|slept|ate|took|rode|read|wrote|did|\w+ed)$/i;
// Small words a check-in may carry besides the habit, the number and the unit.
const FILLER_OK = new Set([
  'for', 'a', 'an', 'my', 'the', 'of', 'today', 'this', 'morning', 'evening', 'afternoon', 'tonight', 'yesterday', 'again', 'just',
  'also', 'total', 'in', 'at', 'with', 'some', 'already', 'before', 'after', 'work', 'lunch', 'breakfast', 'dinner', 'bed', 'quick',
  'long', 'short', 'nice', 'good', 'great', 'full', 'whole', 'hour', 'half', 'and', 'i', 'did', 'got', 'around', 'about', 'over',
  'than', 'more', 'less', 'session', 'time', 'each', 'last', 'night', 'as', 'done', 'complete', 'completed', 'off', 'into',
]);
const REJECT_AFTER_VERB = /^(?:into|out|to|late|over|by|across|away|up|down|behind|from|through|around|off|on|the meeting|a meeting|my mouth)\b/i;

/** "did my meditation", "ran 5 km today", "drank 3 glasses of water": a check-in on a known habit. */
export function habitCheckIn(u: Utterance, ctx: UnderstandContext): Found | undefined {
  const s = u.lower;
  if (/^(?:what|when|where|who|why|how|is|are|do|does|did i|have i|has|can|could|should|will|would|am)\b/.test(s)) return undefined;
  if (OFF_DOMAIN.test(s) && !/\bwater\b/.test(s)) return undefined;
  const named = findName(ctx.habitNames, s);
  const cue = CHECK_IN_CUE.exec(s);
  const suffix = DONE_SUFFIX.exec(s);
  let rest: string | undefined;
  let byVerb = false;
  if (cue) rest = cue[1];
  else if (suffix) rest = suffix[1];
  else {
    const first = FIRST_WORD.exec(s);
    if (!first || !named) return undefined;
    const verb = first[1]!;
    const after = first[2] ?? '';
    // "I ran 5 km", "meditated 10 minutes": the verb itself is the habit, said as done.
    if (!contentStems(named).includes(stem(verb))) return undefined;
    const saidI = /^i /.test(s);
    if (!PAST.test(verb) && !saidI) return undefined;
    // "read the list" is a request; "read 30 pages" and "I read for an hour" are check-ins.
    if (verb === 'read' && !saidI && !/\d/.test(after)) return undefined;
    if (REJECT_AFTER_VERB.test(after)) return undefined;
    rest = after;
    byVerb = true;
  }
  if (rest === undefined) return undefined;
  const when = findWhen(rest, ctx, 'past');
  const plain = cutSpans(rest, when.spans);
  const nameStems = new Set(named ? contentStems(named) : []);
  const leftover = plain
    .split(/\s+/)
    .filter((w) => w && !/^\d+(?:\.\d+)?k?$/.test(w) && !UNIT.test(w) && !FILLER_OK.has(w) && !nameStems.has(stem(w)));
  if (named) {
    if (!byVerb && !contentStems(rest).some((w) => nameStems.has(w)) && !cue?.[0].match(/\bdid\b/)) return undefined;
    if (leftover.length > (byVerb && !/^i /.test(s) ? 0 : 1)) return undefined;
  } else {
    // No habit of that name: only a plainly habitual phrase ("did my meditation") counts.
    if (!cue || !HABIT_WORDS.test(rest) || leftover.length > 1 || /\b(?:task|list|email|report)\b/.test(rest)) return undefined;
  }
  // The amount: "5" in "ran 5 km", never the "7" of "at 7" or the "3rd" of a date.
  const value = /(?<![:\d]|\b(?:at|on|by|the|since|until) )(\d+(?:\.\d+)?)(?![:\d]|st|nd|rd|th)(?!\s?(?:am|pm)\b)/.exec(rest);
  const day = when.date && when.date !== today(ctx) ? when.date : undefined;
  // A check-in is about the last few days; "I ran a marathon last year" is a story.
  if (day && (day > today(ctx) || Date.parse(today(ctx)) - Date.parse(day) > 7 * 86_400_000)) return undefined;
  const text = named ?? plain.replace(/^(?:\d+(?:\.\d+)?\s*)/, '').trim();
  return {
    action: {
      kind: 'habit',
      action: 'complete',
      target: { text },
      ...(value ? { value: Number(value[1]) } : {}),
      ...(day ? { day } : {}),
    },
    confidence: named ? 0.85 : 0.6,
  };
}
