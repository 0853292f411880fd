import { BusClosedError } from './port.js';
import type { BusMessage, EventBus } from './port.js';

/** Called with what went wrong and what the loop does about it; the loop itself carries on. */
export type BusErrorReporter = (error: unknown, context: string) => void;

export interface Stoppable {
  /** Ends the loop: a blocked read returns at once; entries already in hand are finished first. */
  stop(): Promise<void>;
}

export interface ConsumeOptions<T> {
  bus: EventBus;
  stream: string;
  group: string;
  /** Unique per process (e.g. host + pid), so a restarted process's old entries look stale. */
  consumer: string;
  /** Acked after it resolves. If it throws, the entry stays pending and is retried after `claimIdleMs`. */
  handle(message: BusMessage<T>): Promise<void> | void;
  /**
   * Pending entries idle this long are taken over (default 30_000). Must exceed the slowest
   * handler, or a live consumer's entry is handled twice.
   */
  claimIdleMs?: number;
  /** How often to look for stale entries (default half of `claimIdleMs`). */
  claimEveryMs?: number;
  /** Entries per read (default 16). */
  count?: number;
  /** Longest single blocking read (default 5_000). */
  blockMs?: number;
  /** Pause after a failed bus call before trying again (default 1_000). */
  retryMs?: number;
  /** Aborting it stops the loop, as `stop()` does. */
  signal?: AbortSignal;
  onError?: BusErrorReporter;
}

/**
 * Runs a group consumer: claims stale pending entries now and then, otherwise blocks for new
 * ones, hands each to `handle` and acks it. Bus errors are reported and retried; the loop ends
 * only on `stop()`, the signal, or the bus closing.
 *
 * @example
 * const worker = consume({ bus, stream: 'tasks', group: 'indexer', consumer: `idx-${process.pid}`,
 *   handle: async ({ data }) => index(data) });
 * await worker.stop();
 */
export function consume<T = unknown>(options: ConsumeOptions<T>): Stoppable {
  const { bus, stream, group, consumer } = options;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const claimEveryMs = options.claimEveryMs ?? claimIdleMs / 2;
  const count = options.count ?? 16;
  const blockMs = options.blockMs ?? 5_000;
  const report = options.onError ?? logError;
  const stopper = new AbortController();
  const signal = options.signal ? AbortSignal.any([stopper.signal, options.signal]) : stopper.signal;

  const handleAll = async (messages: BusMessage<T>[]): Promise<void> => {
    const acks = new AckBatcher((ids) =>
      bus.ack(stream, group, ids).catch((err: unknown) => {
        report(err, `bus: ack of ${ids.length} entries on ${stream} failed; they will be handled again`);
      }),
    );
    for (const message of messages) {
      try {
        await options.handle(message);
      } catch (err) {
        report(err, `bus: handler failed on ${stream} ${message.id}; it stays pending and is retried`);
        continue;
      }
      acks.add(message.id);
    }
    await acks.drained();
  };

  let nextClaim = 0;
  const done = loop(signal, options.retryMs ?? 1_000, report, async () => {
    const now = Date.now();
    if (now >= nextClaim) {
      const stale = await bus.claimStale<T>(stream, group, consumer, { minIdleMs: claimIdleMs, count });
      // A full batch means more may be waiting: look again straight away.
      nextClaim = stale.length === count ? now : now + claimEveryMs;
      await handleAll(stale);
      return;
    }
    const fresh = await bus.readGroup<T>(stream, group, consumer, {
      count,
      blockMs: Math.min(blockMs, nextClaim - now),
      signal,
    });
    await handleAll(fresh);
  });

  return {
    async stop() {
      stopper.abort();
      await done;
    },
  };
}

export interface TailOptions<T> {
  bus: EventBus;
  stream: string;
  /** Deliver entries after this id (default: the stream's `lastId()` when the tail starts). */
  from?: string;
  /** Called in order, one at a time. A throw is reported and the tail moves on: fan-out has no retry. */
  onMessage(message: BusMessage<T>): Promise<void> | void;
  count?: number;
  blockMs?: number;
  retryMs?: number;
  signal?: AbortSignal;
  onError?: BusErrorReporter;
}

export interface Tail extends Stoppable {
  /** Resolves once the start position is fixed: every entry published after this is delivered. */
  ready: Promise<void>;
}

/**
 * Follows a stream without a group (fan-out): every tail sees every later entry, in order.
 *
 * @example
 * const live = tail({ bus, stream: 'tasks', onMessage: ({ data }) => socket.send(JSON.stringify(data)) });
 * await live.ready;
 */
export function tail<T = unknown>(options: TailOptions<T>): Tail {
  const { bus, stream } = options;
  const report = options.onError ?? logError;
  const stopper = new AbortController();
  const signal = options.signal ? AbortSignal.any([stopper.signal, options.signal]) : stopper.signal;
  let cursor = options.from;
  let markReady = (): void => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  if (cursor !== undefined) markReady();

  const done = loop(signal, options.retryMs ?? 1_000, report, async () => {
    if (cursor === undefined) {
      cursor = await bus.lastId(stream);
      markReady();
    }
    const batch = await bus.read<T>(stream, cursor, {
      count: options.count ?? 100,
      blockMs: options.blockMs ?? 5_000,
      signal,
    });
    for (const message of batch) {
      if (signal.aborted) return;
      cursor = message.id;
      try {
        await options.onMessage(message);
      } catch (err) {
        report(err, `bus: tail handler failed on ${stream} ${message.id}; skipped`);
      }
    }
  }).finally(markReady);

  return {
    ready,
    async stop() {
      stopper.abort();
      await done;
    },
  };
}

/**
 * Acks each id as soon as its handler is done, but with one XACK in flight at a time: ids handled
 * meanwhile go together in the next one, so a busy consumer sends a few acks per batch, not one per entry.
 */
class AckBatcher {
  private waiting: string[] = [];
  private flushing: Promise<void> | undefined;

  constructor(private readonly send: (ids: string[]) => Promise<void>) {}

  add(id: string): void {
    this.waiting.push(id);
    this.flushing ??= this.flush();
  }

  async drained(): Promise<void> {
    await this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.waiting.length > 0) await this.send(this.waiting.splice(0));
    this.flushing = undefined;
  }
}

/** Repeats `step` until aborted or the bus closes; any other error is reported, then retried after a pause. */
async function loop(
  signal: AbortSignal,
  retryMs: number,
  report: BusErrorReporter,
  step: () => Promise<void>,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await step();
    } catch (err) {
      if (err instanceof BusClosedError || signal.aborted) return;
      report(err, `bus: call failed; retrying in ${retryMs} ms`);
      await sleep(retryMs, signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function logError(error: unknown, context: string): void {
  console.error(context, error instanceof Error ? error.message : String(error));
}
