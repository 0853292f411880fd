import type { Action } from '@sayso/protocol';
import type { TurnContext } from './messages.js';

// Client tools resolve what the person points at on the page: "add this article to my reading
// list" calls the page's `current_article` tool, and the turn is understood as "add <its title>
// to my reading list". Working on the words keeps it engine-neutral: the offline rules and an
// LLM both see a plain request.

/** At most this many tool calls per turn, so a page cannot keep a turn going. */
export const MAX_TOOL_CALLS = 2;

/** The next client tool this turn needs: one whose phrase was said and that was not called yet. */
export function nextToolCall(text: string, context: TurnContext): { name: string; phrase: string } | undefined {
  const done = context.toolResults ?? [];
  if (done.length >= MAX_TOOL_CALLS) return undefined;
  let lower = ` ${text.toLowerCase().replace(/[^\p{L}\p{N}' ]+/gu, ' ')} `;
  // Words a called tool already stands for are spoken for: "this page" answered, "this" is not asked again.
  for (const r of done) lower = lower.replace(` ${r.phrase} `, ' \u0000 ');
  let best: { name: string; phrase: string } | undefined;
  for (const tool of context.clientTools ?? []) {
    for (const phrase of tool.refersTo) {
      if (!lower.includes(` ${phrase} `) || done.some((r) => r.phrase === phrase)) continue;
      if (!best || phrase.length > best.phrase.length) best = { name: tool.name, phrase };
    }
  }
  return best;
}

/**
 * The utterance with each answered phrase replaced by what the page returned, and a link to
 * keep (the result's `url`) when there is one. Phrases whose tool failed stay as said.
 */
export function withToolResults(text: string, context: TurnContext): { text: string; link?: string } {
  let out = text;
  let link: string | undefined;
  for (const r of context.toolResults ?? []) {
    const title = readable(r.result);
    if (!title) continue;
    const at = out.toLowerCase().indexOf(r.phrase);
    if (at < 0) continue;
    out = `${out.slice(0, at)}${title}${out.slice(at + r.phrase.length)}`;
    const url = (r.result as { url?: unknown } | null)?.url;
    if (typeof url === 'string' && /^https?:\/\//.test(url)) link = url.slice(0, 2_000);
  }
  return { text: out, ...(link ? { link } : {}) };
}

/** Keeps the page's link with a task made from it. */
export function withLink(action: Action, link: string | undefined): Action {
  if (!link || action.kind !== 'task' || action.action !== 'create' || action.notes) return action;
  return { ...action, notes: link };
}

function readable(result: unknown): string | undefined {
  const value = typeof result === 'string' ? result : (result as { title?: unknown } | null)?.title;
  if (typeof value !== 'string') return undefined;
  // One line, no quotes that would cut the request short, bounded like a task title.
  const line = value.replace(/\s+/g, ' ').replace(/["“”]/g, "'").trim().slice(0, 200);
  return line || undefined;
}
