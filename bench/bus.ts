import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { consume } from '../server/src/bus/consumer.js';
import { MemoryBus } from '../server/src/bus/memory-bus.js';
import type { EventBus } from '../server/src/bus/port.js';
import { RedisBus } from '../server/src/bus/redis-bus.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LATENCY_SAMPLES = 5_000;
const WARM_UP = 200;
const THROUGHPUT_EVENTS = 50_000;

/**
 * Bus figures for both implementations: publish -> readGroup latency with the consumer already
 * blocked on the stream, one message at a time, and events/s through publish + consume() + ack.
 *
 * @example
 * for (const line of await benchBus()) console.log(line);
 */
export async function benchBus(): Promise<string[]> {
  const prefix = `sayso-bench:${randomUUID().slice(0, 8)}:`;
  const lines: string[] = [];
  const targets: [label: string, open: () => EventBus][] = [
    ['redis', () => new RedisBus(REDIS_URL, { prefix })],
    ['in-process', () => new MemoryBus()],
  ];
  try {
    for (const [label, open] of targets) {
      const bus = open();
      try {
        const samples = await measureLatency(bus);
        lines.push(
          `bus publish->consume (${label}): p50 ${ms(percentile(samples, 0.5))}, p99 ${ms(percentile(samples, 0.99))} (n=${samples.length})`,
        );
        const perSecond = await measureThroughput(bus);
        lines.push(
          `bus events/s through publish+consume+ack (${label}): ${Math.round(perSecond).toLocaleString('en-US')} (n=${THROUGHPUT_EVENTS})`,
        );
      } finally {
        await bus.close();
      }
    }
  } finally {
    await deleteKeys(prefix);
  }
  return lines;
}

async function measureLatency(bus: EventBus): Promise<number[]> {
  const stream = 'latency';
  await bus.readGroup(stream, 'bench', 'reader'); // creates the group before timing starts
  const stop = new AbortController();
  let delivered: ((at: number) => void) | undefined;
  const reader = (async () => {
    while (!stop.signal.aborted) {
      const batch = await bus.readGroup(stream, 'bench', 'reader', { blockMs: 5_000, signal: stop.signal });
      const at = performance.now();
      if (batch.length === 0) continue;
      delivered?.(at);
      await bus.ack(stream, 'bench', batch.map((m) => m.id));
    }
  })();

  const samples: number[] = [];
  for (let i = 0; i < WARM_UP + LATENCY_SAMPLES; i++) {
    // Gives the reader time to ack and block again, so each sample starts from a blocked consumer.
    await sleep(1);
    const arrived = new Promise<number>((resolve) => (delivered = resolve));
    const sentAt = performance.now();
    await bus.publish(stream, { i, sentAt });
    const latency = (await arrived) - sentAt;
    if (i >= WARM_UP) samples.push(latency);
  }
  stop.abort();
  await reader;
  return samples;
}

async function measureThroughput(bus: EventBus): Promise<number> {
  const stream = 'throughput';
  let handled = 0;
  let allHandled: () => void = () => {};
  const finished = new Promise<void>((resolve) => (allHandled = resolve));
  const started = performance.now();
  const worker = consume({
    bus,
    stream,
    group: 'bench',
    consumer: 'worker',
    count: 100,
    handle: () => {
      if (++handled === THROUGHPUT_EVENTS) allHandled();
    },
  });
  // Publishes in concurrent chunks, as several request handlers would; Redis pipelines them.
  for (let sent = 0; sent < THROUGHPUT_EVENTS; sent += 500) {
    const chunk = Math.min(500, THROUGHPUT_EVENTS - sent);
    await Promise.all(Array.from({ length: chunk }, (_, i) => bus.publish(stream, { n: sent + i })));
  }
  await finished;
  await worker.stop(); // waits for the last acks
  const seconds = (performance.now() - started) / 1_000;
  const leftPending = await bus.claimStale(stream, 'bench', 'auditor', { minIdleMs: 0, count: 1 });
  if (leftPending.length > 0) throw new Error('bench: entries were left unacked; the figure would be wrong');
  return THROUGHPUT_EVENTS / seconds;
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

function ms(value: number): string {
  return `${value < 1 ? value.toFixed(2) : value.toFixed(1)} ms`;
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { protocol: 2, maxRetriesPerRequest: 1 });
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await benchBus()) console.log(line);
}
