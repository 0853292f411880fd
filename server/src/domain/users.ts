import { eq } from 'drizzle-orm';
import type { User } from '@sayso/protocol';
import type { Db } from '../store/open-store.js';
import { users } from '../store/schema.js';
import { AppError } from './errors.js';
import { toUser } from './mappers.js';

/** People. Sign-in (local now, Google later) finds or creates one by a stable subject. */
export class Users {
  private readonly zones = new Map<string, string>();

  constructor(private readonly db: Db) {}

  async findOrCreate(subject: string, name: string, email: string | null = null): Promise<User> {
    await this.db.insert(users).values({ subject, name, email }).onConflictDoNothing({ target: users.subject });
    const [row] = await this.db.select().from(users).where(eq(users.subject, subject));
    return toUser(row!);
  }

  async get(id: string): Promise<User> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id));
    if (!row) throw new AppError('unauthorized', 'This account no longer exists. Sign in again.');
    return toUser(row);
  }

  /** Last event id handed out for this person: where a fresh live subscription starts. */
  async lastEventId(id: string): Promise<number> {
    const [row] = await this.db.select({ seq: users.eventSeq }).from(users).where(eq(users.id, id));
    if (!row) throw new AppError('unauthorized', 'This account no longer exists. Sign in again.');
    return row.seq;
  }

  async update(id: string, patch: { name?: string | undefined; timeZone?: string | undefined }): Promise<User> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (Object.keys(set).length > 0) await this.db.update(users).set(set).where(eq(users.id, id));
    this.zones.delete(id);
    return this.get(id);
  }

  async timeZone(id: string): Promise<string> {
    const cached = this.zones.get(id);
    if (cached) return cached;
    const zone = (await this.get(id)).timeZone;
    this.zones.set(id, zone);
    return zone;
  }
}
