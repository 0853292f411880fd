import { Redis } from 'ioredis';
import { neverFits, type Decision, type RateLimiter, type Rule } from './limiter.js';

// One token bucket per key, as a hash { t: last update (ms), n: tokens }. Read, refill, take and
// write happen in one script, so gateways racing on a bucket cannot both spend its last token.
// The clock is Redis's own (TIME): gateways with skewed clocks still agree.
const TAKE = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 't', 'n')
local tokens = limit
if b[1] then
  tokens = math.min(limit, tonumber(b[2]) + math.max(0, now - tonumber(b[1])) * limit / window)
end
local ok = 0
local wait = 0
if cost <= tokens then
  tokens = tokens - cost
  ok = 1
else
  wait = math.ceil((cost - tokens) * window / limit)
end
redis.call('HSET', KEYS[1], 't', now, 'n', tostring(tokens))
redis.call('PEXPIRE', KEYS[1], window)
return { ok, math.floor(tokens), wait }
`;

type WithTake = Redis & { saysoTake(key: string, limit: number, windowMs: number, cost: number): Promise<[number, number, number]> };

/**
 * Buckets in Redis, shared by every gateway on the same Redis and key prefix.
 *
 * @example
 * const limiter = await RedisLimiter.open('redis://127.0.0.1:6379', { prefix: 'sayso:' });
 */
export class RedisLimiter implements RateLimiter {
  private constructor(
    private readonly redis: WithTake,
    private readonly prefix: string,
  ) {}

  /** Connects first, so the first request is limited like every other. */
  static async open(url: string, options: { prefix?: string } = {}): Promise<RedisLimiter> {
    // Fail fast rather than queue: a request should not wait on a limiter that cannot answer.
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false }) as WithTake;
    redis.defineCommand('saysoTake', { numberOfKeys: 1, lua: TAKE });
    redis.on('error', () => {}); // reconnects by itself; each refused command is handled by the caller
    await redis.connect();
    return new RedisLimiter(redis, `${options.prefix ?? 'sayso:'}limit:`);
  }

  async take(key: string, rule: Rule, cost = 1): Promise<Decision> {
    if (cost > rule.limit) return neverFits(rule);
    const [ok, remaining, wait] = await this.redis.saysoTake(this.prefix + key, rule.limit, rule.windowMs, cost);
    return { ok: ok === 1, remaining, retryAfterMs: ok === 1 ? 0 : Math.max(1, wait) };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
