import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { and, asc, eq, gt, inArray, lte, min } from 'drizzle-orm';
import { WebSocketServer, type WebSocket } from 'ws';
import { LiveCloseCode, PROTOCOL_VERSION, type ClientMessage, type LiveEvent, type ServerMessage } from '@sayso/protocol';
import type { EventBus } from '../bus/port.js';
import { tail } from '../bus/consumer.js';
import { LIVE_STREAM, type LiveEnvelope } from '../domain/changes.js';
import type { Users } from '../domain/users.js';
import type { Sessions } from '../http/sessions.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Db } from '../store/open-store.js';
import { events, users } from '../store/schema.js';
import { LiveClient } from './live-client.js';
import { authenticateSocket, chooseBearerProtocol, SocketExpiry, startHeartbeat } from './socket-auth.js';

export const LIVE_PATH = '/v1/live';

export interface LiveHubDeps {
  db: Db;
  bus: EventBus;
  users: Users;
  sessions: Sessions;
  metrics: Metrics;
  log: Logger;
  /** A socket whose unsent data passes this is closed as too slow (it resumes on reconnect). */
  maxBufferedBytes?: number;
  /** Live sockets one person may have open on this gateway (SAYSO_LIMIT_LIVE_SOCKETS; 0 = no limit). */
  maxSocketsPerPerson?: number;
  heartbeatMs?: number;
  /** How often sockets are checked against the database for events the bus never brought (default 5_000). */
  catchUpMs?: number;
}

/**
 * Live updates at /v1/live. Each gateway tails the bus's live stream (every gateway sees every
 * change, whichever gateway wrote it) and hands each event to the sockets of its person here.
 */
