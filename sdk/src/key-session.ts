import type { Session } from './client.js';
import { AuthError } from './errors.js';

export type RenewOutcome = 'renewed' | 'refused' | 'failed';

/** Largest delay setTimeout honours (about 24.8 days); a longer one fires at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;
/** After a failed renewal that may pass (network, 5xx), try again this much later. */
const RETRY_MS = 30_000;

/**
 * Keeps a session bought with a publishable key fresh. Such sessions are short (2 hours by
 * default) and an embedding page stays open far longer, so the client renews at three quarters
 * of the session's life, and at once when the gateway refuses the token anyway (a laptop asleep
 * past the timer). A refused exchange (key revoked, site removed from its list) is not retried:
 * requests then fail with the gateway's own explanation.
 */
export class KeySession {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #renewing: Promise<RenewOutcome> | undefined;

  constructor(
    private readonly exchange: () => Promise<Session>,
    private readonly apply: (session: Session) => void,
  ) {}

  /** Starts the timer for a session just bought. */
  keep(session: Session): void {
    const left = Date.parse(session.expiresAt) - Date.now();
    this.#schedule(Math.max(1_000, left * 0.75));
  }

  /**
   * Buys a new session now (one exchange at a time): `renewed`, `refused` (the key or this site
   * is no longer allowed: final) or `failed` (offline, gateway down: tried again later).
   */
  renew(): Promise<RenewOutcome> {
    this.#renewing ??= this.exchange().then(
      (session): RenewOutcome => {
        this.apply(session);
        this.keep(session);
        return 'renewed';
      },
      (err: unknown): RenewOutcome => {
        if (err instanceof AuthError) return 'refused';
        this.#schedule(RETRY_MS);
        return 'failed';
      },
    ).finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.renew(), Math.min(ms, MAX_DELAY_MS));
    // In Node a pending renewal must not keep a finished script alive.
    (this.#timer as { unref?: () => void }).unref?.();
  }
}
