import { and, asc, desc, eq, inArray, isNull, lt, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { SyncStatus } from '@sayso/protocol';
import type { Db } from '../../store/open-store.js';
import { syncItems, syncLinks, syncLog } from '../../store/schema.js';
import type { Fields } from './merge.js';

export type SyncLink = typeof syncLinks.$inferSelect;
export type SyncItem = typeof syncItems.$inferSelect;
export type Provider = SyncLink['provider'];
export type SyncLogEntry = typeof syncLog.$inferInsert;

/** Renew a watch channel this long before it expires. */
export const CHANNEL_RENEW_MS = 60 * 60_000;

/**
 * Linked sheets and calendars, with the lease that keeps one gateway at a time on a link: a pass
 * runs only after `claim` set `lease_until` in the future for this gateway (an UPDATE that matches
 * only free links), so gateways on one database never sync one link at once.
 */
export class SyncLinks {
  constructor(
    private readonly db: Db,
    private readonly owner: string,
    private readonly leaseMs = 120_000,
  ) {}

  forUser(userId: string): Promise<SyncLink[]> {
    return this.db.select().from(syncLinks).where(eq(syncLinks.userId, userId));
  }

  get(userId: string, provider: Provider): Promise<SyncLink | undefined> {
    return this.db.select().from(syncLinks).where(and(eq(syncLinks.userId, userId), eq(syncLinks.provider, provider))).then((r) => r[0]);
  }

  byId(id: string): Promise<SyncLink | undefined> {
    return this.db.select().from(syncLinks).where(eq(syncLinks.id, id)).then((r) => r[0]);
  }

  byChannel(channelId: string): Promise<SyncLink | undefined> {
    return this.db.select().from(syncLinks).where(eq(syncLinks.channelId, channelId)).then((r) => r[0]);
  }

  /** Replaces the person's link for `provider` (its sync state goes with the old one). */
  async create(userId: string, provider: Provider, externalId: string, extra: Partial<SyncLink> = {}): Promise<SyncLink> {
    await this.db.delete(syncLinks).where(and(eq(syncLinks.userId, userId), eq(syncLinks.provider, provider)));
    const [row] = await this.db.insert(syncLinks).values({ userId, provider, externalId, dirtySeq: 1, ...extra }).returning();
    return row!;
  }

  async remove(id: string): Promise<void> {
    await this.db.delete(syncLinks).where(eq(syncLinks.id, id));
  }

  async update(id: string, set: Partial<SyncLink>): Promise<void> {
    await this.db.update(syncLinks).set(set).where(eq(syncLinks.id, id));
  }

  /** Asks for a pass now, even during a failure backoff ("sync now"). */
  async due(id: string): Promise<void> {
    await this.db.update(syncLinks).set({ dirtySeq: sql`${syncLinks.dirtySeq} + 1`, nextPollAt: new Date() }).where(eq(syncLinks.id, id));
  }

  /** Notes that these links have something to sync; returns the links marked. */
  markDirty(where: { userId: string; providers: readonly Provider[] } | { id: string }): Promise<Array<{ id: string }>> {
    const match = 'id' in where ? eq(syncLinks.id, where.id) : and(eq(syncLinks.userId, where.userId), inArray(syncLinks.provider, [...where.providers]));
    return this.db
      .update(syncLinks)
      .set({ dirtySeq: sql`${syncLinks.dirtySeq} + 1` })
      .where(and(match, ne(syncLinks.status, 'paused')))
      .returning({ id: syncLinks.id });
  }

  /** Takes the lease of link `id` if it is free, or else of the next link that is due. */
  async claim(id?: string): Promise<SyncLink | undefined> {
    // A link whose last pass failed waits for its backoff (next_poll_at), whatever is dirty.
    const free = and(or(isNull(syncLinks.leaseUntil), lt(syncLinks.leaseUntil, sql`now()`)), or(eq(syncLinks.failures, 0), lte(syncLinks.nextPollAt, sql`now()`)));
    const lease = { leaseOwner: this.owner, leaseUntil: sql`now() + ${`${this.leaseMs} milliseconds`}::interval` };
    if (id) {
      const [row] = await this.db.update(syncLinks).set(lease).where(and(eq(syncLinks.id, id), ne(syncLinks.status, 'paused'), free)).returning();
      return row;
    }
    const due: SQL = or(
      sql`${syncLinks.dirtySeq} > ${syncLinks.cleanSeq}`,
      lte(syncLinks.nextPollAt, sql`now()`),
      lt(syncLinks.channelExpiresAt, sql`now() + ${`${CHANNEL_RENEW_MS} milliseconds`}::interval`),
    )!;
    const next = this.db
      .select({ id: syncLinks.id })
      .from(syncLinks)
      .where(and(ne(syncLinks.status, 'paused'), free, due))
      .orderBy(asc(syncLinks.nextPollAt))
      .limit(1)
      .for('update', { skipLocked: true });
    const [row] = await this.db.update(syncLinks).set(lease).where(inArray(syncLinks.id, next)).returning();
    return row;
  }

  /** Ends a pass: records the outcome, frees the lease, and clears the dirt the pass started from. */
  async release(link: SyncLink, outcome: { error?: string | null; pollMs: number; conflicts?: number; set?: Partial<SyncLink> }): Promise<SyncLink | undefined> {
    const failed = Boolean(outcome.error);
    const failures = failed ? link.failures + 1 : 0;
    // After a failure wait longer each time (up to an hour), so a broken link does not hammer Google.
    const wait = failed ? Math.min(3_600_000, outcome.pollMs * 2 ** Math.min(failures, 10)) * (0.5 + Math.random() / 2) : outcome.pollMs;
    const [row] = await this.db
      .update(syncLinks)
      .set({
        ...outcome.set,
        leaseOwner: null,
        leaseUntil: null,
        failures,
        // A pause (revoked grant) that happened during the pass stands.
        status: sql`case when ${syncLinks.status} = 'paused' then 'paused' else ${failed ? 'error' : 'active'} end`,
        lastError: outcome.error ?? null,
        ...(failed ? {} : { lastSyncAt: new Date(), cleanSeq: link.dirtySeq }),
        conflicts: sql`${syncLinks.conflicts} + ${outcome.conflicts ?? 0}`,
        nextPollAt: new Date(Date.now() + wait),
      })
      .where(and(eq(syncLinks.id, link.id), eq(syncLinks.leaseOwner, this.owner)))
      .returning();
    return row;
  }

  /** Google access was revoked: pause every link of the person until they sign in again. */
  pauseAll(userId: string, message: string): Promise<SyncLink[]> {
    return this.db
      .update(syncLinks)
      .set({ status: 'paused', lastError: message, leaseOwner: null, leaseUntil: null })
      .where(eq(syncLinks.userId, userId))
      .returning();
  }

  resumeAll(userId: string): Promise<SyncLink[]> {
    return this.db
      .update(syncLinks)
      .set({ status: 'active', lastError: null, failures: 0, dirtySeq: sql`${syncLinks.dirtySeq} + 1`, nextPollAt: new Date() })
      .where(and(eq(syncLinks.userId, userId), eq(syncLinks.status, 'paused')))
      .returning();
  }

  items(linkId: string): Promise<SyncItem[]> {
    return this.db.select().from(syncItems).where(eq(syncItems.linkId, linkId));
  }

  async saveItem(item: { linkId: string; entityType: SyncItem['entityType']; entityId: string; externalId: string | null; syncedVersion: number; fields: Fields }): Promise<void> {
    const set = { externalId: item.externalId, syncedVersion: item.syncedVersion, fields: item.fields, updatedAt: new Date() };
    await this.db.insert(syncItems).values(item).onConflictDoUpdate({ target: [syncItems.linkId, syncItems.entityType, syncItems.entityId], set });
  }

  async dropItem(linkId: string, entityType: SyncItem['entityType'], entityId: string): Promise<void> {
    await this.db.delete(syncItems).where(and(eq(syncItems.linkId, linkId), eq(syncItems.entityType, entityType), eq(syncItems.entityId, entityId)));
  }

  async log(entries: SyncLogEntry[]): Promise<void> {
    if (entries.length) await this.db.insert(syncLog).values(entries);
  }

  async logPage(userId: string, q: { provider?: Provider | undefined; outcome?: SyncLogEntry['outcome'] | undefined; limit: number; before?: number | undefined }) {
    const rows = await this.db
      .select()
      .from(syncLog)
      .where(
        and(
          eq(syncLog.userId, userId),
          q.provider ? eq(syncLog.provider, q.provider) : undefined,
          q.outcome ? eq(syncLog.outcome, q.outcome) : undefined,
          q.before ? lt(syncLog.id, q.before) : undefined,
        ),
      )
      .orderBy(desc(syncLog.id))
      .limit(q.limit + 1);
    const items = rows.slice(0, q.limit).map((r) => ({ ...r, at: r.at.toISOString() }));
    return { items, nextCursor: rows.length > q.limit ? String(items.at(-1)!.id) : null };
  }
}

/** A link as the person sees it (API and `sync_status` events). */
export function linkStatus(link: SyncLink): SyncStatus {
  return {
    provider: link.provider,
    state: link.status === 'active' ? 'ok' : link.status,
    lastSyncAt: link.lastSyncAt?.toISOString() ?? null,
    error: link.lastError,
    conflicts: link.conflicts,
  };
}
