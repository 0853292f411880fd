import type { User } from '@sayso/protocol';
import { Http, type ClientSource, type RequestOptions } from './http.js';
import { KeySession } from './key-session.js';
import { LiveSubscription, type LiveOptions, type WebSocketConstructor } from './live.js';
import { Habits } from './resources/habits.js';
import { Journal } from './resources/journal.js';
import { Tasks } from './resources/tasks.js';
import { Turns } from './resources/turns.js';
import type { VoiceSessionOptions } from './voice/types.js';
import { VoiceSession, type VoiceSocketConstructor } from './voice/voice-session.js';

export interface SaysoClientOptions {
  /** The gateway, e.g. `http://localhost:8787` or `https://sayso.example.com/api`. */
  baseUrl: string;
  /** Session token (`Authorization: Bearer`). Get one with `SaysoClient.signInLocal`. */
  token?: string;
  /** Default: the global `fetch`. Pass one to add logging, proxies or test doubles. */
  fetch?: typeof fetch;
  /** Recorded as the origin of changes made through this client. Default `api`. */
  source?: ClientSource;
  /** For live updates. Default: the global `WebSocket`. Node 20 has none: pass `ws` (`import WebSocket from 'ws'`). */
  WebSocket?: WebSocketConstructor;
  /** Retries of a request that is safe to repeat, after a network error, 429 or 503. Default 2 (3 tries). */
  maxRetries?: number;
  /** Per try, in ms. Default 30 000. */
  timeoutMs?: number;
}

/** What `POST /v1/auth/local` returns. */
export interface Session {
  token: string;
  /** ISO-8601 instant; sign in again after it. */
  expiresAt: string;
  user: User;
}

export interface SignInLocalOptions extends Omit<SaysoClientOptions, 'baseUrl' | 'token'> {
  /** The person's name, on first sign-in. Default `Me`. */
  name?: string;
  /** Needed when the gateway was started with SAYSO_LOCAL_PASSWORD. */
  password?: string;
}

/**
 * The Sayso client: typed REST resources and live updates. Framework-free; runs in browsers and
 * Node 20+.
 *
 * @example
 * import { SaysoClient } from '@sayso/sdk';
 * const client = new SaysoClient({ baseUrl: 'http://localhost:8787', token });
 * const task = await client.tasks.create({ title: 'Buy oat milk' });
 */
export class SaysoClient {
  /** `client.tasks.{list, get, create, update, complete, reopen, remove}` */
  readonly tasks: Tasks;
  /** `client.journal.{list, get, create, update, remove, search}` */
  readonly journal: Journal;
  /** `client.habits.{list, get, create, update, remove, stats, checkins, checkIn, removeCheckin}` */
  readonly habits: Habits;
  /** `client.turns.{say, undo}` */
  readonly turns: Turns;
  readonly baseUrl: string;
  readonly #http: Http;
  readonly #WebSocket: WebSocketConstructor | undefined;
  #token: string | undefined;
  #session: Session | undefined;
  #keySession: KeySession | undefined;
  readonly #tokenListeners = new Set<(token: string) => void>();

