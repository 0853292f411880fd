/** How Google API failures are told apart, and retried with exponential backoff and jitter. */

export interface BackoffOptions {
  /** Attempts after the first (default 5). */
  retries?: number;
  /** First backoff step in ms (default 500); doubles each attempt, with full jitter. */
  baseMs?: number;
  /** Longest single wait in ms (default 30_000), Retry-After included. */
  maxMs?: number;
  /** Called before each wait (the runner counts retries). */
  onRetry?: (attempt: number, waitMs: number, status: number | undefined) => void;
}

interface HttpishError {
  status?: number;
  code?: string | number;
  message?: string;
  response?: { status?: number; headers?: unknown; data?: unknown };
}

/** HTTP status of a failed Google call (gaxios error), if it got a response. */
export function statusOf(err: unknown): number | undefined {
  const e = err as HttpishError | undefined;
  return e?.response?.status ?? (typeof e?.status === 'number' ? e.status : undefined);
}

/** Google's error `reason` (rateLimitExceeded, fullSyncRequired, ...), when the body has one. */
export function reasonOf(err: unknown): string | undefined {
  const data = (err as HttpishError | undefined)?.response?.data as { error?: { errors?: Array<{ reason?: string }> } } | undefined;
  return data?.error?.errors?.[0]?.reason;
}

/** The grant behind a refresh token is gone (revoked, expired, password changed): only a new sign-in helps. */
export function isInvalidGrant(err: unknown): boolean {
  const data = (err as HttpishError | undefined)?.response?.data as { error?: unknown } | undefined;
  return data?.error === 'invalid_grant' || /invalid_grant/.test((err as HttpishError | undefined)?.message ?? '');
}

const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded', 'backendError']);

/** Whether trying again later can help: 429, quota 403s, 5xx, and no response at all. */
export function isRetryable(err: unknown): boolean {
  if (isInvalidGrant(err)) return false;
  const status = statusOf(err);
  if (status === undefined) return true;
  if (status === 429 || status >= 500) return true;
  return status === 403 && RATE_REASONS.has(reasonOf(err) ?? '');
}

/** Retry-After in ms (seconds or an HTTP date), when the response sent one. */
export function retryAfterMs(err: unknown, now = Date.now()): number | undefined {
  const headers = (err as HttpishError | undefined)?.response?.headers as { get?: (n: string) => string | null } | Record<string, string> | undefined;
  if (!headers) return undefined;
  const raw = typeof headers.get === 'function' ? headers.get('retry-after') : (headers as Record<string, string>)['retry-after'];
  if (!raw) return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw) * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Runs `call`; on a retryable failure waits (Retry-After when given, else exponential backoff
 * with full jitter) and tries again, up to `retries` times. Other failures are thrown at once.
 */
export async function withBackoff<T>(call: () => Promise<T>, options: BackoffOptions = {}): Promise<T> {
  const retries = options.retries ?? 5;
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt > retries || !isRetryable(err)) throw err;
      const after = retryAfterMs(err);
      const wait = Math.min(max, after !== undefined ? after + Math.random() * 250 : Math.random() * base * 2 ** (attempt - 1));
      options.onRetry?.(attempt, wait, statusOf(err));
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
