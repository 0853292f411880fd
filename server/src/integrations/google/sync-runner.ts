import type { LiveEvent, SyncStatusUpdate } from '@sayso/protocol';
import type { EventBus } from '../../bus/port.js';
import { consume, type Stoppable } from '../../bus/consumer.js';
import { LIVE_STREAM, type Changes, type LiveEnvelope } from '../../domain/changes.js';
import { AppError } from '../../domain/errors.js';
import type { Users } from '../../domain/users.js';
import type { Logger } from '../../log.js';
import type { GoogleAccounts } from './accounts.js';
import { isInvalidGrant, reasonOf, statusOf } from './backoff.js';
import type { CalendarSync } from './calendar-sync.js';
import { linkStatus, type Provider, type SyncLink, type SyncLinks } from './links.js';
import type { SheetsSync } from './sheets-sync.js';

export const REVOKED_MESSAGE = 'Google access was revoked or has expired. Sign in with Google again to resume sync.';

/** The bus consumer group every gateway shares: each committed change marks links dirty once. */
export const SYNC_GROUP = 'google-sync';

export interface SyncRunnerDeps {
  bus: EventBus;
  links: SyncLinks;
  accounts: GoogleAccounts;
  sheets: SheetsSync;
  calendar: CalendarSync;
  users: Users;
  changes: Changes;
  log: Logger;
  /** Reconciliation interval per link. */
  pollMs: number;
  /** Unique per process (consumer name and lease owner). */
  consumer: string;
}

/**
 * Runs sync passes. Sayso -> Google: a bus consumer (group `google-sync`, so each change is seen
 * by one gateway) marks the person's links dirty and kicks a pass; changes close together go in
 * one pass (batched per person). Google -> Sayso: the same passes, kicked by watch notifications
 * and the Apps Script webhook, and run for every link at least every `pollMs`. A pass runs only
 * under the link's lease, so gateways sharing a database never sync one link twice at once.
 */
