import { BusClosedError } from './port.js';
import type { BusMessage, EventBus, ReadOptions } from './port.js';

export interface MemoryBusOptions {
  /**
   * Entries kept per stream (default 100_000). Trimming is approximate, like Redis `MAXLEN ~`:
   * a stream grows up to 10% past this, then drops its oldest entries back to it in one go.
   */
  maxLength?: number;
}

interface Entry {
  id: string;
  ms: number;
  seq: number;
  /** Stored as JSON so readers get the same values (and their own copies) as from Redis. */
  json: string;
}

interface Pending {
  /** Held here, not looked up, so trimming the stream never loses an entry still pending. */
  entry: Entry;
  consumer: string;
  deliveredAt: number;
  deliveries: number;
}

interface Group {
  lastMs: number;
  lastSeq: number;
  /** Insertion order is delivery order, which is id order: claimStale scans oldest first. */
  pending: Map<string, Pending>;
}

interface Stream {
  entries: Entry[];
  lastMs: number;
  lastSeq: number;
  groups: Map<string, Group>;
  /** Blocked reads, woken by publish and close. */
  waiters: Set<() => void>;
}

/**
 * Redis Streams semantics inside one process: the embedded default when no REDIS_URL is set.
 *
 * @example
 * const bus = new MemoryBus();
 * await bus.publish('tasks', { taskId: 't1' });
 * const [message] = await bus.readGroup('tasks', 'indexer', 'worker-1', { blockMs: 5_000 });
 */
export class MemoryBus implements EventBus {
  private readonly streams = new Map<string, Stream>();
  private readonly maxLength: number;
  private closed = false;

  constructor(options: MemoryBusOptions = {}) {
    const maxLength = options.maxLength ?? 100_000;
    if (!Number.isInteger(maxLength) || maxLength < 1) {
      throw new RangeError(`MemoryBus maxLength must be a positive integer, got ${maxLength}.`);
    }
    this.maxLength = maxLength;
  }

  async publish(stream: string, data: unknown): Promise<string> {
    this.assertOpen();
    const s = this.stream(stream);
    const json = encode(data);
    const now = Date.now();
    // Same rule as Redis: a clock that stands still or goes back keeps the last ms, bumps seq.
    const [ms, seq] = now > s.lastMs ? [now, 0] : [s.lastMs, s.lastSeq + 1];
    const id = `${ms}-${seq}`;
    s.entries.push({ id, ms, seq, json });
    s.lastMs = ms;
    s.lastSeq = seq;
    if (s.entries.length > this.maxLength + Math.max(1, Math.floor(this.maxLength / 10))) {
      s.entries.splice(0, s.entries.length - this.maxLength);
    }
    for (const wake of [...s.waiters]) wake();
    return id;
  }

  async readGroup<T = unknown>(
    stream: string,
    group: string,
    consumer: string,
    options: ReadOptions = {},
  ): Promise<BusMessage<T>[]> {
    this.assertOpen();
    const s = this.stream(stream);
    const g = this.group(s, group);
    return this.untilReady(s, options, () => {
      const out: BusMessage<T>[] = [];
      const limit = options.count ?? Infinity;
      const now = Date.now();
      for (let i = indexAfter(s.entries, g.lastMs, g.lastSeq); i < s.entries.length && out.length < limit; i++) {
        const entry = s.entries[i]!;
        g.pending.set(entry.id, { entry, consumer, deliveredAt: now, deliveries: 1 });
        g.lastMs = entry.ms;
        g.lastSeq = entry.seq;
        out.push(toMessage<T>(entry));
      }
      return out;
    });
  }

  async ack(stream: string, group: string, ids: readonly string[]): Promise<void> {
    this.assertOpen();
    const g = this.streams.get(stream)?.groups.get(group);
    for (const id of ids) g?.pending.delete(id);
  }

