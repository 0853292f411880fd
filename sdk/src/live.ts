import { LiveCloseCode, TRANSIENT_EVENT_TYPES, type ClientMessage, type LiveEvent, type ServerMessage } from '@sayso/protocol';
import { backoffDelay } from './backoff.js';
import { AuthError } from './errors.js';
import type { RenewOutcome } from './key-session.js';
import { openGatewaySocket } from './socket.js';

// Handlers are declared as methods so both the DOM's WebSocket and `ws` fit without casts.
type Listener<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of the standard WebSocket the SDK uses. The browser's `WebSocket` and `ws` both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: Listener<unknown> | null;
  onmessage: Listener<{ data: unknown }> | null;
  onclose: Listener<{ code: number; reason: string }> | null;
  onerror: Listener<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** `connecting` until the first hello, `open` while events flow, `reconnecting` between sockets, `closed` for good. */
export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface LiveOptions {
  /** Each change, in order, once. Stored events never repeat; `voice_transcript` and `turn_result` events are transient. */
  onEvent(event: LiveEvent): void;
  /** Resume after this id (e.g. one saved before a page reload). Default: from now. */
  lastEventId?: number | undefined;
  onStateChange?(state: LiveState): void;
  /**
   * Changes were missed and cannot be replayed (history was pruned): reload state over REST.
   * Events after `fromEventId` keep arriving through `onEvent`.
   */
  onResync?(info: { fromEventId: number; reason: string }): void;
  /** The subscription stopped for good: an AuthError when the session is missing or expired. */
  onError?(error: AuthError): void;
  /** How often to check the connection is alive, in ms. Default 25 000. */
  heartbeatMs?: number;
}

export interface LiveConnection {
  baseUrl: string;
  /** Read at each (re)connect, so a renewed session is used. */
  readonly token: string | undefined;
  WebSocket: WebSocketConstructor;
  /** Buys a fresh session when the gateway refuses this one (key sessions only). */
  renew?: (() => Promise<RenewOutcome>) | undefined;
  /** Calls `fn` with each renewed token; returns the unsubscribe. */
  onToken?: ((fn: (token: string) => void) => () => void) | undefined;
}

const OPEN = 1;

/**
 * A live-updates subscription (`client.live(...)`). It reconnects by itself with jittered
 * exponential backoff and resumes after the last event it delivered, so across drops no change
 * is missed and none is delivered twice. Stops only on `close()` or when the session is rejected.
 */
export class LiveSubscription {
  #state: LiveState = 'connecting';
  #lastEventId: number | undefined;
  #error: AuthError | undefined;
  #ws: WebSocketLike | undefined;
  #attempt = 0;
  #renewed = false;
  #lastHeard = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #heartbeatMs: number;
  readonly #offToken: (() => void) | undefined;
  readonly #connection: LiveConnection;
  readonly #opts: LiveOptions;

  /** Use `client.live(...)`; this opens the first socket at once. */
  constructor(connection: LiveConnection, opts: LiveOptions) {
    this.#connection = connection;
    this.#opts = opts;
    this.#lastEventId = opts.lastEventId;
    this.#heartbeatMs = opts.heartbeatMs ?? 25_000;
    this.#connect();
    this.#heartbeat = setInterval(() => this.#checkAlive(), this.#heartbeatMs);
    // A renewed session is handed to the open socket, which would otherwise close when the old one ends.
    this.#offToken = connection.onToken?.((token) => this.#ws?.readyState === OPEN && this.#ws.send(JSON.stringify({ type: 'auth', token } satisfies ClientMessage)));
  }

  get state(): LiveState {
    return this.#state;
  }

  /** The id of the last stored event delivered (or the starting point). Save it to resume later. */
  get lastEventId(): number | undefined {
    return this.#lastEventId;
  }

  /** Why the subscription stopped, when it stopped by itself. */
  get error(): AuthError | undefined {
    return this.#error;
  }

