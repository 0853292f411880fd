import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncStatusUpdate, Task, TaskUpdate } from '@sayso/protocol';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { readConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import { GoogleStandIn } from '../src/integrations/google/testing/google-stand-in.js';
import { googleAccounts, syncLinks } from '../src/store/schema.js';
import { api, LiveSocket } from './support/live-socket.js';
import { consentToGoogle, signInWithGoogle, startGoogleGateway, syncIdle, until } from './support/google.js';
import { openTestStore, type TestStore } from './support/stores.js';

// Google sign-in and Calendar two-way sync, through the real Google clients against the stand-in.

let t: TestStore;
let standIn: GoogleStandIn;
let gw: Gateway;
const sockets: LiveSocket[] = [];

beforeAll(async () => {
  t = await openTestStore('pglite');
  standIn = await new GoogleStandIn().start();
  gw = await startGoogleGateway(t.store, standIn);
});

afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await gw?.close();
  await standIn?.stop();
  await t?.close();
});

let n = 0;
/** A new person signed in with Google (their own Google account at the stand-in). */
async function person() {
  n += 1;
  const google = { sub: `cal-sub-${n}`, email: `cal${n}@example.com`, name: `Cal ${n}` };
  const session = await signInWithGoogle(gw, standIn, google);
  const live = await new LiveSocket(gw.url, session.token).ready();
  sockets.push(live);
  return { token: session.token, user: session.user, email: session.google.email, google, live };
}

async function linkCalendar(token: string) {
  const res = await api(gw.url, token, 'POST', '/v1/google/calendar', {});
  expect(res.status).toBe(200);
  return until(async () => (await t.store.db.select().from(syncLinks).where(eq(syncLinks.id, (res.body as { id: string }).id)))[0]?.channelId, 'a watch channel');
}

const liveEvent = (live: LiveSocket, test: (e: TaskUpdate) => boolean) =>
  live.until(() => live.events.some((e) => e.type === 'task_update' && test(e)), 'a task_update');

describe('Google sign-in', () => {
  it('issues a Sayso session and keeps the refresh token encrypted', async () => {
    const { token, user, email } = await person();
    expect(email).toBe('cal1@example.com');
    expect((await api(gw.url, token, 'GET', '/v1/me')).body).toMatchObject({ id: user.id, email: 'cal1@example.com', name: 'Cal 1' });
    const [account] = await t.store.db.select().from(googleAccounts).where(eq(googleAccounts.userId, user.id));
    expect(account!.refreshToken).toMatch(/^v1\./);
    expect(account!.refreshToken).not.toContain('refresh-');
    const status = await api<{ account: { email: string; state: string } }>(gw.url, token, 'GET', '/v1/google/status');
    expect(status.body.account).toMatchObject({ email: 'cal1@example.com', state: 'active' });
  });

  it('signing in again with the same Google account is the same person', async () => {
    const first = await signInWithGoogle(gw, standIn, { sub: 'same-sub', email: 'same@example.com', name: 'Same' });
    const second = await signInWithGoogle(gw, standIn, { sub: 'same-sub', email: 'same@example.com', name: 'Same' });
    expect(second.user.id).toBe(first.user.id);
  });

  it('with no client id configured, the routes say what to set', async () => {
    const off = await startGateway(readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent' }), { store: t.store, bus: new MemoryBus(), embedder: new HashEmbedder() });
    try {
      const token = (await off.sessions.issue((await off.users.findOrCreate('test:google-off', 'Off')).id)).token;
      const link = await api<{ error: { code: string; message: string } }>(off.url, token, 'POST', '/v1/google/sheets', {});
      expect(link.status).toBe(503);
      expect(link.body.error.message).toMatch(/SAYSO_GOOGLE_CLIENT_ID/);
      expect((await api(off.url, token, 'GET', '/v1/google/status')).body).toMatchObject({ configured: false });
    } finally {
      await off.close();
    }
  });

  it("a callback link opened in another browser signs no one in (someone else's code sent to you)", async () => {
    // The attacker goes through Google with their own account and sends the victim the link back.
    const attacker = await consentToGoogle(gw, standIn, { sub: 'attacker-sub', email: 'attacker@example.com', name: 'Attacker' });
    expect(attacker.cookie).toMatch(/^sayso_google_[\w-]+=[\w-]+$/);
    const inVictimsBrowser = await fetch(attacker.callbackUrl, { redirect: 'manual' });
    expect(inVictimsBrowser.status).toBe(403);
    const body = (await inVictimsBrowser.json()) as { token?: string; error: { message: string } };
    expect(body.token).toBeUndefined();
    expect(body.error.message).toMatch(/started in another browser/);
    // The flow is spent: the attacker's own browser cannot finish it now either.
    const late = await fetch(attacker.callbackUrl, { headers: { cookie: attacker.cookie } });
    expect(late.status).toBe(400);

    // Connecting Google: the link works once, in the browser that opens it.
    const { token } = await person();
    const connect = await api<{ url: string }>(gw.url, token, 'POST', '/v1/google/connect', {});
    expect(connect.body.url).toMatch(/\/v1\/google\/start\?state=/);
    expect((await fetch(connect.body.url, { redirect: 'manual' })).status).toBe(302);
    const again = await fetch(connect.body.url, { redirect: 'manual' });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: { message: string } }).error.message).toMatch(/already opened/);
    // With the cookie of its own browser, a flow finishes (signInWithGoogle carries it).
    expect((await signInWithGoogle(gw, standIn, { sub: 'own-sub', email: 'own@example.com', name: 'Own' })).token).toBeTypeOf('string');
  });

  it('refuses a callback whose state was not issued (or was used already)', async () => {
    const res = await fetch(`${gw.url}/v1/google/callback?code=abc&state=forged`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/expired or was already used/);
  });
});

