import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { splitClauses } from '../src/providers/tts/clauses.js';
import { EnginePool } from '../src/providers/tts/engine-pool.js';
import { LocalTTS } from '../src/providers/tts/local.js';

const collect = async (chunks: AsyncIterable<Int16Array>) => {
  const out: Int16Array[] = [];
  for await (const pcm of chunks) out.push(pcm);
  return out;
};
const join16 = (chunks: Int16Array[]) => {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((at, c) => (out.set(c, at), at + c.length), 0);
  return out;
};
/** Counts clauses whose audio came back from the engine, so tests can say what happened before what. */
const watchClauses = () => {
  const run = EnginePool.prototype.run;
  const clauses = { synthesised: 0 };
  vi.spyOn(EnginePool.prototype, 'run').mockImplementation(function (this: EnginePool, ...args) {
    const pcm = run.apply(this, args);
    pcm.then(() => clauses.synthesised++, () => {}); // settles before the caller's own await resumes
    return pcm;
  });
  return clauses;
};
const rms = (pcm: Int16Array) => Math.sqrt(pcm.reduce((s, x) => s + x * x, 0) / Math.max(1, pcm.length));

const SENTENCE = 'I added call the dentist tomorrow to your task list for Monday.'; // 12 words
const LONG = 'Done. I added call the dentist, for tomorrow at nine. Your walk is at noon, and lunch with Sam is at one. Anything else for today?';
// Debian sox + pocketsphinx check what a listener would hear; the check is skipped without them.
const canTranscribe = ['sox', 'pocketsphinx_continuous'].every((cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).error === undefined);

describe('splitClauses', () => {
  it('cuts after clause punctuation but keeps numbers and times whole', () => {
    expect(splitClauses('Done. I added call the dentist, for tomorrow at 9:30. It costs $3.50 or 10,000 points!')).toEqual([
      'Done. I added call the dentist,',
      'for tomorrow at 9:30.',
      'It costs $3.50 or 10,000 points!',
    ]);
  });

  it('joins short fragments, cuts very long clauses and drops punctuation-only pieces', () => {
    expect(splitClauses('Yes. Sure. ... Okay then, go.')).toEqual(['Yes. Sure. Okay then, go.']);
    const long = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');
    expect(splitClauses(long).map((c) => c.split(' ').length)).toEqual([15, 15]);
    expect(splitClauses('  ')).toEqual([]);
  });
});

