import { randomUUID } from 'node:crypto';
import { errors, exportJWK, generateKeyPair, importJWK, importPKCS8, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Db } from '../store/open-store.js';
import { signingKeys } from '../store/schema.js';
import { AppError } from '../domain/errors.js';

const ALG = 'ES256';
const ISSUER = 'sayso';
const AUDIENCE = 'sayso';

export interface SessionClaims {
  userId: string;
  expiresAt: Date;
}

/**
 * Signs and checks session tokens (JWT, ES256). The key comes from SAYSO_JWT_PRIVATE_KEY when set;
 * otherwise the first gateway generates one and stores it in the database, so every gateway on
 * the same database accepts every other's tokens.
 */
export class Sessions {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    readonly kid: string,
    readonly publicJwk: JWK,
    private readonly ttlHours: number,
  ) {}

  static async open(db: Db, opts: { privateKeyPem?: string | undefined; ttlHours: number }): Promise<Sessions> {
    if (opts.privateKeyPem) {
      const privateKey = await importPKCS8(opts.privateKeyPem.replace(/\\n/g, '\n'), ALG, { extractable: true });
      const { d: _d, ...publicJwk } = await exportJWK(privateKey);
      const publicKey = (await importJWK(publicJwk, ALG)) as CryptoKey;
      return new Sessions(privateKey, publicKey, 'configured', { ...publicJwk, kid: 'configured', alg: ALG }, opts.ttlHours);
    }
    const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = randomUUID();
    await db
      .insert(signingKeys)
      .values({ kid, alg: ALG, privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) })
      .onConflictDoNothing();
    // Several gateways may start together: all use the oldest key, whoever wrote it.
    const [row] = await db.select().from(signingKeys).orderBy(signingKeys.createdAt, signingKeys.kid).limit(1);
    const stored = row!;
    return new Sessions(
      (await importJWK(stored.privateJwk as JWK, ALG)) as CryptoKey,
      (await importJWK(stored.publicJwk as JWK, ALG)) as CryptoKey,
      stored.kid,
      { ...(stored.publicJwk as JWK), kid: stored.kid, alg: ALG, use: 'sig' },
      opts.ttlHours,
    );
  }

  /** A session for `userId`, valid for `ttlHours` (default: the gateway's SAYSO_SESSION_TTL_HOURS). */
  async issue(userId: string, ttlHours = this.ttlHours): Promise<{ token: string; expiresAt: string }> {
    // Whole seconds, as the token's `exp` is: a client renewing "before expiresAt" must not be late.
    const expiresAt = new Date(Math.floor((Date.now() + Math.min(ttlHours, this.ttlHours) * 3_600_000) / 1000) * 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: ALG, kid: this.kid, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.privateKey);
    return { token, expiresAt: expiresAt.toISOString() };
  }

  /** Checks a token; throws `unauthorized` with what to do. Only ES256 is accepted (no `none`, no HS*). */
  async verify(token: string): Promise<SessionClaims> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, { algorithms: [ALG], issuer: ISSUER, audience: AUDIENCE });
      if (!payload.sub || !payload.exp) throw new Error('missing claims');
      return { userId: payload.sub, expiresAt: new Date(payload.exp * 1000) };
    } catch (err) {
      const expired = err instanceof errors.JWTExpired;
      throw new AppError(
        'unauthorized',
        expired ? 'Your session has expired. Sign in again.' : 'The session token is not valid. Sign in again to get a new one.',
      );
    }
  }
}
