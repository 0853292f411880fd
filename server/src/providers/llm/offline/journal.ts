import type { UnderstandContext } from '../port.js';
import { findRange } from './dates.js';
import type { Found } from './found.js';
import type { Utterance } from './normalize.js';

// Journal entries need an explicit cue ("journal:", "dear diary", "note to self"): "today was a
// tiring day" on its own is small talk, and writing it down unasked would be a wrong write.

const LEAD_RAW = /^\s*(?:(?:hey|hi|ok|okay)\s+)?(?:(?:sayso|say so|olly|alexa|siri)\b)?[\s,]*(?:(?:please|so|okay|ok|um+|uh+)\b[\s,]*)*/i;
const CUES = [
  /^(?:my )?(?:journal|diary)(?: entry)?\s*[:\-\u2013\u2014]\s*/i,
  /^dear (?:diary|journal)\b[\s,:.!\-]*/i,
  /^note to self\b[\s,:.!\-]*/i,
  /^(?:(?:can|could) you )?(?:add|write|put|log|record|save|enter|jot|note)(?: (?:this|that|it))?(?: down)? (?:in|to|into|on) (?:my |the )?(?:journal|diary)(?: (?:entry|that|saying))*\b[\s,:.\-]*/i,
  /^(?:(?:can|could) you )?(?:new|create|make|add|start|write|log|record|open)(?: (?:a|an|new|my))*(?: [\w-]+)? (?:journal|diary)(?: (?:entry|note|page))?(?: (?:that|saying|about|for today))*\b[\s,:.\-]*/i,
  /^(?:take|make) a (?:quick )?note(?: (?:that|saying))?\b[\s,:.\-]*/i,
  /^journal(?:ing)? (?:that|this)\b[\s,:.\-]*/i,
  // Speech has no colon: "journal slept badly but the run helped" (at least three words after).
  /^(?:my )?(?:journal|diary)(?: entry)?[\s,]+(?!(?:entries|entry|from|for|about|search|is|was|says?|said|notes?)\b)(?=(?:\S+\s+){2,}\S)/i,
];
const TRAILING_CUE = /[\s,.;:!-]*(?:please )?(?:put|add|write|save|log|record|note) (?:that|this|it)(?: down)? (?:in|to|into) (?:my |the )?(?:journal|diary)[\s.!]*$/i;
const FILLER = /\b(?:u+m+|u+h+|e+r+m+|h+m+)\b[,]?\s*/gi;

/** "journal: slept badly, long run helped" -> a journal entry with the words as said. */
export function journalCreate(u: Utterance): Found | undefined {
  const raw = u.raw.replace(LEAD_RAW, '');
  let text: string | undefined;
  for (const cue of CUES) {
    const m = cue.exec(raw);
    if (m) {
      text = raw.slice(m[0].length);
      break;
    }
  }
  if (text === undefined && TRAILING_CUE.test(raw)) text = raw.replace(TRAILING_CUE, '');
  if (text === undefined) return undefined;
  text = text.replace(FILLER, '').replace(/\s+/g, ' ').trim();
  // "make a note of that": no words to keep, so the reply asks for them.
  text = text.replace(/^of\s+/i, '').replace(/^(?:that|this|it)[.!]?$/i, '');
  const mood = /\bmood(?: is| was|:)? ([1-5])(?: out of 5|\/5)?\b/i.exec(text);
  // An empty entry ("dear diary") is still journal intent: the reply asks what to write.
  return {
    action: { kind: 'journal', action: 'create', text, ...(mood ? { mood: Number(mood[1]) } : {}) },
    confidence: text.length > 0 ? 0.9 : 0.4,
  };
}

const TOPIC_QUESTION =
  /^(?:what|when|where|how often|how many times|did|have|show me what|tell me what|find what|search for what)\b.*\b(?:i|i've)(?: ever)? (?:last |first )?(?:write|wrote|written|journal(?:l?ed)?|noted|said|say(?= about)|mention(?:ed)?|logged|recorded)\b(?:.*\b(?:about|on|regarding|re)\b (.+))?/i;
const SEARCH =
  /^(?:find|search|look up|look for|show|read|pull up|bring up|open|get)(?: me)?(?: (?:my|the|all(?: my)?|in my|through my|every))? (?:journal|diary) ?(?:entries|entry|notes|pages)?\b(.*)$/i;
const SUMMARY =
  /\b(?:how (?:was|has been) (?:my|the|last|this|the last|the past) (?:week|month|day|weekend|year)|how(?: is|'s) my (?:week|month|day|weekend|year)(?: going)?|how did (?:my|the|this|last) (?:week|month|day|weekend) go|how have i been(?: feeling| doing| sleeping)?|how did i (?:feel|sleep|do)|(?:summari[sz]e|recap|review|sum up)(?: (?:my|the|this|last|today's|this week's))+ ?(?:week|month|day|weekend|journal|diary|entries)|(?:give me|what's|what is|read me)? ?(?:a|my)? (?:summary|recap|review|overview) of (?:my|the|this|last) (?:week|month|day|weekend|journal|diary|entries)|what (?:happened|did i do) (?:this|last|the past) (?:week|month|weekend)|(?:weekly|monthly) (?:summary|recap|review)|what kind of (?:week|month|day) (?:did i have|was it|have i had)|what was my (?:week|month|day) like)\b/i;

/** "what did I write about sleep", "how was my week", "show my journal from last week". */
export function journalQuery(u: Utterance, ctx: UnderstandContext): Found | undefined {
  const s = u.lower;
  if (/\b(?:email|e-mail|text|message|letter|post|tweet|essay|song|book|paper|report|code)\b/.test(s) && !/\b(?:journal|diary)\b/.test(s)) return undefined;
  const topic = TOPIC_QUESTION.exec(s) ?? (/\b(?:journal|diary)\b/.test(s) ? /^(?:what|when|did|have)\b.*\bi (?:say|said|put|note|noted)\b/.exec(s) : null);
  const search = SEARCH.exec(s);
  if (topic || search) {
    const found = findRange(u.text, ctx, 'past');
    return {
      action: { kind: 'journal', action: 'query', question: u.text, ...(found ? { range: found.range } : {}) },
      confidence: topic ? 0.85 : 0.8,
    };
  }
  if (SUMMARY.test(s) && !/\b(?:weather|calendar|schedule|meetings?|appointments?|events?|to do|tasks?|list)\b/.test(s)) {
    const found = findRange(u.text, ctx, 'past') ?? findRange('past 7 days', ctx, 'past');
    return {
      action: { kind: 'journal', action: 'query', ...(found ? { range: found.range } : {}), summarize: true },
      confidence: 0.8,
    };
  }
  return undefined;
}
