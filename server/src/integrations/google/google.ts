import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EventBus } from '../../bus/port.js';
import { isUniqueViolation, type Changes } from '../../domain/changes.js';
import { AppError } from '../../domain/errors.js';
import type { HabitService } from '../../domain/habits.js';
import type { TaskService } from '../../domain/tasks.js';
import type { Users } from '../../domain/users.js';
import type { Logger } from '../../log.js';
import type { Db } from '../../store/open-store.js';
import { GoogleAccounts } from './accounts.js';
import { statusOf, type BackoffOptions } from './backoff.js';
import { CalendarSync } from './calendar-sync.js';
import { googleEndpoints } from './endpoints.js';
import { linkStatus, SyncLinks, type Provider, type SyncLink } from './links.js';
import { GoogleOAuth } from './oauth.js';
import { SaysoSide } from './sayso-side.js';
import { SheetsSync } from './sheets-sync.js';
import { SyncRunner } from './sync-runner.js';
import { TokenVault } from './token-vault.js';


/** A flow's cookie lives as long as its state (10 minutes). */
const STATE_COOKIE_SECONDS = 600;
/** One cookie per flow, so two started in one browser (two tabs) both finish. */
const cookieName = (state: string) => `sayso_google_${state.slice(0, 16)}`;

export interface GoogleConfig {
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
  tokenKey: string | undefined;
  webhookUrl: string | undefined;
  pollSeconds: number;
  baseUrl: string | undefined;
}

export interface GoogleDeps {
  config: GoogleConfig;
  db: Db;
  bus: EventBus;
  users: Users;
  changes: Changes;
  tasks: TaskService;
  habits: HabitService;
  log: Logger;
  /** Unique per process: bus consumer name and lease owner. */
  consumer: string;
  /** Origins a sign-in may return to (SAYSO_CORS_ORIGINS); the redirect URL's origin always may. */
  allowedOrigins: readonly string[];
  backoff?: BackoffOptions;
}

/** A webhook call older than this is refused (replays of a captured call only cost a pull anyway). */
const WEBHOOK_WINDOW_MS = 5 * 60_000;

/**
 * Google sign-in and sync for the HTTP routes: OAuth, the linked sheet and calendar, status and
 * the sync log, and the two webhooks (Calendar watch channels, the sheet's Apps Script).
 */
export class GoogleIntegration {
  private constructor(
    private readonly deps: GoogleDeps,
    readonly oauth: GoogleOAuth,
    readonly accounts: GoogleAccounts,
    readonly links: SyncLinks,
    readonly vault: TokenVault,
    readonly sheets: SheetsSync,
    readonly calendar: CalendarSync,
    readonly runner: SyncRunner,
  ) {}

