import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Response, Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { UserOut } from '../../domain/schemas.js';
import type { Users } from '../../domain/users.js';
import type { GoogleIntegration } from '../../integrations/google/google.js';
import { defineRoute } from '../route.js';
import type { Sessions } from '../sessions.js';

export interface GoogleRouteDeps {
  /** Absent when SAYSO_GOOGLE_CLIENT_ID is unset: the routes then say how to turn Google on. */
  google: GoogleIntegration | undefined;
  sessions: Sessions;
  users: Users;
}

const OFF =
  'Google sign-in and sync are off on this gateway. Set SAYSO_GOOGLE_CLIENT_ID and SAYSO_GOOGLE_CLIENT_SECRET ' +
  '(an OAuth client from Google Cloud; see the README section "Google Sheets and Calendar") and restart it.';

const ReturnTo = z.url().max(2000).optional().openapi({ description: 'Where the browser goes after sign-in, with `#token=…&expiresAt=…`; this gateway or an origin in SAYSO_CORS_ORIGINS.' });
/** The states this gateway issues are base64url (they also name the flow's cookie). */
const FlowState = z.string().regex(/^[\w-]{1,200}$/, 'this is not a sign-in link from this gateway; start signing in with Google again');
const LinkState = z.object({
  provider: z.enum(['sheets', 'calendar']),
  state: z.enum(['ok', 'paused', 'error']),
  lastSyncAt: z.string().nullable(),
  error: z.string().nullable(),
  conflicts: z.number(),
  id: z.string(),
}).passthrough();
const StatusOut = z.object({
  configured: z.boolean(),
  message: z.string().optional(),
  account: z.object({ email: z.string().nullable(), state: z.enum(['active', 'revoked']), scopes: z.array(z.string()) }).nullable(),
  sheets: LinkState.nullable(),
  calendar: LinkState.nullable(),
}).openapi('GoogleStatus');
const SyncLogQuery = z.strictObject({
  provider: z.enum(['sheets', 'calendar']).optional(),
  outcome: z.enum(['ok', 'conflict', 'error', 'skipped']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().regex(/^\d{1,18}$/, 'use the nextCursor of the previous page').optional(),
});
const SyncLogOut = z.object({
  items: z.array(z.object({
    id: z.number(), provider: z.string(), direction: z.string(), entityType: z.string(), entityId: z.string().nullable(),
    externalId: z.string().nullable(), outcome: z.string(), error: z.string().nullable(), details: z.unknown(), at: z.string(),
  })),
  nextCursor: z.string().nullable(),
}).openapi('SyncLogPage');

export function googleRoutes(router: Router, registry: OpenAPIRegistry, deps: GoogleRouteDeps): void {
  const tag = 'Google';
  const need = (): GoogleIntegration => {
    if (!deps.google) throw new AppError('unavailable', OFF);
    return deps.google;
  };
  /** Ties the flow `state` to this browser (its cookie) and redirects it to Google's consent page. */
  const toGoogle = async (res: Response, state: string) => {
    const { location, cookie } = await need().bind(state);
    res.setHeader('Set-Cookie', cookie);
    res.setHeader('Location', location);
    return { status: 302, body: undefined };
  };

  defineRoute(router, registry, {
    method: 'get', path: '/v1/google/signin', tag, auth: false,
    summary: 'Sign in with Google: redirects to Google\'s consent page (authorization code with PKCE).',
    query: z.strictObject({ returnTo: ReturnTo }),
    ok: { status: 302, description: 'Redirect to Google.' },
    handle: async ({ query, res }) => {
      const google = need();
      return toGoogle(res, await google.begin(query.returnTo ? { returnTo: query.returnTo } : {}));
    },
  });
  defineRoute(router, registry, {
    method: 'get', path: '/v1/google/start', tag, auth: false,
    summary: 'The link from `POST /v1/google/connect`: ties the flow to this browser (a cookie), then redirects to Google. Works once.',
    query: z.strictObject({ state: FlowState }),
    ok: { status: 302, description: 'Redirect to Google.' },
    handle: ({ query, res }) => toGoogle(res, query.state),
  });
  defineRoute(router, registry, {
    method: 'post', path: '/v1/google/connect', tag,
    summary: 'Connect Google to the signed-in person: returns a link to open in the browser that will sign in to Google (once, within 10 minutes).',
    body: z.strictObject({ returnTo: ReturnTo }).optional(),
    ok: { status: 200, schema: z.object({ url: z.string() }), description: 'Open this URL in a browser.' },
    handle: async ({ userId, body }) => {
      const google = need();
      return { body: { url: google.startUrl(await google.begin({ userId, ...(body?.returnTo ? { returnTo: body.returnTo } : {}) })) } };
    },
  });
  defineRoute(router, registry, {
    method: 'get', path: '/v1/google/callback', tag, auth: false,
    summary: 'Where Google sends the browser back (only the browser that started the flow is let in). Answers a Sayso session (JSON), or redirects to `returnTo` with it.',
    query: z.object({ code: z.string().max(2000).optional(), state: FlowState.optional(), error: z.string().max(200).optional() }),
    ok: { status: 200, schema: z.object({ token: z.string(), expiresAt: z.string(), user: UserOut, google: z.object({ email: z.string().nullable() }) }), description: 'Signed in.' },
    handle: async ({ query, req, res }) => {
      const google = need();
      if (query.error || !query.code || !query.state) {
        throw new AppError('forbidden', `Google sign-in did not complete (${query.error ?? 'no code'}). Start again and allow access to sign in.`);
      }
      const browser = google.browserKey(query.state, req.get('cookie'));
      res.setHeader('Set-Cookie', browser.clear);
      const done = await google.finish(query.code, query.state, browser.key);
      const session = await deps.sessions.issue(done.userId);
      if (done.returnTo) {
        res.setHeader('Location', `${done.returnTo}#token=${encodeURIComponent(session.token)}&expiresAt=${encodeURIComponent(session.expiresAt)}`);
        return { status: 302, body: undefined };
      }
      return { body: { ...session, user: await deps.users.get(done.userId), google: { email: done.email } } };
    },
  });
  defineRoute(router, registry, {
    method: 'get', path: '/v1/google/status', tag,
    summary: 'Google connection and sync status: last sync, error, conflicts per linked sheet and calendar.',
    ok: { status: 200, schema: StatusOut, description: 'The status.' },
    handle: async ({ userId }) => ({
      body: deps.google ? await deps.google.status(userId) : { configured: false, message: OFF, account: null, sheets: null, calendar: null },
    }),
  });
  defineRoute(router, registry, {
    method: 'delete', path: '/v1/google', tag,
    summary: 'Disconnect Google: stop sync, revoke Sayso\'s access at Google. Your Sayso data stays.',
    ok: { status: 204, description: 'Disconnected.' },
    handle: async ({ userId }) => (await need().disconnect(userId), { body: undefined }),
  });
  defineRoute(router, registry, {
    method: 'post', path: '/v1/google/sheets', tag,
    summary: 'Link a spreadsheet (or create one when no id is given) and sync tasks and habits with it. Returns the Apps Script webhook URL and secret.',
    body: z.strictObject({ spreadsheetId: z.string().regex(/^[A-Za-z0-9_-]{10,200}$/, 'use the id from the sheet URL (between /d/ and /edit)').optional() }).optional(),
    ok: { status: 200, schema: LinkState, description: 'The link, with `webhook` { url, secret } for apps-script/onEdit.gs.' },
    handle: async ({ userId, body }) => ({ body: await need().linkSheet(userId, body?.spreadsheetId) }),
  });
  defineRoute(router, registry, {
    method: 'delete', path: '/v1/google/sheets', tag, summary: 'Stop syncing with the linked spreadsheet (the sheet is left as it is).',
    ok: { status: 204, description: 'Unlinked.' },
    handle: async ({ userId }) => (await need().unlink(userId, 'sheets'), { body: undefined }),
  });
  defineRoute(router, registry, {
    method: 'post', path: '/v1/google/calendar', tag,
    summary: 'Link a Google calendar (default `primary`): dated tasks with a time, and events, sync both ways.',
    body: z.strictObject({ calendarId: z.string().min(1).max(300).optional() }).optional(),
    ok: { status: 200, schema: LinkState, description: 'The link.' },
    handle: async ({ userId, body }) => ({ body: await need().linkCalendar(userId, body?.calendarId ?? 'primary') }),
  });
  defineRoute(router, registry, {
    method: 'delete', path: '/v1/google/calendar', tag, summary: 'Stop syncing with the linked calendar (its events stay).',
    ok: { status: 204, description: 'Unlinked.' },
    handle: async ({ userId }) => (await need().unlink(userId, 'calendar'), { body: undefined }),
  });
  defineRoute(router, registry, {
    method: 'post', path: '/v1/google/sync', tag, summary: 'Sync the linked sheet and calendar now.',
    ok: { status: 202, description: 'A pass is on its way; watch `sync_status` live events or GET /v1/google/status.' },
    handle: async ({ userId }) => (await need().syncNow(userId), { body: undefined }),
  });
  defineRoute(router, registry, {
    method: 'get', path: '/v1/sync/log', tag,
    summary: 'What sync did, newest first: items pushed and pulled, conflicts with both sides\' values, errors.',
    query: SyncLogQuery,
    ok: { status: 200, schema: SyncLogOut, description: 'A page of the sync log.' },
    handle: async ({ userId, query }) => ({
      body: await need().links.logPage(userId, { provider: query.provider, outcome: query.outcome, limit: query.limit, before: query.cursor ? Number(query.cursor) : undefined }),
    }),
  });
  defineRoute(router, registry, {
    method: 'post', path: '/v1/google/calendar/notify', tag, auth: false,
    summary: 'Google Calendar push notifications (watch channels); checked by X-Goog-Channel-Token.',
    ok: { status: 200, description: 'Received.' },
    handle: async ({ req }) => {
      await need().calendarNotification(req.get('x-goog-channel-id') ?? '', req.get('x-goog-channel-token') ?? '', req.get('x-goog-resource-state') ?? '');
      return { body: undefined };
    },
  });
  defineRoute(router, registry, {
    method: 'post', path: '/v1/google/sheets/notify/:linkId', tag, auth: false,
    summary: 'Called by the sheet\'s Apps Script on edit; signed with X-Sayso-Timestamp and X-Sayso-Signature (HMAC-SHA256).',
    params: z.object({ linkId: z.uuid('must be the link id from the webhook URL') }),
    ok: { status: 202, description: 'A pull is on its way.' },
    handle: async ({ params, req }) => {
      await need().sheetsNotification(params.linkId, req.get('x-sayso-timestamp') ?? '', req.get('x-sayso-signature') ?? '');
      return { body: undefined };
    },
  });
}
