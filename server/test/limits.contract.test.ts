import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MemoryLimiter, type RateLimiter, type Rule } from '../src/limits/limiter.js';
import { RedisLimiter } from '../src/limits/redis-limiter.js';

// One contract for both rate limiters, as bus.contract.test.ts does for the bus.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `sayso-test:${randomUUID().slice(0, 8)}:`;

const opened: RateLimiter[] = [];
const track = <T extends RateLimiter>(l: T): T => (opened.push(l), l);
afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close()));
});
afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const implementations = [
  { name: 'MemoryLimiter', open: async (): Promise<RateLimiter> => track(new MemoryLimiter()) },
  { name: 'RedisLimiter', open: async (prefix = PREFIX): Promise<RateLimiter> => track(await RedisLimiter.open(REDIS_URL, { prefix })) },
];

let keys = 0;
const freshKey = (): string => `bucket-${++keys}`;
/** So slow to refill that nothing comes back while a test runs (a token per 8.6 s at 10,000/day). */
const day = (limit: number): Rule => ({ limit, windowMs: 86_400_000 });

describe.each(implementations)('$name', ({ open }) => {
  it('grants up to the limit, then refuses and says when a token is back', async () => {
    const limiter = await open();
    const key = freshKey();
    const rule = day(3);
    const remaining: number[] = [];
    for (let i = 0; i < 3; i++) {
      const d = await limiter.take(key, rule);
      expect(d).toMatchObject({ ok: true, retryAfterMs: 0 });
      remaining.push(d.remaining);
    }
    expect(remaining).toEqual([2, 1, 0]);
    const refused = await limiter.take(key, rule);
    expect(refused.ok).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(rule.windowMs / 3);
  });

  it('a cost takes that many tokens; one larger than what is left takes none', async () => {
    const limiter = await open();
    const key = freshKey();
    const rule = day(10);
    expect(await limiter.take(key, rule, 7)).toMatchObject({ ok: true, remaining: 3 });
    expect(await limiter.take(key, rule, 4)).toMatchObject({ ok: false, remaining: 3 });
    expect(await limiter.take(key, rule, 3)).toMatchObject({ ok: true, remaining: 0 });
  });

  it('a cost larger than the whole bucket is refused for a window', async () => {
    const limiter = await open();
    const rule = day(5);
    expect(await limiter.take(freshKey(), rule, 6)).toEqual({ ok: false, remaining: 0, retryAfterMs: rule.windowMs });
  });

  it('keys do not share tokens', async () => {
    const limiter = await open();
    const [a, b] = [freshKey(), freshKey()];
    expect((await limiter.take(a, day(1))).ok).toBe(true);
    expect((await limiter.take(a, day(1))).ok).toBe(false);
    expect((await limiter.take(b, day(1))).ok).toBe(true);
  });

  it('refills: once the wait it gave has passed, the same request is granted', async () => {
    const limiter = await open();
    const key = freshKey();
    const rule = { limit: 2, windowMs: 200 };
    await limiter.take(key, rule, 2);
    const refused = await limiter.take(key, rule);
    expect(refused.ok).toBe(false);
    await sleep(refused.retryAfterMs + 20);
    expect((await limiter.take(key, rule)).ok).toBe(true);
  });

  it('concurrent takes never grant more than the bucket holds', async () => {
    const limiter = await open();
    const key = freshKey();
    const decisions = await Promise.all(Array.from({ length: 50 }, () => limiter.take(key, day(20))));
    expect(decisions.filter((d) => d.ok)).toHaveLength(20);
  });

  it('property: for any sequence of costs, granted tokens never exceed the limit and remaining is exact', async () => {
    const limiter = await open();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 50 }), fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 30 }), async (limit, costs) => {
        const key = freshKey();
        let granted = 0;
        for (const cost of costs) {
          const d = await limiter.take(key, day(limit), cost);
          if (d.ok) granted += cost;
          else expect(d.retryAfterMs).toBeGreaterThan(0);
          // Greedy: refused only when the cost is more than what is left.
          expect(d.ok).toBe(cost <= limit - (granted - (d.ok ? cost : 0)));
          if (cost <= limit) expect(d.remaining).toBe(limit - granted); // a cost over the bucket is refused unread
        }
        expect(granted).toBeLessThanOrEqual(limit);
      }),
      { numRuns: 40 },
    );
  });
});

describe('RedisLimiter across gateways', () => {
  it('two limiters on one Redis prefix (two gateways) spend one budget', async () => {
    const [a, b] = [await implementations[1]!.open(), await implementations[1]!.open()];
    const key = freshKey();
    const decisions = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).take(key, day(10))));
    expect(decisions.filter((d) => d.ok)).toHaveLength(10);
    expect((await a.take(key, day(10))).ok).toBe(false);
    expect((await b.take(key, day(10))).ok).toBe(false);
  });

  it('another prefix (another deployment on the same Redis) has its own budget', async () => {
    const a = await implementations[1]!.open();
    const other = await implementations[1]!.open(`${PREFIX}other:`);
    const key = freshKey();
    await a.take(key, day(1));
    expect((await a.take(key, day(1))).ok).toBe(false);
    expect((await other.take(key, day(1))).ok).toBe(true);
  });

  it('in process, two limiters do not share: one embedded gateway has its own', async () => {
    const [a, b] = [new MemoryLimiter(), new MemoryLimiter()];
    const key = freshKey();
    await a.take(key, day(1));
    expect((await b.take(key, day(1))).ok).toBe(true);
  });
});
