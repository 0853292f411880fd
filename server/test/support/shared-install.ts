import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { Redis } from 'ioredis';
import { startPgliteWire } from './pglite-wire.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/**
 * What several gateway and worker processes share in a scaled-out install: one database (PGlite
 * behind a Postgres wire-protocol server, real pgvector, standing in for the Postgres server of
 * docker-compose.yml) and one Redis, under a key prefix of its own. `env` is what each process
 * needs to join.
 */
export async function startSharedInstall(): Promise<{
  env: Record<string, string>;
  /** Takes the database off the network (connections dropped, new ones refused) and back, same data and port. */
  database: { stop(): Promise<void>; start(): Promise<void> };
  close(): Promise<void>;
}> {
  const pglite = await PGlite.create({ extensions: { vector } });
  const wire = await startPgliteWire(pglite);
  const prefix = `sayso-test-${randomUUID().slice(0, 8)}:`;
  return {
    env: {
      DATABASE_URL: wire.url,
      SAYSO_DB_POOL_SIZE: '1', // the wire server is one session: see support/pglite-wire.ts
      REDIS_URL,
      SAYSO_BUS_PREFIX: prefix,
    },
    database: { stop: () => wire.stop(), start: () => wire.start() },
    async close() {
      await wire.close();
      await pglite.close();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
