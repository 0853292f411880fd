import type { Action, ItemRef } from '@sayso/protocol';
import type { UnderstandContext } from '../port.js';
import { cutSpans, findWhen } from './dates.js';
import type { Found } from './found.js';
import { EVENT_NOUN, findName, OFF_DOMAIN } from './lexicon.js';
import type { Utterance } from './normalize.js';
import { followUpConfidence, refFor } from './targets.js';

type Changes = Extract<Action, { action: 'update' }>['changes'];

const QUESTION = /^(?:what|when|where|who|why|how|which|is|are|was|were|do|does|did|have|has|can i|could i|should|will|would|am)\b/i;

const DONE = String.raw`(?:done|complete|completed|finished|checked off|checked|ticked off|off)`;
const COMPLETE_PATTERNS: RegExp[] = [
  new RegExp(String.raw`^(?:mark|set|flag|tick|check)(?: off)? (.+?)(?: as)? ${DONE}$`, 'i'),
  /^(?:check|tick|cross|strike|scratch)(?: (?:off|out))? (.+?) (?:off|out)(?: (?:of|on|from) (?:my|the) .*)?$/i,
  /^(?:check|tick|cross|strike|scratch) (?:off|out) (.+?)(?: (?:of|on|from) (?:my|the) .*)?$/i,
  /^(?:i(?:'ve| have)? |i )?(?:have |just |already |finally )*(?:finished|completed|got done|took care of|dealt with|handled|sorted(?: out)?|done with|did)(?: with)? (.+)$/i,
  new RegExp(String.raw`^(.+?)(?:'s| is| are| was| has been) (?:all )?(?:done|finished|complete|completed|taken care of|sorted)$`, 'i'),
  /^(?:complete|close|resolve)(?: the)?(?: task)? (.+)$/i,
  /^done(?: with (.+))?$/i,
];
// "I bought the milk" completes "Buy milk", but only when such a task exists.
const DID_TASK = /^(?:i've |i have |i )?(?:just |already |finally )*(?:bought|got|picked up|called|paid|sent|booked|emailed|cleaned|fixed|washed|returned|mailed|posted|submitted|renewed|cancelled|canceled|wrote|finished|ordered|phoned|rang)\b (.+)$/i;

/** "mark pay rent as done", "I finished the report", "check off milk", "that's done". */
export function taskComplete(u: Utterance, ctx: UnderstandContext): Found | undefined {
  const s = u.text;
  if (QUESTION.test(s) || /\b(?:e-?mails?|spam|messages?|read|unread|alarm)\b/i.test(s)) return undefined;
  for (const re of COMPLETE_PATTERNS) {
    const m = re.exec(s);
    if (!m) continue;
    const phrase = (m[1] ?? '').replace(/\s+(?:from|on|off) (?:my|the) (?:[\w ]+ )?list$/i, '');
    if (phrase.split(' ').length > 7) return undefined;
    const target = refFor(phrase);
    const titled = findName(ctx.taskTitles, phrase);
    // "I did it!" with nothing to point at, or "I finished my coffee", is talk, not a check-off.
    if (target.last && !ctx.last) return undefined;
    if (re === COMPLETE_PATTERNS[3] && !titled && !target.last && /\b(?:finished|did)\b/i.test(s)) return undefined;
    if (target.last && ctx.last?.kind === 'habit') return { action: { kind: 'habit', action: 'complete', target }, confidence: 0.8 };
    if (target.last && (ctx.last?.kind === 'event' || ctx.last?.kind === 'journal')) return undefined;
    // "done with it" and friends with no task named are weaker than "mark X done".
    const base = re === COMPLETE_PATTERNS[0] || titled ? 0.85 : 0.6;
    return { action: { kind: 'task', action: 'complete', target }, confidence: followUpConfidence(target, ctx, base) };
  }
  const did = DID_TASK.exec(s);
  const title = did ? findName(ctx.taskTitles, did[1]!) : undefined;
  if (did && title) return { action: { kind: 'task', action: 'complete', target: { text: did[1]!.replace(/^(?:the|my|a|an) /i, '') } }, confidence: 0.6 };
  return undefined;
}

const MOVE =
  /^(?:move|reschedule|push|postpone|shift|change|bump|delay|defer|put off|push back|bring forward|update|switch)(?: back| forward| out)? (.+?) (?:to|till|until|for|by|on|at|into|onto|in) (.+)$/i;
const FOLLOW_UP = /^(?:make|change|set|switch|update)? ?(?:it|that|this|that one)(?: to| for| at| on| by| into| in)? (.+)$/i;
const RENAME = /^(?:rename|retitle) (.+?) (?:to|as) "?(.+?)"?$|^(?:rename|retitle|call) (?:it|that) "?(.+?)"?$/i;
const PRIORITY = /\b(?:(high|low|medium|top|urgent|normal|no)(?: priority)?|priority (high|low|medium|urgent)|(urgent|important))\b/i;
const CLEAR_DUE = /^(?:remove|clear|drop|delete|take off) the (due date|deadline|date|time|due time|reminder time)(?: (?:from|on|of|for) (.+))?$/i;
const ABOUT = /^(?:the )?(?:due date|deadline|date|time|due time|priority|title|name) (?:of|for|on) (.+)$/i;

function priorityOf(text: string): Changes['priority'] | undefined {
  const m = PRIORITY.exec(text);
  if (!m) return undefined;
  const word = (m[1] ?? m[2] ?? m[3] ?? '').toLowerCase();
  if (word === 'no' || word === 'normal') return /\bpriority\b/i.test(text) ? 'none' : undefined;
  if (word === 'top' || word === 'urgent' || word === 'important') return 'high';
  return word as 'high' | 'low' | 'medium';
}

/** What a "to …" part changes: a due day/time, a priority or a list. */
function changesFrom(text: string, ctx: UnderstandContext): Changes | undefined {
  const priority = priorityOf(text);
  if (priority) return { priority };
  const list = /^(?:my |the )?([\w ]+?) list$/i.exec(text);
  if (list && !/\b(?:to-?do|todo|to do)\b/i.test(list[1]!)) return { list: list[1]!.toLowerCase() };
  const when = findWhen(text, ctx, 'future');
  if (!when.date && !when.time) return undefined;
  // "make that 10am" changes the time and keeps the day unless a day was said too.
  const saidDay = text.match(/\b(?:today|tonight|tomorrow|mon|tue|wed|thu|fri|sat|sun|week|month|\d+(?:st|nd|rd|th)|january|february|march|april|may|june|july|august|september|october|november|december)/i);
  return {
    ...(when.date && (saidDay || !when.time) ? { dueDate: when.date } : {}),
    ...(when.time ? { dueTime: when.time } : {}),
  };
}

/** "move it to Friday", "actually make that 10am", "push the dentist call to next week", "make it high priority". */
export function taskUpdate(u: Utterance, ctx: UnderstandContext): Found | undefined {
  const s = u.text;
  if (QUESTION.test(s)) return undefined;
  const clear = CLEAR_DUE.exec(s);
  if (clear) {
    const target = refFor(clear[2] ?? 'it');
    const field = /time/i.test(clear[1]!) ? { dueTime: null } : { dueDate: null, dueTime: null };
    return update(target, field, ctx, 0.8);
  }
  const rename = RENAME.exec(s);
  if (rename && (rename[1] || ctx.last?.kind === 'task')) return update(refFor(rename[1] ?? 'it'), { title: (rename[2] ?? rename[3])! }, ctx, 0.8);
  const follow = FOLLOW_UP.exec(s);
  if (follow && (ctx.last || u.correction || /^(?:make|change|set|switch|update)\b/i.test(s))) {
    const changes = changesFrom(follow[1]!, ctx);
    if (changes) return update({ last: true }, changes, ctx, 0.85);
  }
  // "actually, Friday": a bare correction of what was just made.
  if (u.correction && ctx.last) {
    const changes = changesFrom(s, ctx);
    if (changes && cutSpans(s, findWhen(s, ctx, 'future').spans).split(' ').length <= 2) return update({ last: true }, changes, ctx, 0.7);
  }
  const move = MOVE.exec(s);
  if (move) {
    if (OFF_DOMAIN.test(s) || /\bvolume|mood|lights?|colou?r|alarm\b/i.test(s)) return undefined;
    const about = ABOUT.exec(move[1]!);
    // "change buy milk to buy oat milk": a new title for a task the person has.
    const retitle = /^change\b/i.test(s) && !about && findName(ctx.taskTitles, move[1]!) ? { title: move[2]! } : undefined;
    const changes = changesFrom(move[2]!, ctx) ?? retitle;
    if (!changes) return undefined;
    const phrase = about ? about[1]! : move[1]!;
    return update(refFor(phrase), changes, ctx, 0.8);
  }
  const mark = /^(?:mark|flag|set|make) (.+?) (?:as )?(?:high priority|urgent|important|top priority|low priority)$/i.exec(s);
  if (mark) return update(refFor(mark[1]!), { priority: priorityOf(s) ?? 'high' }, ctx, 0.8);
  const prioritize = /^(?:prioriti[sz]e|deprioriti[sz]e) (.+)$/i.exec(s);
  if (prioritize) return update(refFor(prioritize[1]!), { priority: /^de/i.test(s) ? 'low' : 'high' }, ctx, 0.75);
  return undefined;

  function update(target: ItemRef, changes: Changes, c: UnderstandContext, sure: number): Found {
    const phrase = target.text ?? '';
    // Calendar events have no update action: moving a meeting is left to a person, not guessed.
    if (target.last ? c.last && c.last.kind !== 'task' : EVENT_NOUN.test(phrase) && !findName(c.taskTitles, phrase)) {
      return { action: { kind: null, action: 'none', reason: 'Changing calendar events by voice is not supported yet.' }, confidence: 0.6 };
    }
    return { action: { kind: 'task', action: 'update', target, changes }, confidence: followUpConfidence(target, c, sure) };
  }
}

