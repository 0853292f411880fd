import { Redis } from 'ioredis';
import { BusClosedError } from './port.js';
import type { BusMessage, EventBus, ReadOptions } from './port.js';

/** Where the bus reports trouble it survives. Fits both `console` and a pino logger. */
export interface BusLog {
  warn(details: object, message: string): void;
}

export interface RedisBusOptions {
  /** Prepended to every stream name to form its key (default "sayso:"); tests use a random one. */
  prefix?: string;
  /** `XADD ... MAXLEN ~ N` (default 100_000): Redis trims whole nodes, so a stream may hold a bit more. */
  maxLength?: number;
  /** Blocking connections kept open for reuse after their read returns (default 4). */
  maxIdleBlockingConnections?: number;
  log?: BusLog;
}

/** One stream entry as Redis replies with it (RESP2): `[id, [field, value, ...]]`. */
type RawEntry = [id: string, fields: string[] | null];

/**
 * The event bus on Redis Streams. Each entry holds its JSON in one field, `d`.
 *
 * Non-blocking commands share one connection. A blocking read (XREAD/XREADGROUP with BLOCK)
 * holds a connection for its whole wait, so each concurrently blocked read gets its own from a
 * small pool; otherwise two readers in one process would queue behind each other's BLOCK.
 *
 * @example
 * const bus = new RedisBus('redis://127.0.0.1:6379', { prefix: 'sayso:' });
 * const id = await bus.publish('tasks', { taskId: 't1' });
 */
export class RedisBus implements EventBus {
  private readonly prefix: string;
  private readonly maxLength: string;
  private readonly maxIdle: number;
  private readonly log: BusLog;
  private readonly cmd: Redis;
  private idle: Redis[] = [];
  private readonly busy = new Set<Redis>();
  /** Groups known to exist: XGROUP CREATE once per stream and group, not before every read. */
  private readonly groups = new Set<string>();
  private closed = false;

  constructor(
    private readonly url: string,
    options: RedisBusOptions = {},
  ) {
    this.prefix = options.prefix ?? 'sayso:';
    this.maxLength = String(options.maxLength ?? 100_000);
    this.maxIdle = options.maxIdleBlockingConnections ?? 4;
    this.log = options.log ?? { warn: (details, message) => console.warn(message, details) };
    this.cmd = this.connect(false);
  }

  async publish(stream: string, data: unknown): Promise<string> {
    this.assertOpen();
    const args = [this.key(stream), 'MAXLEN', '~', this.maxLength, '*', 'd', encode(data)];
    return (await this.run(this.cmd.call('XADD', args))) as string;
  }

  async readGroup<T = unknown>(
    stream: string,
    group: string,
    consumer: string,
    options: ReadOptions = {},
  ): Promise<BusMessage<T>[]> {
    this.assertOpen();
    const key = this.key(stream);
    const args = ['GROUP', group, consumer, ...readArgs(options), 'STREAMS', key, '>'];
    const reply = await this.withGroup(key, group, () => this.exec('XREADGROUP', args, options));
    return this.parseRead<T>(stream, reply);
  }

  async ack(stream: string, group: string, ids: readonly string[]): Promise<void> {
    this.assertOpen();
    if (ids.length === 0) return;
    await this.run(this.cmd.call('XACK', [this.key(stream), group, ...ids]));
  }

  async claimStale<T = unknown>(
    stream: string,
    group: string,
    consumer: string,
    options: { minIdleMs: number; count?: number },
  ): Promise<BusMessage<T>[]> {
    this.assertOpen();
    const key = this.key(stream);
    const count = options.count ?? 100;
    const out: BusMessage<T>[] = [];
    let cursor = '0-0';
    // XAUTOCLAIM scans a bounded slice of the pending list per call: follow its cursor until
    // the list is exhausted or `count` entries are claimed.
    do {
      const args = [key, group, consumer, String(options.minIdleMs), cursor, 'COUNT', String(count - out.length)];
      const reply = (await this.withGroup(key, group, () => this.run(this.cmd.call('XAUTOCLAIM', args)))) as [
        string,
        RawEntry[],
        string[]?,
      ];
      cursor = reply[0];
      for (const raw of reply[1]) {
        const message = this.parseEntry<T>(stream, raw);
        if (message) out.push(message);
      }
      const trimmed = reply[2]?.length ?? 0;
      if (trimmed > 0) {
        // Redis dropped them from the pending list: their data was trimmed (MAXLEN) before an ack.
        this.log.warn({ stream, group, count: trimmed }, 'bus: pending entries were trimmed before being acked; raise maxLength');
      }
    } while (cursor !== '0-0' && out.length < count);
    return out;
  }

  async read<T = unknown>(stream: string, afterId: string, options: ReadOptions = {}): Promise<BusMessage<T>[]> {
    this.assertOpen();
    const reply = await this.exec('XREAD', [...readArgs(options), 'STREAMS', this.key(stream), afterId], options);
    return this.parseRead<T>(stream, reply);
  }

  async backlog(stream: string, group: string): Promise<{ pending: number; waiting: number | null }> {
    this.assertOpen();
    let groups: unknown[][];
    try {
      groups = (await this.run(this.cmd.call('XINFO', ['GROUPS', this.key(stream)]))) as unknown[][];
    } catch (err) {
      if (err instanceof Error && /no such key/i.test(err.message)) return { pending: 0, waiting: 0 };
      throw err;
    }
    for (const fields of groups) {
      const info = new Map<string, unknown>();
      for (let i = 0; i + 1 < fields.length; i += 2) info.set(String(fields[i]), fields[i + 1]);
      if (info.get('name') !== group) continue;
      const lag = info.get('lag'); // Redis 7+: entries not yet delivered; nil when it cannot tell
      return { pending: Number(info.get('pending') ?? 0), waiting: lag === null || lag === undefined ? null : Number(lag) };
    }
    return { pending: 0, waiting: 0 };
  }

