import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import lockfile from 'proper-lockfile';
import * as schema from './schema.js';

export type Db = NodePgDatabase<typeof schema>;

/** The opened database: one `pg` API over embedded PGlite or a Postgres server. */
export interface Store {
  db: Db;
  pool: pg.Pool;
  /** `embedded` (PGlite in this process) or `postgres` (a server at DATABASE_URL). */
  kind: 'embedded' | 'postgres';
  close(): Promise<void>;
}

export type StoreConfig =
  | { kind: 'postgres'; url: string; poolSize?: number }
  /** `dataDir: null` keeps the database in memory (tests). */
  | { kind: 'embedded'; dataDir: string | null };

const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Opens the database and brings its schema up to date. */
export async function openStore(config: StoreConfig): Promise<Store> {
  const store = config.kind === 'postgres' ? openPostgres(config.url, config.poolSize) : await openEmbedded(config.dataDir);
  try {
    await migrate(store.db, { migrationsFolder: MIGRATIONS });
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

function openPostgres(url: string, poolSize = 10): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Waiting for a connection never hangs a request for ever: with every client held (a stuck
    // transaction) it fails as 503 after 30 s. (No query timeout: migrations may run long.)
    connectionTimeoutMillis: 30_000,
    // A server gone half-open (no FIN, no RST) is noticed by TCP keepalive rather than never.
    keepAlive: true,
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  // Nor may a checked-out one (a transaction open when Postgres restarts): pg-pool listens for
  // errors only on idle clients, and an unhandled 'error' event ends the process. The query in
  // flight still rejects, and the broken client is dropped when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  return { db: releasingTransactions(drizzle(pool, { schema }), pool), pool, kind: 'postgres', close: () => pool.end() };
}

async function openEmbedded(dataDir: string | null): Promise<Store> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { vector } = await import('@electric-sql/pglite-pgvector');
  const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');

  let release: (() => Promise<void>) | undefined;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    release = await lockDataDir(dataDir);
  }
  try {
    const pglite = await PGlite.create({ ...(dataDir ? { dataDir } : {}), extensions: { vector } });
    // PGlite is one session: createPgConfig gives the pool a single client, so a transaction
    // holds it and other queries wait their turn instead of interleaving.
    const config = createPgConfig(pglite);
    patchParseTypes(config.connection);
    const pool = new pg.Pool({ ...(config as pg.PoolConfig), connection: config.connection, max: 1 } as pg.PoolConfig);
    return {
      db: releasingTransactions(drizzle(pool, { schema }), pool),
      pool,
      kind: 'embedded',
      async close() {
        await pool.end();
        await pglite.close();
        await release?.();
      },
    };
  } catch (err) {
    await release?.();
    throw err;
  }
}

/**
 * drizzle-orm (0.45) runs a pooled transaction as `client = await pool.connect(); BEGIN; try {...}
 * finally { release }`: BEGIN is outside the try, so a connection lost while BEGIN is in flight
 * keeps its pool slot for ever. With every slot gone that way, each later request waits out
 * `connectionTimeoutMillis` and fails, long after the database is back. Transactions here check
 * the client out themselves and always give it back; pg-pool then drops it if it is broken.
 */
function releasingTransactions(db: Db, pool: pg.Pool): Db {
  // One drizzle instance per pooled client (clients are reused; building one per call costs).
  const onClient = new WeakMap<pg.PoolClient, Db>();
  db.transaction = async (work, config) => {
    const client = await pool.connect();
    try {
      let txDb = onClient.get(client);
      if (!txDb) onClient.set(client, (txDb = drizzle(client, { schema }) as unknown as Db));
      return await txDb.transaction(work, config);
    } finally {
      client.release();
    }
  };
  return db;
}

/** PGlite does not lock its data directory; two processes on one directory silently lose writes. */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(dataDir, {
      lockfilePath: path.join(dataDir, '.sayso.lock'),
      // A crashed process's lock counts as stale after 15 s (the message says so).
      stale: 15_000,
      update: 5_000,
      onCompromised: (err) => {
        // Another process may now be writing the same files: stop before data is lost.
        console.error(`Lost the lock on ${dataDir} (${err.message}); stopping to protect the data.`);
        process.exit(1);
      },
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'ELOCKED') {
      throw new Error(
        `The data directory ${dataDir} is in use by another Sayso process. Stop it (if it crashed, its lock expires ` +
          'within 15 s), or set SAYSO_DATA_DIR to another directory ' +
          '(several gateways share one database through DATABASE_URL, not one embedded directory).',
      );
    }
    throw err;
  }
}

/**
 * drizzle hands `pg` a type-parser object as `types`; pg's own wire serializer ignores a
 * non-array there, PGlite's adapter calls `forEach` on it and throws. Parsing still happens
 * client-side in `pg`, so passing no parameter types to the server loses nothing.
 */
function patchParseTypes(connection: { parse(query: { types?: unknown }): void }): void {
  const parse = connection.parse.bind(connection);
  connection.parse = (query) => parse({ ...query, types: Array.isArray(query.types) ? query.types : [] });
}
