import type { JournalEntry } from '@sayso/protocol';
import { fromBase64Url, toBase64Url } from './base64.js';

/** PBKDF2-SHA-256 iterations for a new key: OWASP's 2023 figure. Keys with fewer are refused. */
export const DEFAULT_ITERATIONS = 600_000;
const MIN_ITERATIONS = 600_000;
const MAX_ITERATIONS = 10_000_000;
const SALT_BYTES = 16;
const IV_BYTES = 12;
/** Plaintext is padded to a multiple of this, so an entry's size says little about its length. */
const PAD_TO = 64;
const KEY_ID = /^pbkdf2-sha256\.(\d{6,8})\.([A-Za-z0-9_-]{22})$/;
const VERIFIER_TEXT = 'sayso journal lock check';

/** What an encrypted entry holds once decrypted. The server sees neither. */
export interface JournalSecret {
  text: string;
  mood: number | null;
}

/** The encrypted form sent to the gateway instead of `text`. */
export interface SealedContent {
  ciphertext: string;
  iv: string;
  keyId: string;
}

export type JournalLockErrorCode = 'wrong_passphrase' | 'tampered' | 'other_key' | 'bad_key_id' | 'unsupported';

/**
 * A journal lock could not do what was asked. `code` says why; `message` says what to do.
 * AES-GCM cannot tell a wrong key from altered data: `wrong_passphrase` comes from `unlock`
 * (checked against an entry known to be good), `tampered` from decrypting with a key already
 * checked.
 */
export class JournalLockError extends Error {
  override name = 'JournalLockError';
  constructor(
    readonly code: JournalLockErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface JournalLockParams {
  /** The person the entries belong to: bound into every ciphertext, so it cannot be moved to another person. */
  userId: string;
}

export interface UnlockParams extends JournalLockParams {
  /** The `keyId` of the person's encrypted entries: it names the salt and the iteration count. */
  keyId: string;
  /**
   * An entry (or verifier) encrypted under `keyId`, to check the passphrase against. Without one
   * a wrong passphrase is only noticed when an entry fails to decrypt.
   */
  check?: SealedContent | undefined;
}

/**
 * The key of an encrypted journal, derived in the client from a passphrase and never sent
 * anywhere: PBKDF2-SHA-256 (600,000 iterations, 16-byte random salt) gives a non-extractable
 * AES-GCM-256 key; every encryption uses a fresh 12-byte IV and binds the person's id and the
 * key's parameters as additional data. `keyId` carries the parameters
 * (`pbkdf2-sha256.600000.<salt>`), so any device re-derives the key from the passphrase alone.
 *
 * @example
 * const lock = await JournalLock.create('correct horse battery staple', { userId: me.id });
 * const sealed = await lock.encrypt({ text: 'Slept badly.', mood: 2 }); // { ciphertext, iv, keyId }
 * // on another device:
 * const again = await JournalLock.unlock(passphrase, { userId: me.id, keyId: entry.keyId!, check: entry });
 * const { text, mood } = await again.decrypt(entry);
 */
export class JournalLock {
  private constructor(
    /** Names the key; stored with every entry it encrypted. Not secret. */
    readonly keyId: string,
    private readonly key: CryptoKey,
    private readonly userId: string,
  ) {}

  /** A new key from `passphrase` with a fresh salt (turning encryption on, or changing the passphrase). */
  static async create(passphrase: string, params: JournalLockParams & { iterations?: number }): Promise<JournalLock> {
    const iterations = params.iterations ?? DEFAULT_ITERATIONS;
    checkIterations(iterations);
    subtle(); // says clearly when WebCrypto is missing
    const salt = globalThis.crypto.getRandomValues(new Uint8Array(SALT_BYTES));
    const keyId = `pbkdf2-sha256.${iterations}.${toBase64Url(salt)}`;
    return new JournalLock(keyId, await derive(passphrase, salt, iterations), params.userId);
  }

  /**
   * Re-derives the key named by `keyId` from `passphrase`. With `check`, a wrong passphrase
   * throws a JournalLockError `wrong_passphrase` here rather than later.
   */
  static async unlock(passphrase: string, params: UnlockParams): Promise<JournalLock> {
    const { iterations, salt } = parseKeyId(params.keyId);
    const lock = new JournalLock(params.keyId, await derive(passphrase, salt, iterations), params.userId);
    if (params.check) {
      try {
        await lock.open(params.check);
      } catch (err) {
        if (err instanceof JournalLockError && err.code === 'tampered') {
          throw new JournalLockError('wrong_passphrase', 'That passphrase does not unlock this journal. Check it and try again (it is case-sensitive).');
        }
        throw err;
      }
    }
    return lock;
  }

  /** Parameters named by a keyId: `{ iterations, salt }`. Throws `bad_key_id` for anything else. */
  static parseKeyId(keyId: string): { iterations: number; salt: Uint8Array } {
    return parseKeyId(keyId);
  }

  /** Encrypts an entry's text and mood with a fresh IV. */
  async encrypt(secret: JournalSecret): Promise<SealedContent> {
    return this.seal(JSON.stringify({ v: 1, text: secret.text, mood: secret.mood }));
  }

  /** Decrypts what `encrypt` made. Throws `other_key` for an entry of another key, `tampered` if it was altered. */
  async decrypt(entry: Pick<JournalEntry, 'ciphertext' | 'iv' | 'keyId'> | SealedContent): Promise<JournalSecret> {
    const json = await this.open(entry);
    const value = JSON.parse(json) as { v?: unknown; text?: unknown; mood?: unknown };
    if (value.v !== 1 || typeof value.text !== 'string') {
      throw new JournalLockError('unsupported', 'This entry was encrypted by a newer Sayso. Update the app to read it.');
    }
    return { text: value.text, mood: typeof value.mood === 'number' ? value.mood : null };
  }

  /** Whether this lock's key encrypted `entry` (by keyId; the passphrase is checked on decrypt). */
  owns(entry: { keyId: string | null }): boolean {
    return entry.keyId === this.keyId;
  }

  /** A small encrypted constant to check a passphrase against when there is no entry yet. */
  verifier(): Promise<SealedContent> {
    return this.seal(VERIFIER_TEXT);
  }

  private async seal(text: string): Promise<SealedContent> {
    const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const plain = pad(new TextEncoder().encode(text));
    const sealed = await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: this.aad() }, this.key, plain);
    return { ciphertext: toBase64Url(new Uint8Array(sealed)), iv: toBase64Url(iv), keyId: this.keyId };
  }

