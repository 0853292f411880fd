import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
/** A Sync message: ends an extended-protocol batch a vanished client left open. */
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

/**
 * PGlite behind the Postgres wire protocol, for several processes at once (the shared test
 * install standing in for a Postgres server).
 *
 * PGlite is one session. `PGLiteSocketServer` (pglite-socket 0.2) queues each connection's
 * messages one by one, so two clients' extended-protocol batches interleave: B's Parse lands
 * between A's Parse and A's Bind, and A runs B's statement. Seen as "Failed query", a person that
 * "no longer exists", and turns stuck for good in the Redis-restart fault test. Here a connection
 * holds the session from its first message until its batch ends (Sync or a simple Query) outside
 * a transaction, so each batch and each transaction runs whole, as on a real server.
 */
export async function startPgliteWire(pglite: PGlite, host = '127.0.0.1') {
  let owner: net.Socket | null = null;
  const waiting: Array<{ socket: net.Socket; go: () => void }> = [];
  const acquire = (socket: net.Socket) =>
    owner === socket || owner === null
      ? ((owner = socket), Promise.resolve())
      : new Promise<void>((go) => waiting.push({ socket, go }));
  const release = (socket: net.Socket) => {
    if (owner !== socket) return;
    const next = waiting.shift();
    owner = next?.socket ?? null;
    next?.go();
  };

  const sockets = new Set<net.Socket>();
  const serve = (socket: net.Socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    let started = false;
    let midBatch = false;
    let closed = false;
    // One connection's messages run in order: each waits for the one before it.
    let chain = Promise.resolve();

    const run = async (message: Buffer, type: string) => {
      if (closed) return;
      await acquire(socket);
      if (closed) return release(socket);
      await pglite.execProtocolRawStream(new Uint8Array(message), { onRawData: (data) => void (!closed && socket.write(data)) });
      midBatch = !(type === 'S' || type === 'Q' || type === 'startup');
      if (!midBatch && !pglite.isInTransaction()) release(socket);
    };

    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          const message = buffer.subarray(0, length);
          buffer = buffer.subarray(length);
          if (code === SSL_REQUEST) socket.write('N');
          else if (code === CANCEL_REQUEST) socket.end(); // PGlite has no backend to signal
          else if (code === PROTOCOL_3) {
            started = true;
            chain = chain.then(() => run(message, 'startup'));
          }
          continue;
        }
        if (buffer.length < 5) return;
        const length = 1 + buffer.readInt32BE(1);
        if (buffer.length < length) return;
        const message = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        const type = String.fromCharCode(message[0]!);
        if (type === 'X') {
          socket.end();
          return;
        }
        chain = chain.then(() => run(message, type)).catch(() => void socket.destroy());
      }
    });

    const cleanUp = () => {
      if (closed) return;
      closed = true;
      sockets.delete(socket);
      // Whatever it left open (a batch without Sync, a transaction) is ended before the next client.
      chain = chain.then(async () => {
        if (owner !== socket) return;
        try {
          if (midBatch) await pglite.execProtocolRaw(SYNC);
          if (pglite.isInTransaction()) await pglite.exec('ROLLBACK');
        } finally {
          release(socket);
        }
      });
    };
    socket.on('close', cleanUp);
    socket.on('error', () => socket.destroy());
  };

  let server = net.createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
    /** Stops listening and drops every connection (a Postgres outage); `start` comes back on the same port. */
    async stop() {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closing;
    },
    async start() {
      server = net.createServer(serve);
      await new Promise<void>((resolve) => server.listen(port, host, resolve));
    },
    async close() {
      await this.stop().catch(() => {});
    },
  };
}
