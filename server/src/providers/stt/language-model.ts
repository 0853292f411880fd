// Builds pocketsphinx's language resources from the command templates: a JSGF grammar, and a
// small trigram model in ARPA text (pocketsphinx loads ARPA directly, so no sphinx_lm_convert).
// Person-specific hints (task titles, habit names) become extra sentences and grammar choices.
import { COMMAND_RULES, EVERYDAY_SENTENCES } from './command-corpus.js';

type Node =
  | { kind: 'word'; word: string }
  | { kind: 'ref'; name: string }
  | { kind: 'alt'; options: Node[][]; optional: boolean };

/** Parses one template: words, `<rule>`, `[optional]`, `(a | b)`. */
export function parseTemplate(text: string): Node[] {
  const tokens = text.match(/<[a-z]+>|[[\]()|]|[^\s[\]()|<>]+/g) ?? [];
  let at = 0;
  const sequence = (closer?: string): Node[][] => {
    const options: Node[][] = [[]];
    while (at < tokens.length) {
      const token = tokens[at++]!;
      if (token === closer) return options;
      const current = options[options.length - 1]!;
      if (token === '|') options.push([]);
      else if (token === '[') current.push({ kind: 'alt', options: sequence(']'), optional: true });
      else if (token === '(') current.push({ kind: 'alt', options: sequence(')'), optional: false });
      else if (token.startsWith('<')) current.push({ kind: 'ref', name: token.slice(1, -1) });
      else if (token === ']' || token === ')') throw new Error(`Unbalanced "${token}" in template: ${text}`);
      else current.push({ kind: 'word', word: token.toLowerCase() });
    }
    if (closer) throw new Error(`Missing "${closer}" in template: ${text}`);
    return options;
  };
  const top = sequence();
  return top.length === 1 ? top[0]! : [{ kind: 'alt', options: top, optional: false }];
}

export type Rules = Record<string, string[]>;

/** The command rules with hint phrases added as things to do and habits. */
export function rulesWithHints(hints: readonly string[] = []): Rules {
  const phrases = normaliseHints(hints);
  if (phrases.length === 0) return COMMAND_RULES;
  return {
    ...COMMAND_RULES,
    task: [...(COMMAND_RULES['task'] ?? []), ...phrases],
    habit: [...(COMMAND_RULES['habit'] ?? []), ...phrases],
  };
}

