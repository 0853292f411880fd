import { AppError } from '../domain/errors.js';
import type { Logger } from '../log.js';
import { MemoryLimiter, type Decision, type RateLimiter, type Rule } from './limiter.js';
import { RedisLimiter } from './redis-limiter.js';

/** Budgets per minute (SAYSO_LIMIT_*); 0 turns that limit off. */
export interface LimitsConfig {
  /** REST requests per signed-in person. */
  restPerMinute: number;
  /** Unauthenticated sign-in requests (`/v1/auth/*`, Google sign-in) per client IP. */
  signInPerMinute: number;
  /** Sessions bought with one publishable key. */
  keySessionsPerMinute: number;
  /** JSON messages on one voice socket. */
  voiceMessagesPerMinute: number;
  /** Microphone audio per person, in bytes of 16 kHz Int16 PCM (32,000 a second), all sessions together. */
  audioBytesPerMinute: number;
  /** Understanding calls that go to a model (not the offline engine) per person. */
  llmPerMinute: number;
}

/** Generous: a person using Sayso by hand, and the test suite, never meet them. */
export const DEFAULT_LIMITS: LimitsConfig = {
  restPerMinute: 6_000,
  signInPerMinute: 60,
  keySessionsPerMinute: 60,
  voiceMessagesPerMinute: 600,
  audioBytesPerMinute: 8_000_000,
  llmPerMinute: 60,
};

export type LimitName = 'rest' | 'sign_in' | 'key_sessions' | 'voice_messages' | 'audio' | 'llm';

const MINUTE = 60_000;

/** Opens the shared limiter when Redis is configured, else one in this process. */
export async function openLimiter(config: { redisUrl?: string | undefined; prefix?: string | undefined }): Promise<RateLimiter> {
  return config.redisUrl ? RedisLimiter.open(config.redisUrl, config.prefix === undefined ? {} : { prefix: config.prefix }) : new MemoryLimiter();
}

/**
 * Sayso's abuse limits over a `RateLimiter`: which bucket each request spends from, and the
 * words of the 429 when it is empty.
 *
 * A limiter that cannot answer (Redis down) lets the request through and logs it: a broken
 * limiter should not take the whole product down with it, and the bus would be failing anyway.
 */
export class Limits {
  private lastFailureLog = 0;

  constructor(
    private readonly limiter: RateLimiter,
    readonly config: LimitsConfig,
    private readonly log: Logger,
  ) {}

  /** One REST request by a signed-in person. Throws `rate_limited` when over. */
  async rest(userId: string): Promise<void> {
    await this.spend('rest', `rest:user:${userId}`, this.config.restPerMinute, 1, (n, wait) =>
      `Too many requests for this account: at most ${n} a minute. Wait ${wait} and try again.`);
  }

  /** One sign-in attempt (no session yet), counted per client address. */
  async signIn(ip: string): Promise<void> {
    await this.spend('sign_in', `signin:ip:${ip}`, this.config.signInPerMinute, 1, (n, wait) =>
      `Too many sign-in attempts from your network address: at most ${n} a minute. Wait ${wait} and try again.`);
  }

  /** One session bought with a publishable key (counted only for a valid key from a listed origin). */
  async keySession(key: string): Promise<void> {
    await this.spend('key_sessions', `keysession:${key}`, this.config.keySessionsPerMinute, 1, (n, wait) =>
      `This Sayso key has started too many sessions: at most ${n} a minute. Wait ${wait} and reload the page.`);
  }

  /** Microphone audio; `undefined` when allowed, else the refusal (an `AppError` the voice socket reports). */
  async audio(userId: string, bytes: number): Promise<AppError | undefined> {
    return this.check('audio', `audio:user:${userId}`, this.config.audioBytesPerMinute, bytes, (n, wait) =>
      `Too much microphone audio for this account: at most ${Math.round(n / 32_000)} seconds a minute across all its voice sessions. ` +
      `Audio is ignored for the next ${wait}; close other voice sessions, or wait.`);
  }

  /** One model call to understand a turn; `undefined` when allowed, else the refusal. */
  async llm(userId: string): Promise<AppError | undefined> {
    return this.check('llm', `llm:user:${userId}`, this.config.llmPerMinute, 1, (n, wait) =>
      `This account used its ${n} model calls a minute; turns are understood by the offline engine for the next ${wait}.`);
  }

  close(): Promise<void> {
    return this.limiter.close();
  }

  private async spend(name: LimitName, key: string, perMinute: number, cost: number, say: Say): Promise<void> {
    const refused = await this.check(name, key, perMinute, cost, say);
    if (refused) throw refused;
  }

  private async check(name: LimitName, key: string, perMinute: number, cost: number, say: Say): Promise<AppError | undefined> {
    if (perMinute <= 0) return undefined;
    const rule: Rule = { limit: perMinute, windowMs: MINUTE };
    let d: Decision;
    try {
      d = await this.limiter.take(key, rule, cost);
    } catch (err) {
      if (Date.now() - this.lastFailureLog > 10_000) {
        this.lastFailureLog = Date.now();
        this.log.warn({ err: err instanceof Error ? err.message : String(err), limit: name }, 'rate limiter unavailable: letting requests through');
      }
      return undefined;
    }
    return d.ok ? undefined : rateLimited(name, perMinute, d.retryAfterMs, say);
  }
}

type Say = (perMinute: number, wait: string) => string;

/** A `rate_limited` error whose details carry `retryAfterSeconds` (the `Retry-After` header). */
export function rateLimited(limit: LimitName, perMinute: number, retryAfterMs: number, say: Say): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const wait = `${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}`;
  return new AppError('rate_limited', say(perMinute, wait), { limit, perMinute, retryAfterSeconds });
}

/** Seconds to put in `Retry-After` for an error, when it is a rate limit. */
export function retryAfterSeconds(err: AppError): number | undefined {
  if (err.code !== 'rate_limited') return undefined;
  const s = (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof s === 'number' && s > 0 ? s : 1;
}
