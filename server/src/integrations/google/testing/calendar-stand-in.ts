import { randomBytes } from 'node:crypto';
import { apiError, type StandInReply } from './google-stand-in.js';

export interface StandInEvent {
  id: string;
  status: 'confirmed' | 'cancelled';
  summary?: string;
  description?: string;
  start?: { date?: string; dateTime?: string; timeZone?: string };
  end?: { date?: string; dateTime?: string; timeZone?: string };
  recurrence?: string[];
  extendedProperties?: { private?: Record<string, string> };
  etag: string;
  updated: string;
  /** Change counter when last changed: what sync tokens compare. */
  seq: number;
}

interface Channel {
  id: string;
  token: string;
  address: string;
  calendar: string;
  resourceId: string;
  expiration: number;
  messages: number;
}

/** Calendar v3 events, sync tokens and watch channels, in memory (part of GoogleStandIn). */
export class CalendarStandIn {
  /** Events per calendar; `primary` is stored as `primary:<sub>`. */
  readonly calendars = new Map<string, { generation: number; events: Map<string, StandInEvent> }>();
  readonly channels = new Map<string, Channel>();
  /** Notifications POSTed to watch addresses, with the status each got. */
  readonly notifications: Array<{ channelId: string; state: string; status: number }> = [];
  /** Events per page of events.list (Google's default is 250); lower it to exercise paging. */
  pageSize = 250;
  private seq = 0;
  private stopped = false;

  /** The events of a person's primary calendar, deleted ones included. */
  events(sub: string): StandInEvent[] {
    return [...this.cal(`primary:${sub}`).events.values()];
  }

  /** A person edits an event in Google Calendar. */
  editEvent(sub: string, id: string, patch: Partial<Omit<StandInEvent, 'id' | 'seq' | 'etag' | 'updated'>>): void {
    const event = this.cal(`primary:${sub}`).events.get(id);
    if (!event) throw new Error(`no event ${id}`);
    Object.assign(event, patch);
    this.touch(`primary:${sub}`, event);
  }

  /** A person creates an event in Google Calendar; returns its id. */
  addEvent(sub: string, fields: Pick<StandInEvent, 'summary' | 'start' | 'end'> & Partial<StandInEvent>): string {
    return this.insert(`primary:${sub}`, fields as Record<string, unknown>).id;
  }

  deleteEvent(sub: string, id: string): void {
    const event = this.cal(`primary:${sub}`).events.get(id);
    if (!event) throw new Error(`no event ${id}`);
    event.status = 'cancelled';
    this.touch(`primary:${sub}`, event);
  }

  /** Makes every sync token of the calendar invalid: the next incremental list answers 410 GONE. */
  expireSyncTokens(sub: string): void {
    this.cal(`primary:${sub}`).generation += 1;
  }

  stopChannels(): void {
    this.stopped = true;
  }

  handle(method: string, path: string, query: URLSearchParams, body: unknown, sub: string): StandInReply | undefined {
    if (method === 'POST' && path === '/calendar/v3/channels/stop') {
      const { id } = body as { id: string };
      return this.channels.delete(id) ? { status: 204 } : { status: 404, body: apiError(404, `Channel '${id}' not found`, 'notFound') };
    }
    const m = /^\/calendar\/v3\/calendars\/([^/]+)\/events(?:\/([^/]+))?$/.exec(path);
    if (!m) return undefined;
    const given = decodeURIComponent(m[1]!);
    const key = given === 'primary' ? `primary:${sub}` : given;
    const eventId = m[2] ? decodeURIComponent(m[2]) : undefined;
    if (eventId === 'watch' && method === 'POST') return this.watch(key, body as { id: string; token: string; address: string; params?: { ttl?: string } });
    if (!eventId && method === 'GET') return this.list(key, query);
    if (!eventId && method === 'POST') return { status: 200, body: this.public(this.insert(key, body as Record<string, unknown>)) };
    const event = eventId ? this.cal(key).events.get(eventId) : undefined;
    if (!event) return { status: 404, body: apiError(404, 'Not Found', 'notFound') };
    if (method === 'GET') return { status: 200, body: this.public(event) };
    if (event.status === 'cancelled') return { status: 410, body: apiError(410, 'Resource has been deleted', 'deleted') };
    if (method === 'PATCH') {
      const patch = body as Partial<StandInEvent>;
      const priv = { ...event.extendedProperties?.private, ...patch.extendedProperties?.private };
      Object.assign(event, patch, { extendedProperties: { private: priv } });
      this.touch(key, event);
      return { status: 200, body: this.public(event) };
    }
    if (method === 'DELETE') {
      event.status = 'cancelled';
      this.touch(key, event);
      return { status: 204 };
    }
    return undefined;
  }

