/**
 * The rate-limiter port: token buckets keyed by what is limited (`rest:user:<id>`). Each bucket
 * holds `limit` tokens and refills at `limit` per `windowMs`, so a quiet client may burst up to
 * the whole budget and a busy one gets `limit` per window on average.
 *
 * Two implementations pass one contract test (server/test/limits.contract.test.ts): in process
 * (one gateway, embedded) and on Redis (every gateway shares each budget).
 *
 * @example
 * const d = await limiter.take('rest:user:42', { limit: 600, windowMs: 60_000 });
 * if (!d.ok) throw tooMany(d.retryAfterMs);
 */
export interface RateLimiter {
  /** Takes `cost` tokens (default 1) if the bucket has them; otherwise takes nothing and says when it will. */
  take(key: string, rule: Rule, cost?: number): Promise<Decision>;
  close(): Promise<void>;
}

export interface Rule {
  /** Tokens in a full bucket, and tokens added back per `windowMs`. */
  limit: number;
  windowMs: number;
}

export interface Decision {
  ok: boolean;
  /** Whole tokens left after this call. */
  remaining: number;
  /** When refused: how long until `cost` tokens are there again. 0 when ok. */
  retryAfterMs: number;
}

/** The refusal of a cost no bucket of this rule can ever hold. */
export const neverFits = (rule: Rule): Decision => ({ ok: false, remaining: 0, retryAfterMs: rule.windowMs });

/** One bucket, synchronous: for limits that are local by nature (one socket's messages). */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rule: Rule,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = rule.limit;
    this.at = now();
  }

  take(cost = 1): Decision {
    if (cost > this.rule.limit) return neverFits(this.rule);
    const now = this.now();
    const rate = this.rule.limit / this.rule.windowMs;
    this.tokens = Math.min(this.rule.limit, this.tokens + Math.max(0, now - this.at) * rate);
    this.at = now;
    if (cost <= this.tokens) {
      this.tokens -= cost;
      return { ok: true, remaining: Math.floor(this.tokens), retryAfterMs: 0 };
    }
    return { ok: false, remaining: Math.floor(this.tokens), retryAfterMs: Math.ceil((cost - this.tokens) / rate) };
  }

  /** True when the bucket has refilled completely, i.e. forgetting it changes nothing. */
  full(): boolean {
    return this.tokens + (this.now() - this.at) * (this.rule.limit / this.rule.windowMs) >= this.rule.limit;
  }
}

/** Buckets in this process: right for one embedded gateway; not shared with any other. */
export class MemoryLimiter implements RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private takes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async take(key: string, rule: Rule, cost = 1): Promise<Decision> {
    // Forget full buckets now and then, so keys seen once (an IP, a key) do not pile up.
    if (++this.takes % 1_000 === 0) for (const [k, b] of this.buckets) if (b.full()) this.buckets.delete(k);
    const id = `${key}|${rule.limit}/${rule.windowMs}`;
    let bucket = this.buckets.get(id);
    if (!bucket) this.buckets.set(id, (bucket = new TokenBucket(rule, this.now)));
    return bucket.take(cost);
  }

  async close(): Promise<void> {
    this.buckets.clear();
  }
}
