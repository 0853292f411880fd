// Turns a raw transcript into the text the rules read: no wake words, fillers or politeness,
// spoken numbers as digits ("ten thirty am" -> "10:30 am"), case kept so titles keep it too.

export interface Utterance {
  /** The transcript as given, trimmed. Journal text is cut from here, so it keeps its punctuation. */
  raw: string;
  /** Cleaned text, case kept. */
  text: string;
  /** `text` in lower case: what the patterns match. */
  lower: string;
  /** Said "actually"/"no wait"/"I meant": a correction of what was just done. */
  correction: boolean;
}

const WAKE = String.raw`(?:hey |hi |ok |okay )?(?:sayso|say so|olly|ollie|alexa|siri|google|computer|assistant)`;
const FILLER = /\b(?:u+m+|u+h+|u+h+m+|e+r+m+|e+r+|h+m+|m+h*m+|a+h+|e+h+|you know|i mean|kind of|sort of)\b,?/gi;
const LEAD = new RegExp(
  String.raw`^(?:${WAKE}|hey|hi|ok|okay|so|well|oh|alright|all right|right|and|also|then|now|please|kindly|just|quickly|quick|yes|yeah|` +
    String.raw`(?:can|could|would|will) (?:you|u)(?: please)?(?: go ahead and)?|would you mind|go ahead and|` +
    String.raw`(?:i'd|i would|i) (?:like|want|need) (?:you|u) to|i'd like to|i would like to|i want to|i wanna|i need to|i have to|let's|lets|let me)\b[\s,]*`,
  'i',
);
// "I want to" is only dropped before a command verb: "I want to go to the beach" stays a statement.
const COMMAND_VERB =
  /^(?:add|create|set|schedule|put|remove|delete|cancel|begin|book|note|log|write|journal|record|track|mark|move|change|reschedule|show|read|list|tell|hear|clear|erase|include|jot)\b|^(?:make|take|start|check)\b(?! (?:a |an |some |my )?(?:dinner|lunch|breakfast|coffee|tea|time|sure|sense|money|friends|bed|it|out|off|care|break|nap|shower|walk|notes?)\b)/i;
const APP_VERB = /^(?:add|create|schedule|put|remove|delete|cancel|set up|book|note|log|journal|mark|move|reschedule|clear|erase)\b/i;
const TRAIL = new RegExp(String.raw`[\s,]*\b(?:please|thanks|thank you|for me|now|ok|okay|${WAKE})$`, 'i');
const CORRECTION = /^(?:actually|no wait|wait|sorry|oops|i meant|i mean|no|make that|scratch that,?)\b[\s,]*/i;

