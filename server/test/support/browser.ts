import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import puppeteer, { type Browser } from 'puppeteer-core';

const run = promisify(execFile);

export interface LaunchedBrowser {
  browser: Browser;
  /** Closes Chromium and deletes its profile. */
  close(): Promise<void>;
}

/**
 * Headless Chromium (Debian's /usr/bin/chromium) with the flags that work offline here. With
 * `fakeAudioFile`, getUserMedia gets that WAV as the microphone, played once from the call.
 */
export async function launchChromium(opts: { fakeAudioFile?: string; args?: string[] } = {}): Promise<LaunchedBrowser> {
  const profile = await mkdtemp(path.join(tmpdir(), 'sayso-chromium-'));
  const args = [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--user-data-dir=${profile}`,
    '--autoplay-policy=no-user-gesture-required',
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    ...(opts.fakeAudioFile ? [`--use-file-for-fake-audio-capture=${path.resolve(opts.fakeAudioFile)}%noloop`] : []),
    ...(opts.args ?? []),
  ];
  const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args, pipe: true });
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Serves a folder over HTTP on 127.0.0.1 (pages, scripts, worklet modules). */
export async function serveStatic(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wav': 'audio/wav' };
  const server = createServer((req, res) => {
    const file = path.join(dir, path.normalize(new URL(req.url ?? '/', 'http://x').pathname).replace(/^(\.\.[/\\])+/, ''));
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export type WavPart = { silenceMs: number } | { say: string };

export interface SpeechWav {
  path: string;
  pcm: Int16Array;
  totalMs: number;
  /** Where each spoken part is in the file (its audible stretch, in ms from the start). */
  spoken: Array<{ text: string; startMs: number; endMs: number }>;
}

/**
 * Builds a 16 kHz mono WAV from flite speech and silences (flite, then sox to 16 kHz).
 * `speechWav('call mum')` pads 1 s before and 1.5 s after, so a VAD sees the speech end.
 */
export async function speechWav(parts: WavPart[] | string, dir?: string): Promise<SpeechWav> {
  const list: WavPart[] = typeof parts === 'string' ? [{ silenceMs: 1_000 }, { say: parts }, { silenceMs: 1_500 }] : parts;
  // Under the run's scratch directory (vitest.global-setup.ts removes it at the end), when there is one.
  const work = dir ?? (await mkdtemp(path.join(process.env['SAYSO_TEST_SCRATCH'] ?? tmpdir(), 'sayso-wav-')));
  const chunks: Int16Array[] = [];
  const spoken: SpeechWav['spoken'] = [];
  let samples = 0;
  for (const [i, part] of list.entries()) {
    let pcm: Int16Array;
    if ('silenceMs' in part) pcm = new Int16Array(Math.round(part.silenceMs * 16));
    else {
      const raw = path.join(work, `say-${i}.wav`);
      const resampled = path.join(work, `say-${i}-16k.wav`);
      await run('flite', ['-voice', 'slt', '-t', part.say, '-o', raw]);
      await run('sox', [raw, '-r', '16000', '-c', '1', '-b', '16', resampled]);
      pcm = readWav(await readFile(resampled));
      const { startMs, endMs } = audibleSpan(pcm);
      spoken.push({ text: part.say, startMs: samples / 16 + startMs, endMs: samples / 16 + endMs });
    }
    chunks.push(pcm);
    samples += pcm.length;
  }
  const pcm = new Int16Array(samples);
  let at = 0;
  for (const c of chunks) pcm.set(c, (at += c.length) - c.length);
  const file = path.join(work, 'speech.wav');
  await writeFile(file, wavBytes(pcm));
  return { path: file, pcm, totalMs: samples / 16, spoken };
}

/** The samples of a 16-bit PCM WAV (first channel layout as is; callers pass mono). */
export function readWav(buf: Buffer): Int16Array {
  let off = 12;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    if (id === 'data') {
      const data = buf.subarray(off + 8, off + 8 + Math.min(size, buf.length - off - 8));
      const pcm = new Int16Array(data.length >> 1);
      for (let i = 0; i < pcm.length; i++) pcm[i] = data.readInt16LE(i * 2);
      return pcm;
    }
    off += 8 + size + (size & 1);
  }
  throw new Error('no data chunk in WAV');
}

export function wavBytes(pcm: Int16Array, rate = 16_000): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length * 2, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length * 2, 40);
  return Buffer.concat([header, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength)]);
}

/** RMS of 16-bit samples. */
export function rms(pcm: Int16Array): number {
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return pcm.length ? Math.sqrt(sum / pcm.length) : 0;
}

/** First and last 10 ms window louder than ~-40 dBFS. */
function audibleSpan(pcm: Int16Array): { startMs: number; endMs: number } {
  const win = 160;
  let first = -1;
  let last = -1;
  for (let i = 0; i + win <= pcm.length; i += win) {
    if (rms(pcm.subarray(i, i + win)) > 330) {
      if (first < 0) first = i;
      last = i + win;
    }
  }
  return first < 0 ? { startMs: 0, endMs: 0 } : { startMs: first / 16, endMs: last / 16 };
}