export class LiveHub {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    // A browser that sent the token as a subprotocol needs one echoed back, or it drops the socket.
    handleProtocols: chooseBearerProtocol,
  });
  private readonly byUser = new Map<string, Set<LiveClient>>();
  private tailer: { stop(): Promise<void> } | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private catchUpTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: LiveHubDeps) {}

  async start(server: Server): Promise<void> {
    const live = tail<LiveEnvelope>({
      bus: this.deps.bus,
      stream: LIVE_STREAM,
      onMessage: (m) => this.dispatch(m.data),
      onError: (err, context) => this.deps.log.warn({ err: String(err), context }, 'live tail error'),
    });
    await live.ready;
    this.tailer = live;
    this.attach(server);
    this.heartbeat = startHeartbeat(this.wss, this.deps.heartbeatMs ?? 30_000);
    this.catchUpTimer = setInterval(() => void this.catchUp(), this.deps.catchUpMs ?? 5_000);
  }

  /** Takes upgrades from one more listener (the HTTPS one beside HTTP). */
  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    clearInterval(this.catchUpTimer);
    await this.tailer?.stop();
    for (const ws of this.wss.clients) ws.close(1001, 'gateway shutting down; reconnect to resume');
    this.wss.close();
  }

  /** Live sockets open on this gateway. */
  get size(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }

  private dispatch(envelope: LiveEnvelope | null): void {
    if (!envelope?.userId || !envelope.event) return;
    const clients = this.byUser.get(envelope.userId);
    if (!clients) return;
    // Serialise and encode once for all sockets of this person.
    const frame = Buffer.from(JSON.stringify({ type: 'event', event: envelope.event } satisfies ServerMessage));
    for (const client of clients) client.deliver(envelope.event, frame);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== LIVE_PATH) return; // another handler's path (e.g. voice signalling)
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.connect(ws, req, url));
  }

  private async connect(ws: WebSocket, req: IncomingMessage, url: URL): Promise<void> {
    // Before the token check: a frame over maxPayload sent meanwhile emits 'error', and with no
    // listener that threw and took the gateway down (found by server/test/fuzz.sockets.test.ts).
    // ws has already sent the close code (1009) then: let it arrive rather than cut the socket.
    ws.on('error', () => ws.readyState !== ws.CLOSING && ws.terminate());
    const auth = await authenticateSocket(this.deps.sessions, req, url);
    if (typeof auth === 'string') {
      ws.close(LiveCloseCode.unauthorized, auth);
      return;
    }
    const { userId, expiresAt } = auth;
    const { metrics, log } = this.deps;
    const max = this.deps.maxSocketsPerPerson ?? 0;
    if (max > 0 && (this.byUser.get(userId)?.size ?? 0) >= max) {
      // A page reconnecting in a loop, or a leak, must not hold the gateway's memory: say what to do.
      ws.close(LiveCloseCode.tooMany, `too many live connections (${max}) for this person on this server: close other tabs or apps, then reconnect`);
      return;
    }
    const client = new LiveClient(userId, ws, (u, a, b, n) => this.readEvents(u, a, b, n), this.deps.maxBufferedBytes ?? 1 << 20,
      (n) => metrics.liveDelivered.inc(n), () => metrics.liveDropped.inc());
    // Register before reading where to start, so no event published meanwhile is missed.
    this.add(client);
    metrics.liveConnections.inc();
    const expiry = new SocketExpiry(userId, expiresAt, () => ws.close(LiveCloseCode.unauthorized, 'session expired: sign in again'));
    ws.on('close', () => {
      expiry.stop();
      client.close();
      this.remove(client);
      metrics.liveConnections.dec();
    });
    ws.on('message', (data, isBinary) => this.onMessage(client, ws, expiry, data.toString(), isBinary));

    try {
      const current = await this.deps.users.lastEventId(userId);
      client.sendMessage({ type: 'hello', protocolVersion: PROTOCOL_VERSION, userId, lastEventId: current });
      const resumeParam = url.searchParams.get('lastEventId');
      const from = resumeParam !== null && /^\d{1,15}$/.test(resumeParam) ? Number(resumeParam) : current;
      await this.resume(client, from, current);
      log.debug({ userId, from, current }, 'live socket open');
    } catch (err) {
      log.warn({ err: String(err), userId }, 'live socket start failed');
      ws.close(1011, 'could not start live updates; reconnect to resume');
    }
  }

  private async resume(client: LiveClient, from: number, current: number): Promise<void> {
    let start = Math.min(from, current);
    if (start < current) {
      const [row] = await this.deps.db.select({ oldest: min(events.seq) }).from(events).where(eq(events.userId, client.userId));
      const oldest = row?.oldest ?? current + 1;
      if (start < oldest - 1) {
        client.sendMessage({ type: 'resync_required', fromEventId: current, reason: `events before ${oldest} are no longer kept; reload over REST` });
        start = current;
      }
    }
    await client.start(start, current);
  }

  private onMessage(client: LiveClient, ws: WebSocket, expiry: SocketExpiry, text: string, isBinary: boolean): void {
    let msg: ClientMessage;
    try {
      if (isBinary) throw new Error('binary');
      msg = JSON.parse(text) as ClientMessage;
    } catch {
      client.sendMessage({ type: 'error', error: { code: 'validation_failed', message: 'Send JSON text messages: {"type":"ping"} or {"type":"resume","lastEventId":N}.' } });
      return;
    }
    if (msg?.type === 'ping') {
      client.sendMessage({ type: 'pong', ...(typeof msg.nonce === 'string' ? { nonce: msg.nonce.slice(0, 100) } : {}) });
    } else if (msg?.type === 'resume' && Number.isSafeInteger(msg.lastEventId) && msg.lastEventId >= 0) {
      // A resume on an open socket restarts delivery from that id: the client asked to re-sync.
      void this.deps.users.lastEventId(client.userId).then((current) => this.resume(client, msg.lastEventId as number, current)).catch(() => ws.close(1011, 'reconnect to resume'));
    } else if (msg?.type === 'auth') {
      void expiry.renew(this.deps.sessions, msg.token).then((r) =>
        client.sendMessage(typeof r === 'string' ? { type: 'error', error: { code: 'unauthorized', message: r } } : { type: 'authed', expiresAt: r.expiresAt.toISOString() }));
    } else {
      client.sendMessage({ type: 'error', error: { code: 'validation_failed', message: 'Unknown message. Send {"type":"ping"}, {"type":"resume","lastEventId":N} with N >= 0, or {"type":"auth","token":T}.' } });
    }
  }

  /**
   * A change commits first and is published after; if the publish fails (Redis down longer than
   * the client's retries, or the process died in between) no bus message will ever bring it. So
   * now and then each person's newest id is read from the database (one query for all sockets
   * here), and a socket behind it reads the missing events from the table. Events the bus brings
   * later are dropped as repeats. Works while Redis is down: it needs only the database.
   */
  private async catchUp(): Promise<void> {
    const ids = [...this.byUser.keys()];
    try {
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await this.deps.db.select({ id: users.id, seq: users.eventSeq }).from(users).where(inArray(users.id, ids.slice(i, i + 500)));
        for (const row of rows) for (const client of this.byUser.get(row.id) ?? []) client.catchUp(row.seq);
      }
    } catch (err) {
      this.deps.log.debug({ err: String(err) }, 'live catch-up skipped: database unavailable');
    }
  }

  private async readEvents(userId: string, after: number, upTo: number, limit: number): Promise<LiveEvent[]> {
    const rows = await this.deps.db
      .select({ payload: events.payload })
      .from(events)
      .where(and(eq(events.userId, userId), gt(events.seq, after), lte(events.seq, upTo)))
      .orderBy(asc(events.seq))
      .limit(limit);
    return rows.map((r) => r.payload as LiveEvent);
  }


  private add(client: LiveClient): void {
    let set = this.byUser.get(client.userId);
    if (!set) this.byUser.set(client.userId, (set = new Set()));
    set.add(client);
  }

  private remove(client: LiveClient): void {
    const set = this.byUser.get(client.userId);
    set?.delete(client);
    if (set?.size === 0) this.byUser.delete(client.userId);
  }
}

