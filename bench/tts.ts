/**
 * How fast and how intelligible each text-to-speech engine is.
 *
 * Per engine: start-up (load + warm-up), first-chunk latency and total time for a 12-word
 * sentence, first-chunk latency for a 4-clause reply, and real-time factor (synthesis time /
 * audio length; below 1 is faster than speech). Intelligibility: ten assistant-style sentences
 * are synthesised, joined with a second of silence, resampled to 16 kHz by sox and transcribed
 * by Debian pocketsphinx; the line gives the word error rate (WER) against the text. Skipped
 * where sox or pocketsphinx is missing. ElevenLabs is measured only when ELEVENLABS_API_KEY is
 * set (it needs the internet).
 *
 *   npx tsx bench/tts.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ElevenLabsTTS } from '../server/src/providers/tts/elevenlabs.js';
import { FakeTTS } from '../server/src/providers/tts/fake.js';
import { LocalTTS } from '../server/src/providers/tts/local.js';
import type { TextToSpeech } from '../server/src/providers/tts/port.js';
import { ms, percentile } from './stats.js';

const SENTENCE = 'I added call the dentist tomorrow to your task list for Monday.'; // 12 words, one clause
const REPLY = 'Done. I added call the dentist, for tomorrow at nine. Your walk is at noon, and lunch is at one. Anything else?';
const RUNS = 10;

/** Written out in words: pocketsphinx hears "ten", never "10". */
const HEARD = [
  'add call the dentist tomorrow',
  'I added buy milk to your shopping list',
  'you have three tasks due today',
  'your meeting with Sarah starts at ten in the morning',
  'I marked the report as done',
  'you walked for twenty minutes yesterday',
  'remind me to water the plants on Friday',
  'your journal entry has been saved',
  'what would you like to do next',
  'the weather looks good for a run this evening',
];

interface Engine {
  name: string;
  make: () => TextToSpeech & { warm?: () => Promise<void>; close?: () => Promise<void> };
}

export async function benchTts(): Promise<string[]> {
  const engines: Engine[] = [
    { name: 'fake tone', make: () => new FakeTTS() },
    { name: 'local flite/rms (default)', make: () => new LocalTTS() },
    { name: 'local flite/slt', make: () => new LocalTTS({ voice: 'slt' }) },
    { name: 'local flite/kal16', make: () => new LocalTTS({ voice: 'kal16' }) },
    { name: 'local espeak/en-us', make: () => new LocalTTS({ engine: 'espeak' }) },
  ];
  const apiKey = process.env['ELEVENLABS_API_KEY'];
  if (apiKey) engines.push({ name: 'elevenlabs flash v2.5', make: () => new ElevenLabsTTS({ apiKey }) });
  const canTranscribe = ['sox', 'pocketsphinx_continuous'].every((cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).error === undefined);

  const lines: string[] = [];
  for (const { name, make } of engines) {
    const tts = make();
    try {
      const loadStart = performance.now();
      await tts.warm?.();
      const load = performance.now() - loadStart;
      const sentence = await timeRuns(tts, SENTENCE);
      const reply = await timeRuns(tts, REPLY);
      const rtf = sentence.totals.reduce((a, b) => a + b, 0) / 1000 / (sentence.seconds * RUNS);
      lines.push(
        `tts ${name}: start-up ${ms(load)}; 12-word sentence first chunk p50 ${ms(percentile(sentence.firsts, 0.5))} ` +
          `p95 ${ms(percentile(sentence.firsts, 0.95))}, total p50 ${ms(percentile(sentence.totals, 0.5))} for ${sentence.seconds.toFixed(2)} s of audio ` +
          `(real-time factor ${rtf.toFixed(3)}); 4-clause reply first chunk p50 ${ms(percentile(reply.firsts, 0.5))}, ` +
          `total p50 ${ms(percentile(reply.totals, 0.5))} for ${reply.seconds.toFixed(2)} s`,
      );
      if (canTranscribe && !name.startsWith('fake')) lines.push(`tts ${name}: ${await intelligibility(tts)}`);
    } finally {
      await tts.close?.();
    }
  }
  if (!apiKey) lines.push('tts elevenlabs: skipped (set ELEVENLABS_API_KEY to measure it over the internet)');
  if (!canTranscribe) lines.push('tts intelligibility: skipped (needs sox and pocketsphinx: apt-get install sox pocketsphinx pocketsphinx-en-us)');
  return lines;
}

async function timeRuns(tts: TextToSpeech, text: string) {
  const firsts: number[] = [];
  const totals: number[] = [];
  let samples = 0;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    let first: number | undefined;
    samples = 0;
    for await (const pcm of tts.synthesize(text)) {
      first ??= performance.now() - started;
      samples += pcm.length;
    }
    firsts.push(first ?? Number.NaN);
    totals.push(performance.now() - started);
  }
  return { firsts: firsts.sort((a, b) => a - b), totals: totals.sort((a, b) => a - b), seconds: samples / tts.capabilities.sampleRate };
}

async function intelligibility(tts: TextToSpeech): Promise<string> {
  const rate = tts.capabilities.sampleRate;
  const parts: Int16Array[] = [];
  for (const sentence of HEARD) {
    for await (const pcm of tts.synthesize(sentence)) parts.push(pcm);
    parts.push(new Int16Array(rate)); // a second of silence ends pocketsphinx's utterance
  }
  const dir = mkdtempSync(join(tmpdir(), 'sayso-bench-tts-'));
  try {
    const raw = join(dir, 'all.raw');
    writeFileSync(raw, Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
    const wav = join(dir, 'all.wav');
    execFileSync('sox', ['-t', 'raw', '-r', String(rate), '-e', 'signed', '-b', '16', '-c', '1', raw, '-r', '16000', wav]);
    const heard = execFileSync('pocketsphinx_continuous', ['-infile', wav, '-logfn', '/dev/null']).toString();
    const reference = words(HEARD.join(' '));
    const errors = editDistance(reference, words(heard));
    return `pocketsphinx WER ${((100 * errors) / reference.length).toFixed(1)}% (${errors} errors / ${reference.length} words); heard "${heard.split('\n')[0]?.trim()}" ...`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const words = (text: string) => text.toLowerCase().replace(/[^a-z' ]+/g, ' ').split(/\s+/).filter(Boolean);

/** Word-level Levenshtein distance: substitutions + deletions + insertions. */
function editDistance(ref: string[], hyp: string[]): number {
  let row = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const next = [i];
    for (let j = 1; j <= hyp.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
    row = next;
  }
  return row[hyp.length]!;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchTts().then(
    (lines) => console.log(lines.join('\n')),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
