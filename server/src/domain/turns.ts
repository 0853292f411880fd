import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../store/open-store.js';
import { idempotencyKeys, processedTurns } from '../store/schema.js';
import { AppError } from './errors.js';
import type { WriteContext } from './changes.js';

/** Records of voice turns that wrote something (see `WriteContext.turnId`). */
export class Turns {
  constructor(private readonly db: Db) {}

  /** What the turn wrote, or null when it has not written (yet). */
  async result(userId: string, turnId: string): Promise<unknown | null> {
    const [row] = await this.db
      .select({ result: processedTurns.result })
      .from(processedTurns)
      .where(and(eq(processedTurns.turnId, turnId), eq(processedTurns.userId, userId)));
    return row?.result ?? null;
  }

  /**
   * The turn id for a text turn sent with an Idempotency-Key: a new one the first time, the same
   * one for every repeat (which then runs the turn again: its effect is recorded under the id, so
   * it replays rather than acting twice). A key reused for other words is refused.
   */
  async idFor(userId: string, idem: NonNullable<WriteContext['idempotency']>): Promise<{ turnId: string; replayed: boolean }> {
    const turnId = randomUUID();
    const inserted = await this.db
      .insert(idempotencyKeys)
      .values({ userId, key: idem.key, requestHash: idem.requestHash, status: idem.status, response: { turnId } })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (inserted.length) return { turnId, replayed: false };
    const [row] = await this.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, idem.key)));
    const earlier = (row?.response as { turnId?: unknown } | undefined)?.turnId;
    if (!row || row.requestHash !== idem.requestHash || typeof earlier !== 'string') {
      throw new AppError('idempotency_conflict', 'This Idempotency-Key was already used for a different request. Use a new key for a new request.', { key: idem.key });
    }
    return { turnId: earlier, replayed: true };
  }
}
