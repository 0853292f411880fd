// Word search for text the server cannot read (encrypted journal entries): runs where the text
// is decrypted. Words are folded (case, accents) and lightly stemmed, so "walking" finds "walked";
// entries are ranked by how many of the query's words they hold, weighted by rarity (tf-idf),
// with a bonus for the exact phrase. No meaning-based matching: that needs an embedder here.

const STOP = new Set(
  'a an and are as at be but by for from had has have i in is it its me my of on or so that the then this to was were with'.split(' '),
);

/** Lower case, accents removed, split into words. */
export function words(text: string): string[] {
  return text.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** A light English stemmer: plural, -ing, -ed, -ly. Enough to match word forms, not a linguist. */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) return w.slice(0, -3) + 'y';
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) w = w.slice(0, -1);
  for (const suffix of ['ing', 'ed', 'ly']) {
    if (w.length - suffix.length >= 3 && w.endsWith(suffix)) {
      w = w.slice(0, -suffix.length);
      // running -> runn -> run; but keep "fall", "miss"
      if (/([^aeiouls])\1$/.test(w)) w = w.slice(0, -1);
      break;
    }
  }
  return w;
}

const terms = (text: string) => words(text).filter((w) => !STOP.has(w)).map(stem);

export interface LocalHit<T> {
  item: T;
  /** Higher is better; only comparable within one search. */
  score: number;
}

/**
 * Ranks `items` by `query` over the text `textOf` gives (null: skipped, e.g. still locked).
 *
 * @example
 * const hits = searchLocally(entries, 'long run', (e) => e.text, 10);
 */
export function searchLocally<T>(items: readonly T[], query: string, textOf: (item: T) => string | null, limit = 10): Array<LocalHit<T>> {
  const wanted = [...new Set(terms(query))];
  if (wanted.length === 0) return [];
  const phrase = words(query).join(' ');
  const docs = items.flatMap((item) => {
    const text = textOf(item);
    if (text === null) return [];
    const counts = new Map<string, number>();
    for (const t of terms(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
    return [{ item, counts, folded: words(text).join(' ') }];
  });
  const df = new Map(wanted.map((t) => [t, docs.filter((d) => matchCount(d.counts, t) > 0).length]));
  const hits: Array<LocalHit<T>> = [];
  for (const d of docs) {
    let score = 0;
    let matched = 0;
    for (const t of wanted) {
      const tf = matchCount(d.counts, t);
      if (tf === 0) continue;
      matched++;
      score += (1 + Math.log(tf)) * Math.log(1 + docs.length / (df.get(t) ?? 1));
    }
    if (matched === 0) continue;
    score *= matched / wanted.length; // entries holding every word come first
    if (wanted.length > 1 && d.folded.includes(phrase)) score *= 1.5;
    hits.push({ item: d.item, score });
  }
  return hits.sort((a, b) => b.score - a.score).slice(0, limit);
}

/** Exact stem matches, plus words that start with a query term of 4+ letters ("medit" in "meditation") at half weight. */
function matchCount(counts: Map<string, number>, term: string): number {
  let n = counts.get(term) ?? 0;
  if (term.length >= 4) {
    for (const [t, c] of counts) if (t !== term && t.startsWith(term)) n += c / 2;
  }
  return n;
}
