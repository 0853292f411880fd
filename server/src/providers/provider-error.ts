/**
 * A provider failure (embeddings, speech, understanding) that says whether retrying later can
 * help and what to do. Each port names its own subclass so callers can tell where it came from.
 */
export class ProviderError extends Error {
  /** True when the same call may succeed later (rate limit, outage, timeout, restarted engine). */
  readonly retryable: boolean;
  /** HTTP status from a remote provider, when there was one. */
  readonly status: number | undefined;

  constructor(message: string, options: { retryable: boolean; status?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
    this.status = options.status;
  }
}
