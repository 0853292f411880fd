/** Error codes in `{ "error": { "code", ... } }` bodies. Each has one HTTP status. */
export const ERROR_STATUS = {
  validation_failed: 400,
  bad_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  version_conflict: 409,
  idempotency_conflict: 409,
  already_exists: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Retrying the same request can help for these (after a wait); never for the others. */
export const RETRYABLE_CODES: readonly ErrorCode[] = ['rate_limited', 'unavailable', 'internal'];

export interface ErrorBody {
  error: {
    code: ErrorCode;
    /** Says what was wrong and what to do about it. */
    message: string;
    details?: unknown;
    requestId?: string;
  };
}
