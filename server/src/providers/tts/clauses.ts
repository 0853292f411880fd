/**
 * Splits a reply into clauses that can be synthesised one by one, so the first audio is ready
 * after the first clause rather than the whole reply.
 *
 * Cuts after `. ! ? ; : ,` and dashes when whitespace follows (so `3.5`, `10,000` and `12:30` stay
 * whole), and after line breaks. Fragments shorter than `minWords` join the next clause, because
 * a lone word synthesised on its own loses its intonation; clauses longer than `maxWords` are cut
 * at the space nearest their middle so one long sentence cannot hold back the first audio.
 *
 * @example
 * ```ts
 * splitClauses('Done. I added call the dentist, for tomorrow at 9:30.');
 * // ['Done. I added call the dentist,', 'for tomorrow at 9:30.']
 * ```
 */
export function splitClauses(text: string, options: { minWords?: number; maxWords?: number } = {}): string[] {
  const minWords = options.minWords ?? 3;
  const maxWords = options.maxWords ?? 20;
  const pieces = text
    .split(/(?<=[.!?;:,\u2014\u2013]["')\]]?)\s+|\s*\n+\s*|\s+-\s+/)
    .map((p) => p.trim())
    .filter((p) => /[\p{L}\p{N}]/u.test(p)); // nothing to say in "..." or "--"
  const clauses: string[] = [];
  let pending = '';
  for (const piece of pieces) {
    pending = pending ? `${pending} ${piece}` : piece;
    if (wordCount(pending) >= minWords) {
      clauses.push(...cutLong(pending, maxWords));
      pending = '';
    }
  }
  const last = clauses.at(-1);
  // A short tail joins the clause before it rather than standing alone, if that stays short enough.
  if (pending && last !== undefined && wordCount(last) + wordCount(pending) <= maxWords) clauses[clauses.length - 1] = `${last} ${pending}`;
  else if (pending) clauses.push(pending);
  return clauses;
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function cutLong(clause: string, maxWords: number): string[] {
  const words = clause.split(/\s+/).filter(Boolean);
  if (words.length <= maxWords) return [clause];
  const half = Math.ceil(words.length / 2);
  return [...cutLong(words.slice(0, half).join(' '), maxWords), ...cutLong(words.slice(half).join(' '), maxWords)];
}
