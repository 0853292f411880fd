import type { UnderstandContext } from '../port.js';
import { cutSpans, findWhen, type When } from './dates.js';
import type { Found } from './found.js';
import { ASSISTANT_TALK, cleanPhrase, contentStems, EVENT_NOUN, OFF_DOMAIN, PLACEHOLDER } from './lexicon.js';
import type { Utterance } from './normalize.js';
import { titleFrom } from './titles.js';

// Creating tasks. Strong cues ("remind me to", "add X to my Y list") are trusted; weak ones
// ("I need to...", a bare "add ...") also need a date or a plain errand, and never fire on
// things Sayso does not do ("add this song to my playlist").

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
// "we're out of coffee, add it to the grocery list": the item is named before the request.
const OUT_OF =
  /^(?:i'm|we're|i am|we are|i've run|we've run|we have run|i have run|we're running|i'm running) (?:out of|low on|run out of|running low on|low of) (.+?),? (?:so |and )?(?:please )?(?:add|put) (?:it|that|them|some|more)(?: (?:to|on) (?:my |the |our )?((?:[\w'-]+ ){0,3}?)(?:list|groceries))?$/i;
const LIST_ADD_SHORT = /^(?:add|put) (.+?) (?:to|on|onto) (?:my |the |our )?(grocery|shopping|to-?do|todo|to do|tasks)$/i;
const LIST_CREATE = /^(?:create|make|start|new|set up|build|begin)(?: me)?(?: a| an| my)?(?: new)? ((?:[\w'-]+ ){0,3}?)list\b(?: (?:for|of|called|named|titled|with))? ?(.*)$/i;
// "remind everyone about the party" asks Sayso to message others; only "remind me" is a to-do.
const REMIND = /^(?:be sure to |make sure to |and )?(?:remind(?: me| us|(?= (?:to|about|of|that|for|in|at|on|tomorrow|today|tonight|next|this|every)\b)|$)|tell me to(?= )|tell me when to(?= ))\b(?: (?:to|about|of|that|for))? ?(.*)$/i;
const REMINDER =
  /^(?:set|create|make|add|schedule|put|give|send|i need|i want|need|new|leave)(?: me| up| in| myself)?(?: a| an| my)?(?: new)?(?: (?:repeating|recurring|daily|weekly|quick|event|appointment))? (?:reminder|remainder|notification|alert)s?(?: for me)?\b(?: (?:to|for|about|that|of|saying|on))? ?(.*)$/i;
const REMINDER_NOUN = /^(?:reminder|new reminder)s?(?: (?:to|for|about|that))? (.+)$/i;
const NOTIFY = /^(?:let me know|notify me|alert me|ping me|give me a (?:heads up|shout|nudge))\b(?: (?:about|of|when|to|that|on|for|with))? (.+)$/i;
const REMEMBER = /^(?:(?:don't|do not) (?:let me )?forget|remember|make sure (?:i|that i|to)|don't let me forget)\b(?: (?:me )?(?:to|about|that))? ?(.+)$/i;
const NEED_TO = /^(?:(?:i |we )?(?:need to|have to|have got to|gotta)|(?:i|i've|i'll|i'm|we|we've|we'll) (?:got to|must|should|ought to|supposed to|want to remember to|will need to|'ll need to))\b (.+)$/i;
const TASK_EXPLICIT =
  /^(?:add|create|make|new|set|put in|enter|log|save|set up)(?: me)?(?: a| an)?(?: new)? (?:task|to-?do|to do|action item)s?(?: item)?\b(?: (?:to|for|called|named|that says|saying|about))? ?(.*)$/i;
const TASK_PREFIX = /^(?:to-?do|todo|to do|task)(?: item)? (.+)$/i;
const ERRAND = /^(?:buy|pick up|drop off|pay|renew|return|submit|finish|post|mail|fix|clean|wash|book|schedule|call|ring|phone|get (?:milk|bread|groceries|gas|petrol)|order more|refill|sign|file|print|update|water|feed)\b/i;
const BARE_ADD = /^(?:add|jot down|write down|note down|put down)\b (.+)$/i;
const ALARM = /\b(?:wake|alarm|timer)\b/i;
// After "I need to", things one says but does not put on a list.
const NOT_A_TODO = /^(?:go to (?:bed|sleep)|sleep|pee|leave|know|find out|check the|be reminded of any|admit|say|tell|confess|agree|ask|talk|go|rest|relax|think|wonder|be honest|be quiet|calm down|eat|hurry)\b/i;

/** "I need to call the bank tomorrow" and "I need to buy milk" are to-dos; "I need to vent for a minute" is not. */
function isTodo(body: string, s: string, when: When): boolean {
  if (ASSISTANT_TALK.test(body) || OFF_DOMAIN.test(body) || NOT_A_TODO.test(body)) return false;
  if (EVENT_NOUN.test(body) && /^(?:be at|attend|go to|meet)\b/i.test(body)) return false;
  if (when.date || when.time) return true;
  return ERRAND.test(body) && /^(?:i |we )?(?:need to|have to|have got to|gotta)\b/i.test(s) && !/\b(?:more|often|always|never|sometime)\b/i.test(s);
}

/** Task creation: lists, reminders, "I need to … tomorrow", "new task …". */
export function createTask(u: Utterance, ctx: UnderstandContext): Found | undefined {
  const s = u.text;
  const when = findWhen(s, ctx, 'future');
  const dateless = cutSpans(s, when.spans).replace(/\s+(?:for|on|by|at|due)$/i, '');

  const outOf = OUT_OF.exec(dateless);
  if (outOf) {
    const list = resolveList(outOf[2] ?? '', ctx);
    return task(titleFrom(outOf[1]!, { spans: [] }), when, 0.8, list ? { list } : {});
  }
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
    // "remind me what the capital of France is" asks for a fact.
    if (/^(?:me )?(?:what|how|who|where|why|which|whether)\b/i.test(remind[1] ?? '')) return undefined;
    // "alert me on any news" is a subscription, not a reminder.
    if (!/^(?:be sure to |make sure to |and )?(?:remind|tell me)/i.test(s) && /\b(?:alerts?|notifications?|updates?)\b/i.test(s) && OFF_DOMAIN.test(s)) return undefined;
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
    // "remember I like jazz" is a fact about the person, not something to do.
    if (/^remember\b/i.test(s) && !/^remember (?:me )?to\b/i.test(s) && !when.date && !when.time) return undefined;
    return task(titleFrom(body, findWhen(body, ctx, 'future')), when, 0.75, priorityOf(s));
  }
  const explicit = TASK_EXPLICIT.exec(s) ?? TASK_PREFIX.exec(s);
  if (explicit) {
    const body = explicit[1] ?? '';
    return task(titleFrom(body, findWhen(body, ctx, 'future')), when, 0.85, priorityOf(s));
  }
  const need = NEED_TO.exec(s);
  const needed = need?.[1]?.replace(/^remember to /i, '');
  if (needed && isTodo(needed, s, when)) return task(titleFrom(needed, findWhen(needed, ctx, 'future')), when, 0.65);
  const bare = BARE_ADD.exec(s);
  if (bare && !/\b(?:calendar|schedule|agenda|event)\b/i.test(s)) {
    const body = bare[1]!;
    if (OFF_DOMAIN.test(s) || ASSISTANT_TALK.test(body) || /\b(?:favou?rites?|to (?:the|my) (?:cart|basket|queue|library))\b/i.test(body)) return undefined;
    // "add it up, 12 plus 30" is arithmetic.
    if (/^(?:it|them|these|those|this|that|everything|all) up\b|\d+ (?:plus|minus|times|divided by|and) \d+/i.test(body)) return undefined;
    // "add some salt to the soup", "add 5 and 7": adding to something that is not a list.
    if (/\b(?:to|into|in|on) (?:the|my|a|your|this|that) [\w' ]+$/i.test(body) || /^[\d\s.,+*\/-]*(?:and|plus|to|times)?[\d\s.,+*\/-]*$/i.test(body)) return undefined;
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

