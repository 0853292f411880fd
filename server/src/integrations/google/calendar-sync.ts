import { randomBytes, randomUUID } from 'node:crypto';
import { calendar as calendarApi, type calendar_v3 } from '@googleapis/calendar';
import type { OAuth2Client } from 'google-auth-library';
import { CALENDAR_LIST } from '../../pipeline/act.js';
import type { Users } from '../../domain/users.js';
import { statusOf, withBackoff, type BackoffOptions } from './backoff.js';
import { eventBody, eventFields, CALENDAR_FIELDS } from './calendar-events.js';
import type { GoogleEndpoints } from './endpoints.js';
import { CHANNEL_RENEW_MS, type SyncLink, type SyncLinks } from './links.js';
import { decide, pick, type Fields } from './merge.js';
import { Pass, type PassResult } from './pass.js';
import type { LocalItem, SaysoSide } from './sayso-side.js';

export interface CalendarSyncDeps {
  side: SaysoSide;
  links: SyncLinks;
  users: Users;
  endpoints: GoogleEndpoints;
  backoff: BackoffOptions;
  /** Public base URL for watch notifications; without it, changes are found by polling only. */
  webhookUrl: string | undefined;
}

/** How long a watch channel is asked to live (Google caps it; the answer's expiration is what counts). */
const CHANNEL_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Two-way sync of tasks with a Google calendar. Tasks with a due date and time, and everything on
 * the `calendar` list (voice-created events), become events; an event made in Google becomes a
 * task on the `calendar` list. Google's changes come from an incremental list (syncToken; a 410
 * means the token expired and a full list is taken instead), triggered by watch-channel
 * notifications and by the periodic reconciliation, since notifications are not guaranteed.
 */
export class CalendarSync {
  constructor(private readonly deps: CalendarSyncDeps) {}

  private api(auth: OAuth2Client): calendar_v3.Calendar {
    return calendarApi({ version: 'v3', auth, rootUrl: this.deps.endpoints.apisRoot, retry: false });
  }

  private call<T>(f: () => Promise<T>): Promise<T> {
    return withBackoff(f, this.deps.backoff);
  }

  /** Checks the person can read the calendar (linking fails early with a clear message otherwise). */
  async prepare(auth: OAuth2Client, calendarId: string): Promise<void> {
    await this.call(() => this.api(auth).events.list({ calendarId, maxResults: 1 }));
  }

  async pass(link: SyncLink, auth: OAuth2Client): Promise<PassResult> {
    const api = this.api(auth);
    const calendarId = link.externalId;
    const pass = new Pass(link, this.deps.side, this.deps.links);
    const zone = await this.deps.users.timeZone(link.userId);
    const changes = await this.listChanges(api, calendarId, link.syncToken);

    const bases = await this.deps.links.items(link.id);
    const baseByEvent = new Map(bases.filter((b) => b.externalId).map((b) => [b.externalId!, b]));
    const locals = new Map((await this.deps.side.list(link.userId, link.id, 'task')).map((l) => [l.id, l]));
    const remote = new Map<string, { fields: Fields } | 'deleted'>();
    const fresh: calendar_v3.Schema$Event[] = [];
    for (const event of changes.events) {
      if (!event.id) continue;
      if (event.status === 'cancelled') {
        remote.set(event.id, 'deleted');
      } else if (event.recurrence?.length || event.recurringEventId) {
        if (!baseByEvent.has(event.id)) pass.skipped('task', event.id, 'Repeating events are not synced to Sayso yet.');
      } else if (baseByEvent.has(event.id)) {
        remote.set(event.id, { fields: eventFields(event, zone) });
      } else {
        fresh.push(event);
      }
    }

    for (const base of bases) {
      const local = locals.get(base.entityId);
      // Unchanged events are not in an incremental list; after a full list, a missing event was deleted.
      const r = base.externalId ? remote.get(base.externalId) ?? (changes.full ? 'deleted' : { fields: base.fields }) : 'deleted';
      const mirrored = local && !local.deleted && local.fields['dueDate'] ? { fields: pick(local.fields, CALENDAR_FIELDS) } : 'deleted';
      const d = decide(base.fields, mirrored, r, CALENDAR_FIELDS);
      await this.carryOut(api, pass, d, local, base.externalId, r, zone, calendarId);
    }
    for (const event of fresh) {
      const own = event.extendedProperties?.private?.['saysoTaskId'];
      const local = own ? locals.get(own) : undefined;
      // An event Sayso made whose record is gone (a full resync after relinking): adopt it.
      const d = decide(undefined, local && !local.deleted ? { fields: pick(local.fields, CALENDAR_FIELDS) } : undefined, { fields: eventFields(event, zone) }, CALENDAR_FIELDS);
      await this.carryOut(api, pass, d, local, event.id!, { fields: eventFields(event, zone) }, zone, calendarId);
    }
    const mirroredIds = new Set(bases.map((b) => b.entityId));
    for (const event of fresh) {
      const own = event.extendedProperties?.private?.['saysoTaskId'];
      if (own) mirroredIds.add(own);
    }
    for (const local of locals.values()) {
      if (local.deleted || mirroredIds.has(local.id) || !eligible(local)) continue;
      await this.carryOut(api, pass, { kind: 'push', fields: pick(local.fields, CALENDAR_FIELDS), conflicts: [] }, local, null, undefined, zone, calendarId);
    }
    const channel = await this.renewChannel(api, link, pass);
    return pass.finish({ syncToken: changes.nextSyncToken, ...channel });
  }

