// Pronunciations for hint words cmudict lacks ("Sayso", "Duolingo"), from flite's letter-to-sound
// rules (its `t2p` tool), rewritten in the CMU phone set pocketsphinx's en-us model uses.
import { execFile } from 'node:child_process';

// flite's US phones are CMU's in lower case with stress digits, plus two reduced vowels.
const FLITE_TO_CMU: Record<string, string> = { ax: 'AH', axr: 'ER' };
const CMU = new Set(
  'AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH'.split(' '),
);

/** `[word, "P H O N E S"]` for each word `t2p` can spell out; words it cannot are left out. */
export async function pronounce(words: readonly string[], t2p = 't2p'): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (const word of words) {
    if (!/^[a-z']+$/.test(word)) continue;
    const phones = await run(t2p, word);
    if (phones === undefined) break; // no t2p here: hints keep only dictionary words
    const cmu = phones
      .split(/\s+/)
      .filter((p) => p && p !== 'pau')
      .map((p) => FLITE_TO_CMU[p.replace(/\d/g, '')] ?? p.replace(/\d/g, '').toUpperCase());
    if (cmu.length > 0 && cmu.every((p) => CMU.has(p))) out.push([word, cmu.join(' ')]);
  }
  return out;
}

/** t2p's output, '' when it failed on this word, undefined when t2p is not installed. */
function run(t2p: string, word: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(t2p, [word], { timeout: 2000 }, (err, stdout) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') resolve(undefined);
      else resolve(err ? '' : stdout);
    });
  });
}
