import { and, eq, sql } from 'drizzle-orm';
import type { LiveEvent, Source } from '@sayso/protocol';
import type { EventBus } from '../bus/port.js';
import type { Db } from '../store/open-store.js';
import { events, idempotencyKeys, processedTurns, users } from '../store/schema.js';
import { AppError } from './errors.js';
import type { Logger } from '../log.js';

/** The bus stream every committed change is published on; each gateway tails it for its live sockets. */
export const LIVE_STREAM = 'live';

/** What a gateway publishes on LIVE_STREAM: the person whose data changed and the event. */
export interface LiveEnvelope {
  userId: string;
  event: LiveEvent;
}

/** Who is writing and why. Every write in Sayso (REST, voice, sync) carries one. */
export interface WriteContext {
  userId: string;
  source: Source;
  /**
   * Set by the voice pipeline: the turn that caused this change. A turn writes at most once:
   * a second write with the same turn id returns the first one's result (a retried stage).
   */
  turnId?: string;
  /** Set by REST from an `Idempotency-Key` header: a replay gets the first response back. */
  idempotency?: { key: string; requestHash: string; status: number };
}

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type ChangeEvent = Exclude<LiveEvent, { type: 'voice_transcript' | 'turn_result' | 'sync_status' }>;
/** Records an event to be committed with the write; it gets its sequence number at commit. */
export type Emit = <E extends ChangeEvent>(type: E['type'], data: E['data']) => void;

export interface WriteResult<T> {
  value: T;
  /** True when an `Idempotency-Key` matched an earlier request and its stored response came back. */
  replayed: boolean;
}

/**
 * The one write path. `work` changes rows inside a transaction and emits events; the events get
 * per-person sequence numbers and are stored in the same transaction (so resume can replay
 * them), then published on the bus after commit for live delivery.
 */
export class Changes {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  async write<T>(ctx: WriteContext, work: (tx: Tx, emit: Emit) => Promise<T>): Promise<WriteResult<T>> {
    if (ctx.idempotency) {
      const earlier = await this.replay<T>(ctx.userId, ctx.idempotency);
      if (earlier) return earlier;
    }
    // A turn id is not looked up first: the act stage already did (it needs the record to word
    // its reply), and a write under a recorded turn fails on the record's key and replays below.
    let committed: LiveEvent[];
    let value: T;
    try {
      ({ value, committed } = await this.db.transaction(async (tx) => {
        const pending: Array<{ type: ChangeEvent['type']; data: ChangeEvent['data'] }> = [];
        const value = await work(tx, (type, data) => pending.push({ type, data }));
        const committed = await appendEvents(tx, ctx, pending);
        if (ctx.idempotency) {
          await tx.insert(idempotencyKeys).values({
            userId: ctx.userId,
            key: ctx.idempotency.key,
            requestHash: ctx.idempotency.requestHash,
            status: ctx.idempotency.status,
            response: value as object,
          });
        }
        if (ctx.turnId) {
          // The turn's effect and its record commit together: a retried stage finds the record.
          await tx.insert(processedTurns).values({ turnId: ctx.turnId, userId: ctx.userId, stage: 'act', result: value as object });
        }
        return { value, committed };
      }));
    } catch (err) {
      // Two requests with one key raced and the other committed first: answer as it did.
      if (ctx.idempotency && isUniqueViolation(err)) {
        const earlier = await this.replay<T>(ctx.userId, ctx.idempotency);
        if (earlier) return earlier;
      }
      if (ctx.turnId && isUniqueViolation(err)) {
        const earlier = await this.replayTurn<T>(ctx.userId, ctx.turnId);
        if (earlier) return earlier;
      }
      throw err;
    }
    await this.publish(ctx.userId, committed);
    return { value, replayed: false };
  }

  /** Publishes events that are not stored (live transcripts): delivered to sockets connected now. */
  async publish(userId: string, list: LiveEvent[]): Promise<void> {
    for (const event of list) {
      try {
        await this.bus.publish(LIVE_STREAM, { userId, event } satisfies LiveEnvelope);
      } catch (err) {
        // The change is committed; live sockets catch up from the events table (on their next
        // event, a reconnect, or the hub's periodic catch-up), so a bus outage delays delivery but
        // loses nothing.
        this.log.warn({ err: String(err), userId, eventId: event.id }, 'live publish failed');
      }
    }
  }

  private async replayTurn<T>(userId: string, turnId: string): Promise<WriteResult<T> | null> {
    const [row] = await this.db
      .select()
      .from(processedTurns)
      .where(and(eq(processedTurns.turnId, turnId), eq(processedTurns.userId, userId)));
    return row ? { value: row.result as T, replayed: true } : null;
  }

  private async replay<T>(userId: string, idem: NonNullable<WriteContext['idempotency']>): Promise<WriteResult<T> | null> {
    const [row] = await this.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, idem.key)));
    if (!row) return null;
    if (row.requestHash !== idem.requestHash) {
      throw new AppError(
        'idempotency_conflict',
        'This Idempotency-Key was already used for a different request. Use a new key for a new request.',
        { key: idem.key },
      );
    }
    return { value: row.response as T, replayed: true };
  }
}

async function appendEvents(
  tx: Tx,
  ctx: WriteContext,
  pending: Array<{ type: ChangeEvent['type']; data: ChangeEvent['data'] }>,
): Promise<LiveEvent[]> {
  if (pending.length === 0) return [];
  // The row lock taken here is held to commit, so sequence order is commit order for a person.
  const [row] = await tx
    .update(users)
    .set({ eventSeq: sql`${users.eventSeq} + ${pending.length}` })
    .where(eq(users.id, ctx.userId))
    .returning({ seq: users.eventSeq });
  if (!row) throw new AppError('unauthorized', 'This account no longer exists. Sign in again.');
  const first = row.seq - pending.length + 1;
  const at = new Date();
  const list = pending.map(
    (p, i) =>
      ({
        v: 1,
        id: first + i,
        type: p.type,
        at: at.toISOString(),
        source: ctx.source,
        ...(ctx.turnId ? { turnId: ctx.turnId } : {}),
        data: p.data,
      }) as LiveEvent,
  );
  await tx.insert(events).values(
    list.map((e) => ({ userId: ctx.userId, seq: e.id, type: e.type, payload: e, createdAt: at })),
  );
  return list;
}

export function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === '23505') return true;
  }
  return false;
}