  /** Does what `decide` said for one task and its event, and records the new agreed state. */
  private async carryOut(
    api: calendar_v3.Calendar, pass: Pass, d: ReturnType<typeof decide>, local: LocalItem | undefined,
    eventId: string | null, remote: { fields: Fields } | 'deleted' | undefined, zone: string, calendarId: string,
  ): Promise<void> {
    const save = (item: LocalItem, id: string | null) => pass.saveBase('task', item, id, pick(item.fields, CALENDAR_FIELDS));
    switch (d.kind) {
      case 'none':
        if (local && !local.deleted) await save(local, eventId);
        return;
      case 'push': {
        if (d.conflicts.length || d.note) pass.conflict('task', local!.id, eventId, d.conflicts, d.note);
        const id = await this.write(api, calendarId, local!, remote !== undefined && remote !== 'deleted' ? eventId : null, zone);
        pass.pushedOne('task', local!.id, id);
        await save(local!, id);
        return;
      }
      case 'push-delete':
        if (d.conflicts.length || d.note) pass.conflict('task', local?.id ?? null, eventId, d.conflicts, d.note);
        if (eventId && remote !== 'deleted') await this.remove(api, calendarId, eventId);
        if (local) {
          pass.pushedOne('task', local.id, eventId);
          await this.deps.links.dropItem(pass.link.id, 'task', local.id);
        }
        return;
      case 'pull': {
        const item = await pass.pull('task', d, local, eventId);
        if (!item) return;
        const now = pick(item.fields, CALENDAR_FIELDS);
        const id = remote && remote !== 'deleted' && !sameAs(now, remote.fields) ? await this.write(api, calendarId, item, eventId, zone) : eventId;
        await save(item, id);
        return;
      }
      case 'pull-create': {
        const item = await pass.pull('task', { kind: 'pull-create', fields: { ...d.fields, list: CALENDAR_LIST } }, undefined, eventId);
        if (item) await save(item, eventId);
        return;
      }
      case 'pull-delete':
        await pass.pull('task', d, local, eventId);
        if (!pass.again && local) await this.deps.links.dropItem(pass.link.id, 'task', local.id);
        return;
      case 'forget':
        if (local) await this.deps.links.dropItem(pass.link.id, 'task', local.id);
        return;
    }
  }

  /** Creates or changes the task's event; an event deleted meanwhile in Google is created again. */
  private async write(api: calendar_v3.Calendar, calendarId: string, item: LocalItem, eventId: string | null, zone: string): Promise<string> {
    const requestBody = eventBody(item, zone);
    if (eventId) {
      try {
        await this.call(() => api.events.patch({ calendarId, eventId, requestBody }));
        return eventId;
      } catch (err) {
        if (statusOf(err) !== 404 && statusOf(err) !== 410) throw err;
      }
    }
    const created = await this.call(() => api.events.insert({ calendarId, requestBody }));
    return created.data.id!;
  }