  async claimStale<T = unknown>(
    stream: string,
    group: string,
    consumer: string,
    options: { minIdleMs: number; count?: number },
  ): Promise<BusMessage<T>[]> {
    this.assertOpen();
    const g = this.group(this.stream(stream), group);
    const limit = options.count ?? 100;
    const now = Date.now();
    const out: BusMessage<T>[] = [];
    for (const p of g.pending.values()) {
      if (out.length >= limit) break;
      if (now - p.deliveredAt < options.minIdleMs) continue;
      p.consumer = consumer;
      p.deliveredAt = now;
      p.deliveries += 1;
      out.push(toMessage<T>(p.entry));
    }
    return out;
  }

  async read<T = unknown>(stream: string, afterId: string, options: ReadOptions = {}): Promise<BusMessage<T>[]> {
    this.assertOpen();
    const s = this.stream(stream);
    const [ms, seq] = parseId(afterId);
    return this.untilReady(s, options, () => {
      const start = indexAfter(s.entries, ms, seq);
      const end = Math.min(s.entries.length, start + (options.count ?? Infinity));
      return s.entries.slice(start, end).map((entry) => toMessage<T>(entry));
    });
  }

  async backlog(stream: string, group: string): Promise<{ pending: number; waiting: number | null }> {
    this.assertOpen();
    const s = this.streams.get(stream);
    const g = s?.groups.get(group);
    if (!s || !g) return { pending: 0, waiting: 0 };
    return { pending: g.pending.size, waiting: s.entries.length - indexAfter(s.entries, g.lastMs, g.lastSeq) };
  }

  async lastId(stream: string): Promise<string> {
    this.assertOpen();
    return this.streams.get(stream)?.entries.at(-1)?.id ?? '0-0';
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.streams.values()) for (const wake of [...s.waiters]) wake();
  }

  /** Tries `attempt`, then sleeps until a publish, the deadline, an abort or close, and retries. */
  private async untilReady<T>(s: Stream, options: ReadOptions, attempt: () => BusMessage<T>[]): Promise<BusMessage<T>[]> {
    const { signal } = options;
    if (signal?.aborted) return [];
    const deadline = performance.now() + (options.blockMs ?? 0);
    for (;;) {
      const got = attempt();
      if (got.length > 0) return got;
      const left = deadline - performance.now();
      if (left <= 0) return [];
      await wait(s, left, signal);
      // Another consumer of the group may have taken the entry that woke us: loop and re-check.
      if (this.closed || signal?.aborted) return [];
    }
  }

  private stream(name: string): Stream {
    let s = this.streams.get(name);
    if (!s) {
      s = { entries: [], lastMs: 0, lastSeq: 0, groups: new Map(), waiters: new Set() };
      this.streams.set(name, s);
    }
    return s;
  }

  private group(s: Stream, name: string): Group {
    let g = s.groups.get(name);
    if (!g) {
      g = { lastMs: 0, lastSeq: 0, pending: new Map() };
      s.groups.set(name, g);
    }
    return g;
  }

  private assertOpen(): void {
    if (this.closed) throw new BusClosedError();
  }
}

function wait(s: Stream, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      s.waiters.delete(done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    s.waiters.add(done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** First index whose id is greater than `ms-seq` (entries are sorted by id). */
function indexAfter(entries: readonly Entry[], ms: number, seq: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = entries[mid]!;
    if (e.ms < ms || (e.ms === ms && e.seq <= seq)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function parseId(id: string): [number, number] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(id);
  if (!match) throw new TypeError(`Invalid stream id "${id}": use "<ms>-<seq>", "0", or an id from lastId().`);
  return [Number(match[1]), Number(match[2] ?? 0)];
}

function toMessage<T>(entry: Entry): BusMessage<T> {
  return { id: entry.id, data: JSON.parse(entry.json) as T };
}

function encode(data: unknown): string {
  const json = JSON.stringify(data);
  if (json === undefined) {
    throw new TypeError(`Bus data must be JSON-serialisable, got ${typeof data}. Publish an object, array or primitive.`);
  }
  return json;
}
