import { readFileSync } from 'node:fs';
import type { Action, ActionKind, ActionVerb } from '@sayso/protocol';
import type { UnderstandContext } from '../src/providers/llm/port.js';
import { OfflineUnderstander } from '../src/providers/llm/offline.js';

// Scores an understanding engine on a JSONL file in the format of shared/eval/README.md.
// Optional per-line extras of our own files: `context` (conversation and the person's data)
// and `expect` (fields the action must carry, e.g. {"dueDate": "2025-03-13"}).

export interface EvalLine {
  id: string;
  text: string;
  action: ActionVerb;
  kind: ActionKind | null;
  accept_actions: ActionVerb[];
  accept_kinds: Array<ActionKind | null>;
  source_intent: string;
  context?: Partial<Omit<UnderstandContext, 'now' | 'timeZone'>>;
  expect?: Record<string, unknown>;
}

/** Fixed clock, so dates in `expect` and the figures are reproducible: Wednesday 12 March 2025, 15:00 in London. */
export const EVAL_NOW = new Date('2025-03-12T15:00:00Z');
export const EVAL_TIME_ZONE = 'Europe/London';

/** The person every line is understood for: a few habits, tasks and lists, as a real account has. */
export const EVAL_PROFILE: Omit<UnderstandContext, 'now' | 'timeZone'> = {
  habitNames: ['Meditation', 'Running', 'Drink water', 'Read', 'Yoga', 'Floss'],
  taskTitles: ['Pay rent', 'Call the dentist', 'Buy milk', 'Finish the report', 'Cancel gym membership'],
  lists: ['shopping', 'grocery', 'work'],
};

const WRITES = new Set<ActionVerb>(['create', 'complete', 'update', 'remove']);

export interface Scored {
  line: EvalLine;
  predicted: Action;
  confidence: number;
  correct: boolean;
  /** Undefined when the line has no `expect`, or the action itself was wrong. */
  fieldsOk?: boolean;
}

export interface Figures {
  n: number;
  inDomain: number;
  actionAccuracy: number;
  rejection: number;
  falseActionRate: number;
}

export function readLines(path: string): EvalLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EvalLine);
}

/** True when every field of `expected` is in `actual` with the same value (deeply, extra fields allowed). */
export function contains(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object') return actual === expected;
  if (actual === null || typeof actual !== 'object') return false;
  return Object.entries(expected).every(([k, v]) => contains((actual as Record<string, unknown>)[k], v));
}

export function scoreLines(lines: readonly EvalLine[], engine = new OfflineUnderstander()): { scored: Scored[]; figures: Figures } {
  const scored = lines.map((line): Scored => {
    const { action: predicted, confidence } = engine.understandSync(line.text, {
      now: EVAL_NOW,
      timeZone: EVAL_TIME_ZONE,
      ...EVAL_PROFILE,
      ...line.context,
    });
    const correct = line.accept_actions.includes(predicted.action) && line.accept_kinds.includes(predicted.kind);
    return { line, predicted, confidence, correct, ...(line.expect && correct ? { fieldsOk: contains(predicted, line.expect) } : {}) };
  });
  const inDomain = scored.filter((s) => s.line.action !== 'none');
  const outOfDomain = scored.filter((s) => s.line.action === 'none');
  // With no lines of a kind there is nothing to get wrong: the share is 1 (0 for the false action rate).
  const share = (part: number, whole: number, empty = 1) => (whole ? round(part / whole) : empty);
  return {
    scored,
    figures: {
      n: scored.length,
      inDomain: inDomain.length,
      actionAccuracy: share(inDomain.filter((s) => s.correct).length, inDomain.length),
      rejection: share(outOfDomain.filter((s) => s.predicted.action === 'none').length, outOfDomain.length),
      falseActionRate: share(outOfDomain.filter((s) => WRITES.has(s.predicted.action)).length, outOfDomain.length, 0),
    },
  };
}

const round = (n: number) => Math.round(n * 10_000) / 10_000;

const label = (a: Pick<Action, 'action' | 'kind'>) => (a.action === 'none' ? 'none' : `${a.action}/${a.kind}`);

/** A human-readable report: the figures, then per-source-intent confusions worst first. */
export function report(name: string, { scored, figures }: { scored: Scored[]; figures: Figures }, showErrors = false): string {
  const out: string[] = [];
  const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
  const outOfDomain = figures.n - figures.inDomain;
  out.push(`== ${name}: ${figures.n} lines (${figures.inDomain} in domain, ${outOfDomain} out of domain)`);
  out.push(`action accuracy (in domain)  ${pct(figures.actionAccuracy)}   aim >= 90%`);
  out.push(`rejection (out of domain)    ${pct(figures.rejection)}   aim >= 95%`);
  out.push(`false action rate            ${pct(figures.falseActionRate)}   aim <= 2%`);
  const withFields = scored.filter((s) => s.fieldsOk !== undefined);
  if (withFields.length) out.push(`fields as expected           ${withFields.filter((s) => s.fieldsOk).length}/${withFields.length} (lines with \`expect\` whose action was right)`);
  const byIntent = new Map<string, Scored[]>();
  for (const s of scored) byIntent.set(s.line.source_intent, [...(byIntent.get(s.line.source_intent) ?? []), s]);
  const rows = [...byIntent.entries()]
    .map(([intent, items]) => {
      const wrong = items.filter((s) => !s.correct);
      const confusions = new Map<string, number>();
      for (const s of wrong) confusions.set(label(s.predicted), (confusions.get(label(s.predicted)) ?? 0) + 1);
      const top = [...confusions.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} x${v}`).join(', ');
      return { intent, n: items.length, wrong: wrong.length, top };
    })
    .filter((r) => r.wrong > 0)
    .sort((a, b) => b.wrong - a.wrong || a.intent.localeCompare(b.intent));
  if (rows.length) {
    out.push('', 'source intent             wrong/n   predicted instead');
    for (const r of rows) out.push(`${r.intent.padEnd(26)}${`${r.wrong}/${r.n}`.padStart(7)}   ${r.top}`);
  }
  if (showErrors) {
    out.push('', 'errors:');
    for (const s of scored.filter((x) => !x.correct || x.fieldsOk === false)) {
      out.push(`  [${s.line.source_intent}] ${JSON.stringify(s.line.text)} -> ${JSON.stringify(s.predicted)}${s.correct ? ` (expected fields ${JSON.stringify(s.line.expect)})` : ''}`);
    }
  }
  return out.join('\n');
}
