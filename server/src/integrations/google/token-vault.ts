import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../store/open-store.js';
import { vaultKeys } from '../../store/schema.js';

const FORMAT = 'v1';

/**
 * Encrypts secrets at rest (Google refresh tokens, webhook secrets) with AES-256-GCM. The key is
 * SAYSO_GOOGLE_TOKEN_KEY when set; otherwise the first gateway generates one and stores it in the
 * database (as session signing keys are), so every gateway on the database can decrypt. Each
 * ciphertext names its key and is bound to `aad` (the owner's id): copied to another row, it does
 * not decrypt.
 */
export class TokenVault {
  private constructor(
    private readonly current: { kid: string; key: Buffer },
    private readonly keys: Map<string, Buffer>,
  ) {}

  static async open(db: Db, configuredKey: string | undefined): Promise<TokenVault> {
    const keys = new Map<string, Buffer>();
    const stored = await db.select().from(vaultKeys).orderBy(vaultKeys.createdAt, vaultKeys.kid);
    for (const row of stored) keys.set(row.kid, Buffer.from(row.key, 'base64'));
    if (configuredKey) {
      const key = parseKey(configuredKey);
      const kid = `env-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
      keys.set(kid, key);
      return new TokenVault({ kid, key }, keys);
    }
    if (stored.length === 0) {
      await db.insert(vaultKeys).values({ kid: randomUUID(), key: randomBytes(32).toString('base64') }).onConflictDoNothing();
      // Several gateways may start together: all use the oldest key, whoever wrote it.
      for (const row of await db.select().from(vaultKeys).orderBy(vaultKeys.createdAt, vaultKeys.kid)) keys.set(row.kid, Buffer.from(row.key, 'base64'));
    }
    const [kid, key] = [...keys][0]!;
    return new TokenVault({ kid, key }, keys);
  }

  encrypt(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, this.current.kid, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  decrypt(sealed: string, aad: string): string {
    const [format, kid, iv, body, tag] = sealed.split('.');
    const key = kid ? this.keys.get(kid) : undefined;
    if (format !== FORMAT || !key || !iv || !body || !tag) {
      throw new Error(
        `A stored Google token was encrypted with key ${kid ?? '?'}, which this gateway does not have. ` +
          'Start it with the SAYSO_GOOGLE_TOKEN_KEY the token was written with, or have the person sign in with Google again.',
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** 32 bytes as base64 (44 characters) or hex (64). */
function parseKey(text: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) {
    throw new Error('SAYSO_GOOGLE_TOKEN_KEY must be 32 bytes, as base64 or hex. Make one with `openssl rand -base64 32`.');
  }
  return key;
}
