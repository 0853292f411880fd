import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { BEARER_PROTOCOL } from '@sayso/protocol';
import type { SessionClaims, Sessions } from '../http/sessions.js';

/** For `new WebSocketServer({ handleProtocols })`: a browser that offered the token needs it echoed back. */
export const chooseBearerProtocol = (offered: Set<string>): string | false =>
  [...offered].find((p) => p.startsWith(BEARER_PROTOCOL)) ?? false;

/** The session token of an upgrade request: `?token=` or the bearer subprotocol. */
export function tokenOf(req: IncomingMessage, url: URL): string | null {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const p = req.headers['sec-websocket-protocol']?.split(',').map((s) => s.trim()).find((s) => s.startsWith(BEARER_PROTOCOL));
  return p ? p.slice(BEARER_PROTOCOL.length) : null;
}

/** Pings every socket each `everyMs`; one that did not answer the last ping is dropped. */
export function startHeartbeat(wss: WebSocketServer, everyMs: number): NodeJS.Timeout {
  const alive = new WeakMap<WebSocket, boolean>();
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) ws.on('pong', () => alive.set(ws, true)); // first beat since it opened
      else if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, everyMs);
  timer.unref();
  return timer;
}

/**
 * Checks the session of an upgrade request. Returns the claims, or the reason to close with
 * 4401 (the same words on the live and the voice socket).
 */
export async function authenticateSocket(sessions: Sessions, req: IncomingMessage, url: URL): Promise<SessionClaims | string> {
  const token = tokenOf(req, url);
  if (!token) return 'sign in: pass ?token=<session token>';
  try {
    return await sessions.verify(token);
  } catch {
    return 'session token invalid or expired: sign in again';
  }
}

/**
 * Ends a socket when its session does, unless the client hands in a renewed session for the same
 * person first (`{"type":"auth","token":...}`): key sessions are short, and a page renews them
 * without dropping its live updates or its voice call.
 */
export class SocketExpiry {
  #timer: NodeJS.Timeout | undefined;
  #endsAt = new Date(0);

  constructor(
    private readonly userId: string,
    expiresAt: Date,
    private readonly end: () => void,
  ) {
    this.#arm(expiresAt);
  }

  /** Checks a renewed token; returns the new end, or why it was refused (the old end stands). */
  async renew(sessions: Sessions, token: unknown): Promise<{ expiresAt: Date } | string> {
    if (typeof token !== 'string' || !token || token.length > 4096) return 'auth needs "token": a session token';
    let claims: SessionClaims;
    try {
      claims = await sessions.verify(token);
    } catch {
      return 'that session token is invalid or expired; this socket keeps its current session';
    }
    if (claims.userId !== this.userId) return 'that session token is for another person; open a new socket to switch';
    // Only ever later: two renewals checked out of order must not cut the socket short.
    if (claims.expiresAt > this.#endsAt) this.#arm(claims.expiresAt);
    return { expiresAt: this.#endsAt };
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  #arm(at: Date): void {
    this.#endsAt = at;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.end, Math.min(Math.max(0, at.getTime() - Date.now()), 2 ** 31 - 1));
  }
}