  private list(key: string, query: URLSearchParams): StandInReply {
    const cal = this.cal(key);
    const page = query.get('pageToken') ? (JSON.parse(Buffer.from(query.get('pageToken')!, 'base64url').toString()) as { after: number; upTo: number; since: number | null }) : undefined;
    let since: number | null = page?.since ?? null;
    const syncToken = query.get('syncToken');
    if (syncToken && !page) {
      const t = JSON.parse(Buffer.from(syncToken, 'base64url').toString()) as { gen: number; seq: number };
      if (t.gen !== cal.generation) return { status: 410, body: apiError(410, 'Sync token is no longer valid, a full sync is required.', 'fullSyncRequired') };
      since = t.seq;
    }
    const upTo = page?.upTo ?? this.seq;
    const all = [...cal.events.values()]
      .filter((e) => e.seq <= upTo && (since === null ? e.status !== 'cancelled' || query.get('showDeleted') === 'true' : e.seq > since))
      .sort((a, b) => a.seq - b.seq);
    const after = page?.after ?? 0;
    const items = all.slice(after, after + this.pageSize);
    const more = after + this.pageSize < all.length;
    const token = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return {
      status: 200,
      body: {
        kind: 'calendar#events',
        items: items.map((e) => this.public(e)),
        ...(more ? { nextPageToken: token({ after: after + this.pageSize, upTo, since }) } : { nextSyncToken: token({ gen: cal.generation, seq: upTo }) }),
      },
    };
  }

  private insert(key: string, body: Record<string, unknown>): StandInEvent {
    const event = { ...body, id: randomBytes(10).toString('hex'), status: 'confirmed' } as StandInEvent;
    this.cal(key).events.set(event.id, event);
    this.touch(key, event);
    return event;
  }

  private watch(key: string, body: { id: string; token: string; address: string; params?: { ttl?: string } }): StandInReply {
    const ttl = Number(body.params?.ttl ?? 604_800);
    const channel: Channel = { id: body.id, token: body.token, address: body.address, calendar: key, resourceId: `res-${randomBytes(6).toString('hex')}`, expiration: Date.now() + ttl * 1000, messages: 0 };
    this.channels.set(channel.id, channel);
    void this.notify(channel, 'sync');
    return { status: 200, body: { kind: 'api#channel', id: channel.id, resourceId: channel.resourceId, resourceUri: `calendars/${key}/events`, expiration: String(channel.expiration) } };
  }

  private touch(key: string, event: StandInEvent): void {
    event.seq = ++this.seq;
    event.etag = `"${event.seq}"`;
    event.updated = new Date().toISOString();
    for (const channel of this.channels.values()) {
      if (channel.calendar === key && channel.expiration > Date.now()) void this.notify(channel, 'exists');
    }
  }

  /** POSTs a change notification to the channel's address, as Google does (no body, X-Goog-* headers). */
  private async notify(channel: Channel, state: string): Promise<void> {
    if (this.stopped) return;
    channel.messages += 1;
    const status = await fetch(channel.address, {
      method: 'POST',
      headers: {
        'x-goog-channel-id': channel.id,
        'x-goog-channel-token': channel.token,
        'x-goog-resource-id': channel.resourceId,
        'x-goog-resource-state': state,
        'x-goog-message-number': String(channel.messages),
        'x-goog-channel-expiration': new Date(channel.expiration).toUTCString(),
      },
    }).then((r) => r.status, () => 0);
    this.notifications.push({ channelId: channel.id, state, status });
  }

  private public(event: StandInEvent) {
    const { seq: _seq, ...rest } = event;
    return rest;
  }

  private cal(key: string) {
    let cal = this.calendars.get(key);
    if (!cal) this.calendars.set(key, (cal = { generation: 1, events: new Map() }));
    return cal;
  }
}
