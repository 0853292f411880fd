import { and, eq } from 'drizzle-orm';
import type { Credentials, OAuth2Client } from 'google-auth-library';
import { AppError } from '../../domain/errors.js';
import type { Db } from '../../store/open-store.js';
import { googleAccounts } from '../../store/schema.js';
import type { GoogleOAuth, GoogleProfile } from './oauth.js';
import type { TokenVault } from './token-vault.js';

export type GoogleAccount = typeof googleAccounts.$inferSelect;

/** People's Google accounts and their grants: refresh tokens are stored encrypted and bound to the person. */
export class GoogleAccounts {
  /** One client per person while their stored token is unchanged, so access tokens are reused. */
  private readonly clients = new Map<string, { sealed: string; client: OAuth2Client }>();

  constructor(
    private readonly db: Db,
    private readonly vault: TokenVault,
    private readonly oauth: GoogleOAuth,
  ) {}

  get(userId: string): Promise<GoogleAccount | undefined> {
    return this.db.select().from(googleAccounts).where(eq(googleAccounts.userId, userId)).then((r) => r[0]);
  }

  async userBySub(sub: string): Promise<string | undefined> {
    const [row] = await this.db.select({ userId: googleAccounts.userId }).from(googleAccounts).where(eq(googleAccounts.googleSub, sub));
    return row?.userId;
  }

  /** Stores the grant after a sign-in; a new grant makes a revoked account active again. */
  async save(userId: string, profile: GoogleProfile, tokens: Credentials): Promise<void> {
    const owner = await this.userBySub(profile.sub);
    if (owner && owner !== userId) {
      throw new AppError('already_exists', 'This Google account is connected to another Sayso account. Sign in with Google to use that one, or disconnect Google there first.');
    }
    const existing = await this.get(userId);
    if (existing && existing.googleSub !== profile.sub) {
      throw new AppError('already_exists', `This Sayso account is connected to another Google account (${existing.email ?? 'unknown'}). Disconnect it first (DELETE /v1/google).`);
    }
    const refresh = tokens.refresh_token ? this.vault.encrypt(tokens.refresh_token, userId) : existing?.refreshToken;
    if (!refresh) {
      throw new AppError('unauthorized', 'Google sent no refresh token. Remove Sayso at https://myaccount.google.com/permissions and sign in with Google again.');
    }
    const values = { googleSub: profile.sub, email: profile.email, scopes: tokens.scope ?? '', refreshToken: refresh, status: 'active' as const, updatedAt: new Date() };
    await this.db.insert(googleAccounts).values({ userId, ...values }).onConflictDoUpdate({ target: googleAccounts.userId, set: values });
  }

  /** A client acting for the person; throws `unavailable` with what to do when there is no usable grant. */
  async client(userId: string): Promise<OAuth2Client> {
    const account = await this.get(userId);
    if (!account?.refreshToken || account.status !== 'active') {
      throw new AppError('forbidden', 'Google is not connected for this account, or access was revoked. Sign in with Google again (POST /v1/google/connect).');
    }
    const cached = this.clients.get(userId);
    if (cached?.sealed === account.refreshToken) return cached.client;
    const client = this.oauth.client(this.vault.decrypt(account.refreshToken, userId));
    // Google may hand out a new refresh token on refresh: keep it.
    client.on('tokens', (t) => {
      if (t.refresh_token) void this.db.update(googleAccounts).set({ refreshToken: this.vault.encrypt(t.refresh_token, userId), updatedAt: new Date() }).where(eq(googleAccounts.userId, userId));
    });
    this.clients.set(userId, { sealed: account.refreshToken, client });
    return client;
  }

  /** Google said invalid_grant: mark the account revoked (unless a newer grant replaced the one that failed). */
  async markRevoked(userId: string): Promise<void> {
    const used = this.clients.get(userId)?.sealed;
    this.clients.delete(userId);
    await this.db
      .update(googleAccounts)
      .set({ status: 'revoked', updatedAt: new Date() })
      .where(and(eq(googleAccounts.userId, userId), ...(used ? [eq(googleAccounts.refreshToken, used)] : [])));
  }

  /** Disconnect: revoke the grant at Google and forget it. */
  async remove(userId: string): Promise<void> {
    const account = await this.get(userId);
    this.clients.delete(userId);
    if (account?.refreshToken) {
      const token = (() => {
        try {
          return this.vault.decrypt(account.refreshToken!, userId);
        } catch {
          return undefined;
        }
      })();
      if (token) await this.oauth.revoke(token);
    }
    await this.db.delete(googleAccounts).where(eq(googleAccounts.userId, userId));
  }
}