export class SyncRunner {
  private consumer: Stoppable | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = false;
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: SyncRunnerDeps) {}

  start(): void {
    this.consumer = consume<LiveEnvelope>({
      bus: this.deps.bus,
      stream: LIVE_STREAM,
      group: SYNC_GROUP,
      consumer: this.deps.consumer,
      handle: ({ data }) => this.onChange(data),
      onError: (err, context) => this.deps.log.warn({ err: String(err) }, context),
    });
    this.ticker = setInterval(() => void this.runDue(), Math.min(1_000, this.deps.pollMs));
    this.ticker.unref();
  }

  /** Runs a pass of link `id` soon; changes arriving meanwhile join it (or the one right after). */
  kick(id: string, delayMs = 50): void {
    if (this.stopped) return;
    if (this.running.has(id)) {
      this.again.add(id);
      return;
    }
    if (this.pending.has(id)) return;
    this.pending.set(
      id,
      setTimeout(() => {
        this.pending.delete(id);
        void this.deps.links.claim(id).then((link) => link && this.run(link), (err: unknown) => this.deps.log.warn({ err: String(err), linkId: id }, 'google sync: claim failed'));
      }, delayMs),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.ticker);
    for (const t of this.pending.values()) clearTimeout(t);
    await this.consumer?.stop();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Publishes a link's state to the person's live clients (transient `sync_status`). */
  async publishStatus(link: SyncLink, counts = { pushed: 0, pulled: 0 }): Promise<void> {
    const event: SyncStatusUpdate = {
      v: 1,
      id: await this.deps.users.lastEventId(link.userId),
      type: 'sync_status',
      at: new Date().toISOString(),
      source: link.provider,
      data: { ...linkStatus(link), ...counts },
    };
    await this.deps.changes.publish(link.userId, [event as LiveEvent]);
  }

  private async onChange({ userId, event }: LiveEnvelope): Promise<void> {
    let providers: Provider[];
    if (event.type === 'task_update') providers = ['sheets', 'calendar'];
    else if (event.type === 'habit_update') providers = ['sheets'];
    else return;
    // A change a provider made is not sent back to it (no echo loops).
    providers = providers.filter((p) => p !== event.source);
    if (!providers.length) return;
    for (const { id } of await this.deps.links.markDirty({ userId, providers })) this.kick(id);
  }

  private async runDue(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      for (let link = await this.deps.links.claim(); link && !this.stopped; link = await this.deps.links.claim()) await this.run(link);
    } catch (err) {
      this.deps.log.warn({ err: String(err) }, 'google sync: finding due links failed; will retry');
    } finally {
      this.ticking = false;
    }
  }

  private run(link: SyncLink): Promise<void> {
    const done = this.pass(link).finally(() => {
      this.running.delete(link.id);
      if (this.again.delete(link.id)) this.kick(link.id);
    });
    this.running.set(link.id, done);
    return done;
  }

  private async pass(link: SyncLink): Promise<void> {
    const { links, log } = this.deps;
    const at = { userId: link.userId, linkId: link.id, provider: link.provider };
    try {
      const auth = await this.deps.accounts.client(link.userId);
      const result = link.provider === 'sheets' ? await this.deps.sheets.pass(link, auth) : await this.deps.calendar.pass(link, auth);
      const after = await links.release(link, { pollMs: this.deps.pollMs, conflicts: result.conflicts, set: result.set });
      if (result.again) for (const { id } of await links.markDirty({ id: link.id })) this.kick(id, 200);
      if (after && (result.pushed || result.pulled || result.conflicts || link.status !== 'active')) {
        log.info({ ...at, pushed: result.pushed, pulled: result.pulled, conflicts: result.conflicts }, 'google sync pass');
        await this.publishStatus(after, { pushed: result.pushed, pulled: result.pulled });
      }
    } catch (err) {
      if (isInvalidGrant(err) || (err instanceof AppError && err.code === 'forbidden')) {
        log.warn(at, 'google sync paused: access revoked');
        await this.deps.accounts.markRevoked(link.userId);
        const paused = await links.pauseAll(link.userId, REVOKED_MESSAGE);
        await links.log(paused.map((l) => ({ userId: l.userId, provider: l.provider, direction: 'pull' as const, entityType: 'link', outcome: 'error' as const, error: REVOKED_MESSAGE })));
        for (const l of paused) await this.publishStatus(l);
        return;
      }
      const message = describe(err, link.provider);
      log.warn({ ...at, status: statusOf(err), reason: reasonOf(err), err: err instanceof Error ? err.message : String(err) }, 'google sync pass failed; will retry');
      const after = await links.release(link, { error: message, pollMs: this.deps.pollMs }).catch(() => undefined);
      await links.log([{ userId: link.userId, provider: link.provider, direction: 'push', entityType: 'link', outcome: 'error', error: message }]).catch(() => undefined);
      if (after) await this.publishStatus(after).catch(() => undefined);
    }
  }
}

/** A failed pass, in words the person can act on (no sheet or event contents). */
function describe(err: unknown, provider: Provider): string {
  const status = statusOf(err);
  const what = provider === 'sheets' ? 'the linked spreadsheet' : 'the linked calendar';
  if (status === 429 || reasonOf(err)?.includes('RateLimit')) return `Google is rate-limiting sync right now (HTTP ${status}); Sayso retries with backoff, nothing to do.`;
  if (status === 404) return `Google says ${what} does not exist any more. Link another one.`;
  if (status === 403) return `Google refused access to ${what} (${reasonOf(err) ?? 'forbidden'}). Check it is shared with your Google account, or link another one.`;
  if (status !== undefined && status >= 500) return `Google had an error (HTTP ${status}); Sayso retries with backoff.`;
  if (status === undefined) return 'Google could not be reached; Sayso retries with backoff.';
  return `Sync with ${what} failed (HTTP ${status}${reasonOf(err) ? `, ${reasonOf(err)}` : ''}); Sayso retries with backoff.`;
}