describe('Calendar sync', () => {
  it('a task created by voice becomes an event; an edit in Google Calendar reaches a live client', async () => {
    const { token, google, live } = await person();
    await linkCalendar(token);
    const turn = await api<{ outcome: { item: { id: string } } }>(gw.url, token, 'POST', '/v1/turns', { text: 'remind me to call the dentist tomorrow at 9am' });
    expect(turn.status).toBe(200);
    const taskId = turn.body.outcome.item.id;
    const event = await until(() => standIn.calendar.events(google.sub).find((e) => e.extendedProperties?.private?.['saysoTaskId'] === taskId), 'the event');
    const task = (await api<Task>(gw.url, token, 'GET', `/v1/tasks/${taskId}`)).body;
    expect(event.start?.dateTime).toBe(`${task.dueDate}T09:00:00`);

    standIn.calendar.editEvent(google.sub, event.id, { summary: 'Call the dentist about the crown', start: { dateTime: `${task.dueDate}T10:30:00`, timeZone: 'UTC' } });
    await liveEvent(live, (e) => e.source === 'calendar' && e.data.task.id === taskId && e.data.task.title === 'Call the dentist about the crown');
    expect((await api<Task>(gw.url, token, 'GET', `/v1/tasks/${taskId}`)).body).toMatchObject({ dueTime: '10:30', title: 'Call the dentist about the crown' });
    // The pull is not echoed back as another write to Google.
    expect(standIn.calendar.events(google.sub).filter((e) => e.status === 'confirmed')).toHaveLength(1);
  });

  it('an event made in Google becomes a task on the calendar list; a REST task with a time becomes an event', async () => {
    const { token, google, live } = await person();
    await linkCalendar(token);
    standIn.calendar.addEvent(google.sub, { summary: 'Lunch with Sam', start: { dateTime: '2030-05-02T12:30:00Z' }, end: { dateTime: '2030-05-02T13:30:00Z' } });
    await liveEvent(live, (e) => e.data.op === 'created' && e.source === 'calendar');
    const created = live.events.find((e): e is TaskUpdate => e.type === 'task_update' && e.source === 'calendar')!.data.task;
    expect(created).toMatchObject({ title: 'Lunch with Sam', list: 'calendar', dueDate: '2030-05-02', dueTime: '12:30' });

    const rest = await api<Task>(gw.url, token, 'POST', '/v1/tasks', { title: 'Dentist', dueDate: '2030-05-03', dueTime: '08:15' });
    await until(() => standIn.calendar.events(google.sub).some((e) => e.extendedProperties?.private?.['saysoTaskId'] === rest.body.id), 'the REST task as an event');
    // A task without a time stays off the calendar.
    await api(gw.url, token, 'POST', '/v1/tasks', { title: 'Someday', dueDate: '2030-05-04' });
    await api(gw.url, token, 'POST', '/v1/google/sync');
    await until(async () => (await api<{ calendar: { lastSyncAt: string | null } }>(gw.url, token, 'GET', '/v1/google/status')).body.calendar.lastSyncAt, 'a pass');
    expect(standIn.calendar.events(google.sub).filter((e) => e.summary === 'Someday')).toHaveLength(0);
  });

  it('deletions flow both ways', async () => {
    const { token, google } = await person();
    await linkCalendar(token);
    const a = (await api<Task>(gw.url, token, 'POST', '/v1/tasks', { title: 'Delete me in Sayso', dueDate: '2030-06-01', dueTime: '09:00' })).body;
    const b = (await api<Task>(gw.url, token, 'POST', '/v1/tasks', { title: 'Delete me in Google', dueDate: '2030-06-02', dueTime: '09:00' })).body;
    const eventOf = (id: string) => standIn.calendar.events(google.sub).find((e) => e.extendedProperties?.private?.['saysoTaskId'] === id);
    await until(() => eventOf(a.id) && eventOf(b.id), 'both events');

    await api(gw.url, token, 'DELETE', `/v1/tasks/${a.id}`);
    await until(() => eventOf(a.id)?.status === 'cancelled', 'the event deleted');
    standIn.calendar.deleteEvent(google.sub, eventOf(b.id)!.id);
    await until(async () => (await api(gw.url, token, 'GET', `/v1/tasks/${b.id}`)).status === 404, 'the task deleted');
  });

  it('an expired sync token (410) makes a full resync that still sees edits and deletions', async () => {
    const { token, user, google } = await person();
    await linkCalendar(token);
    const keep = (await api<Task>(gw.url, token, 'POST', '/v1/tasks', { title: 'Keep', dueDate: '2030-07-01', dueTime: '09:00' })).body;
    const gone = (await api<Task>(gw.url, token, 'POST', '/v1/tasks', { title: 'Gone', dueDate: '2030-07-02', dueTime: '09:00' })).body;
    const eventOf = (id: string) => standIn.calendar.events(google.sub).find((e) => e.extendedProperties?.private?.['saysoTaskId'] === id);
    await until(() => eventOf(keep.id) && eventOf(gone.id), 'both events');
    await until(async () => (await t.store.db.select().from(syncLinks).where(eq(syncLinks.userId, user.id)))[0]?.syncToken, 'a sync token');

    standIn.calendar.expireSyncTokens(google.sub);
    const before = standIn.requests.filter((r) => r.status === 410).length;
    standIn.calendar.editEvent(google.sub, eventOf(keep.id)!.id, { summary: 'Keep (renamed)' });
    standIn.calendar.deleteEvent(google.sub, eventOf(gone.id)!.id);
    await until(async () => (await api<Task>(gw.url, token, 'GET', `/v1/tasks/${keep.id}`)).body.title === 'Keep (renamed)', 'the rename');
    await until(async () => (await api(gw.url, token, 'GET', `/v1/tasks/${gone.id}`)).status === 404, 'the deletion');
    expect(standIn.requests.filter((r) => r.status === 410).length).toBeGreaterThan(before);
  });

  it('renews a watch channel before it expires and stops the old one; reconciliation finds changes without a notification', async () => {
    const { token, user, google } = await person();
    const oldChannel = await linkCalendar(token);
    const task = (await api<Task>(gw.url, token, 'POST', '/v1/tasks', { title: 'Standup', dueDate: '2030-08-01', dueTime: '09:00' })).body;
    const event = await until(() => standIn.calendar.events(google.sub).find((e) => e.extendedProperties?.private?.['saysoTaskId'] === task.id), 'the event');

    // The channel is about to expire: the next tick renews it.
    await t.store.db.update(syncLinks).set({ channelExpiresAt: new Date(Date.now() + 60_000) }).where(eq(syncLinks.userId, user.id));
    const newChannel = await until(async () => {
      const [link] = await t.store.db.select().from(syncLinks).where(eq(syncLinks.userId, user.id));
      return link!.channelId !== oldChannel ? link!.channelId : null;
    }, 'a new channel');
    expect(standIn.calendar.channels.has(oldChannel)).toBe(false);
    expect(standIn.calendar.channels.has(newChannel)).toBe(true);

    // Push is not guaranteed: with the channel gone, the periodic pass still finds the edit.
    standIn.calendar.channels.delete(newChannel);
    standIn.calendar.editEvent(google.sub, event.id, { summary: 'Standup (moved)' });
    await t.store.db.update(syncLinks).set({ nextPollAt: new Date() }).where(eq(syncLinks.userId, user.id));
    await until(async () => (await api<Task>(gw.url, token, 'GET', `/v1/tasks/${task.id}`)).body.title === 'Standup (moved)', 'the reconciled edit');
  });

  it('concurrent edits of an event and its task lose nothing', async () => {
    const { token, user, google } = await person();
    // No notifications, so Sayso's edit meets Google's in one pass.
    standIn.calendar.channels.delete(await linkCalendar(token));
    const task = (await api<Task>(gw.url, token, 'POST', '/v1/tasks', { title: 'Haircut', dueDate: '2030-10-01', dueTime: '15:00' })).body;
    const event = await until(() => standIn.calendar.events(google.sub).find((e) => e.extendedProperties?.private?.['saysoTaskId'] === task.id), 'the event');
    await syncIdle(t.store, user.id);
    standIn.calendar.editEvent(google.sub, event.id, { summary: 'Haircut at Tony\'s', description: 'bring the voucher' });
    const patched = await api<Task>(gw.url, token, 'PATCH', `/v1/tasks/${task.id}`, { title: 'Haircut (short)', dueTime: '16:00', version: task.version });
    expect(patched.status).toBe(200);
    await until(async () => (await api<Task>(gw.url, token, 'GET', `/v1/tasks/${task.id}`)).body.notes === 'bring the voucher', 'the notes from Google');
    await until(() => standIn.calendar.events(google.sub).find((e) => e.id === event.id)?.summary === 'Haircut (short)', 'the merged event');
    expect(standIn.calendar.events(google.sub).find((e) => e.id === event.id)).toMatchObject({ description: 'bring the voucher', start: { dateTime: '2030-10-01T16:00:00' } });
    const log = await api<{ items: Array<{ details: { fields: Array<{ field: string; google: string }> } }> }>(gw.url, token, 'GET', '/v1/sync/log?provider=calendar&outcome=conflict');
    expect(log.body.items[0]!.details.fields).toEqual([expect.objectContaining({ field: 'title', google: "Haircut at Tony's" })]);
  });

  it('a watch notification with the wrong channel token is refused', async () => {
    const { token } = await person();
    const channel = await linkCalendar(token);
    const res = await fetch(`${gw.url}/v1/google/calendar/notify`, { method: 'POST', headers: { 'x-goog-channel-id': channel, 'x-goog-channel-token': 'wrong', 'x-goog-resource-state': 'exists' } });
    expect(res.status).toBe(403);
  });

  it('a revoked grant pauses sync, tells the person, and a new sign-in resumes it', async () => {
    const { token, google, live } = await person();
    await linkCalendar(token);
    standIn.revokeGrants(google.sub);
    await api(gw.url, token, 'POST', '/v1/tasks', { title: 'After revoke', dueDate: '2030-09-01', dueTime: '09:00' });
    await live.until(() => live.events.some((e) => e.type === 'sync_status' && e.data.state === 'paused'), 'a paused sync_status');
    const paused = live.events.find((e): e is SyncStatusUpdate => e.type === 'sync_status' && e.data.state === 'paused')!;
    expect(paused.data.error).toMatch(/Sign in with Google again/);
    const status = await api<{ account: { state: string }; calendar: { state: string } }>(gw.url, token, 'GET', '/v1/google/status');
    expect(status.body).toMatchObject({ account: { state: 'revoked' }, calendar: { state: 'paused' } });
    const sync = await api<{ error: { message: string } }>(gw.url, token, 'POST', '/v1/google/sync');
    expect(sync.status).toBe(403);

    await signInWithGoogle(gw, standIn, google, token);
    await until(() => standIn.calendar.events(google.sub).some((e) => e.summary === 'After revoke'), 'the task synced after the new sign-in');
    expect((await api<{ calendar: { state: string } }>(gw.url, token, 'GET', '/v1/google/status')).body.calendar.state).toBe('ok');
  });
});