  async lastId(stream: string): Promise<string> {
    this.assertOpen();
    const reply = (await this.run(this.cmd.call('XREVRANGE', [this.key(stream), '+', '-', 'COUNT', '1']))) as RawEntry[];
    return reply[0]?.[0] ?? '0-0';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // disconnect(), not quit(): it fails blocked reads at once (they resolve []), even when
    // Redis is unreachable and a polite QUIT would wait.
    for (const conn of [...this.busy, ...this.idle]) conn.disconnect();
    this.idle = [];
    this.cmd.disconnect();
  }

  /** Runs a read on the shared connection, or on a pooled one if it blocks. */
  private exec(command: string, args: string[], options: ReadOptions): Promise<unknown> {
    if ((options.blockMs ?? 0) > 0) return this.blocking(command, args, options.signal);
    if (options.signal?.aborted) return Promise.resolve(null);
    return this.run(this.cmd.call(command, args));
  }

  private async blocking(command: string, args: string[], signal: AbortSignal | undefined): Promise<unknown> {
    if (signal?.aborted) return null;
    const conn = this.idle.pop() ?? this.connect(true);
    this.busy.add(conn);
    let aborted = false;
    // Dropping the connection is the one way to end a BLOCK early that works even while the
    // server is unreachable; an abort is rare (a consumer stopping), so the reconnect is cheap.
    const onAbort = (): void => {
      aborted = true;
      conn.disconnect();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await conn.call(command, args);
    } catch (err) {
      if (aborted || this.closed) return null;
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.busy.delete(conn);
      if (aborted || this.closed || conn.status === 'end' || this.idle.length >= this.maxIdle) conn.disconnect();
      else this.idle.push(conn);
    }
  }

  private connect(blocking: boolean): Redis {
    const conn = new Redis(this.url, {
      // RESP2 replies: the stream reply shapes parsed below.
      protocol: 2,
      connectionName: blocking ? 'sayso-bus-blocking' : 'sayso-bus',
      // A blocked read must wait out a Redis restart rather than fail after N retries.
      ...(blocking ? { maxRetriesPerRequest: null } : {}),
    });
    // ioredis reconnects by itself; without a listener each failed attempt is an unhandled error.
    conn.on('error', (err: Error) => {
      if (!this.closed) this.log.warn({ error: err.message }, 'bus: redis connection error; reconnecting');
    });
    return conn;
  }

  /** Creates the group if this process has not yet; re-creates it if the stream was deleted meanwhile. */
  private async withGroup<R>(key: string, group: string, command: () => Promise<R>): Promise<R> {
    await this.ensureGroup(key, group);
    try {
      return await command();
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOGROUP')) throw err;
      this.groups.delete(`${key}\n${group}`);
      await this.ensureGroup(key, group);
      return command();
    }
  }

  private async ensureGroup(key: string, group: string): Promise<void> {
    const known = `${key}\n${group}`;
    if (this.groups.has(known)) return;
    try {
      await this.run(this.cmd.call('XGROUP', ['CREATE', key, group, '0', 'MKSTREAM']));
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('BUSYGROUP')) throw err;
    }
    this.groups.add(known);
  }

  private parseRead<T>(stream: string, reply: unknown): BusMessage<T>[] {
    // XREAD/XREADGROUP: null on timeout, else [[key, entries]] for the one stream asked for.
    const streams = reply as [string, RawEntry[]][] | null;
    const entries = streams?.[0]?.[1] ?? [];
    const out: BusMessage<T>[] = [];
    for (const raw of entries) {
      const message = this.parseEntry<T>(stream, raw);
      if (message) out.push(message);
    }
    return out;
  }

  /**
   * An entry that is not our JSON (written by another tool) is delivered with `data: null`, not
   * skipped: a group consumer can then ack it, where a skipped entry would stay pending forever.
   */
  private parseEntry<T>(stream: string, [id, fields]: RawEntry): BusMessage<T> | undefined {
    if (fields === null) return undefined; // deleted before it was read: nothing to deliver
    let raw: string | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'd') raw = fields[i + 1];
    try {
      if (raw === undefined) throw new SyntaxError('no "d" field');
      return { id, data: JSON.parse(raw) as T };
    } catch {
      // Ids and sizes only: entry contents may be personal.
      this.log.warn({ stream, id, bytes: raw?.length ?? 0 }, 'bus: entry is not valid JSON; delivering data = null');
      return { id, data: null as T };
    }
  }

  private key(stream: string): string {
    return this.prefix + stream;
  }

  private assertOpen(): void {
    if (this.closed) throw new BusClosedError();
  }

  /** A command cut off by close() reports BusClosedError, which loops know to stop on. */
  private async run<R>(command: Promise<R>): Promise<R> {
    try {
      return await command;
    } catch (err) {
      if (this.closed) throw new BusClosedError();
      throw err;
    }
  }
}

function readArgs(options: ReadOptions): string[] {
  const args: string[] = [];
  if (options.count !== undefined) args.push('COUNT', String(options.count));
  // BLOCK 0 means "forever" to Redis but "do not wait" in the port, so it is left out.
  if ((options.blockMs ?? 0) > 0) args.push('BLOCK', String(Math.ceil(options.blockMs ?? 0)));
  return args;
}

function encode(data: unknown): string {
  const json = JSON.stringify(data);
  if (json === undefined) {
    throw new TypeError(`Bus data must be JSON-serialisable, got ${typeof data}. Publish an object, array or primitive.`);
  }
  return json;
}