  constructor(opts: SaysoClientOptions) {
    this.baseUrl = opts.baseUrl;
    this.#token = opts.token;
    this.#WebSocket = opts.WebSocket;
    this.#http = new Http({
      baseUrl: opts.baseUrl,
      token: () => this.#token,
      renew: () => this.#keySession?.renew() ?? Promise.resolve('refused' as const),
      // Bound late: browsers throw "Illegal invocation" when fetch is called off `window`.
      fetch: opts.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      source: opts.source,
      maxRetries: opts.maxRetries ?? 2,
      timeoutMs: opts.timeoutMs ?? 30_000,
    });
    this.tasks = new Tasks(this.#http);
    this.journal = new Journal(this.#http);
    this.habits = new Habits(this.#http);
    this.turns = new Turns(this.#http, this);
  }

  /**
   * A client for a page embedding Sayso with a publishable key (`pk_...`): the gateway checks the
   * page's origin against the key's list and answers with a short-lived session. Browsers only;
   * a page from an unlisted origin gets an AuthError that says so. The client renews the session
   * by itself before it ends (and if the gateway refuses it anyway), so a page may stay open for days.
   *
   * @example
   * const client = await SaysoClient.fromPublishableKey('https://sayso.example.com', 'pk_live_...');
   */
  static async fromPublishableKey(baseUrl: string, key: string, opts: Omit<SaysoClientOptions, 'baseUrl' | 'token'> = {}): Promise<SaysoClient> {
    const anonymous = new SaysoClient({ ...opts, baseUrl });
    const exchange = () => anonymous.#http.request<Session>({ method: 'POST', path: '/v1/auth/publishable', body: { key }, repeatable: true });
    const session = await exchange();
    const client = new SaysoClient({ ...opts, baseUrl, token: session.token });
    client.#session = session;
    client.#keySession = new KeySession(exchange, (renewed) => {
      client.#token = renewed.token;
      client.#session = renewed;
      for (const fn of client.#tokenListeners) fn(renewed.token);
    });
    client.#keySession.keep(session);
    return client;
  }

  /**
   * Signs in as the single local person of a self-hosted gateway and returns a client holding
   * the session. Keep `client.token` to skip signing in next time.
   *
   * @example
   * const client = await SaysoClient.signInLocal('http://localhost:8787', { name: 'Ada' });
   * console.log(client.session?.user.name, client.session?.expiresAt);
   */
  static async signInLocal(baseUrl: string, opts: SignInLocalOptions = {}): Promise<SaysoClient> {
    const { name, password, ...clientOpts } = opts;
    const anonymous = new SaysoClient({ ...clientOpts, baseUrl });
    const session = await anonymous.#http.request<Session>({
      method: 'POST',
      path: '/v1/auth/local',
      body: { ...(name !== undefined ? { name } : {}), ...(password !== undefined ? { password } : {}) },
      // Signing in again only issues another token: safe to repeat.
      repeatable: true,
    });
    const client = new SaysoClient({ ...clientOpts, baseUrl, token: session.token });
    client.#session = session;
    return client;
  }

  /** The session token in use; a key session's changes as it is renewed. */
  get token(): string | undefined {
    return this.#token;
  }

  /** The session from `signInLocal` or `fromPublishableKey`; undefined when the client was given a token. */
  get session(): Session | undefined {
    return this.#session;
  }

  /**
   * The signed-in person.
   *
   * @example
   * const me = await client.me(); // { id, name, email, timeZone }
   */
  me(opts: RequestOptions = {}): Promise<User> {
    return this.#http.request({ method: 'GET', path: '/v1/me', signal: opts.signal });
  }

  /**
   * Subscribes to live updates: every change to tasks, journal and habits, from any device,
   * in order. Reconnects and resumes by itself; call `close()` when done.
   *
   * @example
   * const sub = client.live({
   *   lastEventId: Number(localStorage.getItem('sayso:lastEventId') ?? '') || undefined,
   *   onEvent: (e) => {
   *     if (e.type === 'task_update') store.applyTask(e.data.op, e.data.task);
   *     localStorage.setItem('sayso:lastEventId', String(sub.lastEventId));
   *   },
   *   onResync: () => store.reloadAll(client),
   *   onError: (err) => showSignIn(err.message),
   * });
   */
  /**
   * Changes the signed-in person's name or time zone (the zone decides what "today" means).
   *
   * @example
   * await client.updateMe({ timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone });
   */
  updateMe(patch: { name?: string; timeZone?: string }, opts: RequestOptions = {}): Promise<User> {
    return this.#http.request({ method: 'PATCH', path: '/v1/me', body: patch, signal: opts.signal });
  }

  /**
   * A voice session: mic in, transcripts, results and spoken replies out (see {@link VoiceSession}).
   *
   * @example
   * const voice = client.voice({ mode: 'hands-free' });
   * voice.on('result', ({ reply }) => console.log(reply));
   * await voice.connect();
   */
  voice(opts: VoiceSessionOptions = {}): VoiceSession {
    const WebSocket = (this.#WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket) as VoiceSocketConstructor | undefined;
    if (!WebSocket) throw new TypeError("No WebSocket implementation found. In Node pass one: new SaysoClient({ baseUrl, token, WebSocket }) with import WebSocket from 'ws'.");
    return new VoiceSession(this.#connection(WebSocket), opts);
  }

  live(opts: LiveOptions): LiveSubscription {
    const WebSocket = this.#WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WebSocket) {
      throw new TypeError(
        "No WebSocket implementation found (Node 20 has none built in). Pass one: import WebSocket from 'ws'; " +
          'new SaysoClient({ baseUrl, token, WebSocket }).',
      );
    }
    return new LiveSubscription(this.#connection(WebSocket), opts);
  }

  /** What a socket needs to connect; the token is read at each connect, so renewals apply. */
  #connection<W>(WebSocket: W) {
    const client = this;
    return {
      baseUrl: this.baseUrl,
      WebSocket,
      get token() {
        return client.#token;
      },
      // Only a key session can be renewed; any other refused session stops the socket at once.
      renew: client.#keySession && (() => client.#keySession!.renew()),
      onToken: (fn: (token: string) => void) => {
        client.#tokenListeners.add(fn);
        return () => void client.#tokenListeners.delete(fn);
      },
    };
  }
}
