import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CalendarStandIn } from './calendar-stand-in.js';
import { SheetsStandIn } from './sheets-stand-in.js';

/**
 * A local stand-in for the Google endpoints Sayso uses: OAuth (authorize, token, revoke,
 * userinfo), Sheets v4, Drive v3 (file version) and Calendar v3 (events, sync tokens, watch
 * channels). Sayso talks to it through the real Google clients (`rootUrl`, OAuth2Client
 * endpoints), so the requests are the ones production sends. It implements what sync depends
 * on: sync tokens and 410, 429 with Retry-After, file versions, concurrent edits, revoked grants,
 * and watch channels (it POSTs notifications to the registered address). Not Google itself:
 * no real consent screen (authorize approves at once as `nextUser`), no formulas, no ACLs.
 */
export class GoogleStandIn {
  readonly sheets = new SheetsStandIn();
  readonly calendar: CalendarStandIn;
  /** Every request, in order (method, path without query, status), for assertions. */
  readonly requests: Array<{ method: string; path: string; status: number }> = [];
  /** The Google account that "consents" at the next authorize. */
  nextUser = { sub: 'google-sub-1', email: 'person@example.com', name: 'Test Person' };
  url = '';

  private server: Server | undefined;
  private readonly codes = new Map<string, { sub: string; challenge: string; redirectUri: string; scope: string }>();
  private readonly grants = new Map<string, { sub: string; revoked: boolean; scope: string }>(); // by refresh token
  private readonly accessTokens = new Map<string, { refresh: string; sub: string }>();
  private readonly users = new Map<string, { sub: string; email: string; name: string }>();
  private faults: Array<{ match: RegExp; left: number; status: number; retryAfter?: string }> = [];

  constructor() {
    this.calendar = new CalendarStandIn();
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.calendar.stopChannels();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next `count` requests whose `METHOD path` matches get `status` (429 with Retry-After by default). */
  failNext(match: RegExp, count: number, status = 429, retryAfter: string | undefined = '1'): void {
    this.faults.push({ match, left: count, status, ...(retryAfter !== undefined ? { retryAfter } : {}) });
  }

  /** Revokes every grant of `sub`, as a person removing Sayso at myaccount.google.com does. */
  revokeGrants(sub: string): void {
    for (const [token, grant] of this.grants) if (grant.sub === sub) this.revoke(token);
  }

  private revoke(token: string): void {
    const grant = this.grants.get(token);
    if (grant) grant.revoked = true;
    for (const [access, a] of this.accessTokens) if (a.refresh === token || access === token) this.accessTokens.delete(access);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname;
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ method: req.method ?? '', path, status });
      res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    try {
      const raw = await readBody(req);
      const fault = this.faults.find((f) => f.left > 0 && f.match.test(`${req.method} ${path}`));
      if (fault) {
        fault.left -= 1;
        return send(fault.status, apiError(fault.status, fault.status === 429 ? 'Rate Limit Exceeded' : 'Backend Error', fault.status === 429 ? 'rateLimitExceeded' : 'backendError'), fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
      }
      if (path === '/o/oauth2/v2/auth') return this.authorize(url, send);
      if (path === '/token') return this.token(new URLSearchParams(raw), send);
      if (path === '/revoke') {
        this.revoke(url.searchParams.get('token') ?? new URLSearchParams(raw).get('token') ?? '');
        return send(200, {});
      }
      const caller = this.accessTokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!caller) return send(401, apiError(401, 'Request had invalid authentication credentials.', 'authError'));
      if (path === '/v1/userinfo') {
        const u = this.users.get(caller.sub)!;
        return send(200, { sub: u.sub, email: u.email, email_verified: true, name: u.name });
      }
      const body = raw ? (JSON.parse(raw) as unknown) : undefined;
      const out =
        this.sheets.handle(req.method ?? 'GET', path, url.searchParams, body) ??
        this.calendar.handle(req.method ?? 'GET', path, url.searchParams, body, caller.sub);
      if (!out) return send(404, apiError(404, `The stand-in has no ${req.method} ${path}.`, 'notFound'));
      return send(out.status, out.body);
    } catch (err) {
      send(500, apiError(500, err instanceof Error ? err.message : String(err), 'backendError'));
    }
  }

  private authorize(url: URL, send: (status: number, body?: unknown, headers?: Record<string, string>) => void): void {
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri') ?? '';
    if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !q.get('state')) {
      return send(400, { error: 'invalid_request', error_description: 'PKCE (S256) and state are required.' });
    }
    const code = randomBytes(12).toString('hex');
    this.users.set(this.nextUser.sub, { ...this.nextUser });
    this.codes.set(code, { sub: this.nextUser.sub, challenge: q.get('code_challenge')!, redirectUri, scope: q.get('scope') ?? '' });
    const to = new URL(redirectUri);
    to.searchParams.set('code', code);
    to.searchParams.set('state', q.get('state')!);
    send(302, undefined, { location: to.toString() });
  }

  private token(form: URLSearchParams, send: (status: number, body?: unknown) => void): void {
    const bad = (description: string) => send(400, { error: 'invalid_grant', error_description: description });
    let refresh: string;
    if (form.get('grant_type') === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      if (!code) return bad('Malformed auth code.');
      const challenge = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
      if (challenge !== code.challenge) return bad('Invalid code verifier.');
      if (form.get('redirect_uri') !== code.redirectUri) return send(400, { error: 'redirect_uri_mismatch' });
      refresh = `refresh-${randomUUID()}`;
      this.grants.set(refresh, { sub: code.sub, revoked: false, scope: code.scope });
    } else if (form.get('grant_type') === 'refresh_token') {
      refresh = form.get('refresh_token') ?? '';
      const grant = this.grants.get(refresh);
      if (!grant || grant.revoked) return bad('Token has been expired or revoked.');
    } else {
      return send(400, { error: 'unsupported_grant_type' });
    }
    const grant = this.grants.get(refresh)!;
    const access = `access-${randomUUID()}`;
    this.accessTokens.set(access, { refresh, sub: grant.sub });
    send(200, {
      access_token: access,
      expires_in: 3599,
      token_type: 'Bearer',
      scope: grant.scope,
      ...(form.get('grant_type') === 'authorization_code' ? { refresh_token: refresh } : {}),
    });
  }
}

export interface StandInReply {
  status: number;
  body?: unknown;
}

/** Google's JSON error shape. */
export function apiError(code: number, message: string, reason: string) {
  return { error: { code, message, errors: [{ domain: 'global', reason, message }] } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
