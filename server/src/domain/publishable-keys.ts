import { randomBytes } from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../store/open-store.js';
import { publishableKeys } from '../store/schema.js';
import { AppError } from './errors.js';

export interface PublishableKey {
  id: string;
  key: string;
  label: string;
  origins: string[];
  createdAt: string;
}

/** How long the list of allowed origins is trusted before it is read again (CORS). */
const ORIGINS_TTL_MS = 10_000;

/**
 * Publishable keys let `<sayso-widget>` act for a person on the sites they list. A key is public
 * (it sits in page source); what guards it is the browser's Origin header, which page scripts
 * cannot forge, and the short life of the sessions it buys.
 */
export class PublishableKeys {
  private origins: { set: Set<string>; at: number } | undefined;

  constructor(private readonly db: Db) {}

  async create(userId: string, input: { origins: string[]; label?: string | undefined }): Promise<PublishableKey> {
    const key = `pk_${randomBytes(18).toString('base64url')}`;
    const [row] = await this.db
      .insert(publishableKeys)
      .values({ userId, key, label: input.label ?? '', origins: [...new Set(input.origins.map(normalizeOrigin))] })
      .returning();
    this.origins = undefined;
    return toKey(row!);
  }

  async list(userId: string): Promise<PublishableKey[]> {
    const rows = await this.db
      .select()
      .from(publishableKeys)
      .where(and(eq(publishableKeys.userId, userId), isNull(publishableKeys.revokedAt)))
      .orderBy(desc(publishableKeys.createdAt));
    return rows.map(toKey);
  }

  async revoke(userId: string, id: string): Promise<void> {
    const done = await this.db
      .update(publishableKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(publishableKeys.id, id), eq(publishableKeys.userId, userId), isNull(publishableKeys.revokedAt)))
      .returning({ id: publishableKeys.id });
    if (done.length === 0) throw new AppError('not_found', 'No such publishable key. List yours with GET /v1/keys.');
    this.origins = undefined;
  }

  /** The person a key acts for, when `origin` may use it; otherwise an error that says why. */
  async exchange(key: string, origin: string | undefined): Promise<string> {
    if (!origin || origin === 'null') {
      throw new AppError('forbidden', 'A publishable key works only from a web page (the request had no Origin). Servers and scripts sign in with a session token instead.');
    }
    const [row] = await this.db
      .select()
      .from(publishableKeys)
      .where(and(eq(publishableKeys.key, key), isNull(publishableKeys.revokedAt)));
    if (!row) throw new AppError('unauthorized', 'This Sayso key is not valid (mistyped or revoked). Ask the site owner for a current key.');
    if (!row.origins.includes(normalizeOrigin(origin))) {
      throw new AppError(
        'forbidden',
        `This site (${origin}) is not allowed to use this Sayso key. The key's owner can add the site to the key's origins.`,
      );
    }
    return row.userId;
  }

  /** Whether any active key lists `origin` (for CORS). Cached for a few seconds. */
  async allows(origin: string): Promise<boolean> {
    if (!this.origins || Date.now() - this.origins.at > ORIGINS_TTL_MS) {
      const rows = await this.db.select({ origins: publishableKeys.origins }).from(publishableKeys).where(isNull(publishableKeys.revokedAt));
      this.origins = { set: new Set(rows.flatMap((r) => r.origins)), at: Date.now() };
    }
    return this.origins.set.has(origin);
  }
}

/** `https://Example.com:443/` -> `https://example.com`. Throws on anything but an http(s) origin. */
export function normalizeOrigin(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('validation_failed', `"${raw.slice(0, 100)}" is not an origin. Write it like https://example.com (scheme, host and port only).`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname.length > 1 || url.search || url.hash || url.username) {
    throw new AppError('validation_failed', `"${raw.slice(0, 100)}" is not an origin. Write it like https://example.com (scheme, host and port only).`);
  }
  return url.origin;
}

function toKey(row: typeof publishableKeys.$inferSelect): PublishableKey {
  return { id: row.id, key: row.key, label: row.label, origins: row.origins, createdAt: row.createdAt.toISOString() };
}
