import type { JournalEntry, Page } from '@sayso/protocol';
import { JournalLock, JournalLockError, type JournalSecret } from '../crypto/journal-lock.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { CreateOptions, RequestOptions } from '../http.js';
import type { Journal, JournalListParams } from './journal.js';
import { searchLocally } from './local-search.js';

/** An entry as the person reads it: decrypted when a lock for its key is held. */
export interface OpenEntry {
  /** As the gateway holds it (ciphertext, or plain text not yet sealed). */
  entry: JournalEntry;
  /** The text; null while `locked`. */
  text: string | null;
  mood: number | null;
  /** `plain`: not encrypted (yet); `decrypted`: read with a lock held; `locked`: no lock for its key. */
  state: 'plain' | 'decrypted' | 'locked';
}

export interface EncryptedSearchHit {
  entry: OpenEntry;
  /** Relative relevance within this search; higher is better. */
  score: number;
}

export interface RekeyProgress {
  done: number;
  total: number;
}

/**
 * An end-to-end encrypted view of `client.journal`: writes are encrypted before they leave, reads
 * are decrypted on arrival, search runs here over the decrypted text (the gateway cannot search
 * what it cannot read), `seal` replaces plain entries (e.g. dictated by voice) with ciphertext,
 * and `rekey` moves every entry to a new passphrase. Holds several locks, so entries encrypted
 * under an older passphrase stay readable while a rekey is unfinished.
 *
 * @example
 * const lock = await JournalLock.create(passphrase, { userId: me.id });
 * const journal = new EncryptedJournal(client, lock);
 * await journal.create({ text: 'Slept badly, long run helped.', mood: 3 });
 * const hits = await journal.search('long run');
 */
export class EncryptedJournal {
  readonly #journal: Journal;
  readonly #locks = new Map<string, JournalLock>();
  #lock: JournalLock;
  /** Decrypted secrets by `id:version:keyId`: search decrypts each version of an entry once. */
  readonly #cache = new Map<string, JournalSecret>();

  constructor(client: { journal: Journal }, lock: JournalLock, olderLocks: JournalLock[] = []) {
    this.#journal = client.journal;
    this.#lock = lock;
    for (const l of [lock, ...olderLocks]) this.#locks.set(l.keyId, l);
  }

  /** The lock new writes are encrypted with. */
  get lock(): JournalLock {
    return this.#lock;
  }

  /** Adds a lock to read with (an older passphrase, during an unfinished rekey). */
  addLock(lock: JournalLock): void {
    this.#locks.set(lock.keyId, lock);
  }

  /** Whether `entry` can be read here (plain, or encrypted under a lock held). */
  canRead(entry: Pick<JournalEntry, 'keyId'>): boolean {
    return entry.keyId === null || this.#locks.has(entry.keyId);
  }

  /** Decrypts `entry` when a lock for it is held. Throws JournalLockError `tampered` if it was altered. */
  async open(entry: JournalEntry): Promise<OpenEntry> {
    if (entry.ciphertext === null || entry.keyId === null) {
      return { entry, text: entry.text, mood: entry.mood, state: 'plain' };
    }
    const lock = this.#locks.get(entry.keyId);
    if (!lock) return { entry, text: null, mood: null, state: 'locked' };
    const key = `${entry.id}:${entry.version}:${entry.keyId}`;
    let secret = this.#cache.get(key);
    if (!secret) {
      secret = await lock.decrypt(entry);
      this.#cache.set(key, secret);
    }
    return { entry, text: secret.text, mood: secret.mood, state: 'decrypted' };
  }

  /**
   * Writes an entry encrypted: the gateway gets ciphertext, IV and keyId, and no mood (it is
   * inside the ciphertext). The day stays plain, so entries can be listed by date.
   */
  async create(params: { text: string; mood?: number | null; day?: string }, opts: CreateOptions = {}): Promise<OpenEntry> {
    const sealed = await this.#lock.encrypt({ text: params.text, mood: params.mood ?? null });
    const entry = await this.#journal.create({ ...sealed, ...(params.day !== undefined ? { day: params.day } : {}) }, opts);
    return this.open(entry);
  }

