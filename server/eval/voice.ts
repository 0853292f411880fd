// npm run eval:voice -- [FILE.jsonl] [--errors]
//
// Scores the whole voice turn on local engines: each line's text is spoken by flite (voice slt,
// sox to 16 kHz, silence around it), cut into a segment by the voice session's own VAD turn
// detector, and published as speech to an in-process gateway (pocketsphinx -> offline
// understanding -> act on an in-memory PGlite -> reply; TTS is the instant fake). Prints the word
// error rate of the transcripts, the figures of shared/eval/README.md on what the pipeline
// understood from them, and the latency; the last line is one JSON object.
// Needs flite, sox and python3-pocketsphinx (see server/test/support/speech.ts).

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActionVerb } from '@sayso/protocol';
import { readConfig } from '../src/config.js';
import { startGateway } from '../src/gateway.js';
import type { ReplyMessage } from '../src/pipeline/messages.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import { OfflineUnderstander } from '../src/providers/llm/offline.js';
import { PocketSphinxSTT } from '../src/providers/stt/local.js';
import { FakeTTS } from '../src/providers/tts/fake.js';
import { TurnDetector } from '../src/realtime/voice/turn-detector.js';
import { Vad } from '../src/realtime/voice/vad.js';
import { openStore } from '../src/store/open-store.js';
import { speechWav } from '../test/support/browser.js';
import { EVAL_PROFILE, EVAL_TIME_ZONE, readLines, scoreLines, type EvalLine, type Figures } from './score.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const showErrors = args.includes('--errors');
const file = resolve(process.env['INIT_CWD'] ?? process.cwd(), args.find((a) => !a.startsWith('--')) ?? resolve(here, 'voice-cases.jsonl'));
if (!existsSync(file)) {
  console.error(`No eval file at ${file}. Pass a JSONL file: npm run eval:voice -- path/to/file.jsonl`);
  process.exit(2);
}

const WRITES = new Set<ActionVerb>(['create', 'complete', 'update', 'remove']);
/** The person's lists as EVAL_PROFILE names them: where its open tasks live. */
const PROFILE_LISTS: Record<string, string> = { 'Buy milk': 'shopping', 'Finish the report': 'work' };

interface Heard {
  line: EvalLine;
  transcript: string;
  reply: ReplyMessage | null;
  /** Segment published (end of speech + VAD hang-over) -> reply, ms. */
  latencyMs: number;
}

