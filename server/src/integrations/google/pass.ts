import type { WriteContext } from '../../domain/changes.js';
import { AppError } from '../../domain/errors.js';
import type { SyncLink, SyncLinks, SyncLogEntry } from './links.js';
import type { Decision, FieldConflict, Fields } from './merge.js';
import type { EntityType, LocalItem, Rejected, SaysoSide } from './sayso-side.js';

export interface PassResult {
  pushed: number;
  pulled: number;
  conflicts: number;
  /** Link columns to store with the outcome (sync token, file version, channel). */
  set: Partial<SyncLink>;
  /** Something could not be applied this time (a concurrent write won the version check): run again soon. */
  again: boolean;
}

/**
 * One sync pass over one link: applies Google's side to Sayso through SaysoSide (source = the
 * provider, so live clients get the usual events and the change is not echoed back), counts
 * what moved, and keeps the sync log. Item ids and outcomes only in logs; values only in the
 * person's own sync_log (conflicts and refusals), never in the gateway's log.
 */
export class Pass {
  pushed = 0;
  pulled = 0;
  conflicts = 0;
  again = false;
  readonly entries: SyncLogEntry[] = [];
  readonly ctx: WriteContext;

  constructor(
    readonly link: SyncLink,
    readonly side: SaysoSide,
    readonly links: SyncLinks,
  ) {
    this.ctx = { userId: link.userId, source: link.provider };
  }

  /** Carries out a pull decision on Sayso's side; returns the item as it now is (undefined when deferred). */
  async pull(type: EntityType, d: Extract<Decision, { kind: 'pull' | 'pull-create' | 'pull-delete' }>, local: LocalItem | undefined, externalId: string | null): Promise<LocalItem | undefined> {
    try {
      if (d.kind === 'pull-create') {
        const { item, rejected } = await this.side.create(this.ctx, type, d.fields);
        this.note(type, item.id, externalId, 'pull', rejected);
        this.pulled += 1;
        return item;
      }
      if (d.kind === 'pull-delete') {
        await this.side.remove(this.ctx, type, local!.id, local!.version);
        this.note(type, local!.id, externalId, 'pull', []);
        this.pulled += 1;
        return undefined;
      }
      if (d.conflicts.length) this.conflict(type, local!.id, externalId, d.conflicts);
      if (Object.keys(d.patch).length === 0) return local;
      const { item, rejected } = await this.side.update(this.ctx, type, local!.id, local!.version, d.patch);
      this.note(type, item.id, externalId, 'pull', rejected);
      this.pulled += 1;
      return item;
    } catch (err) {
      if (err instanceof AppError && err.code === 'version_conflict') {
        // Sayso changed the item after this pass read it: leave it for the next pass, which merges both.
        this.again = true;
        return undefined;
      }
      if (err instanceof AppError) {
        this.entries.push(this.entry(type, local?.id ?? null, externalId, 'pull', 'error', err.message, err.details ?? null));
        return undefined;
      }
      throw err;
    }
  }

  pushedOne(type: EntityType, entityId: string, externalId: string | null): void {
    this.pushed += 1;
    this.entries.push(this.entry(type, entityId, externalId, 'push', 'ok'));
  }

  conflict(type: EntityType, entityId: string | null, externalId: string | null, fields: FieldConflict[], note?: string): void {
    this.conflicts += 1;
    this.entries.push(this.entry(type, entityId, externalId, 'pull', 'conflict', note ?? `${fields.map((f) => f.field).join(', ')} changed on both sides: Sayso's values were kept`, { fields, ...(note ? { note } : {}) }));
  }

  error(type: EntityType, entityId: string | null, externalId: string | null, direction: 'push' | 'pull', message: string): void {
    this.entries.push(this.entry(type, entityId, externalId, direction, 'error', message));
  }

  skipped(type: EntityType, externalId: string, message: string): void {
    this.entries.push(this.entry(type, null, externalId, 'pull', 'skipped', message));
  }

  saveBase(type: EntityType, item: LocalItem, externalId: string | null, fields: Fields): Promise<void> {
    return this.links.saveItem({ linkId: this.link.id, entityType: type, entityId: item.id, externalId, syncedVersion: item.version, fields });
  }

  async finish(set: Partial<SyncLink>): Promise<PassResult> {
    await this.links.log(this.entries);
    return { pushed: this.pushed, pulled: this.pulled, conflicts: this.conflicts, set, again: this.again };
  }

  private note(type: EntityType, entityId: string, externalId: string | null, direction: 'pull', rejected: Rejected[]): void {
    if (rejected.length) {
      this.entries.push(this.entry(type, entityId, externalId, direction, 'error', `Not applied: ${rejected.map((r) => `${r.field} (${r.message})`).join('; ')}. Fix the value in Google; Sayso kept its own.`, { rejected }));
    } else {
      this.entries.push(this.entry(type, entityId, externalId, direction, 'ok'));
    }
  }

  private entry(type: EntityType, entityId: string | null, externalId: string | null, direction: 'push' | 'pull', outcome: SyncLogEntry['outcome'], error: string | null = null, details: unknown = null): SyncLogEntry {
    return { userId: this.link.userId, provider: this.link.provider, direction, entityType: type, entityId, externalId, outcome, error, details };
  }
}
