import {
  EncryptedJournal, JournalLock, JournalLockError, type EncryptedSearchHit, type JournalEntry, type RekeyProgress, type SealedContent,
} from '@sayso/sdk';
import type { HomeStore } from './store.js';

/**
 * What this browser remembers about an encrypted journal: which key it uses and a small
 * ciphertext to check a passphrase against. Neither is secret; the passphrase and the key are
 * kept in memory only, so a reload or a new tab starts locked.
 */
interface Descriptor {
  keyId: string;
  verifier: SealedContent;
}

export type VaultStatus = 'off' | 'locked' | 'unlocked';
/** How an entry reads now: its text, still being decrypted, locked (no key here), or failed to decrypt. */
export type Readable = { text: string; mood: number | null } | 'pending' | 'locked' | 'damaged';

const MIN_PASSPHRASE = 10;

/**
 * The home page's side of an encrypted journal (one per signed-in store): turns encryption on,
 * unlocks, decrypts entries as they arrive, seals plain ones (voice entries arrive plain), and
 * changes the passphrase. Views re-render on `subscribe`.
 */
export class JournalVault {
  journal: EncryptedJournal | undefined;
  /** A long job in progress (sealing, re-encrypting): what it is and how far. */
  job: { label: string; done: number; total: number } | undefined;
  readonly #opened = new Map<string, { version: number; text: string; mood: number | null }>();
  readonly #damaged = new Set<string>();
  readonly #working = new Set<string>();
  readonly #listeners = new Set<() => void>();

  constructor(readonly store: HomeStore) {
    store.subscribe(() => this.#sync());
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get status(): VaultStatus {
    if (this.journal) return 'unlocked';
    return this.#descriptor() || [...this.store.entries.values()].some((e) => e.keyId !== null) ? 'locked' : 'off';
  }

  /** Keys of loaded entries this page holds no lock for (left over from an unfinished passphrase change). */
  get missingKeys(): number {
    if (!this.journal) return 0;
    const journal = this.journal;
    return new Set([...this.store.entries.values()].filter((e) => !journal.canRead(e)).map((e) => e.keyId)).size;
  }

  /** Loaded entries under another key than the one new writes use (a change to finish). */
  get needsFinish(): boolean {
    const journal = this.journal;
    return Boolean(journal) && [...this.store.entries.values()].some((e) => e.keyId !== null && e.keyId !== journal!.lock.keyId);
  }

  read(entry: JournalEntry): Readable {
    if (entry.ciphertext === null) return entry.text !== null ? { text: entry.text, mood: entry.mood } : 'locked';
    if (this.#damaged.has(`${entry.id}:${entry.version}`)) return 'damaged';
    if (!this.journal?.canRead(entry)) return 'locked';
    const opened = this.#opened.get(entry.id);
    return opened && opened.version === entry.version ? { text: opened.text, mood: opened.mood } : 'pending';
  }

  /** Turns encryption on: a new key from `passphrase`, and every existing entry encrypted with it. */
  async enable(passphrase: string): Promise<void> {
    checkNew(passphrase);
    const lock = await JournalLock.create(passphrase, { userId: this.store.user.id });
    this.#saveDescriptor({ keyId: lock.keyId, verifier: await lock.verifier() });
    this.journal = new EncryptedJournal(this.store.client, lock);
    this.#emit();
    await this.#sealAll('Encrypting your entries');
  }

  /**
   * Re-derives the key(s) from `passphrase`: the one this browser remembers and those of the
   * loaded entries. Each is checked against an entry or the verifier, so a wrong passphrase is
   * refused before anything is written. Unlocking again with another passphrase adds its key.
   */
  async unlock(passphrase: string): Promise<void> {
    const entries = [...this.store.entries.values()].filter((e) => e.keyId !== null);
    const descriptor = this.#descriptor();
    const keyIds = new Set([...(descriptor ? [descriptor.keyId] : []), ...entries.map((e) => e.keyId!)]);
    for (const held of keyIds) if (this.journal?.canRead({ keyId: held })) keyIds.delete(held);
    const locks: JournalLock[] = [];
    let firstError: unknown;
    for (const keyId of keyIds) {
      const sample = entries.find((e) => e.keyId === keyId);
      const check = sample ? { ciphertext: sample.ciphertext!, iv: sample.iv!, keyId } : descriptor?.keyId === keyId ? descriptor.verifier : undefined;
      if (!check) continue;
      try {
        locks.push(await JournalLock.unlock(passphrase, { userId: this.store.user.id, keyId, check }));
      } catch (err) {
        firstError ??= err;
      }
    }
    if (locks.length === 0) {
      throw firstError ?? new JournalLockError('wrong_passphrase', 'That passphrase does not unlock this journal. Check it and try again (it is case-sensitive).');
    }
    if (this.journal) {
      for (const l of locks) this.journal.addLock(l);
    } else {
      // Write with the key of the most recently written entry: after an unfinished change, the new one.
      const newest = entries.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).find((e) => locks.some((l) => l.owns(e)));
      const current = locks.find((l) => l.owns({ keyId: newest?.keyId ?? descriptor?.keyId ?? null })) ?? locks[0]!;
      this.journal = new EncryptedJournal(this.store.client, current, locks.filter((l) => l !== current));
      if (descriptor?.keyId !== current.keyId) this.#saveDescriptor({ keyId: current.keyId, verifier: await current.verifier() });
    }
    this.#emit();
    this.#sync();
  }

  /** Forgets the key: entries show as locked until the passphrase is entered again. */
  lock(): void {
    this.journal = undefined;
    this.#opened.clear();
    this.#emit();
  }

  /** Checks `current`, then re-encrypts every entry under a new key from `next`, with progress. */
  async changePassphrase(current: string, next: string): Promise<RekeyProgress> {
    const journal = this.journal;
    if (!journal) throw new JournalLockError('other_key', 'Unlock your journal first.');
    checkNew(next);
    const descriptor = this.#descriptor();
    const sample = [...this.store.entries.values()].find((e) => journal.lock.owns(e));
    const check = sample ? { ciphertext: sample.ciphertext!, iv: sample.iv!, keyId: sample.keyId! } : descriptor?.verifier;
    await JournalLock.unlock(current, { userId: this.store.user.id, keyId: journal.lock.keyId, check });
    const lock = await JournalLock.create(next, { userId: this.store.user.id });
    // Remembered first: if the change stops halfway, the new passphrase is the one to unlock with.
    this.#saveDescriptor({ keyId: lock.keyId, verifier: await lock.verifier() });
    return this.finishChange(lock);
  }

  /** Moves every entry to `lock` (default: the current one); also finishes a change that stopped. */
  async finishChange(lock = this.journal?.lock): Promise<RekeyProgress> {
    if (!this.journal || !lock) throw new JournalLockError('other_key', 'Unlock your journal first.');
    this.job = { label: 'Re-encrypting your entries', done: 0, total: 0 };
    this.#emit();
    try {
      return await this.journal.rekey(lock, {
        onProgress: (p) => {
          this.job = { label: 'Re-encrypting your entries', ...p };
          this.#emit();
        },
      });
    } finally {
      this.job = undefined;
      await this.store.reload();
    }
  }

  /** Searches decrypted entries here: the gateway cannot search what it cannot read. */
  search(query: string): Promise<EncryptedSearchHit[]> {
    if (!this.journal) throw new JournalLockError('other_key', 'Unlock your journal to search it.');
    return this.journal.search(query, { limit: 10 });
  }

  async #sealAll(label: string): Promise<void> {
    const journal = this.journal!;
    const plain = (await journal.all()).filter((e) => e.text !== null);
    this.job = { label, done: 0, total: plain.length };
    this.#emit();
    try {
      for (const e of plain) {
        this.store.putEntry(await journal.seal(e));
        this.job = { label, done: this.job.done + 1, total: plain.length };
        this.#emit();
      }
    } finally {
      this.job = undefined;
      this.#emit();
    }
  }

  /** Decrypts entries that arrived and seals plain ones, once each. */
  #sync(): void {
    const journal = this.journal;
    if (!journal) return;
    for (const entry of this.store.entries.values()) {
      const tag = `${entry.id}:${entry.version}`;
      if (this.#working.has(tag)) continue;
      if (entry.text !== null && this.job === undefined) {
        this.#working.add(tag);
        void journal.seal(entry).then(
          (sealed) => this.store.putEntry(sealed),
          () => this.#working.delete(tag), // offline: try again on the next change
        );
      } else if (entry.ciphertext !== null && journal.canRead(entry) && this.read(entry) === 'pending') {
        this.#working.add(tag);
        void journal.open(entry).then(
          (o) => {
            this.#opened.set(entry.id, { version: entry.version, text: o.text ?? '', mood: o.mood });
            this.#emit();
          },
          () => {
            this.#damaged.add(tag);
            this.#emit();
          },
        );
      }
    }
  }

  #key(): string {
    return `sayso:journal-lock:${this.store.user.id}`;
  }

