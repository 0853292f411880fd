import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { openStore, type Store } from '../../src/store/open-store.js';
import { users } from '../../src/store/schema.js';

/**
 * The drivers every store test runs on:
 * - `pglite`: the embedded store exactly as production opens it (PGlite in process, `pg` on top).
 * - `pg-socket`: the server path (`pg` over TCP, the wire protocol, real pgvector), with PGlite
 *   behind `PGLiteSocketServer` standing in for Postgres, which cannot get pgvector on this machine.
 */
export const STORE_DRIVERS = ['pglite', 'pg-socket'] as const;
export type StoreDriver = (typeof STORE_DRIVERS)[number];

export interface TestStore {
  /** The open store; a getter, because `reopen` replaces it. */
  readonly store: Store;
  /**
   * `pg-socket` only: closes the pool and runs `openStore` again on the same database, as a
   * gateway restart does (migrations run a second time, over the wire).
   */
  reopen?: () => Promise<Store>;
  /** Closes everything the harness opened: pool, socket server, PGlite. */
  close(): Promise<void>;
}

/**
 * Opens a fresh, migrated, empty database on `driver`. Opening PGlite costs 2-5 s, so open one
 * per test file (`beforeAll`) and give each test its own user (`createUser`) instead of a new store.
 *
 * @example
 * describe.each(STORE_DRIVERS)('store on %s', (driver) => {
 *   let t: TestStore;
 *   beforeAll(async () => { t = await openTestStore(driver); });
 *   afterAll(() => t?.close());
 * });
 */
export async function openTestStore(driver: StoreDriver): Promise<TestStore> {
  if (driver === 'pglite') {
    const store = await openStore({ kind: 'embedded', dataDir: null });
    return { store, close: () => store.close() };
  }
  return openSocketStore();
}

/**
 * PGlite is one Postgres session, and `PGLiteSocketServer` hands every connection that same session:
 * SET, temp tables and named prepared statements leak between connections ("prepared statement ...
 * already exists"), and while one connection has a transaction open the others' queries wait for it
 * to end. A real server does neither, so the pool gets one connection, like the embedded pool.
 *
 * The server still allows a few connections, because pg-pool discards a connection after any failed
 * `pool.query` and dials a new one at once, before the server has noticed the old one close. With
 * the server's default `maxConnections: 1` that new connection is refused ("Too many connections",
 * which `pg` reports as "Connection terminated unexpectedly" or ECONNRESET), so the query after
 * every SQL error failed. The pool's `max: 1` keeps it to one live connection.
 */
async function openSocketStore(): Promise<TestStore> {
  const pglite = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 8 });
  const shutDown = async () => {
    await server.stop();
    await pglite.close();
  };
  let store: Store;
  try {
    await server.start();
    // Port 0 lets the OS choose; getServerConn() reports the port actually bound.
    const url = `postgres://postgres@${server.getServerConn()}/postgres`;
    const open = () => openStore({ kind: 'postgres', url, poolSize: 1 });
    store = await open();
    return {
      get store() {
        return store;
      },
      async reopen() {
        await store.close();
        store = await open();
        return store;
      },
      async close() {
        await store.close();
        await shutDown();
      },
    };
  } catch (err) {
    await shutDown();
    throw err;
  }
}

/** Inserts a person with a unique subject, so tests sharing one store do not see each other's rows. */
export async function createUser(store: Store, name = 'Test person'): Promise<string> {
  const [row] = await store.db
    .insert(users)
    .values({ name, subject: `test:${randomUUID()}` })
    .returning({ id: users.id });
  if (!row) throw new Error('Inserting a user returned no row.');
  return row.id;
}
