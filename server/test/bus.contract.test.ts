import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { consume, tail } from '../src/bus/consumer.js';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { BusClosedError } from '../src/bus/port.js';
import type { BusMessage, EventBus } from '../src/bus/port.js';
import { RedisBus } from '../src/bus/redis-bus.js';
import type { BusLog } from '../src/bus/redis-bus.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `sayso-test:${randomUUID().slice(0, 8)}:`;
const warnings: string[] = [];
const log: BusLog = { warn: (_details, message) => warnings.push(message) };

const implementations = [
  { name: 'MemoryBus', open: (maxLength?: number) => new MemoryBus(maxLength ? { maxLength } : {}) },
  {
    name: 'RedisBus',
    open: (maxLength?: number) => new RedisBus(REDIS_URL, { prefix: PREFIX, log, ...(maxLength ? { maxLength } : {}) }),
  },
];

const opened: EventBus[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((bus) => bus.close()));
});

afterAll(async () => {
  const redis = new Redis(REDIS_URL, { protocol: 2 });
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

let streams = 0;
const freshStream = (): string => `stream-${++streams}`;
const ids = (messages: BusMessage[]): string[] => messages.map((m) => m.id);

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/**
 * A block this long cannot run out within vitest's 30 s test timeout: a blocked read that returns
 * in a passing test was woken (by a publish, close() or an abort), whatever the load on the machine.
 */
const OUTLASTS_THE_TEST = 60_000;

/** Notes each read that blocks as it starts, so a test can wait until one is blocked. */
function watchBlocking(bus: EventBus, started: string[]): EventBus {
  return {
    ...flaky(bus, 0),
    readGroup: (s, g, c, o) => ((o?.blockMs ?? 0) > 0 && started.push('readGroup'), bus.readGroup(s, g, c, o)),
    read: (s, a, o) => ((o?.blockMs ?? 0) > 0 && started.push('read'), bus.read(s, a, o)),
  };
}

/** Fails the first `failures` reads, as a dropped connection would. */
function flaky(bus: EventBus, failures: number): EventBus {
  let left = failures;
  const trip = (): void => {
    if (left-- > 0) throw new Error('transient: connection reset');
  };
  return {
    publish: (s, d) => bus.publish(s, d),
    readGroup: async (s, g, c, o) => (trip(), bus.readGroup(s, g, c, o)),
    ack: (s, g, i) => bus.ack(s, g, i),
    claimStale: async (s, g, c, o) => (trip(), bus.claimStale(s, g, c, o)),
    read: async (s, a, o) => (trip(), bus.read(s, a, o)),
    lastId: async (s) => (trip(), bus.lastId(s)),
    backlog: (s, g) => bus.backlog(s, g),
    close: () => bus.close(),
  };
}

describe.each(implementations)('$name', ({ open }) => {
  const openBus = (maxLength?: number): EventBus => {
    const bus = open(maxLength);
    opened.push(bus);
    return bus;
  };

  it('backlog counts entries a group has not been given and those given but not acked', async () => {
    const bus = openBus();
    const stream = freshStream();
    expect(await bus.backlog(stream, 'g')).toEqual({ pending: 0, waiting: 0 });
    await bus.readGroup(stream, 'g', 'c1'); // creates the group
    for (let i = 0; i < 3; i++) await bus.publish(stream, { n: i });
    expect(await bus.backlog(stream, 'g')).toEqual({ pending: 0, waiting: 3 });
    const got = await bus.readGroup(stream, 'g', 'c1', { count: 2 });
    expect(await bus.backlog(stream, 'g')).toEqual({ pending: 2, waiting: 1 });
    await bus.ack(stream, 'g', [got[0]!.id]);
    expect(await bus.backlog(stream, 'g')).toEqual({ pending: 1, waiting: 1 });
  });

  it('publish then read returns every entry in order, with increasing ids', async () => {
    const bus = openBus();
    const stream = freshStream();
    expect(await bus.lastId(stream)).toBe('0-0');
    const published: string[] = [];
    for (let i = 0; i < 5; i++) published.push(await bus.publish(stream, { n: i, text: `entry ${i}` }));

    const got = await bus.read<{ n: number; text: string }>(stream, '0');
    expect(ids(got)).toEqual(published);
    expect(got.map((m) => m.data.n)).toEqual([0, 1, 2, 3, 4]);
    expect(got[2]?.data).toEqual({ n: 2, text: 'entry 2' });
    const key = (id: string): [number, number] => id.split('-').map(Number) as [number, number];
    const after = (a: string, b: string): boolean => key(a)[0] > key(b)[0] || (key(a)[0] === key(b)[0] && key(a)[1] > key(b)[1]);
    expect(published.every((id, i) => i === 0 || after(id, published[i - 1]!))).toBe(true);
    expect(await bus.lastId(stream)).toBe(published[4]);
  });

  it('read from an id returns only later entries, up to count', async () => {
    const bus = openBus();
    const stream = freshStream();
    const published = [];
    for (let i = 0; i < 6; i++) published.push(await bus.publish(stream, i));

    expect(ids(await bus.read(stream, published[2]!))).toEqual(published.slice(3));
    expect(ids(await bus.read(stream, published[2]!, { count: 2 }))).toEqual(published.slice(3, 5));
    expect(await bus.read(stream, published[5]!)).toEqual([]);
  });

  it('two fan-out readers both get every entry', async () => {
    const bus = openBus();
    const stream = freshStream();
    const start = await bus.lastId(stream);
    const first = [bus.read(stream, start, { blockMs: 5_000 }), bus.read(stream, start, { blockMs: 5_000 })];
    const a = await bus.publish(stream, 'a');
    const [r1, r2] = await Promise.all(first);
    expect(ids(r1!)).toEqual([a]);
    expect(ids(r2!)).toEqual([a]);

    const b = await bus.publish(stream, 'b');
    const c = await bus.publish(stream, 'c');
    expect((await bus.read(stream, a)).map((m) => m.data)).toEqual(['b', 'c']);
    expect(ids(await bus.read(stream, a))).toEqual([b, c]);
  });

  it('a group delivers each entry to exactly one of two consumers', async () => {
    const bus = openBus();
    const stream = freshStream();
    const published = new Set<string>();
    for (let i = 0; i < 20; i++) published.add(await bus.publish(stream, i));

    const drain = async (consumer: string): Promise<string[]> => {
      const seen: string[] = [];
      for (;;) {
        const batch = await bus.readGroup(stream, 'workers', consumer, { count: 3 });
        if (batch.length === 0) return seen;
        seen.push(...ids(batch));
        await bus.ack(stream, 'workers', ids(batch));
      }
    };
    const [a, b] = await Promise.all([drain('a'), drain('b')]);
    expect(new Set([...a, ...b])).toEqual(published);
    expect(a.length + b.length).toBe(20);

    // Blocked consumers too: one entry wakes one of them, the next entry goes to the other.
    const waitA = bus.readGroup(stream, 'workers', 'a', { blockMs: 5_000 });
    const waitB = bus.readGroup(stream, 'workers', 'b', { blockMs: 5_000 });
    const x = await bus.publish(stream, 'x');
    const firstBack = await Promise.race([waitA, waitB]);
    expect(ids(firstBack)).toEqual([x]);
    const y = await bus.publish(stream, 'y');
    const both = [...ids(await waitA), ...ids(await waitB)];
    expect(both.sort()).toEqual([x, y].sort());
  });

  it('entries a dead consumer left unacked are claimed by another after minIdleMs, none lost', async () => {
    const bus = openBus();
    const stream = freshStream();
    const published = [await bus.publish(stream, 1), await bus.publish(stream, 2), await bus.publish(stream, 3)];
    expect(ids(await bus.readGroup(stream, 'g', 'doomed'))).toEqual(published);
    // 'doomed' dies here without acking.

    expect(await bus.claimStale(stream, 'g', 'rescuer', { minIdleMs: 1_000 })).toEqual([]);
    await sleep(250);
    const claimed = await bus.claimStale<number>(stream, 'g', 'rescuer', { minIdleMs: 200 });
    expect(ids(claimed)).toEqual(published);
    expect(claimed.map((m) => m.data)).toEqual([1, 2, 3]);
    expect(await bus.readGroup(stream, 'g', 'rescuer')).toEqual([]); // claimed, not new

    await bus.ack(stream, 'g', ids(claimed));
    expect(await bus.claimStale(stream, 'g', 'someone', { minIdleMs: 0 })).toEqual([]);
  });

  it('claimStale returns at most count entries, oldest first', async () => {
    const bus = openBus();
    const stream = freshStream();
    const published = [];
    for (let i = 0; i < 5; i++) published.push(await bus.publish(stream, i));
    await bus.readGroup(stream, 'g', 'doomed');
    expect(ids(await bus.claimStale(stream, 'g', 'r', { minIdleMs: 0, count: 2 }))).toEqual(published.slice(0, 2));
  });

  it('acked entries are not redelivered', async () => {
    const bus = openBus();
    const stream = freshStream();
    const [one, two] = [await bus.publish(stream, 'one'), await bus.publish(stream, 'two')];
    expect(ids(await bus.readGroup(stream, 'g', 'c'))).toEqual([one, two]);
    await bus.ack(stream, 'g', [one]);

    expect(ids(await bus.claimStale(stream, 'g', 'other', { minIdleMs: 0 }))).toEqual([two]);
    expect(await bus.readGroup(stream, 'g', 'c')).toEqual([]);
    // A new group starts at the stream's beginning and sees both.
    expect(ids(await bus.readGroup(stream, 'late-group', 'c'))).toEqual([one, two]);
  });

  it('a blocked read returns as soon as an entry is published, not after the block time', async () => {
    const bus = openBus();
    const stream = freshStream();
    const grouped = bus.readGroup(stream, 'g', 'c', { blockMs: OUTLASTS_THE_TEST });
    const fanned = bus.read(stream, '0', { blockMs: OUTLASTS_THE_TEST });
    await sleep(100);
    const id = await bus.publish(stream, { hello: 'world' });
    // Returning at all means the publish woke them: their block outlasts the test.
    expect(await grouped).toEqual([{ id, data: { hello: 'world' } }]);
    expect(await fanned).toEqual([{ id, data: { hello: 'world' } }]);
  });

  it('a read that blocks with nothing published returns [] after blockMs', async () => {
    const bus = openBus();
    const started = performance.now();
    expect(await bus.read(freshStream(), '0', { blockMs: 150 })).toEqual([]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('concurrent blocked reads do not wait for each other', async () => {
    const bus = openBus();
    const [quiet, busy] = [freshStream(), freshStream()];
    const stuck = bus.readGroup(quiet, 'g', 'c', { blockMs: OUTLASTS_THE_TEST });
    await sleep(100); // `stuck` is now blocked on the server
    const woken = bus.read(busy, '0', { blockMs: OUTLASTS_THE_TEST });
    await sleep(100);
    const id = await bus.publish(busy, 'ping');
    // Had `woken` queued behind `stuck` (one connection for both), it could not return in this test.
    expect(ids(await woken)).toEqual([id]);
    await bus.close();
    expect(await stuck).toEqual([]);
  });

  it('close() ends blocked reads promptly with no entries, and later calls reject', async () => {
    const bus = openBus();
    const stream = freshStream();
    const reads = [bus.read(stream, '0', { blockMs: OUTLASTS_THE_TEST }), bus.readGroup(stream, 'g', 'c', { blockMs: OUTLASTS_THE_TEST })];
    await sleep(100);
    await bus.close();
    expect(await Promise.all(reads)).toEqual([[], []]); // ended by close(): their block outlasts the test
    await expect(bus.publish(stream, 1)).rejects.toBeInstanceOf(BusClosedError);
    await expect(bus.read(stream, '0')).rejects.toBeInstanceOf(BusClosedError);
  });

  it('aborting a blocked read returns [] promptly and the bus stays usable', async () => {
    const bus = openBus();
    const stream = freshStream();
    const abort = new AbortController();
    const blocked = bus.readGroup(stream, 'g', 'c', { blockMs: OUTLASTS_THE_TEST, signal: abort.signal });
    await sleep(100);
    abort.abort();
    expect(await blocked).toEqual([]); // ended by the abort: its block outlasts the test

    const id = await bus.publish(stream, 'after');
    expect(ids(await bus.readGroup(stream, 'g', 'c', { blockMs: 1_000 }))).toEqual([id]);
  });

  it('a stream keeps about maxLength entries, dropping the oldest', async () => {
    const bus = openBus(100);
    const stream = freshStream();
    let first = '';
    let last = '';
    for (let i = 0; i < 500; i++) {
      last = await bus.publish(stream, i);
      if (i === 0) first = last;
    }
    const kept = await bus.read<number>(stream, '0');
    expect(kept.length).toBeGreaterThanOrEqual(100);
    expect(kept.length).toBeLessThan(500);
    expect(kept.at(-1)).toEqual({ id: last, data: 499 });
    expect(ids(kept)).not.toContain(first);
  });

  it('consume() acks handled entries and retries a handler that threw', async () => {
    const bus = openBus();
    const stream = freshStream();
    const calls: string[] = [];
    const errors: string[] = [];
    const worker = consume<string>({
      bus,
      stream,
      group: 'g',
      consumer: 'w1',
      claimIdleMs: 150,
      claimEveryMs: 50,
      onError: (_err, context) => errors.push(context),
      handle: ({ data }) => {
        calls.push(data);
        if (data === 'flaky' && calls.filter((c) => c === 'flaky').length === 1) throw new Error('boom');
      },
    });
    await bus.publish(stream, 'steady');
    await bus.publish(stream, 'flaky');
    await waitFor(() => calls.filter((c) => c === 'flaky').length >= 2);
    await sleep(100); // let the ack land
    await worker.stop(); // that stop() ends a blocked read at once is the next test's

    expect(calls).toEqual(['steady', 'flaky', 'flaky']);
    expect(errors).toHaveLength(1);
    expect(await bus.claimStale(stream, 'g', 'auditor', { minIdleMs: 0 })).toEqual([]);
  });

  it('stop() ends the blocked reads of consume() and tail() at once, not when their block runs out', async () => {
    const bus = openBus();
    const stream = freshStream();
    const blocking: string[] = [];
    const watched = watchBlocking(bus, blocking);
    // Claims every OUTLASTS_THE_TEST ms, so the worker's read blocks that long too.
    const worker = consume({ bus: watched, stream, group: 'g', consumer: 'w', blockMs: OUTLASTS_THE_TEST, claimIdleMs: 2 * OUTLASTS_THE_TEST, handle: () => {} });
    const live = tail({ bus: watched, stream, blockMs: OUTLASTS_THE_TEST, onMessage: () => {} });
    await waitFor(() => blocking.length === 2);
    await sleep(100); // both are now blocked on the server
    await Promise.all([worker.stop(), live.stop()]); // returning at all means stop() woke them
    expect(blocking.sort()).toEqual(['read', 'readGroup']); // one blocked read each, and no other after stop()
  });

  it('consume() takes over entries a dead consumer left pending', async () => {
    const bus = openBus();
    const stream = freshStream();
    const published = [await bus.publish(stream, 'a'), await bus.publish(stream, 'b')];
    await bus.readGroup(stream, 'g', 'dead');
    const handled: string[] = [];
    const worker = consume({ bus, stream, group: 'g', consumer: 'alive', claimIdleMs: 150, claimEveryMs: 50, handle: (m) => {
      handled.push(m.id);
    } });
    await waitFor(() => handled.length === 2);
    await worker.stop();
    expect(handled).toEqual(published);
  });

  it('tail() sees every later entry in order, and none from before it started', async () => {
    const bus = openBus();
    const stream = freshStream();
    await bus.publish(stream, -1);
    const seen: number[] = [];
    const live = tail<number>({ bus, stream, onMessage: ({ data }) => void seen.push(data) });
    await live.ready;
    for (let i = 0; i < 50; i++) await bus.publish(stream, i);
    await waitFor(() => seen.length >= 50);
    await live.stop();
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('consume() and tail() survive transient bus errors', async () => {
    const bus = openBus();
    const stream = freshStream();
    const errors: string[] = [];
    const onError = (_err: unknown, context: string): void => void errors.push(context);
    const handled: unknown[] = [];
    const tailed: unknown[] = [];
    const worker = consume({ bus: flaky(bus, 3), stream, group: 'g', consumer: 'w', retryMs: 20, onError,
      handle: ({ data }) => void handled.push(data) });
    const live = tail({ bus: flaky(bus, 3), stream, from: '0', retryMs: 20, onError,
      onMessage: ({ data }) => void tailed.push(data) });
    await bus.publish(stream, 'survived');
    await waitFor(() => handled.length === 1 && tailed.length === 1);
    await Promise.all([worker.stop(), live.stop()]);
    expect(handled).toEqual(['survived']);
    expect(tailed).toEqual(['survived']);
    expect(errors.length).toBe(6);
  });
});

describe('RedisBus only', () => {
  it('an entry that is not JSON is delivered with data null, and can be acked', async () => {
    const bus = new RedisBus(REDIS_URL, { prefix: PREFIX, log });
    opened.push(bus);
    const stream = freshStream();
    const raw = new Redis(REDIS_URL, { protocol: 2 });
    const badId = (await raw.xadd(PREFIX + stream, '*', 'd', '{not json')) as string;
    await raw.quit();
    const goodId = await bus.publish(stream, { ok: true });

    const got = await bus.readGroup(stream, 'g', 'c');
    expect(got).toEqual([{ id: badId, data: null }, { id: goodId, data: { ok: true } }]);
    expect(warnings.some((w) => w.includes('not valid JSON'))).toBe(true);
    await bus.ack(stream, 'g', [badId, goodId]);
    expect(await bus.claimStale(stream, 'g', 'c', { minIdleMs: 0 })).toEqual([]);
  });
});