  #descriptor(): Descriptor | undefined {
    try {
      const value = JSON.parse(localStorage.getItem(this.#key()) ?? 'null') as Descriptor | null;
      return value && typeof value.keyId === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }

  #saveDescriptor(d: Descriptor): void {
    localStorage.setItem(this.#key(), JSON.stringify(d));
  }

  #emit(): void {
    for (const l of this.#listeners) l();
  }
}

const vaults = new WeakMap<HomeStore, JournalVault>();
/** The vault of a signed-in store (created on first use, gone with the store). */
export function vaultOf(store: HomeStore): JournalVault {
  let v = vaults.get(store);
  if (!v) vaults.set(store, (v = new JournalVault(store)));
  return v;
}

function checkNew(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE) {
    throw new JournalLockError('wrong_passphrase', `Use a passphrase of at least ${MIN_PASSPHRASE} characters: several random words work well.`);
  }
}

/** A rough strength hint: guessing cost from length and kinds of characters. Not a guarantee. */
export function passphraseStrength(p: string): { level: 'too short' | 'weak' | 'fair' | 'strong'; hint: string } {
  if (p.length < MIN_PASSPHRASE) return { level: 'too short', hint: `At least ${MIN_PASSPHRASE} characters.` };
  const pool = (/[a-z]/.test(p) ? 26 : 0) + (/[A-Z]/.test(p) ? 26 : 0) + (/\d/.test(p) ? 10 : 0) + (/[^A-Za-z0-9]/.test(p) ? 20 : 0);
  const distinct = new Set(p).size;
  const bits = Math.min(p.length, distinct * 2) * Math.log2(Math.max(pool, 2));
  if (bits < 50) return { level: 'weak', hint: 'Easy to guess. Add more words or characters.' };
  if (bits < 80) return { level: 'fair', hint: 'Fair. Another word or two makes it much harder to guess.' };
  return { level: 'strong', hint: 'Strong. Write it down somewhere safe: it cannot be reset.' };
}
