import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import { CodeChallengeMethod, OAuth2Client, type Credentials } from 'google-auth-library';
import { AppError } from '../../domain/errors.js';
import type { Db } from '../../store/open-store.js';
import { oauthStates } from '../../store/schema.js';
import type { GoogleEndpoints } from './endpoints.js';

/**
 * What Sayso asks Google for, and why (the README lists the same):
 * - openid, email, profile: who is signing in (Google's stable `sub`, email, name).
 * - spreadsheets: read and write the rows of the sheet the person links.
 * - drive.file: create the Sayso sheet, and read its file version to notice edits cheaply.
 * - calendar.events: create, change and delete events, list changes, and watch for them.
 */
export const GOOGLE_SCOPES = [
  'openid',
  'email',
  'profile',
  'https://www.googleapis.com/auth/spreadsheets',
  'https://www.googleapis.com/auth/drive.file',
  'https://www.googleapis.com/auth/calendar.events',
] as const;

export interface GoogleOAuthConfig {
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
}

export interface GoogleProfile {
  sub: string;
  email: string | null;
  name: string;
}

export interface FinishedAuth {
  /** Set when a signed-in person started the flow to connect Google to their account. */
  userId: string | null;
  returnTo: string | null;
  profile: GoogleProfile;
  tokens: Credentials;
}

const STATE_TTL_MS = 10 * 60_000;

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Google's authorization-code flow with PKCE (S256) and state, through google-auth-library. The
 * state and code verifier are kept in the database, so any gateway can finish a flow another began.
 */
export class GoogleOAuth {
  constructor(
    private readonly db: Db,
    private readonly config: GoogleOAuthConfig,
    readonly endpoints: GoogleEndpoints,
  ) {}

  /** A client for this app; with `refreshToken`, one that acts for that person (access tokens refresh themselves). */
  client(refreshToken?: string): OAuth2Client {
    const client = new OAuth2Client({
      clientId: this.config.clientId,
      clientSecret: this.config.clientSecret,
      redirectUri: this.config.redirectUrl,
      // A 401 refreshes the access token even before it expires (a revoked grant kills it early),
      // so a revocation surfaces as invalid_grant rather than as endless 401s.
      forceRefreshOnFailure: true,
      endpoints: { oauth2AuthBaseUrl: this.endpoints.authorize, oauth2TokenUrl: this.endpoints.token, oauth2RevokeUrl: this.endpoints.revoke },
    });
    if (refreshToken) client.setCredentials({ refresh_token: refreshToken });
    return client;
  }

  /**
   * Starts a flow and returns its state; `userId` when a signed-in person connects Google to their
   * account. The browser that will go to Google then calls `bind` (directly for "sign in with
   * Google", through the start link for "connect").
   */
  async begin(opts: { userId?: string; returnTo?: string }): Promise<string> {
    const state = randomBytes(24).toString('base64url');
    await this.db.delete(oauthStates).where(lt(oauthStates.expiresAt, new Date()));
    await this.db.insert(oauthStates).values({
      state,
      // Its S256 challenge is recomputed when the browser is bound (`bind`): the same SHA-256.
      codeVerifier: (await this.client().generateCodeVerifierAsync()).codeVerifier,
      userId: opts.userId ?? null,
      returnTo: opts.returnTo ?? null,
      expiresAt: new Date(Date.now() + STATE_TTL_MS),
    });
    return state;
  }

  /**
   * Ties a flow to the browser about to go to Google (once): returns Google's consent page URL and
   * the key that browser must keep in a cookie and bring back to the callback.
   */
  async bind(state: string): Promise<{ url: string; browserKey: string }> {
    const browserKey = randomBytes(24).toString('base64url');
    const [pending] = await this.db
      .update(oauthStates)
      .set({ browserHash: sha256(browserKey) })
      .where(and(eq(oauthStates.state, state), isNull(oauthStates.browserHash), gt(oauthStates.expiresAt, new Date())))
      .returning();
    if (!pending) throw new AppError('validation_failed', 'This link to connect Google has expired or was already opened. Start connecting Google again.');
    const url = this.client().generateAuthUrl({
      access_type: 'offline',
      // Ask again every time, so Google always hands back a refresh token.
      prompt: 'consent',
      scope: [...GOOGLE_SCOPES],
      include_granted_scopes: true,
      state,
      code_challenge: sha256(pending.codeVerifier),
      code_challenge_method: CodeChallengeMethod.S256,
    });
    return { url, browserKey };
  }

  /**
   * Checks the state (once, unexpired, back in the browser that started it), swaps the code for
   * tokens and reads who signed in.
   */
  async finish(code: string, state: string, browserKey: string | undefined): Promise<FinishedAuth> {
    const [pending] = await this.db
      .delete(oauthStates)
      .where(and(eq(oauthStates.state, state), gt(oauthStates.expiresAt, new Date())))
      .returning();
    if (!pending) {
      throw new AppError('validation_failed', 'This Google sign-in link has expired or was already used. Start signing in with Google again.');
    }
    // A callback link opened in another browser (someone else's code, sent to you) signs no one in.
    if (!pending.browserHash || !browserKey || !sameHash(pending.browserHash, sha256(browserKey))) {
      throw new AppError('forbidden', 'This Google sign-in was started in another browser (or its cookie was blocked). Start signing in with Google again in this browser.');
    }
    const client = this.client();
    let tokens: Credentials;
    try {
      ({ tokens } = await client.getToken({ code, codeVerifier: pending.codeVerifier }));
    } catch {
      throw new AppError('unauthorized', 'Google did not accept the sign-in (the code may have expired). Start signing in with Google again.');
    }
    client.setCredentials(tokens);
    const { data } = await client.request<{ sub: string; email?: string; name?: string }>({ url: this.endpoints.userinfo });
    return {
      userId: pending.userId,
      returnTo: pending.returnTo,
      tokens,
      profile: { sub: data.sub, email: data.email ?? null, name: data.name ?? data.email ?? 'Google user' },
    };
  }

  /** Revokes a grant at Google (disconnect). Failures are ignored: the token is dropped either way. */
  async revoke(refreshToken: string): Promise<void> {
    await this.client().revokeToken(refreshToken).catch(() => undefined);
  }
}
