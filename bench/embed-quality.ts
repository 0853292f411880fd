/**
 * How well each local embedder finds the journal entry a question is about.
 *
 * 20 hand-written journal-style entries, 14 questions that paraphrase one entry each (mostly
 * with different words, as people ask). Prints top-1 / top-3 hit rates for the local sentence
 * encoder and the hashed bag of words, and the local encoder's speed.
 *
 *   npx tsx bench/embed-quality.ts
 */
import { pathToFileURL } from 'node:url';
import type { Embedder } from '../server/src/providers/embed/port.js';
import { LocalEmbedder } from '../server/src/providers/embed/local.js';
import { HashEmbedder } from '../server/src/providers/embed/fake.js';

const ENTRIES = [
  "Slept terribly last night, woke at 3am and couldn't get back to sleep.",
  'Went for a 5k run along the river this morning, legs felt strong.',
  'Argued with Mum on the phone about Christmas plans again.',
  'Finally finished the quarterly report; my manager seemed pleased.',
  'Cooked a big pot of lentil soup and froze half of it for next week.',
  'Feeling anxious about the dentist appointment on Thursday.',
  'Spent the afternoon reading in the garden, the roses are blooming.',
  'Car broke down on the motorway, waited two hours for the tow truck.',
  "Had coffee with Priya, she's moving to Berlin in the spring.",
  'Paid off the last of the credit card debt today, huge relief.',
  'The kids built a blanket fort in the living room and slept in it.',
  'Headache all day, probably from staring at screens too long.',
  'Started learning Spanish on an app, managed ten minutes.',
  'Our cat Miso had to go to the vet for a swollen paw.',
  'Skipped the gym again, feeling guilty and sluggish.',
  'Rain all weekend, stayed inside and watched old films.',
  'Got a rejection email for the job I really wanted.',
  'Meditated for twenty minutes before work and felt calmer.',
  'Planted tomatoes and basil in the new raised bed.',
  "Forgot my best friend's birthday, sent a long apology message.",
];

/** [question, index of the entry it is about] */
const QUERIES: Array<[string, number]> = [
  ['when did I have insomnia?', 0],
  ['fight with my mother about the holidays', 2],
  ['when did I clear what I owed?', 9],
  ['vehicle trouble on the highway', 7],
  ['my pet was ill', 13],
  ["didn't get the position I applied for", 16],
  ['my head hurt from too much computer time', 11],
  ["I missed a friend's special day", 19],
  // Harder: near neighbours share the theme (exercise, sleep, friends, calm).
  ['a day I felt proud of my work', 3],
  ['feeling lazy about working out', 14],
  ['catching up with someone who is relocating abroad', 8],
  ['a cosy day indoors because of the weather', 15],
  ['trying to pick up a new language', 12],
  ['a quiet moment of mindfulness', 17],
];

export async function benchEmbedQuality(): Promise<string[]> {
  const lines: string[] = [];
  const local = new LocalEmbedder();
  const t0 = performance.now();
  await local.embed(['warm up']); // first call loads the model
  const loadMs = performance.now() - t0;

  for (const embedder of [local, new HashEmbedder()] as Embedder[]) {
    const { top1, top3 } = await hitRates(embedder);
    lines.push(`embed quality ${embedder.id}: top-1 ${top1}/${QUERIES.length}, top-3 ${top3}/${QUERIES.length} (${ENTRIES.length} journal entries, paraphrased questions)`);
  }

  const batch = [...ENTRIES, ...QUERIES.map(([q]) => q)];
  const rounds = 5;
  const t1 = performance.now();
  for (let i = 0; i < rounds; i++) await local.embed(batch);
  const perSentence = (performance.now() - t1) / (rounds * batch.length);
  const single: number[] = [];
  for (const [q] of QUERIES) {
    const t = performance.now();
    await local.embed([q]);
    single.push(performance.now() - t);
  }
  single.sort((a, b) => a - b);
  lines.push(
    `embed speed ${local.id}: model load ${loadMs.toFixed(0)} ms, ${perSentence.toFixed(1)} ms/sentence in batches of ${batch.length}, ` +
      `one question alone p50 ${single[Math.floor(single.length / 2)]!.toFixed(1)} ms, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`,
  );
  return lines;
}

async function hitRates(embedder: Embedder): Promise<{ top1: number; top3: number }> {
  const entries = (await embedder.embed(ENTRIES)).vectors;
  const questions = (await embedder.embed(QUERIES.map(([q]) => q))).vectors;
  let top1 = 0;
  let top3 = 0;
  questions.forEach((q, i) => {
    const want = QUERIES[i]![1];
    // Unit vectors: the dot product is the cosine similarity.
    const ranked = entries.map((e, j) => ({ j, score: e.reduce((s, x, k) => s + x * q[k]!, 0) })).sort((a, b) => b.score - a.score);
    const rank = ranked.findIndex((r) => r.j === want);
    if (rank === 0) top1++;
    if (rank >= 0 && rank < 3) top3++;
  });
  return { top1, top3 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchEmbedQuality().then(
    (lines) => console.log(lines.join('\n')),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
