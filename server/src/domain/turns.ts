import { and, eq } from 'drizzle-orm';
import type { Db } from '../store/open-store.js';
import { processedTurns } from '../store/schema.js';

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
}