  /**
   * Changes an entry, re-encrypting it with the current lock. `version` is the one you last saw;
   * a text or mood left out is kept as it is.
   */
  async update(
    id: string,
    params: { version: number; text?: string; mood?: number | null; day?: string },
    opts: RequestOptions = {},
  ): Promise<OpenEntry> {
    let { text, mood } = params;
    if (text === undefined || mood === undefined) {
      const current = await this.open(await this.#journal.get(id, opts));
      if (current.state === 'locked') throw lockedError();
      text ??= current.text ?? '';
      if (mood === undefined) mood = current.mood;
    }
    const sealed = await this.#lock.encrypt({ text, mood });
    const body = { version: params.version, ...sealed, mood: null, ...(params.day !== undefined ? { day: params.day } : {}) };
    return this.open(await this.#journal.update(id, body, opts));
  }

  async get(id: string, opts: RequestOptions = {}): Promise<OpenEntry> {
    return this.open(await this.#journal.get(id, opts));
  }

  /** A page of entries, newest first, decrypted where a lock is held. */
  async list(params: JournalListParams = {}, opts: RequestOptions = {}): Promise<Page<OpenEntry>> {
    const page = await this.#journal.list(params, opts);
    return { items: await Promise.all(page.items.map((e) => this.open(e))), nextCursor: page.nextCursor };
  }

  /** Every entry (walking all pages), as the gateway holds them. */
  async all(params: Omit<JournalListParams, 'cursor' | 'limit'> = {}, opts: RequestOptions = {}): Promise<JournalEntry[]> {
    const out: JournalEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#journal.list({ ...params, limit: 200, cursor }, opts);
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  /**
   * Searches the decrypted entries here, best first. The gateway's semantic search leaves
   * encrypted entries out (it has neither their text nor a vector), so this is how they are found.
   * Entries still locked are not searched. Pass `entries` to search a set you already hold.
   *
   * @example
   * const hits = await journal.search('long run', { limit: 5 });
   * hits[0]?.entry.text;
   */
  async search(query: string, opts: { limit?: number; entries?: JournalEntry[]; signal?: AbortSignal } = {}): Promise<EncryptedSearchHit[]> {
    const raw = opts.entries ?? (await this.all({}, { signal: opts.signal }));
    const opened = await Promise.all(raw.map((e) => this.open(e)));
    return searchLocally(opened, query, (e) => e.text, opts.limit ?? 10).map((h) => ({ entry: h.item, score: h.score }));
  }

  /**
   * Replaces a plain entry with its ciphertext (same id; the gateway clears the text and its
   * vector). Voice-dictated entries are recognised on the gateway and stored plain: an unlocked
   * client seals them when it sees them. Returns the entry as it is now; an encrypted one is
   * returned unchanged.
   */
  async seal(entry: JournalEntry, opts: RequestOptions = {}): Promise<JournalEntry> {
    let current = entry;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (current.text === null) return current;
      const sealed = await this.#lock.encrypt({ text: current.text, mood: current.mood });
      try {
        const updated = await this.#journal.update(current.id, { version: current.version, ...sealed, mood: null }, opts);
        this.#cache.set(`${updated.id}:${updated.version}:${sealed.keyId}`, { text: current.text, mood: current.mood });
        return updated;
      } catch (err) {
        // Changed meanwhile (another device sealed or edited it): look again.
        if (err instanceof ConflictError && err.current) current = err.current as JournalEntry;
        else if (err instanceof NotFoundError) return current;
        else throw err;
      }
    }
    throw new JournalLockError('unsupported', 'This entry keeps changing while it is being encrypted. Try again in a moment.');
  }

  /** Seals every plain entry (turning encryption on). Returns how many were sealed. */
  async sealAll(opts: RequestOptions = {}): Promise<number> {
    let n = 0;
    for (const e of await this.all({}, opts)) {
      if (e.text !== null) {
        await this.seal(e, opts);
        n++;
      }
    }
    return n;
  }

  /**
   * Changes the passphrase: every entry is re-encrypted under `newLock` (plain ones are sealed
   * too), each update sent with its version. New writes use `newLock` from the start. If it stops
   * (a closed tab, a network error), run it again with both locks held: entries carry their
   * keyId, so the ones already moved are skipped and the others are still readable with the old
   * lock. Throws JournalLockError `other_key` when an entry's key is not held.
   *
   * @example
   * const next = await JournalLock.create(newPassphrase, { userId: me.id });
   * await journal.rekey(next, { onProgress: ({ done, total }) => bar.value = done / total });
   */
  async rekey(newLock: JournalLock, opts: RequestOptions & { onProgress?: (p: RekeyProgress) => void } = {}): Promise<RekeyProgress> {
    this.addLock(newLock);
    this.#lock = newLock;
    const entries = await this.all({}, opts);
    const todo = entries.filter((e) => e.keyId !== newLock.keyId);
    const missing = todo.find((e) => e.keyId !== null && !this.#locks.has(e.keyId));
    if (missing) {
      throw new JournalLockError(
        'other_key',
        'Some entries are encrypted with a passphrase that is not unlocked here. Unlock with it too, then change the passphrase again.',
      );
    }
    const progress = { done: 0, total: todo.length };
    opts.onProgress?.({ ...progress });
    for (const entry of todo) {
      await this.#move(entry, newLock, opts);
      progress.done++;
      opts.onProgress?.({ ...progress });
    }
    return progress;
  }

  async #move(entry: JournalEntry, lock: JournalLock, opts: RequestOptions): Promise<void> {
    let current = entry;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (lock.owns(current)) return;
      const open = await this.open(current);
      if (open.state === 'locked' || open.text === null) throw lockedError();
      const sealed = await lock.encrypt({ text: open.text, mood: open.mood });
      try {
        await this.#journal.update(current.id, { version: current.version, ...sealed, mood: null }, opts);
        return;
      } catch (err) {
        if (err instanceof ConflictError && err.current) current = err.current as JournalEntry;
        else if (err instanceof NotFoundError) return; // deleted meanwhile: nothing to move
        else throw err;
      }
    }
    throw new JournalLockError('unsupported', 'An entry kept changing while the passphrase was being changed. Run the change again to finish.');
  }
}

const lockedError = () =>
  new JournalLockError('other_key', 'This entry is encrypted with a passphrase that is not unlocked here. Unlock with it first.');
