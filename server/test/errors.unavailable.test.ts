import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import pg from 'pg';
import { toAppError } from '../src/http/errors.js';

/** A port with nothing listening on it: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// A request that fails because a dependency is down answers 503 `unavailable` (retryable, "try
// again in a few seconds"), not 500 "something went wrong": the errors come from the real clients.
describe('errors from a dependency that is down', () => {
  it('Redis gone past ioredis\'s retries is 503 unavailable, naming the bus', async () => {
    const redis = new Redis(`redis://127.0.0.1:${await closedPort()}`, { maxRetriesPerRequest: 1, retryStrategy: () => 10, lazyConnect: true });
    redis.on('error', () => {});
    const err = await redis.xadd('stream', '*', 'k', 'v').catch((e: unknown) => e);
    redis.disconnect();
    expect((err as Error).name).toBe('MaxRetriesPerRequestError');
    const app = toAppError(err);
    expect({ status: app.status, code: app.code }).toEqual({ status: 503, code: 'unavailable' });
    expect(app.message).toMatch(/Redis.*Try again/);
  });

  it('Redis closed under a command is 503 unavailable', async () => {
    const redis = new Redis(`redis://127.0.0.1:${await closedPort()}`, { lazyConnect: true, retryStrategy: () => null });
    redis.on('error', () => {});
    await redis.connect().catch(() => {});
    const err = await redis.xadd('stream', '*', 'k', 'v').catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^Connection is closed/);
    expect(toAppError(err).status).toBe(503);
  });

  it('Postgres refusing connections is 503 unavailable, naming the database', async () => {
    const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${await closedPort()}/postgres` });
    const err = await pool.query('select 1').catch((e: unknown) => e);
    await pool.end();
    const app = toAppError(err);
    expect({ status: app.status, code: app.code }).toEqual({ status: 503, code: 'unavailable' });
    expect(app.message).toMatch(/database/);
  });

  it('anything else stays 500 internal', () => {
    expect(toAppError(new Error('boom')).status).toBe(500);
  });
});
