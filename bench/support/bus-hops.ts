import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { consume, tail } from '../../server/src/bus/consumer.js';
import { RedisBus } from '../../server/src/bus/redis-bus.js';
import { ms, percentile } from '../stats.js';
import { pool, REDIS_URL } from './pipeline-rig.js';

/**
 * The pipeline's plumbing alone: three consumer-group hops (as stt -> understand -> act, with the
 * same `consume` loop the stages run) and the reply tail, on one RedisBus, with handlers that
 * only forward a turn-sized message. No engine, no database: the ceiling the bus puts on one process.
 */
export async function benchBusHops(turns: number, concurrency: number): Promise<string> {
  const prefix = `sayso-bench-${randomUUID().slice(0, 8)}:`;
  const bus = new RedisBus(REDIS_URL, { prefix });
  const streams = ['hop.0', 'hop.1', 'hop.2', 'hop.3'];
  const waiting = new Map<string, () => void>();
  const loops = streams.slice(0, -1).map((stream, i) =>
    consume<{ turnId: string }>({
      bus, stream, group: `stage.${i}`, consumer: 'bench', claimIdleMs: 60_000, blockMs: 2_000,
      handle: async ({ data }) => void (await bus.publish(streams[i + 1]!, { ...data, [`hop${i}`]: i })),
    }),
  );
  const replies = tail<{ turnId: string }>({ bus, stream: streams.at(-1)!, onMessage: ({ data }) => waiting.get(data.turnId)?.() });
  await replies.ready;
  const latencies: number[] = [];
  const one = async () => {
    const turnId = randomUUID();
    const done = new Promise<void>((resolve) => waiting.set(turnId, resolve));
    const t0 = performance.now();
    await bus.publish(streams[0]!, { turnId, userId: randomUUID(), sessionId: 'bench', endedAt: Date.now(), context: { timeZone: 'UTC' }, timings: {}, text: 'add task number 1234', via: 'typed' });
    await done;
    waiting.delete(turnId);
    latencies.push(performance.now() - t0);
  };
  try {
    await pool(500, concurrency, one); // warm up
    latencies.length = 0;
    const started = performance.now();
    await pool(turns, concurrency, one);
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return (
      `  bus alone (3 consumer-group hops + reply tail, forward-only handlers, no engines, no database): ${Math.round(turns / seconds)}/s ` +
      `(n=${turns}, ${concurrency} in flight, 1 process; p50 ${ms(percentile(latencies, 0.5))}, p95 ${ms(percentile(latencies, 0.95))})`
    );
  } finally {
    await Promise.all([...loops, replies].map((l) => l.stop()));
    await bus.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}