  static async start(deps: GoogleDeps): Promise<GoogleIntegration> {
    const { config, db } = deps;
    const endpoints = googleEndpoints(config.baseUrl);
    const vault = await TokenVault.open(db, config.tokenKey);
    const oauth = new GoogleOAuth(db, config, endpoints);
    const accounts = new GoogleAccounts(db, vault, oauth);
    const links = new SyncLinks(db, deps.consumer);
    const side = new SaysoSide(db, deps.tasks, deps.habits);
    const backoff = deps.backoff ?? {};
    const sheets = new SheetsSync({ side, links, endpoints, backoff });
    const calendar = new CalendarSync({ side, links, users: deps.users, endpoints, backoff, webhookUrl: config.webhookUrl });
    const runner = new SyncRunner({ bus: deps.bus, links, accounts, sheets, calendar, users: deps.users, changes: deps.changes, log: deps.log, pollMs: config.pollSeconds * 1000, consumer: deps.consumer });
    runner.start();
    return new GoogleIntegration(deps, oauth, accounts, links, vault, sheets, calendar, runner);
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** Starts a flow (see GoogleOAuth.begin); with `userId`, Google is connected to that signed-in person. */
  begin(opts: { userId?: string; returnTo?: string }): Promise<string> {
    if (opts.returnTo !== undefined) this.checkReturnTo(opts.returnTo);
    return this.oauth.begin(opts);
  }

  /**
   * Sends the browser opening it to Google's consent page, with a cookie tying the flow to that
   * browser: `Set-Cookie` and `Location` values.
   */
  async bind(state: string): Promise<{ location: string; cookie: string }> {
    const { url, browserKey } = await this.oauth.bind(state);
    return { location: url, cookie: this.flowCookie(state, browserKey, STATE_COOKIE_SECONDS) };
  }

  /** The link a signed-in person opens to connect Google (it sets the browser's cookie, then goes on to Google). */
  startUrl(state: string): string {
    const url = new URL('start', this.deps.config.redirectUrl);
    url.searchParams.set('state', state);
    return url.toString();
  }

  /** The browser's key for a flow, from its Cookie header, and the header that clears it. */
  browserKey(state: string, cookieHeader: string | undefined): { key: string | undefined; clear: string } {
    const name = cookieName(state);
    const key = cookieHeader?.split(';').map((c) => c.trim().split('=')).find(([n]) => n === name)?.[1];
    return { key, clear: this.flowCookie(state, '', 0) };
  }

  private flowCookie(state: string, value: string, maxAge: number): string {
    const callback = new URL(this.deps.config.redirectUrl);
    // Lax: sent on the top-level navigation back from Google, not on other sites' requests.
    const attrs = [`Path=${new URL('.', callback).pathname}`, `Max-Age=${maxAge}`, 'HttpOnly', 'SameSite=Lax'];
    if (callback.protocol === 'https:') attrs.push('Secure');
    return [`${cookieName(state)}=${value}`, ...attrs].join('; ');
  }

  /** Finishes the flow: finds or makes the person, stores the grant, resumes paused sync. */
  async finish(code: string, state: string, browserKey: string | undefined): Promise<{ userId: string; returnTo: string | null; email: string | null }> {
    const done = await this.oauth.finish(code, state, browserKey);
    const { profile } = done;
    let userId = done.userId ?? (await this.accounts.userBySub(profile.sub));
    if (!userId) {
      const subject = `google:${profile.sub}`;
      // The email may already belong to another Sayso person: then it is left off this one.
      userId = (await this.deps.users.findOrCreate(subject, profile.name, profile.email).catch((err: unknown) => {
        if (isUniqueViolation(err)) return this.deps.users.findOrCreate(subject, profile.name);
        throw err;
      })).id;
    }
    await this.accounts.save(userId, profile, done.tokens);
    for (const link of await this.links.resumeAll(userId)) {
      await this.runner.publishStatus(link);
      this.runner.kick(link.id);
    }
    this.deps.log.info({ userId, linked: Boolean(done.userId) }, 'google account connected');
    return { userId, returnTo: done.returnTo, email: profile.email };
  }

  async status(userId: string) {
    const account = await this.accounts.get(userId);
    const links = await this.links.forUser(userId);
    const view = (p: Provider) => {
      const link = links.find((l) => l.provider === p);
      return link ? { ...linkStatus(link), id: link.id, externalId: link.externalId, linkedAt: link.createdAt.toISOString() } : null;
    };
    return {
      configured: true,
      account: account ? { email: account.email, state: account.status, scopes: account.scopes.split(' ').filter(Boolean) } : null,
      sheets: view('sheets'),
      calendar: view('calendar'),
    };
  }

  /** Links a spreadsheet (a new "Sayso" one when no id is given); returns the Apps Script webhook settings. */
  async linkSheet(userId: string, spreadsheetId: string | undefined) {
    const auth = await this.accounts.client(userId);
    const id = await this.sheets.prepare(auth, spreadsheetId).catch((err: unknown) => {
      throw googleRefusal(err, 'spreadsheet', 'Check the id (the long part of the sheet URL between /d/ and /edit) and that your Google account can open it.');
    });
    const secret = randomBytes(32).toString('base64url');
    const link = await this.links.create(userId, 'sheets', id);
    // Sealed with the link's id, so only once the row exists; nothing returned below depends on it.
    await this.links.update(link.id, { webhookSecret: this.vault.encrypt(secret, link.id) });
    this.runner.kick(link.id);
    return {
      ...linkStatus(link),
      id: link.id,
      spreadsheetId: id,
      webhook: { url: `${this.publicBase()}/v1/google/sheets/notify/${link.id}`, secret },
    };
  }

  async linkCalendar(userId: string, calendarId: string) {
    const auth = await this.accounts.client(userId);
    await this.calendar.prepare(auth, calendarId).catch((err: unknown) => {
      throw googleRefusal(err, 'calendar', 'Use `primary`, or a calendar id from Google Calendar settings ("Integrate calendar").');
    });
    await this.stopChannel(await this.links.get(userId, 'calendar'));
    const link = await this.links.create(userId, 'calendar', calendarId);
    this.runner.kick(link.id);
    return { ...linkStatus(link), id: link.id, calendarId };
  }

  async unlink(userId: string, provider: Provider): Promise<void> {
    const link = await this.links.get(userId, provider);
    if (!link) throw new AppError('not_found', `No ${provider === 'sheets' ? 'spreadsheet' : 'calendar'} is linked. Nothing to unlink.`);
    if (provider === 'calendar') await this.stopChannel(link);
    await this.links.remove(link.id);
  }

  /** Stops sync, revokes the grant at Google and forgets it. Sayso's data stays. */
  async disconnect(userId: string): Promise<void> {
    const links = await this.links.forUser(userId);
    await this.stopChannel(links.find((l) => l.provider === 'calendar'));
    for (const link of links) await this.links.remove(link.id);
    await this.accounts.remove(userId);
  }

  async syncNow(userId: string): Promise<void> {
    for (const link of await this.links.forUser(userId)) {
      if (link.status === 'paused') throw new AppError('forbidden', link.lastError ?? 'Sync is paused. Sign in with Google again to resume it.');
      await this.links.due(link.id);
      this.runner.kick(link.id);
    }
  }

  /** A watch-channel notification: checks the channel token, then pulls the calendar's changes. */
  async calendarNotification(channelId: string, token: string, state: string): Promise<void> {
    const link = channelId ? await this.links.byChannel(channelId) : undefined;
    if (!link) throw new AppError('not_found', 'Unknown or replaced notification channel.');
    if (!link.channelToken || !sameSecret(token, link.channelToken)) throw new AppError('forbidden', 'The channel token does not match.');
    if (state === 'sync') return; // the channel's first message: nothing changed yet
    await this.links.markDirty({ id: link.id });
    this.runner.kick(link.id);
  }

  /** The Apps Script's onEdit call: HMAC-SHA256 of `<linkId>.<timestamp>` with the link's secret. */
  async sheetsNotification(linkId: string, timestamp: string, signature: string): Promise<void> {
    const link = await this.links.byId(linkId);
    if (!link?.webhookSecret || link.provider !== 'sheets') throw new AppError('not_found', 'No linked spreadsheet has this webhook. Copy the webhook URL and secret again from PUT /v1/google/sheets.');
    const ms = Number(timestamp) < 1e12 ? Number(timestamp) * 1000 : Number(timestamp);
    if (!Number.isFinite(ms) || Math.abs(Date.now() - ms) > WEBHOOK_WINDOW_MS) {
      throw new AppError('unauthorized', 'X-Sayso-Timestamp is missing or more than 5 minutes off. Check the clock of the caller.');
    }
    const expected = createHmac('sha256', this.vault.decrypt(link.webhookSecret, link.id)).update(`${link.id}.${timestamp}`).digest('hex');
    if (!sameSecret(signature.toLowerCase(), expected)) throw new AppError('unauthorized', 'X-Sayso-Signature does not match. Set SAYSO_SECRET in the script properties to the secret Sayso gave when the sheet was linked.');
    await this.links.markDirty({ id: link.id });
    this.runner.kick(link.id);
  }

  /** Stops the watch channel of the person's calendar link, if it has one. */
  private async stopChannel(link: SyncLink | undefined): Promise<void> {
    if (!link?.channelId || !link.channelResourceId) return;
    const auth = await this.accounts.client(link.userId).catch(() => undefined);
    if (auth) await this.calendar.stopChannel(auth, link.channelId, link.channelResourceId);
  }

  private publicBase(): string {
    return this.deps.config.webhookUrl ?? new URL(this.deps.config.redirectUrl).origin;
  }

  private checkReturnTo(returnTo: string): void {
    let origin: string;
    try {
      origin = new URL(returnTo).origin;
    } catch {
      throw new AppError('validation_failed', '`returnTo` must be an absolute URL, e.g. https://app.example.com/signed-in.');
    }
    const allowed = new Set([...this.deps.allowedOrigins, new URL(this.deps.config.redirectUrl).origin]);
    if (!allowed.has(origin)) {
      throw new AppError('validation_failed', `Sign-in may only return to this gateway or an origin in SAYSO_CORS_ORIGINS; ${origin} is neither. Add it there.`);
    }
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A Google refusal while linking, as an error that says what to check. */
function googleRefusal(err: unknown, what: string, hint: string): unknown {
  const status = statusOf(err);
  if (status === 404) return new AppError('not_found', `Google has no ${what} with that id for your account. ${hint}`);
  if (status === 403) return new AppError('forbidden', `Google refused access to that ${what}. ${hint}`);
  return err;
}