/** Lower-case words only, as the dictionary spells them; drops what is left empty. */
export function normaliseHints(hints: readonly string[]): string[] {
  const out = new Set<string>();
  for (const hint of hints) {
    const words = hint.toLowerCase().replace(/[^a-z' ]+/g, ' ').split(/\s+/).filter((w) => /[a-z]/.test(w));
    if (words.length > 0) out.add(words.slice(0, 8).join(' '));
  }
  return [...out].slice(0, 200);
}

/** Every word the rules can produce (for dictionary checks). */
export function vocabulary(rules: Rules = COMMAND_RULES, extra: readonly string[] = EVERYDAY_SENTENCES): Set<string> {
  const words = new Set<string>();
  const visit = (nodes: Node[]): void => {
    for (const node of nodes) {
      if (node.kind === 'word') words.add(node.word);
      else if (node.kind === 'alt') node.options.forEach(visit);
    }
  };
  for (const templates of Object.values(rules)) for (const t of templates) visit(parseTemplate(t));
  for (const sentence of extra) for (const w of sentence.split(' ')) words.add(w);
  return words;
}

/** The rules as a JSGF grammar whose public rule is `<command>`. */
export function toJsgf(rules: Rules = COMMAND_RULES): string {
  const lines = ['#JSGF V1.0;', '', 'grammar sayso;', ''];
  for (const [name, templates] of Object.entries(rules)) {
    const body = templates.map((t) => `( ${t} )`).join(' | ');
    lines.push(`${name === 'command' ? 'public ' : ''}<${name}> = ${body};`);
  }
  return lines.join('\n') + '\n';
}

/** Sentences drawn from the templates with a seeded generator, so a build is reproducible. */
export function sampleSentences(rules: Rules, count: number, seed = 7): string[] {
  const parsed = new Map(Object.entries(rules).map(([name, ts]) => [name, ts.map(parseTemplate)]));
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0; // mulberry32
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const expand = (nodes: Node[], out: string[], depth: number): void => {
    if (depth > 12) throw new Error('Command rules recurse too deeply.');
    for (const node of nodes) {
      if (node.kind === 'word') out.push(node.word);
      else if (node.kind === 'ref') expand(pick(parsed.get(node.name) ?? [[]]), out, depth + 1);
      else if (!node.optional || random() < 0.5) expand(pick(node.options), out, depth + 1);
    }
  };
  const top = parsed.get('command');
  if (!top) throw new Error('Command rules need a "command" rule.');
  return Array.from({ length: count }, () => {
    const words: string[] = [];
    expand(pick(top), words, 0);
    return words.join(' ');
  });
}

/**
 * A trigram model in ARPA format with absolute discounting and Katz-style backoff weights.
 * Good enough for a few thousand short sentences; not a replacement for a real LM toolkit.
 */
export function toArpa(sentences: readonly string[], discount = 0.5): string {
  const counts: Array<Map<string, number>> = [new Map(), new Map(), new Map()];
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const sentence of sentences) {
    const w = ['<s>', ...sentence.split(/\s+/).filter(Boolean), '</s>'];
    for (let i = 0; i < w.length; i++) {
      add(counts[0]!, w[i]!);
      if (i >= 1) add(counts[1]!, `${w[i - 1]} ${w[i]}`);
      if (i >= 2) add(counts[2]!, `${w[i - 2]} ${w[i - 1]} ${w[i]}`);
    }
  }
  const [c1, c2, c3] = counts as [Map<string, number>, Map<string, number>, Map<string, number>];
  let total = 0;
  for (const [w, c] of c1) if (w !== '<s>') total += c;
  const p1 = new Map<string, number>();
  for (const [w, c] of c1) p1.set(w, w === '<s>' ? 0 : c / total);

  // Discounted probabilities of one order, and the backoff weight of each history.
  const higher = (grams: Map<string, number>, lower: (history: string, w: string) => number) => {
    const byHistory = new Map<string, Array<[string, number]>>();
    for (const [gram, c] of grams) {
      const cut = gram.lastIndexOf(' ');
      const h = gram.slice(0, cut);
      const list = byHistory.get(h) ?? [];
      list.push([gram.slice(cut + 1), c]);
      byHistory.set(h, list);
    }
    const prob = new Map<string, number>();
    const bow = new Map<string, number>();
    for (const [h, list] of byHistory) {
      const n = list.reduce((s, [, c]) => s + c, 0);
      let lowerSeen = 0;
      for (const [w, c] of list) {
        prob.set(`${h} ${w}`, (c - discount) / n);
        lowerSeen += lower(h, w);
      }
      const left = (discount * list.length) / n;
      bow.set(h, left / Math.max(1e-6, 1 - lowerSeen));
    }
    return { prob, bow };
  };
  const bi = higher(c2, (_h, w) => p1.get(w) ?? 0);
  const backedOff2 = (h: string, w: string) => bi.prob.get(`${h} ${w}`) ?? (bi.bow.get(h) ?? 1) * (p1.get(w) ?? 0);
  const tri = higher(c3, (h, w) => backedOff2(h.slice(h.indexOf(' ') + 1), w));

  const log = (p: number) => (p > 0 ? Math.log10(p) : -99).toFixed(4);
  const section = (n: number, probs: Map<string, number>, bows?: Map<string, number>) => [
    `\\${n}-grams:`,
    ...[...probs].map(([g, p]) => {
      const b = bows?.get(g);
      return b === undefined ? `${log(p)} ${g}` : `${log(p)} ${g} ${log(b)}`;
    }),
    '',
  ];
  return [
    '\\data\\',
    `ngram 1=${p1.size}`,
    `ngram 2=${bi.prob.size}`,
    `ngram 3=${tri.prob.size}`,
    '',
    ...section(1, p1, new Map([...p1.keys()].map((w) => [w, bi.bow.get(w) ?? 1]))),
    ...section(2, bi.prob, bi.bow),
    ...section(3, tri.prob),
    '\\end\\',
    '',
  ].join('\n');
}

/** The command model: sampled commands, the everyday sentences, and hint phrases. */
export function commandArpa(hints: readonly string[] = [], samples = 4000): string {
  const phrases = normaliseHints(hints);
  const sentences = [...sampleSentences(rulesWithHints(phrases), samples)];
  // Everyday sentences are few: repeat them so their words are not drowned by commands.
  for (let i = 0; i < 4; i++) sentences.push(...EVERYDAY_SENTENCES);
  // A hint is often said alone ("dentist"), or as the whole title.
  for (const phrase of phrases) sentences.push(phrase, phrase);
  return toArpa(sentences);
}
