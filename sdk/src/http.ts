import type { Source } from '@sayso/protocol';
import { backoffDelay, sleep } from './backoff.js';
import { ConnectionError, errorFromResponse, RateLimitError, SaysoError } from './errors.js';
import type { RenewOutcome } from './key-session.js';

/** The origins a client may claim in `X-Sayso-Source`; the gateway records others as `api`. */
export type ClientSource = Extract<Source, 'api' | 'widget' | 'extension'>;

export interface HttpConfig {
  baseUrl: string;
  /** Read per try: a renewed session applies to the next try. */
  token: () => string | undefined;
  /** Buys a fresh session after a 401 (key sessions only). */
  renew?: (() => Promise<RenewOutcome>) | undefined;
  fetch: typeof fetch;
  source: ClientSource | undefined;
  maxRetries: number;
  timeoutMs: number;
}

/** Options every call takes. */
export interface RequestOptions {
  /** Cancels the request and any retries of it. */
  signal?: AbortSignal | undefined;
}

/** Options of a create. */
export interface CreateOptions extends RequestOptions {
  /**
   * Makes retries safe: the gateway answers a repeat of the key with the first result instead of
   * creating again. Default: a new random UUID per call. Pass your own to make retries across
   * app restarts safe too (e.g. a key stored with an offline outbox).
   */
  idempotencyKey?: string | undefined;
}

export interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: object | undefined;
  body?: unknown;
  idempotencyKey?: string | undefined;
  ifMatch?: number | undefined;
  /** Safe to send again when the outcome is unknown. Default: reads and creates with a key. */
  repeatable?: boolean;
  signal?: AbortSignal | undefined;
}

/** Sends JSON requests to the gateway: headers, timeouts, typed errors and bounded retries. */
export class Http {
  constructor(readonly config: HttpConfig) {}

  async request<T>(call: Call): Promise<T> {
    const { maxRetries } = this.config;
    const url = this.url(call.path, call.query);
    const body = call.body === undefined ? null : JSON.stringify(call.body);
    const repeatable = call.repeatable ?? (call.method === 'GET' || call.idempotencyKey !== undefined);
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.once<T>(url, { method: call.method, headers: this.headers(call), body }, call.signal);
      if (!(outcome instanceof SaysoError)) return outcome.value;
      const error = outcome;
      // A 401 did no work, so any request may go again once with a renewed session.
      if (error.status === 401 && !renewed && this.config.renew) {
        renewed = true;
        if ((await this.config.renew()) === 'renewed') continue;
      }
      // A 429 means the gateway did no work, so any request may go again; a dropped connection
      // or a 503 leaves the outcome unknown, so only requests that are safe to repeat do.
      const again =
        attempt < maxRetries &&
        (error instanceof RateLimitError || (repeatable && (error instanceof ConnectionError || error.status === 503)));
      if (!again) throw error;
      const wait = error instanceof RateLimitError && error.retryAfterMs !== undefined ? Math.min(error.retryAfterMs, 10_000) : backoffDelay(attempt, 300, 4_000);
      await sleep(wait, call.signal);
    }
  }

  /** One try: the parsed body, or the error it ended in. A caller's abort is rethrown as is. */
  private async once<T>(url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<{ value: T } | SaysoError> {
    if (signal?.aborted) throw signal.reason;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${this.config.timeoutMs} ms`)), this.config.timeoutMs);
    const forward = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', forward, { once: true });
    try {
      const res = await this.config.fetch(url, { ...init, signal: controller.signal });
      if (!res.ok) return await errorFromResponse(res);
      const text = await res.text();
      try {
        return { value: JSON.parse(text) as T };
      } catch {
        return new SaysoError(`The server answered ${res.status} with a body that is not JSON. Check that baseUrl points at a Sayso gateway.`, {
          status: res.status, code: 'bad_response', requestId: res.headers.get('x-request-id') ?? undefined, retryable: false,
        });
      }
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      const why = controller.signal.aborted ? String((controller.signal.reason as Error).message) : describe(err);
      return new ConnectionError(
        `Could not reach the Sayso gateway at ${this.config.baseUrl} (${why}). Check that it is running and that baseUrl is right, then try again.`,
        err,
      );
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forward);
    }
  }

  private url(path: string, query: object | undefined): string {
    const url = new URL(this.config.baseUrl.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    }
    return url.toString();
  }

  private headers(call: Call): Record<string, string> {
    const { source } = this.config;
    const token = this.config.token();
    return {
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(call.idempotencyKey !== undefined ? { 'idempotency-key': call.idempotencyKey } : {}),
      ...(call.ifMatch !== undefined ? { 'if-match': `"${call.ifMatch}"` } : {}),
      ...(source ? { 'x-sayso-source': source } : {}),
    };
  }
}

/** undici hides the reason (ECONNREFUSED, ...) in `cause`; browsers give only "Failed to fetch". */
function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } } | undefined;
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

/** Encodes an id for a path: ids are UUIDs, but one from elsewhere must not be able to change the path. */
export const enc = encodeURIComponent;

/** A v4 UUID. `crypto.randomUUID` exists only in secure contexts (https, localhost), so fall back. */
export function randomId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
