import type { JournalEntry, JournalSearchHit, Page } from '@sayso/protocol';
import { enc, randomId, type CreateOptions, type Http, type RequestOptions } from '../http.js';

/** An entry's content: plain `text`, or `ciphertext` + `iv` + `keyId` when encrypted on the client. */
export type JournalContent = { text: string } | { ciphertext: string; iv: string; keyId: string };

export type JournalCreateParams = JournalContent & {
  /** 1 (low) to 5 (great). */
  mood?: number | null;
  /** `YYYY-MM-DD`; default today in the person's time zone. */
  day?: string;
};

export interface JournalUpdateParams {
  /** The version you last saw; the update fails with a ConflictError if the entry changed since. */
  version: number;
  text?: string;
  ciphertext?: string;
  iv?: string;
  keyId?: string;
  mood?: number | null;
  day?: string;
}

export interface JournalListParams {
  from?: string | undefined;
  to?: string | undefined;
  /** 1-200, default 50. */
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** `client.journal`: dated entries, plain or encrypted on the client, with semantic search. */
export class Journal {
  constructor(private readonly http: Http) {}

  /**
   * A page of entries, newest first.
   *
   * @example
   * const { items } = await client.journal.list({ from: '2026-11-01', to: '2026-11-30' });
   */
  list(params: JournalListParams = {}, opts: RequestOptions = {}): Promise<Page<JournalEntry>> {
    return this.http.request({ method: 'GET', path: '/v1/journal', query: params, signal: opts.signal });
  }

  /**
   * One entry.
   *
   * @example
   * const entry = await client.journal.get(id);
   */
  get(id: string, opts: RequestOptions = {}): Promise<JournalEntry> {
    return this.http.request({ method: 'GET', path: `/v1/journal/${enc(id)}`, signal: opts.signal });
  }

  /**
   * Writes an entry. Sent with an Idempotency-Key, so the SDK's retries never write it twice.
   *
   * @example
   * const entry = await client.journal.create({ text: 'Long walk by the river.', mood: 4 });
   */
  create(params: JournalCreateParams, opts: CreateOptions = {}): Promise<JournalEntry> {
    const idempotencyKey = opts.idempotencyKey ?? randomId();
    return this.http.request({ method: 'POST', path: '/v1/journal', body: params, idempotencyKey, signal: opts.signal });
  }

  /**
   * Changes an entry; send the version you last saw.
   *
   * @example
   * await client.journal.update(entry.id, { version: entry.version, mood: 5 });
   */
  update(id: string, params: JournalUpdateParams, opts: RequestOptions = {}): Promise<JournalEntry> {
    return this.http.request({ method: 'PATCH', path: `/v1/journal/${enc(id)}`, body: params, signal: opts.signal });
  }

  /**
   * Deletes an entry and erases its text; returns it without the text.
   *
   * @example
   * await client.journal.remove(entry.id);
   */
  remove(id: string, params: { version?: number } = {}, opts: RequestOptions = {}): Promise<JournalEntry> {
    return this.http.request({ method: 'DELETE', path: `/v1/journal/${enc(id)}`, ifMatch: params.version, signal: opts.signal });
  }

  /**
   * Entries closest in meaning to `q`, best first. Encrypted entries are not searched.
   *
   * @example
   * const { items } = await client.journal.search('times I felt calm', { limit: 5 });
   * for (const hit of items) console.log(hit.score.toFixed(2), hit.entry.day);
   */
  search(q: string, params: { limit?: number } = {}, opts: RequestOptions = {}): Promise<{ items: JournalSearchHit[] }> {
    return this.http.request({ method: 'GET', path: '/v1/journal/search', query: { q, ...params }, signal: opts.signal });
  }
}