  private async open(entry: { ciphertext: string | null; iv: string | null; keyId: string | null }): Promise<string> {
    if (entry.ciphertext === null || entry.iv === null || entry.keyId === null) {
      throw new JournalLockError('unsupported', 'This entry is not encrypted: read its `text`.');
    }
    if (entry.keyId !== this.keyId) {
      throw new JournalLockError('other_key', 'This entry was encrypted with another passphrase. Unlock with that passphrase to read it.');
    }
    let plain: ArrayBuffer;
    try {
      plain = await subtle().decrypt(
        { name: 'AES-GCM', iv: fromBase64Url(entry.iv), additionalData: this.aad() },
        this.key,
        fromBase64Url(entry.ciphertext),
      );
    } catch {
      throw new JournalLockError(
        'tampered',
        'This entry could not be decrypted: it was changed or damaged after it was encrypted, or it belongs to someone else.',
      );
    }
    return new TextDecoder().decode(plain).trimEnd();
  }

  /** Binds a ciphertext to its person, purpose and key parameters: moved elsewhere, it fails to decrypt. */
  private aad(): Uint8Array<ArrayBuffer> {
    return new TextEncoder().encode(`sayso.journal.v1\n${this.userId}\n${this.keyId}`);
  }
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) {
    throw new JournalLockError(
      'unsupported',
      'This environment has no WebCrypto (crypto.subtle). Browsers expose it only on https:// pages and localhost; Node needs version 20 or later.',
    );
  }
  return s;
}

function checkIterations(iterations: number): void {
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw new JournalLockError('bad_key_id', `PBKDF2 iterations must be a whole number from ${MIN_ITERATIONS} to ${MAX_ITERATIONS}.`);
  }
}

function parseKeyId(keyId: string): { iterations: number; salt: Uint8Array<ArrayBuffer> } {
  const m = KEY_ID.exec(keyId);
  if (!m) {
    throw new JournalLockError('bad_key_id', `Unknown journal key "${keyId.slice(0, 60)}": it was made by another or newer app. Update Sayso to read it.`);
  }
  const iterations = Number(m[1]);
  // A keyId with few iterations would make the passphrase cheap to guess: refuse it rather than trust it.
  checkIterations(iterations);
  return { iterations, salt: fromBase64Url(m[2]!) };
}

async function derive(passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CryptoKey> {
  if (passphrase.length === 0) throw new JournalLockError('wrong_passphrase', 'Enter your journal passphrase.');
  const material = await subtle().importKey('raw', new TextEncoder().encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveKey']);
  return subtle().deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false, // non-extractable: script on the page can use the key but not read it out
    ['encrypt', 'decrypt'],
  );
}

/** Pads with spaces (JSON and the verifier ignore trailing whitespace) to a multiple of PAD_TO bytes. */
function pad(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const size = Math.ceil((bytes.length + 1) / PAD_TO) * PAD_TO;
  const out = new Uint8Array(size).fill(0x20);
  out.set(bytes);
  return out;
}