const words = (s: string) => s.toLowerCase().replace(/\(\d+\)/g, '').replace(/[^a-z0-9' ]+/g, ' ').split(/\s+/).filter(Boolean);

/** Word-level edit distance of `hyp` from `ref`. */
function editDistance(ref: string[], hyp: string[]): number {
  let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const row = [i];
    for (let j = 1; j <= hyp.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[hyp.length]!;
}

/** The segment the voice session would send for this audio: its VAD turn detector, fed frame by frame. */
async function segmentOf(pcm: Int16Array): Promise<Int16Array> {
  const vad = await Vad.create();
  let segment: Int16Array | undefined;
  const detector = new TurnDetector(vad, { onStart: () => {}, onEnd: (e) => void (segment ??= e.pcm) });
  for (let off = 0, t = 0; off < pcm.length; off += 320, t += 20) detector.push(pcm.subarray(off, off + 320), t);
  vad.free();
  return segment ?? pcm; // no end detected (speech to the very end): send it all, as ptt would
}

const lines = readLines(file);
const started = performance.now();
const audio: Int16Array[] = [];
for (const line of lines) audio.push(await segmentOf((await speechWav(line.text)).pcm));
const synthMs = performance.now() - started;

const store = await openStore({ kind: 'embedded', dataDir: null });
const stt = new PocketSphinxSTT();
const config = readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent', SAYSO_PIPELINE: 'inline' });
const gw = await startGateway(config, { store, stt, understander: new OfflineUnderstander(), tts: new FakeTTS(), embedder: new HashEmbedder() });
const heard: Heard[] = [];
try {
  await gw.warmUp();
  // The fixed person of the understand eval, made through the gateway as a person would.
  const { token, user } = (await (await fetch(`${gw.url}/v1/auth/local`, { method: 'POST' })).json()) as { token: string; user: { id: string } };
  const call = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${gw.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path} failed: ${res.status} ${await res.text()}`);
  };
  await call('PATCH', '/v1/me', { timeZone: EVAL_TIME_ZONE });
  for (const name of EVAL_PROFILE.habitNames ?? []) await call('POST', '/v1/habits', { name });
  for (const title of EVAL_PROFILE.taskTitles ?? []) await call('POST', '/v1/tasks', { title, ...(PROFILE_LISTS[title] ? { list: PROFILE_LISTS[title] } : {}) });
  await call('POST', '/v1/tasks', { title: 'Bananas', list: 'grocery' });

  for (const [i, line] of lines.entries()) {
    const turnId = randomUUID();
    const reply = gw.replies.waitFor(turnId, 30_000);
    const t0 = performance.now();
    await gw.starter.speech({ userId: user.id, sessionId: 'eval', turnId, pcm: audio[i]!, endedAt: Date.now(), vadMs: 0, context: { timeZone: EVAL_TIME_ZONE } });
    const r = await reply;
    heard.push({ line, transcript: r?.text ?? '', reply: r, latencyMs: performance.now() - t0 });
  }
} finally {
  await gw.close();
  await stt.close();
  await store.close();
}

// Figures as score.ts counts them, on what the pipeline understood from the transcript.
const inDomain = heard.filter((h) => h.line.action !== 'none');
const outOfDomain = heard.filter((h) => h.line.action === 'none');
const predicted = (h: Heard) => h.reply?.outcome.action ?? { action: 'none' as const, kind: null };
const correct = (h: Heard) => h.line.accept_actions.includes(predicted(h).action) && h.line.accept_kinds.includes(predicted(h).kind);
const round = (n: number) => Math.round(n * 10_000) / 10_000;
const share = (part: number, whole: number, empty = 1) => (whole ? round(part / whole) : empty);
let edits = 0;
let refWords = 0;
for (const h of heard) {
  const ref = words(h.line.text);
  edits += editDistance(ref, words(h.transcript));
  refWords += ref.length;
}
const figures: Figures = {
  n: heard.length,
  inDomain: inDomain.length,
  actionAccuracy: share(inDomain.filter(correct).length, inDomain.length),
  rejection: share(outOfDomain.filter((h) => predicted(h).action === 'none').length, outOfDomain.length),
  falseActionRate: share(outOfDomain.filter((h) => WRITES.has(predicted(h).action)).length, outOfDomain.length, 0),
};
const wer = round(edits / Math.max(1, refWords));
const textOnly = scoreLines(lines).figures;

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))] ?? Number.NaN;
const latencies = heard.map((h) => h.latencyMs);
const stage = (k: 'stt' | 'understand' | 'act') => p(heard.map((h) => h.reply?.timings[k] ?? Number.NaN).filter(Number.isFinite), 0.5);
const carried = inDomain.filter((h) => h.reply && (h.reply.outcome.status === 'done' || h.reply.outcome.status === 'answered')).length;
console.log(`== ${file}: ${figures.n} spoken commands (${figures.inDomain} in domain, ${figures.n - figures.inDomain} out of domain)`);
console.log(`   flite slt -> VAD turn detector -> pocketsphinx (mixed model) -> offline understanding -> act, in-process gateway`);
console.log(`word error rate              ${pct(wer)}   (${edits} edits / ${refWords} words)`);
console.log(`action accuracy (in domain)  ${pct(figures.actionAccuracy)}   (on the typed text: ${pct(textOnly.actionAccuracy)})   aim >= 90%`);
console.log(`rejection (out of domain)    ${pct(figures.rejection)}   (typed: ${pct(textOnly.rejection)})   aim >= 95%`);
console.log(`false action rate            ${pct(figures.falseActionRate)}   (typed: ${pct(textOnly.falseActionRate)})   aim <= 2%`);
console.log(`carried out (in domain)      ${carried}/${figures.inDomain} done or answered; ${heard.filter((h) => !h.transcript).length} with no transcript`);
console.log(
  `end-to-end latency (segment published -> reply, VAD hang-over not included): p50 ${p(latencies, 0.5).toFixed(0)} ms, p95 ${p(latencies, 0.95).toFixed(0)} ms; ` +
    `stage p50: stt ${stage('stt')} ms, understand ${stage('understand')} ms, act ${stage('act')} ms`,
);
console.log(`(speech synthesis ${(synthMs / 1000).toFixed(1)} s, total ${((performance.now() - started) / 1000).toFixed(1)} s)`);
if (showErrors) {
  // Synthetic eval text only: no one's personal data is printed here.
  for (const h of heard.filter((x) => !correct(x) || words(x.transcript).join(' ') !== words(x.line.text).join(' '))) {
    const a = predicted(h);
    console.log(`  [${h.line.id}] ${JSON.stringify(h.line.text)} heard ${JSON.stringify(h.transcript)} -> ${a.action === 'none' ? 'none' : `${a.action}/${a.kind}`}${correct(h) ? '' : '  WRONG'}`);
  }
}
console.log(JSON.stringify({ n: figures.n, wer, actionAccuracy: figures.actionAccuracy, rejection: figures.rejection, falseActionRate: figures.falseActionRate }));