  private async remove(api: calendar_v3.Calendar, calendarId: string, eventId: string): Promise<void> {
    await this.call(() => api.events.delete({ calendarId, eventId })).catch((err: unknown) => {
      if (statusOf(err) !== 404 && statusOf(err) !== 410) throw err;
    });
  }

  /** Changes since `syncToken`, or every event when there is none or Google says it expired (410). */
  private async listChanges(api: calendar_v3.Calendar, calendarId: string, syncToken: string | null) {
    const events: calendar_v3.Schema$Event[] = [];
    let pageToken: string | undefined;
    let token = syncToken;
    for (;;) {
      try {
        const page = await this.call(() =>
          api.events.list({ calendarId, maxResults: 250, ...(token ? { syncToken: token } : {}), ...(pageToken ? { pageToken } : {}) }),
        );
        events.push(...(page.data.items ?? []));
        if (page.data.nextPageToken) {
          pageToken = page.data.nextPageToken;
          continue;
        }
        return { events, full: token === null, nextSyncToken: page.data.nextSyncToken ?? null };
      } catch (err) {
        if (statusOf(err) !== 410 || token === null) throw err;
        // The sync token expired: start over with a full list.
        token = null;
        pageToken = undefined;
        events.length = 0;
      }
    }
  }

  /** Opens a watch channel when there is none or it expires within the hour; stops the old one. */
  private async renewChannel(api: calendar_v3.Calendar, link: SyncLink, pass: Pass): Promise<Partial<SyncLink>> {
    const none = { channelId: null, channelToken: null, channelResourceId: null, channelExpiresAt: null };
    const stopOld = async () => {
      if (link.channelId && link.channelResourceId) await this.stopChannel(api, link.channelId, link.channelResourceId);
    };
    if (!this.deps.webhookUrl) {
      // Push was turned off (SAYSO_GOOGLE_WEBHOOK_URL unset): drop the channel, rely on polling.
      if (!link.channelId) return {};
      await stopOld();
      return none;
    }
    if (link.channelId && link.channelExpiresAt && link.channelExpiresAt.getTime() - Date.now() > CHANNEL_RENEW_MS) return {};
    const id = randomUUID();
    const token = randomBytes(24).toString('base64url');
    let res;
    try {
      res = await this.call(() =>
        api.events.watch({
          calendarId: link.externalId,
          requestBody: { id, type: 'web_hook', address: `${this.deps.webhookUrl}/v1/google/calendar/notify`, token, params: { ttl: String(CHANNEL_TTL_SECONDS) } },
        }),
      );
    } catch (err) {
      // Sync goes on by polling; the next pass tries again. (Google wants an HTTPS address it can reach.)
      pass.error('task', null, null, 'pull', `Google refused the change-notification channel (HTTP ${statusOf(err) ?? 'none'}); changes are found by polling. Check SAYSO_GOOGLE_WEBHOOK_URL is public HTTPS.`);
      await stopOld();
      return none;
    }
    await stopOld();
    return {
      channelId: id,
      channelToken: token,
      channelResourceId: res.data.resourceId ?? null,
      channelExpiresAt: new Date(Number(res.data.expiration ?? Date.now() + CHANNEL_TTL_SECONDS * 1000)),
    };
  }

  async stopChannel(api: calendar_v3.Calendar | OAuth2Client, channelId: string, resourceId: string): Promise<void> {
    const client = 'events' in api ? api : this.api(api);
    await this.call(() => client.channels.stop({ requestBody: { id: channelId, resourceId } })).catch(() => undefined);
  }
}

/** A task that gets an event: a date and a time, or anything dated on the calendar list. */
const eligible = (item: LocalItem) => Boolean(item.fields['dueDate'] && (item.fields['dueTime'] || item.fields['list'] === CALENDAR_LIST));
const sameAs = (a: Fields, b: Fields) => CALENDAR_FIELDS.every((f) => (a[f] ?? null) === (b[f] ?? null));
