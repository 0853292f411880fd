/**
 * The event bus, as narrow as what Sayso uses of Redis Streams. Two implementations pass one
 * contract suite (test/bus.contract.test.ts): `RedisBus` (REDIS_URL set) and `MemoryBus`
 * (the embedded default, one process).
 */

/** One entry of a stream. `id` orders entries within the stream ("<ms>-<n>", as Redis). */
export interface BusMessage<T = unknown> {
  id: string;
  data: T;
}

export interface ReadOptions {
  /** Most entries to return. */
  count?: number;
  /** Wait up to this long for an entry when none is ready; 0 or absent = do not wait. */
  blockMs?: number;
}

export interface EventBus {
  /** Appends `data` (JSON-serialisable) to `stream`; returns the new entry's id. */
  publish(stream: string, data: unknown): Promise<string>;

  /**
   * Reads entries not yet delivered to `group` (created at the stream's start if missing), as
   * `consumer`. Each entry goes to one consumer of the group and stays pending until acked.
   */
  readGroup<T = unknown>(stream: string, group: string, consumer: string, options?: ReadOptions): Promise<BusMessage<T>[]>;

  /** Marks entries as done for `group`. */
  ack(stream: string, group: string, ids: readonly string[]): Promise<void>;

  /** Takes over entries pending in `group` for longer than `minIdleMs` (a consumer that died). */
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

  /** Id of the newest entry ("0-0" when empty): where a fan-out reader starts to see only new entries. */
  lastId(stream: string): Promise<string>;

  /** Stops blocked reads and releases connections. */
  close(): Promise<void>;
}
