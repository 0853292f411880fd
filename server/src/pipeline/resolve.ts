/** Words that carry no meaning for matching "the dentist one" to "Call the dentist". */
const STOP = new Set(['the', 'a', 'an', 'my', 'to', 'for', 'of', 'on', 'at', 'in', 'and', 'task', 'item', 'one', 'that', 'this']);

export const words = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .split(/\s+/)
    .filter((w) => w && !STOP.has(w))
    .map((w) => w.replace(/(ing|s)$/u, '')); // crude stemming: "meditating" ~ "meditate", "runs" ~ "run"

/**
 * The best match for `query` among `items` by word overlap, or null when nothing matches well
 * enough or two match equally (then Sayso asks rather than guessing which one to change).
 */
export function bestMatch<T extends { title: string }>(query: string, items: readonly T[]): T | null {
  const q = new Set(words(query));
  if (q.size === 0) return null;
  let best: T | null = null;
  let bestScore = 0;
  let tie = false;
  for (const item of items) {
    const t = new Set(words(item.title));
    let hits = 0;
    for (const w of q) if (t.has(w) || [...t].some((x) => x.startsWith(w) || w.startsWith(x))) hits++;
    const score = hits / q.size + (hits > 0 ? hits / Math.max(t.size, 1) / 10 : 0);
    if (score > bestScore) {
      best = item;
      bestScore = score;
      tie = false;
    } else if (score === bestScore && score > 0) tie = true;
  }
  return bestScore >= 0.5 && !tie ? best : null;
}
