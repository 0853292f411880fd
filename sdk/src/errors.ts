import { RETRYABLE_CODES, type ErrorBody, type ErrorCode } from '@sayso/protocol';

/** A protocol error code, or one the SDK sets itself: no answer at all, or an answer that was not Sayso JSON. */
export type SaysoErrorCode = ErrorCode | 'connection_failed' | 'bad_response';

export interface SaysoErrorInit {
  status: number | undefined;
  code: SaysoErrorCode;
  requestId?: string | undefined;
  details?: unknown;
  retryable?: boolean;
  /** From `Retry-After`, on 429. */
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/**
 * Base of every error the SDK throws for a request. `message` is the gateway's own, which says
 * what to fix; `retryable` says whether sending the same request again (after a wait) can help.
 *
 * @example
 * try {
 *   await client.tasks.update(task.id, { version: task.version, title: 'Renew passport' });
 * } catch (err) {
 *   if (err instanceof ConflictError) reload(err.current);
 *   else if (err instanceof SaysoError && err.retryable) retryLater();
 *   else throw err;
 * }
 */
export class SaysoError extends Error {
  // Spelled out: a minifier renames classes, and `name` is what logs show.
  override name = 'SaysoError';
  /** HTTP status; undefined when no response arrived. */
  readonly status: number | undefined;
  readonly code: SaysoErrorCode;
  /** The gateway's `X-Request-Id`: quote it when reporting a problem. */
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  /** Extra facts from the gateway, e.g. one `{ path, message }` per invalid field. */
  readonly details: unknown;

  constructor(message: string, init: SaysoErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.details = init.details;
    this.retryable = init.retryable ?? (RETRYABLE_CODES as readonly string[]).includes(init.code);
  }
}

/** 400, 413, 415: the request itself is wrong. `issues` lists each invalid field. */
export class ValidationError extends SaysoError {
  override name = 'ValidationError';
  /** One entry per problem, e.g. `{ path: 'dueTime', message: 'a due time needs a due date' }`. */
  readonly issues: ReadonlyArray<{ path: string; message: string }>;
  constructor(message: string, init: SaysoErrorInit) {
    super(message, init);
    this.issues = Array.isArray(init.details) ? (init.details as Array<{ path: string; message: string }>) : [];
  }
}

/** 401, 403: missing, invalid or expired session, or not allowed. Sign in again. */
export class AuthError extends SaysoError {
  override name = 'AuthError';
}

/** 404: no such item for this account (or no such route on this gateway). */
export class NotFoundError extends SaysoError {
  override name = 'NotFoundError';
}

/**
 * 409: the item changed since the version you sent (`version_conflict`), or an Idempotency-Key
 * was reused for a different request, or the item already exists.
 */
export class ConflictError extends SaysoError {
  override name = 'ConflictError';
  /** On `version_conflict`: the version the item is at now. */
  readonly currentVersion: number | undefined;
  /** On `version_conflict`: the item as it is now, to reapply your change on. */
  readonly current: unknown;
  constructor(message: string, init: SaysoErrorInit) {
    super(message, init);
    const d = (init.details ?? {}) as { currentVersion?: unknown; current?: unknown };
    this.currentVersion = typeof d.currentVersion === 'number' ? d.currentVersion : undefined;
    this.current = d.current;
  }
}

/** 429: too many requests. Wait `retryAfterMs` and try again. */
export class RateLimitError extends SaysoError {
  override name = 'RateLimitError';
  readonly retryAfterMs: number | undefined;
  constructor(message: string, init: SaysoErrorInit) {
    super(message, { ...init, retryable: true });
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** 5xx: the gateway failed or a dependency is down. Usually retryable. */
export class ServerError extends SaysoError {
  override name = 'ServerError';
}

/** No response: the gateway is unreachable, the connection dropped, or the request timed out. */
export class ConnectionError extends SaysoError {
  override name = 'ConnectionError';
  constructor(message: string, cause?: unknown) {
    super(message, { status: undefined, code: 'connection_failed', retryable: true, cause });
  }
}

const classForStatus = (status: number) =>
  status === 401 || status === 403 ? AuthError
  : status === 404 ? NotFoundError
  : status === 409 ? ConflictError
  : status === 429 ? RateLimitError
  : status >= 500 ? ServerError
  : status >= 400 ? ValidationError
  : SaysoError;

/** Turns a non-2xx response into the typed error for its status, keeping the gateway's message. */
export async function errorFromResponse(res: Response): Promise<SaysoError> {
  const requestId = res.headers.get('x-request-id') ?? undefined;
  const retryAfter = Number(res.headers.get('retry-after'));
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
  const text = await res.text().catch(() => '');
  let body: Partial<ErrorBody['error']> | undefined;
  try {
    body = (JSON.parse(text) as Partial<ErrorBody>).error;
  } catch {
    body = undefined;
  }
  const Cls = classForStatus(res.status);
  if (body && typeof body.code === 'string' && typeof body.message === 'string') {
    return new Cls(body.message, {
      status: res.status, code: body.code, requestId: body.requestId || requestId, details: body.details, retryAfterMs,
    });
  }
  // Not the gateway's JSON: a proxy or load balancer answered. 5xx and 429 may pass.
  const snippet = text.slice(0, 200).trim();
  return new Cls(
    `The server answered ${res.status} ${res.statusText} without a Sayso error body${snippet ? `: ${snippet}` : ''}. ` +
      'Check that baseUrl points at a Sayso gateway.',
    { status: res.status, code: 'bad_response', requestId, retryable: res.status >= 500 || res.status === 429, retryAfterMs },
  );
}
