import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RTCCertificate } from 'werift';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Sessions } from '../../http/sessions.js';
import type { Logger } from '../../log.js';
import type { Limits } from '../../limits/limits.js';
import { VOICE_PATH, VOICE_MAX_BINARY_BYTES, VoiceCloseCode } from './messages.js';
import { loadVad, Vad } from './vad.js';
import { VoiceSession, type VoiceHandlers } from './voice-session.js';
import { setupCertificate, warmUpOpus } from './webrtc-ingest.js';
import { authenticateSocket, chooseBearerProtocol, SocketExpiry, startHeartbeat } from '../socket-auth.js';


export interface VoiceHubDeps {
  sessions: Sessions;
  log: Logger;
  handlers: VoiceHandlers;
  /** The DTLS certificate for every peer connection; made at `start` when not given. */
  certificate?: RTCCertificate;
  /** Extra ICE host addresses to offer (werift leaves loopback out; tests on one host may add 127.0.0.1). */
  iceAdditionalHostAddresses?: string[];
  heartbeatMs?: number;
  /** Messages per socket and audio per person; unlimited when absent. */
  limits?: Limits;
  /** Voice sessions one person may have open on this gateway (SAYSO_LIMIT_VOICE_SOCKETS; 0 = no limit). */
  maxSocketsPerPerson?: number;
}

/**
 * Voice at /v1/voice: one socket is one `VoiceSession`. The socket carries signalling and control
 * as JSON, the reply as binary PCM, and the mic as binary PCM when WebRTC is not used.
 *
 * @example
 * const voice = new VoiceHub({ sessions, log, handlers: pipeline });
 * await voice.start(server);
 */
export class VoiceHub {
  private readonly wss = new WebSocketServer({
    noServer: true,
    // Above the audio frame limit, so an oversized frame gets an error instead of a dropped socket.
    maxPayload: 16 * VOICE_MAX_BINARY_BYTES,
    handleProtocols: chooseBearerProtocol,
  });
  private readonly open = new Map<string, VoiceSession>();
  private certificate: RTCCertificate | undefined;
  private readonly servers: Server[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head);

  constructor(private readonly deps: VoiceHubDeps) {}

  /** Makes the certificate and warms the decoder and VAD up front, then takes upgrades on /v1/voice. */
  async start(server: Server): Promise<void> {
    const started = Date.now();
    const [certificate] = await Promise.all([this.deps.certificate ?? setupCertificate(), warmUpOpus(), loadVad()]);
    this.certificate = certificate;
    this.attach(server);
    this.heartbeat = startHeartbeat(this.wss, this.deps.heartbeatMs ?? 30_000);
    this.deps.log.debug({ ms: Date.now() - started }, 'voice hub ready');
  }

  /** Takes upgrades from one more listener (the HTTPS one beside HTTP). */
  attach(server: Server): void {
    this.servers.push(server);
    server.on('upgrade', this.onUpgrade);
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const server of this.servers.splice(0)) server.off('upgrade', this.onUpgrade);
    for (const s of this.open.values()) s.close(1001, 'gateway shutting down; reconnect');
    this.open.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** Voice sessions open on this gateway. */
  get size(): number {
    return this.open.size;
  }

  /** The open session with this id: where a turn's reply is played (`ReplyMessage.sessionId`). */
  get(sessionId: string): VoiceSession | undefined {
    return this.open.get(sessionId);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== VOICE_PATH) return; // another hub's path
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.connect(ws, req, url));
  }

  private async connect(ws: WebSocket, req: IncomingMessage, url: URL): Promise<void> {
    // The page may send hello before the token is checked: hold its frames until then.
    const early: Array<[RawData, boolean]> = [];
    const hold = (data: RawData, isBinary: boolean) => void early.push([data, isBinary]);
    ws.on('message', hold);
    // A frame over maxPayload has already sent its close code (1009): let it arrive rather than cut the socket.
    ws.on('error', () => ws.readyState !== ws.CLOSING && ws.terminate());
    const auth = await authenticateSocket(this.deps.sessions, req, url);
    if (typeof auth === 'string') {
      ws.close(VoiceCloseCode.unauthorized, auth);
      return;
    }
    const { userId, expiresAt } = auth;
    const vad = await Vad.create();
    if (ws.readyState !== ws.OPEN || !this.certificate) {
      vad.free();
      return;
    }
    const max = this.deps.maxSocketsPerPerson ?? 0;
    if (max > 0 && [...this.open.values()].filter((s) => s.userId === userId).length >= max) {
      vad.free();
      ws.close(VoiceCloseCode.tooMany, `too many voice sessions (${max}) for this person on this server: close one (another tab or app), then connect again`);
      return;
    }
    let expiry: SocketExpiry | undefined;
    const session = new VoiceSession(userId, ws, {
      vad, handlers: this.deps.handlers, log: this.deps.log, ...(this.deps.limits ? { limits: this.deps.limits } : {}),
      renewAuth: (token) => expiry!.renew(this.deps.sessions, token),
      rtc: { certificate: this.certificate, ...(this.deps.iceAdditionalHostAddresses ? { iceAdditionalHostAddresses: this.deps.iceAdditionalHostAddresses } : {}) },
    });
    this.open.set(session.id, session);
    expiry = new SocketExpiry(userId, expiresAt, () => session.close(VoiceCloseCode.unauthorized, 'session expired: sign in again'));
    ws.off('message', hold);
    ws.on('message', (data, isBinary) => session.receive(toBuffer(data), isBinary));
    ws.on('close', () => {
      expiry?.stop();
      session.close();
      this.open.delete(session.id);
      this.deps.log.debug({ sessionId: session.id, ...session.ingestStats }, 'voice socket closed');
    });
    for (const [data, isBinary] of early) session.receive(toBuffer(data), isBinary);
    this.deps.log.debug({ sessionId: session.id, userId }, 'voice socket open');
  }

}

function toBuffer(data: RawData): Buffer {
  return Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