/** Cleans `raw` for matching. */
export function normalize(raw: string): Utterance {
  let s = raw
    .trim()
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\b([ap])\.m\.?/gi, '$1m')
    .replace(FILLER, ' ')
    .replace(/(\d)\.(\d\d)\b/g, '$1:$2')
    .replace(/[^\p{L}\p{N}'’:\-/ ]+/gu, ' ')
    .replace(/(?<!\d):|:(?!\d)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  s = s.replace(/\b(\w+)(?: \1\b)+/gi, '$1'); // "add add milk": a stutter
  // Recognisers often hear "at" as "that" before a time: "tomorrow that nine".
  s = s.replace(
    /\b(today|tonight|tomorrow|morning|afternoon|evening|monday|tuesday|wednesday|thursday|friday|saturday|sunday) that (\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|noon|midnight)\b/gi,
    '$1 at $2',
  );
  // ...and "add" as "and" at the start: "and this page to my reading list".
  s = s.replace(/^and (?=.+ (?:to|on|onto) (?:my|the|our) (?:[\w'-]+ ){0,3}list$)/i, 'add ');
  let correction = false;
  for (let i = 0; i < 6; i++) {
    const before = s;
    const corr = CORRECTION.exec(s);
    if (corr && !/^make that/i.test(corr[0]) && corr[0].length < s.length) {
      correction = true;
      s = s.slice(corr[0].length);
    }
    const lead = LEAD.exec(s);
    if (lead && lead[0].length < s.length) {
      const rest = s.slice(lead[0].length);
      const dropsIntent = /\b(?:i'd like to|i would like to|i want to|i wanna|let's|lets|let me)\b/i.test(lead[0]);
      // "I need to take my pills at 8" is itself a to-do; "I need to cancel my meeting" is a request.
      const dropsNeed = /\b(?:i need to|i have to)\b/i.test(lead[0]);
      if (dropsNeed ? APP_VERB.test(rest) : !dropsIntent || COMMAND_VERB.test(rest)) s = rest;
    }
    s = s.replace(TRAIL, '').trim();
    if (s === before) break;
  }
  s = spokenNumbersToDigits(s);
  return { raw: raw.trim(), text: s, lower: s.toLowerCase(), correction };
}

const UNITS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17,
  eighteen: 18, nineteen: 19,
};
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fourty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };
const ORDINALS: Record<string, number> = {
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
  eleventh: 11, twelfth: 12, twelveth: 12, thirteenth: 13, fourteenth: 14, fifteenth: 15, sixteenth: 16,
  seventeenth: 17, eighteenth: 18, nineteenth: 19, twentieth: 20, thirtieth: 30,
};
const MONTH = /^(?:jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|september|oct|october|nov|november|dec|december)$/i;
// After these a number is a quantity, never part of a clock time ("5 thirty minute runs" is rare).
const UNIT_AFTER = /^(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|km|k|kilometers?|kilometres?|miles?|glasses|cups|pages|times|reps|steps|pushups|push-ups|laps|of)$/i;
const TIME_AFTER = /^(?:am|pm|o'clock|oclock|tonight|tomorrow|today|in|this|on|sharp)$/i;

type Num = { value: number; ordinal: boolean; words: number };

/** Reads one spoken number starting at `tokens[i]`: "twenty one", "six hundred and forty five", "two thousand and seventeen". */
function readNumber(tokens: string[], i: number): Num | undefined {
  const w = (k: number) => tokens[k]?.toLowerCase() ?? '';
  const t = w(i);
  let value: number;
  let words = 1;
  if (t in ORDINALS) return { value: ORDINALS[t]!, ordinal: true, words: 1 };
  if (t in TENS) {
    value = TENS[t]!;
    const next = w(i + 1);
    if (next in UNITS && UNITS[next]! > 0 && UNITS[next]! < 10) return { value: value + UNITS[next]!, ordinal: false, words: 2 };
    if (next in ORDINALS && ORDINALS[next]! < 10) return { value: value + ORDINALS[next]!, ordinal: true, words: 2 };
    return { value, ordinal: false, words };
  }
  if (!(t in UNITS)) return undefined;
  value = UNITS[t]!;
  const scale = w(i + 1);
  if ((scale === 'hundred' || scale === 'thousand') && value > 0) {
    value *= scale === 'hundred' ? 100 : 1000;
    words = 2;
    let k = i + 2;
    if (w(k) === 'and') k++;
    const rest = readNumber(tokens, k);
    if (rest && !rest.ordinal && rest.value < (scale === 'hundred' ? 100 : 1000)) {
      value += rest.value;
      words = k - i + rest.words;
    }
  }
  return { value, ordinal: false, words };
}

const suffix = (n: number) => (n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th');

/** "meet at ten thirty am on march twenty first" -> "meet at 10:30 am on march 21st". */
export function spokenNumbersToDigits(s: string): string {
  const tokens = s.split(' ');
  const out: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    const n = readNumber(tokens, i);
    if (!n) {
      out.push(tokens[i]!);
      i++;
      continue;
    }
    const word = tokens[i]!.toLowerCase();
    const prev = out[out.length - 1]?.toLowerCase() ?? '';
    const after = tokens[i + n.words]?.toLowerCase() ?? '';
    // "one"/"first"/"second" are often not numbers ("this one", "my first meeting", "a second").
    if ((word === 'one' || word === 'first' || word === 'second') && n.words === 1) {
      const dayOf = prev === 'the' && /^(?:on|by|until|till|before|after|from)$/i.test(out[out.length - 2] ?? '');
      const numeric = dayOf || MONTH.test(prev) || MONTH.test(tokens[i + 2] ?? '') || UNIT_AFTER.test(after) || TIME_AFTER.test(after) || prev === 'at';
      if (!numeric) {
        out.push(tokens[i]!);
        i++;
        continue;
      }
    }
    // "march 22nd twenty seventeen": a year said in two halves.
    const half = readNumber(tokens, i + n.words);
    if ((n.value === 19 || n.value === 20) && !n.ordinal && half && !half.ordinal && half.value >= 10 && half.value < 100 && /^(?:\d+(?:st|nd|rd|th)|of|[a-z]+)$/i.test(prev) && (MONTH.test(prev) || /\d(?:st|nd|rd|th)$/.test(prev) || MONTH.test(out[out.length - 2] ?? ''))) {
      out.push(String(n.value * 100 + half.value));
      i += n.words + half.words;
      continue;
    }
    if (n.ordinal) {
      out.push(`${n.value}${suffix(n.value)}`);
      i += n.words;
      continue;
    }
    // Clock times said as "six hundred and forty five am" or "five thirty".
    if (n.value >= 100 && n.value < 2400 && n.value % 100 < 60 && /^(?:am|pm)$/.test(after)) {
      out.push(`${Math.floor(n.value / 100)}:${String(n.value % 100).padStart(2, '0')}`);
      i += n.words;
      continue;
    }
    const m = n.value >= 1 && n.value <= 12 ? readNumber(tokens, i + n.words) : undefined;
    if (m && !m.ordinal && m.value >= 10 && m.value < 60 && !UNIT_AFTER.test(tokens[i + n.words + m.words] ?? '')) {
      out.push(`${n.value}:${String(m.value).padStart(2, '0')}`);
      i += n.words + m.words;
      continue;
    }
    if (m === undefined && /^(?:oh|o)$/i.test(tokens[i + n.words] ?? '') && n.value <= 12) {
      const mm = readNumber(tokens, i + n.words + 1);
      if (mm && mm.value < 10) {
        out.push(`${n.value}:0${mm.value}`);
        i += n.words + 1 + mm.words;
        continue;
      }
    }
    out.push(String(n.value));
    i += n.words;
  }
  return out
    .join(' ')
    // "half past 4", "quarter to 5": clock times chrono does not read.
    .replace(/\bhalf past (\d{1,2})\b/gi, '$1:30')
    .replace(/\bquarter past (\d{1,2})\b/gi, '$1:15')
    .replace(/\bquarter to (\d{1,2})\b/gi, (_m, h: string) => `${Number(h) === 1 ? 12 : Number(h) - 1}:45`)
    .replace(/\bo ?clock\b/gi, "o'clock")
    .replace(/\b(\d{1,2}) o'clock\b/gi, '$1:00');
}