  /** Stops for good: closes the socket and cancels any reconnect. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#stop();
    this.#drop(1000, 'closed by the client');
  }

  #connect(): void {
    const { baseUrl, token, WebSocket } = this.#connection;
    const ws = openGatewaySocket(WebSocket, baseUrl, 'v1/live', token, this.#lastEventId === undefined ? {} : { lastEventId: String(this.#lastEventId) });
    this.#ws = ws;
    this.#lastHeard = Date.now();
    ws.onmessage = (ev) => {
      if (this.#ws !== ws || typeof ev.data !== 'string') return;
      this.#lastHeard = Date.now();
      this.#receive(JSON.parse(ev.data) as ServerMessage);
    };
    ws.onclose = (ev) => {
      if (this.#ws === ws) this.#closed(ev.code, ev.reason);
    };
    // A close always follows an error; without a listener `ws` would throw it.
    ws.onerror = () => {};
  }

  /** Maps each wire message to what the app sees, in one place. */
  #receive(msg: ServerMessage): void {
    switch (msg.type) {
      case 'hello':
        this.#attempt = 0;
        this.#renewed = false;
        if (this.#lastEventId === undefined) this.#lastEventId = msg.lastEventId;
        else if (msg.lastEventId < this.#lastEventId) {
          // The gateway's history is behind what we saw (its database was restored): reload,
          // or every event up to our old id would be dropped as a repeat.
          this.#lastEventId = msg.lastEventId;
          this.#opts.onResync?.({ fromEventId: msg.lastEventId, reason: 'the gateway has fewer events than this client saw' });
        }
        this.#setState('open');
        return;
      case 'event': {
        const event = msg.event;
        if (!TRANSIENT_EVENT_TYPES.includes(event.type)) {
          // After a reconnect the backfill may overlap what the old socket delivered.
          if (this.#lastEventId !== undefined && event.id <= this.#lastEventId) return;
          this.#lastEventId = event.id;
        }
        this.#opts.onEvent(event);
        return;
      }
      case 'resync_required':
        this.#lastEventId = msg.fromEventId;
        this.#opts.onResync?.({ fromEventId: msg.fromEventId, reason: msg.reason });
        return;
      case 'pong':
      case 'authed':
      case 'error': // answers to malformed messages, or a refused `auth` (the socket then closes when its session ends)
        return;
    }
  }

  #closed(code: number, reason: string): void {
    this.#ws = undefined;
    if (this.#state === 'closed') return;
    if (code === LiveCloseCode.unauthorized && this.#connection.renew && !this.#renewed) {
      // A key session that ran out (the page slept or was offline past its renewal): renew and
      // resume; while renewing cannot reach the gateway, keep trying as after any drop.
      this.#renewed = true;
      this.#setState('reconnecting');
      void this.#connection.renew().then((outcome) => {
        if (this.#state === 'closed') return;
        if (outcome === 'refused') return this.#closed(code, reason);
        if (outcome === 'failed') this.#renewed = false;
        this.#retryTimer = setTimeout(() => this.#connect(), outcome === 'renewed' ? 0 : backoffDelay(this.#attempt++, 500, 30_000));
      });
      return;
    }
    if (code === LiveCloseCode.unauthorized) {
      // Reconnecting cannot fix a rejected session: stop, and say what to do.
      this.#error = new AuthError(
        `Live updates were refused: ${reason || 'the session token is missing, invalid or expired'}. ` +
          'Sign in again (e.g. SaysoClient.signInLocal) and call client.live() with the new client.',
        { status: 401, code: 'unauthorized', retryable: false },
      );
      this.#stop();
      this.#opts.onError?.(this.#error);
      return;
    }
    // Anything else (too slow, gateway restart, network drop) is healed by resuming.
    this.#setState('reconnecting');
    this.#retryTimer = setTimeout(() => this.#connect(), backoffDelay(this.#attempt++, 500, 30_000));
  }

  /** Pings, and replaces a socket that has said nothing for two intervals (a dead network path). */
  #checkAlive(): void {
    if (!this.#ws) return;
    if (Date.now() - this.#lastHeard > 2 * this.#heartbeatMs) {
      this.#drop(4000, 'no answer to ping; reconnecting');
      this.#closed(1006, 'no answer to ping');
    } else if (this.#ws.readyState === OPEN) {
      this.#ws.send(JSON.stringify({ type: 'ping' } satisfies ClientMessage));
    }
  }

  #stop(): void {
    this.#offToken?.();
    clearInterval(this.#heartbeat);
    clearTimeout(this.#retryTimer);
    this.#setState('closed');
  }

  #drop(code: number, reason: string): void {
    const ws = this.#ws;
    this.#ws = undefined;
    try {
      ws?.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  #setState(state: LiveState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#opts.onStateChange?.(state);
  }
}
