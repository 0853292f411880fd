import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Redis } from 'ioredis';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/**
 * What several gateway and worker processes share in a scaled-out install: one database (PGlite
 * behind its Postgres wire-protocol server, real pgvector, standing in for the Postgres server of
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
  let server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 12 });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  const prefix = `sayso-test-${randomUUID().slice(0, 8)}:`;
  return {
    env: {
      DATABASE_URL: `postgres://postgres@${server.getServerConn()}/postgres`,
      SAYSO_DB_POOL_SIZE: '1', // the wire server is one session: see support/stores.ts
      REDIS_URL,
      SAYSO_BUS_PREFIX: prefix,
    },
    database: {
      stop: () => server.stop(),
      async start() {
        server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port, maxConnections: 12 });
        await server.start();
      },
    },
    async close() {
      await server.stop();
      await pglite.close();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