describe('LocalTTS (flite, rms voice)', () => {
  const tts = new LocalTTS();
  beforeAll(() => tts.warm(), 60_000);
  afterAll(() => tts.close());
  afterEach(() => vi.restoreAllMocks());

  it('speaks a 12-word sentence as non-silent 16 kHz PCM of a plausible length', async () => {
    const pcm = join16(await collect(tts.synthesize(SENTENCE)));
    const seconds = pcm.length / tts.capabilities.sampleRate;
    expect(tts.capabilities).toEqual({ streaming: true, local: true, sampleRate: 16_000 });
    expect(seconds).toBeGreaterThan(2.5); // ~150-200 words a minute
    expect(seconds).toBeLessThan(6);
    expect(rms(pcm)).toBeGreaterThan(500);
  });

  it('yields the first clause before the rest of the reply is synthesised', async () => {
    const clauses = splitClauses(LONG);
    expect(clauses.length).toBeGreaterThanOrEqual(4);
    const engine = watchClauses();
    const arrivals: Array<{ synthesised: number; samples: number }> = [];
    for await (const pcm of tts.synthesize(LONG)) arrivals.push({ synthesised: engine.synthesised, samples: pcm.length });
    expect(arrivals).toHaveLength(clauses.length); // one chunk per clause
    const total = arrivals.reduce((n, a) => n + a.samples, 0);
    expect(arrivals[0]!.samples).toBeLessThan(total / 2); // the first chunk is only the first clause...
    // ...and each chunk came as soon as its own clause was made, while the next was still being
    // made: the first when 1 of the clauses was done, not all of them.
    expect(arrivals.map((a) => a.synthesised)).toEqual(clauses.map((_, i) => i + 1));
  });

  it('ends promptly when aborted mid-reply (barge-in) and yields nothing more', async () => {
    const abort = new AbortController();
    let chunks = 0;
    // The second clause (20 words, ~100-250 ms to synthesise) is in flight when the abort comes.
    const text = 'Here is your day. I have moved the dentist appointment and the call with the bank to tomorrow morning before lunch with Sam. Then more.';
    const engine = watchClauses();
    for await (const _pcm of tts.synthesize(text, { signal: abort.signal })) {
      chunks++;
      abort.abort();
    }
    expect(chunks).toBe(1);
    expect(engine.synthesised).toBe(1); // ended while the second clause was still being made: did not wait for it
  });

  it('says five replies in a row without crashing, and the same text gives the same audio', async () => {
    const lengths: number[] = [];
    for (let i = 0; i < 5; i++) lengths.push(join16(await collect(tts.synthesize(LONG))).length);
    expect(new Set(lengths).size).toBe(1);
    expect(lengths[0]).toBeGreaterThan(16_000 * 4);
  });

  it('keeps concurrent replies apart', async () => {
    const [a, b, c] = await Promise.all([SENTENCE, LONG, SENTENCE].map(async (t) => join16(await collect(tts.synthesize(t)))));
    expect(a).toEqual(c);
    expect(b!.length).toBeGreaterThan(a!.length);
  });

  it.skipIf(!canTranscribe)('is intelligible: pocketsphinx hears "dentist" in "add call the dentist tomorrow"', async () => {
    const pcm = join16(await collect(tts.synthesize('add call the dentist tomorrow')));
    const dir = mkdtempSync(join(tmpdir(), 'sayso-tts-'));
    try {
      const wav = join(dir, 'reply.wav');
      writeFileSync(join(dir, 'reply.raw'), pcm);
      execFileSync('sox', ['-t', 'raw', '-r', '16000', '-e', 'signed', '-b', '16', '-c', '1', join(dir, 'reply.raw'), wav]);
      const heard = execFileSync('pocketsphinx_continuous', ['-infile', wav, '-logfn', '/dev/null']).toString().trim();
      const words = ['add', 'call', 'the', 'dentist', 'tomorrow'].filter((w) => heard.split(/\s+/).includes(w));
      expect(heard.includes('dentist') || words.length >= 3, `pocketsphinx heard "${heard}"`).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('LocalTTS engine processes', () => {
  it('replaces a recycled engine process without losing a reply', async () => {
    const tts = new LocalTTS({ recycleAfter: 2 });
    try {
      for (let i = 0; i < 4; i++) expect(join16(await collect(tts.synthesize('One. Two three four. Five six seven.'))).length).toBeGreaterThan(8000);
    } finally {
      await tts.close();
    }
  });

  it('recovers when its engine process is killed mid-reply: that reply fails retryably, the next works', async () => {
    const tts = new LocalTTS();
    try {
      await tts.warm();
      const children = () => execFileSync('pgrep', ['-P', String(process.pid), '-f', 'engine-process']).toString().trim().split('\n').map(Number);
      const before = children();
      const reply = collect(tts.synthesize(`${LONG} ${LONG} ${LONG}`));
      for (const pid of before) process.kill(pid, 'SIGKILL'); // only the engine processes this test started
      await expect(reply).rejects.toMatchObject({ name: 'TtsError', retryable: true });
      expect(join16(await collect(tts.synthesize(SENTENCE))).length).toBeGreaterThan(16_000 * 2);
    } finally {
      await tts.close();
    }
  });

  it('runs eSpeak NG as a second engine at 22,050 Hz', async () => {
    const tts = new LocalTTS({ engine: 'espeak' });
    try {
      const pcm = join16(await collect(tts.synthesize(SENTENCE)));
      expect(tts.capabilities.sampleRate).toBe(22_050);
      expect(pcm.length / 22_050).toBeGreaterThan(2.5);
      expect(rms(pcm)).toBeGreaterThan(500);
    } finally {
      await tts.close();
    }
  });
});
