import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { openStore, type Store } from '../src/store/open-store.js';
import { users } from '../src/store/schema.js';
import { createUser } from './support/stores.js';

/**
 * A TCP hop between the pool and the database that can cut a connection at the moment the client
 * sends a given statement, the way a Postgres restart or a network drop lands mid-request.
 */
async function startCuttingProxy(target: { host: string; port: number }) {
  let cutOn: string | null = null;
  let cuts = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (cutOn && chunk.toString('latin1').toLowerCase().includes(cutOn)) {
        cuts += 1;
        closeBoth();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    /** Cut the connection that next sends `statement` (lower case), or stop cutting (null). */
    cutWhenSent(statement: string | null) {
      cutOn = statement;
    },
    get cuts() {
      return cuts;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('store: a connection lost in the middle of a transaction', () => {
  let pglite: PGlite;
  let socketServer: PGLiteSocketServer;
  let proxy: Awaited<ReturnType<typeof startCuttingProxy>>;
  let store: Store;

  beforeAll(async () => {
    pglite = await PGlite.create({ extensions: { vector } });
    socketServer = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 8 });
    await socketServer.start();
    const port = Number(socketServer.getServerConn().split(':').pop());
    proxy = await startCuttingProxy({ host: '127.0.0.1', port });
    // One connection, as the test installs run: a slot lost for good shows at once.
    store = await openStore({ kind: 'postgres', url: proxy.url, poolSize: 1 });
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await proxy?.close();
    await socketServer?.stop();
    await pglite?.close();
  });

  // Each point where the connection can go: on BEGIN (outside drizzle's own try/finally), inside
  // the transaction, and on COMMIT. After each, the pool has its slot back and the next request
  // is served.
  it.each(['begin', 'insert into "users"', 'commit'])('gives the pool its slot back when the connection drops on %s', async (statement) => {
    const cutsBefore = proxy.cuts;
    proxy.cutWhenSent(statement);
    const attempt = store.db.transaction(async (tx) => {
      await tx.insert(users).values({ name: 'Cut off', subject: `test:cut:${statement}` });
    });
    await expect(attempt).rejects.toThrow();
    proxy.cutWhenSent(null);
    expect(proxy.cuts).toBe(cutsBefore + 1);
    expect({ checkedOut: store.pool.totalCount - store.pool.idleCount, waiting: store.pool.waitingCount }).toEqual({ checkedOut: 0, waiting: 0 });

    // The next write goes through on a fresh connection, and the cut one left nothing behind.
    const id = await createUser(store, `after ${statement}`);
    const rows = await store.db.select({ id: users.id, subject: users.subject }).from(users);
    expect(rows.map((r) => r.id)).toContain(id);
    expect(rows.map((r) => r.subject)).not.toContain(`test:cut:${statement}`);
  });
});
