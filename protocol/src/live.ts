import type { LiveEvent } from './events.js';

// Messages on the live WebSocket (`/v1/live`). The client authenticates with `?token=` or a
// `sayso.bearer.<token>` subprotocol, then sends `resume` (or nothing, to start from now).

/** Browsers cannot set headers on WebSockets: the session token rides as the subprotocol `sayso.bearer.<token>`. */
export const BEARER_PROTOCOL = 'sayso.bearer.';

export type ClientMessage =
  /** Deliver every event after `lastEventId` (0 = from the start of retained history), then live ones. */
  | { type: 'resume'; lastEventId: number }
  | { type: 'ping'; nonce?: string }
  /**
   * A renewed session for the same person: the socket then lasts until it expires instead of
   * closing with 4401 when the one it opened with does. Answered with `authed`, or `error`.
   */
  | { type: 'auth'; token: string };

export type ServerMessage =
  | { type: 'hello'; protocolVersion: number; userId: string; lastEventId: number }
  | { type: 'event'; event: LiveEvent }
  /** History before `lastEventId` is no longer retained: reload state over REST, then resume from `fromEventId`. */
  | { type: 'resync_required'; fromEventId: number; reason: string }
  | { type: 'pong'; nonce?: string }
  /** Answer to `auth`: the socket now lasts until `expiresAt` (ISO-8601). */
  | { type: 'authed'; expiresAt: string }
  | { type: 'error'; error: ErrorBody['error'] };

/** Close codes used on the live socket, beyond the standard ones. */
export const LiveCloseCode = {
  /** Token missing, invalid or expired: sign in again. */
  unauthorized: 4401,
  /** The client read too slowly and its buffer filled: reconnect and resume. */
  tooSlow: 4008,
  /** A message could not be understood. */
  badMessage: 4400,
  /** This person has too many live sockets open on this gateway: close some (other tabs), then reconnect. */
  tooMany: 4429,
} as const;

import type { ErrorBody } from './errors.js';
