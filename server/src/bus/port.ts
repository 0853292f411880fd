/**
 * The event bus, as narrow as what Sayso uses of Redis Streams. Two implementations pass one
 * contract suite (test/bus.contract.test.ts): `RedisBus` (REDIS_URL set) and `MemoryBus`
 * (the embedded default, one process). Delivery to a group is at-least-once: an entry stays
 * pending until acked, and `claimStale` hands a dead consumer's entries to a live one.
 */

/** One entry of a stream. `id` orders entries within the stream ("<ms>-<n>", as Redis). */
export interface BusMessage<T = unknown> {
  id: string;
  /**
   * The published value after a JSON round trip (both implementations store JSON). `RedisBus`
   * gives `null` for an entry that is not valid JSON (written by another tool), so the reader
   * can ack it instead of tripping over it forever.
   */
  data: T;
}

export interface ReadOptions {
  /** Most entries to return; absent = all that are ready. */
  count?: number;
  /** Wait up to this long for an entry when none is ready; 0 or absent = do not wait. */
  blockMs?: number;
  /**
   * Ends a blocked read early with `[]`, so a consumer can stop without closing the bus. An
   * entry the server hands over at that very moment stays pending and is claimed later.
   */
  signal?: AbortSignal;
}

export interface EventBus {
  /** Appends `data` (JSON-serialisable) to `stream`; returns the new entry's id. */
  publish(stream: string, data: unknown): Promise<string>;

  /**
   * Reads entries not yet delivered to `group` (created at the stream's start if missing), as
   * `consumer`. Each entry goes to one consumer of the group and stays pending until acked.
   */
  readGroup<T = unknown>(stream: string, group: string, consumer: string, options?: ReadOptions): Promise<BusMessage<T>[]>;

  /** Marks entries as done for `group`. Unknown or already acked ids are ignored. */
  ack(stream: string, group: string, ids: readonly string[]): Promise<void>;

  /**
   * Takes over entries pending in `group` for at least `minIdleMs` (a consumer that died, or a
   * handler that threw), oldest first, at most `count` (default 100), as Redis XAUTOCLAIM.
   */
  claimStale<T = unknown>(
    stream: string,
    group: string,
    consumer: string,
    options: { minIdleMs: number; count?: number },
  ): Promise<BusMessage<T>[]>;

  /**
   * Reads entries after `afterId` without a group: every reader sees every entry (fan-out).
   * `afterId` "0" means from the start; start from `lastId()` to see only new entries.
   */
  read<T = unknown>(stream: string, afterId: string, options?: ReadOptions): Promise<BusMessage<T>[]>;

  /**
   * How far `group` is behind on `stream`, for /metrics: `pending` entries delivered but not yet
   * acked, `waiting` entries not yet delivered (null when Redis cannot tell). Zeros for a group
   * that does not exist yet.
   */
  backlog(stream: string, group: string): Promise<{ pending: number; waiting: number | null }>;

  /** Id of the newest entry ("0-0" when empty): where a fan-out reader starts to see only new entries. */
  lastId(stream: string): Promise<string>;

  /**
   * Ends blocked reads (they resolve with `[]`) and releases connections. Other calls after it
   * reject with `BusClosedError`; calling close() again does nothing.
   */
  close(): Promise<void>;
}

/** The bus was closed; retrying will not help. Loops reading the bus should end on it. */
export class BusClosedError extends Error {
  readonly retryable = false;
  constructor() {
    super('The event bus is closed. Open a new bus (openBus) instead of reusing a closed one.');
    this.name = 'BusClosedError';
  }
}
