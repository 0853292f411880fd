import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { OfflineUnderstander } from '../server/src/providers/llm/offline.js';
import { FakeSTT } from '../server/src/providers/stt/fake.js';
import { FakeTTS } from '../server/src/providers/tts/fake.js';
import type { ReplyMessage, TurnTimings } from '../server/src/pipeline/messages.js';
import { ms, percentile } from './stats.js';
import { pool, startPipelineRig, TurnChangeWatcher, type PipelineRig } from './support/pipeline-rig.js';
import { benchBusHops } from './support/bus-hops.js';
import { benchVoiceToVoice } from './support/voice-to-voice.js';

const OVERHEAD_TURNS = Number(process.env['BENCH_PIPELINE_TURNS'] ?? 300);
const THROUGHPUT_TURNS = Number(process.env['BENCH_PIPELINE_TEXT_TURNS'] ?? 2000);
const THROUGHPUT_CONCURRENCY = 64;
const CONTEXT = { timeZone: 'UTC' };
/** `BENCH_PIPELINE_PARTS=a,b` runs a subset (c needs pocketsphinx, flite and sox). */
const PARTS = (process.env['BENCH_PIPELINE_PARTS'] ?? 'a,b,c').split(',');

/**
 * Voice-turn pipeline figures, gateway in this process on Redis Streams (a prefix of its own,
 * deleted after) and in-memory PGlite, stages inline:
 * a. per-turn overhead with instant engines: end of speech -> task_update at a live subscriber;
 * b. text turns per second, with writes and with understand-only turns (`none`, no write);
 * c. voice-to-voice on local engines over /v1/voice: end of speech -> first reply audio.
 */
export async function benchPipeline(): Promise<string[]> {
  const lines: string[] = [];
  if (PARTS.includes('a') || PARTS.includes('b')) {
    const rig = await startPipelineRig({ stt: new FakeSTT(), understander: new OfflineUnderstander(), tts: new FakeTTS() });
    try {
      if (PARTS.includes('a')) lines.push(...(await benchOverhead(rig)));
      if (PARTS.includes('b')) lines.push(...(await benchThroughput(rig)));
    } finally {
      await rig.close();
    }
  }
  if (PARTS.includes('c')) lines.push(...(await benchVoiceToVoice()));
  return lines;
}

async function benchOverhead(rig: PipelineRig): Promise<string[]> {
  const live = await TurnChangeWatcher.open(rig.gw.url, rig.token);
  const totals: number[] = [];
  const stages: TurnTimings[] = [];
  const turn = async (i: number) => {
    const turnId = randomUUID();
    const arrived = live.waitFor(turnId);
    const reply = rig.gw.replies.waitFor(turnId, 10_000);
    const t0 = performance.now();
    await rig.gw.starter.speech({
      userId: rig.userId, sessionId: 'bench', turnId, pcm: FakeSTT.speak(`add task number ${i}`), endedAt: Date.now(), vadMs: 0, context: CONTEXT,
    });
    const total = (await arrived) - t0;
    const r = await reply;
    if (r?.outcome.status !== 'done') throw new Error(`turn ${i} was not carried out: ${r?.reply ?? 'no reply'}`);
    return { total, timings: r.timings };
  };
  try {
    for (let i = 0; i < 50; i++) await turn(i); // warm up: JIT, connections, query plans
    for (let i = 0; i < OVERHEAD_TURNS; i++) {
      const { total, timings } = await turn(50 + i);
      totals.push(total);
      stages.push(timings);
    }
  } finally {
    live.close();
  }
  totals.sort((a, b) => a - b);
  const p50 = (pick: (t: TurnTimings) => number | undefined) => ms(percentile(stages.map((t) => pick(t) ?? Number.NaN).sort((a, b) => a - b), 0.5));
  return [
    `gateway overhead per turn with instant engines over Redis (end of speech -> action committed and broadcast): ` +
      `p50 ${ms(percentile(totals, 0.5))}, p95 ${ms(percentile(totals, 0.95))} (n=${totals.length}; FakeSTT, offline understanding, in-memory PGlite, stages inline)`,
    `  stage p50 (ms clock, from the reply message): stt ${p50((t) => t.stt)}, understand ${p50((t) => t.understand)}, act ${p50((t) => t.act)}, ` +
      `end of speech -> commit ${p50((t) => t.toCommit)}`,
  ];
}

async function benchThroughput(rig: PipelineRig): Promise<string[]> {
  const run = async (label: string, text: (i: number) => string, expect: ReplyMessage['outcome']['status']) => {
    // A person of its own: the open tasks of earlier runs would enlarge this run's understanding context.
    const { id: userId } = await rig.gw.users.findOrCreate(`bench:${randomUUID()}`, 'Bench');
    const latencies: number[] = [];
    let wrong = 0;
    const one = async (i: number) => {
      const turnId = randomUUID();
      const reply = rig.gw.replies.waitFor(turnId, 60_000);
      const t0 = performance.now();
      await rig.gw.starter.text({ userId, sessionId: 'bench', turnId, text: text(i), context: CONTEXT });
      if ((await reply)?.outcome.status !== expect) wrong++;
      latencies.push(performance.now() - t0);
    };
    await pool(200, THROUGHPUT_CONCURRENCY, one); // warm up
    latencies.length = 0;
    const started = performance.now();
    await pool(THROUGHPUT_TURNS, THROUGHPUT_CONCURRENCY, one);
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return (
      `${label}: ${Math.round(THROUGHPUT_TURNS / seconds)}/s (n=${THROUGHPUT_TURNS}, ${THROUGHPUT_CONCURRENCY} in flight, ` +
      `1 stage worker per stage: 1 gateway process running all 3 stages inline, in-memory PGlite in the same process; ` +
      `turn latency p50 ${ms(percentile(latencies, 0.5))}, p95 ${ms(percentile(latencies, 0.95))}${wrong ? `; ${wrong} not ${expect}` : ''})`
    );
  };
  return [
    await run('text turns per second through the Redis pipeline, task creates (one committed write each)', (i) => `add throughput task ${i}`, 'done'),
    await run('  understand-only turns (`none`: context read, no write)', (i) => `tell me a joke number ${i}`, 'none'),
    await benchBusHops(THROUGHPUT_TURNS * 2, THROUGHPUT_CONCURRENCY),
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await benchPipeline()) console.log(line);
}
