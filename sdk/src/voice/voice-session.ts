import {
  VOICE_PATH, VoiceCloseCode,
  type ClientToolSpec, type VoiceClientMessage, type VoiceMode, type VoiceServerMessage, type VoiceTransportKind,
} from '@sayso/protocol';
import { openGatewaySocket } from '../socket.js';
import { Emitter } from './emitter.js';
import { openMic, VoiceFailure, type Mic } from './mic.js';
import { Player } from './player.js';
import { connectWebRtc, connectWorklet } from './transports.js';
import type { ClientTool, VoiceConnectOptions, VoiceSessionEvents, VoiceSessionOptions, VoiceSessionState } from './types.js';

/** The WebSocket the voice session needs: the standard one's text and binary frames. Browser `WebSocket` and `ws` fit. */
export interface VoiceSocket {
  readonly readyState: number;
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
}
export type VoiceSocketConstructor = new (url: string, protocols?: string | string[]) => VoiceSocket;

export interface VoiceConnection {
  baseUrl: string;
  /** Read at each connect, so a renewed session is used. */
  readonly token: string | undefined;
  WebSocket: VoiceSocketConstructor;
  /** Calls `fn` with each renewed token; returns the unsubscribe. */
  onToken?: ((fn: (token: string) => void) => () => void) | undefined;
}

// Resolved when this module loads, while a classic <script>'s `document.currentScript` is known.
const DEFAULT_WORKLET = new URL('./pcm-worklet.js', import.meta.url);
const OPEN = 1;
/** How long a `disconnected` peer connection may take to come back before the session reports it lost. */
const PEER_GRACE_MS = 4_000;
const TOOL_NAME = /^[a-z][a-z0-9_]{0,63}$/;

type ServerOf<T extends VoiceServerMessage['type']> = Extract<VoiceServerMessage, { type: T }>;

/**
 * A voice conversation with Sayso (`client.voice(...)`): the mic goes to the gateway over WebRTC
 * (or, when WebRTC cannot connect, as PCM over the WebSocket), and transcripts, results and
 * spoken replies come back. Speaking over a reply stops it (barge-in).
 *
 * @example
 * const voice = client.voice({ mode: 'push-to-talk' });
 * voice.on('transcript', ({ text, final }) => (caption.textContent = text));
 * voice.on('result', ({ reply, outcome }) => console.log(reply, outcome.status));
 * button.onclick = () => voice.connect();          // needs a click: browsers start audio on a gesture
 * button.onpointerdown = () => voice.press();
 * button.onpointerup = () => voice.release();
 */
export class VoiceSession extends Emitter<VoiceSessionEvents> {
  #state: VoiceSessionState = 'disconnected';
  #mode: VoiceMode;
  #speak: boolean;
  #muted = false;
  readonly #tools = new Map<string, ClientTool>();
  readonly #waiting = new Map<string, { resolve(m: VoiceServerMessage): void; reject(e: Error): void }>();
  #ws: VoiceSocket | undefined;
  #ctx: AudioContext | undefined;
  #player: Player | undefined;
  #mic: Mic | undefined;
  #pc: RTCPeerConnection | undefined;
  #peerLost: ReturnType<typeof setTimeout> | undefined;
  #worklet: { stop(): void } | undefined;
  #levelTimer: ReturnType<typeof setInterval> | undefined;
  #connecting: Promise<void> | undefined;
  #sessionId: string | undefined;
  #offToken: (() => void) | undefined;
  #transport: VoiceTransportKind | undefined;
  #serverState: ServerOf<'state'>['state'] = 'idle';

  constructor(
    private readonly connection: VoiceConnection,
    private readonly options: VoiceSessionOptions = {},
  ) {
    super();
    this.#mode = options.mode ?? 'push-to-talk';
    this.#speak = options.speakReplies ?? true;
    for (const tool of options.tools ?? []) this.#addTool(tool);
  }

  get state(): VoiceSessionState {
    return this.#state;
  }
  get mode(): VoiceMode {
    return this.#mode;
  }
  get muted(): boolean {
    return this.#muted;
  }
  get speakReplies(): boolean {
    return this.#speak;
  }
  /** The transport in use once connected: `webrtc`, or `websocket` after a fallback. */
  get transport(): VoiceTransportKind | undefined {
    return this.#transport;
  }
  /** The gateway's id for this session, once connected. */
  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  /**
   * Opens the session (and, unless `{ mic: false }`, the microphone). Call it from a click or key
   * press: browsers only start audio after a gesture. Rejects with a message to show the person
   * (also sent as an `error` event).
   */
  connect(opts: VoiceConnectOptions = {}): Promise<void> {
    if (this.#connecting) return this.#connecting;
    if (this.#ws && this.#state !== 'error' && this.#state !== 'disconnected') return Promise.resolve();
    this.#connecting = this.#connect(opts.mic ?? true).finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  /** Push-to-talk: start speaking (also stops a reply that is playing). */
  press(): void {
    this.#player?.flush();
    this.#send({ type: 'ptt', pressed: true });
  }

  /** Push-to-talk: done speaking; the turn goes to Sayso. */
  release(): void {
    this.#send({ type: 'ptt', pressed: false });
  }

  setMode(mode: VoiceMode): void {
    this.#mode = mode;
    this.#send({ type: 'mode', mode });
  }

  /** Mutes the mic (nothing is sent) without closing the session. */
  setMuted(muted: boolean): void {
    this.#muted = muted;
    if (this.#mic) this.#mic.track.enabled = !muted;
  }

  /** Turns spoken replies on or off; results still arrive as text. */
  setSpeakReplies(speak: boolean): void {
    this.#speak = speak;
    if (!speak) this.#player?.flush();
    this.#send({ type: 'speak', speak });
  }

  /** A typed turn, understood like speech. Needs `connect()` first (`{ mic: false }` is enough). */
  sendText(text: string): void {
    if (!this.#ws || this.#ws.readyState !== OPEN || !this.#sessionId) {
      throw new Error('The voice session is not connected: await voice.connect() (or connect({ mic: false }) for text only) first.');
    }
    this.#send({ type: 'text', text });
  }

  /** Stops the reply and drops the turn in flight. */
  cancel(): void {
    this.#player?.flush();
    this.#send({ type: 'cancel' });
  }

  /**
   * Lets Sayso call a function of this page during a turn (see {@link ClientTool}). Returns a
   * function that removes it.
   */
  registerTool(tool: ClientTool): () => void {
    this.#addTool(tool);
    this.#send({ type: 'tools', tools: this.#toolSpecs() });
    return () => {
      if (this.#tools.get(tool.name) !== tool) return;
      this.#tools.delete(tool.name);
      this.#send({ type: 'tools', tools: this.#toolSpecs() });
    };
  }

  /** Ends the session and releases the mic. `connect()` opens a new one. */
  close(): void {
    this.#teardown();
    void this.#ctx?.close().catch(() => {});
    this.#ctx = undefined;
    this.#player = undefined;
    this.#setState('disconnected');
  }

  async #connect(mic: boolean): Promise<void> {
    this.#setState('connecting');
    let transport: VoiceTransportKind = mic ? (this.options.transport ?? 'webrtc') : 'websocket';
    try {
      if ((mic || this.#speak) && typeof AudioContext !== 'undefined') {
        this.#ctx ??= new AudioContext();
        this.#player ??= new Player(this.#ctx);
        void this.#ctx.resume().catch(() => {});
      }
      if (mic && !this.#ctx) throw new VoiceFailure('unsupported', 'This browser cannot record audio. Use a recent Chrome, Edge, Firefox or Safari, or type instead.');
      try {
        await this.#open(transport, mic);
      } catch (err) {
        if (transport !== 'webrtc' || err instanceof VoiceFailure) throw err;
        // WebRTC blocked (a firewall, a browser without it): the mic goes over the socket instead.
        this.#teardown();
        transport = 'websocket';
        await this.#open(transport, mic);
      }
      this.#setState(this.#serverState);
    } catch (err) {
      this.#teardown();
      const failure = err instanceof VoiceFailure
        ? err
        : new VoiceFailure('connection', `Could not reach Sayso at ${this.connection.baseUrl}. Check the connection and try again.`);
      this.#fail(failure);
      throw failure;
    }
  }

  async #open(transport: VoiceTransportKind, mic: boolean): Promise<void> {
    const ws = await this.#socket();
    const ready = this.#expect('ready');
    this.#send({
      type: 'hello', mode: this.#mode, transport, speak: this.#speak, tools: this.#toolSpecs(),
      ...(this.#ctx ? { sampleRate: Math.min(48_000, Math.max(8_000, Math.round(this.#ctx.sampleRate))) } : {}),
    });
    this.#sessionId = (await ready).sessionId;
    this.#transport = transport;
    // A renewed session goes to the open socket, which would otherwise close when the old one ends.
    this.#offToken = this.connection.onToken?.((token) => this.#send({ type: 'auth', token }));
    if (!mic) return;
    const ctx = this.#ctx!;
    const audio = { echoCancellation: this.#mode === 'hands-free', noiseSuppression: false, autoGainControl: false, ...this.options.audio };
    if (transport === 'webrtc') {
      const answer = this.#expect('answer').then((m) => m.sdp);
      const rtc = await connectWebRtc((sdp) => this.#send({ type: 'offer', sdp }), answer);
      this.#pc = rtc.pc;
      rtc.pc.addEventListener('connectionstatechange', () => this.#watchPeer(rtc.pc));
      this.#mic = await openMic(ctx, audio);
      await rtc.attach(this.#mic.track);
    } else {
      const worklet = await connectWorklet(ctx, this.options.workletUrl ?? DEFAULT_WORKLET, (frame) => ws.readyState === OPEN && ws.send(frame));
      this.#worklet = worklet;
      this.#mic = await openMic(ctx, audio);
      worklet.attach(this.#mic.stream);
    }
    this.#mic.track.enabled = !this.#muted;
    this.#levelTimer = setInterval(() => this.#mic && this.emit('level', { level: this.#mic.level() }), 50);
  }

  #socket(): Promise<VoiceSocket> {
    const { baseUrl, token, WebSocket } = this.connection;
    const ws = openGatewaySocket(WebSocket, baseUrl, VOICE_PATH.slice(1), token);
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    return new Promise((resolve, reject) => {
      ws.onopen = () => resolve(ws);
      ws.onerror = () => {}; // the close that follows says more
      ws.onmessage = (e) => this.#receive(e.data);
      ws.onclose = (e) => {
        const failure = e.code === VoiceCloseCode.unauthorized
          ? new VoiceFailure('unauthorized', 'Your Sayso session has expired or is not valid. Sign in again.')
          : new VoiceFailure('connection', `The connection to Sayso was lost${e.reason ? ` (${e.reason})` : ''}. Try again.`);
        reject(failure);
        if (this.#ws !== ws) return;
        for (const w of this.#waiting.values()) w.reject(failure);
        this.#waiting.clear();
        // A drop after the session was up: tell the page, which may connect() again.
        if (this.#sessionId && this.#state !== 'connecting') {
          this.#teardown();
          this.#fail(failure);
        }
      };
    });
  }

  #receive(data: unknown): void {
    if (typeof data !== 'string') {
      if (this.#speak && data instanceof ArrayBuffer) this.#player?.push(new Int16Array(data));
      return;
    }
    let msg: VoiceServerMessage;
    try {
      msg = JSON.parse(data) as VoiceServerMessage;
    } catch {
      return;
    }
    const waiter = this.#waiting.get(msg.type);
    if (waiter) {
      this.#waiting.delete(msg.type);
      waiter.resolve(msg);
    }
    switch (msg.type) {
      case 'state':
        // While connecting, the mic may still be coming: the state shows once all is up.
        this.#serverState = msg.state;
        if (!this.#connecting) this.#setState(msg.state, msg.turnId);
        return;
      case 'transcript':
        return this.emit('transcript', { turnId: msg.turnId, text: msg.text, final: msg.final });
      case 'result': {
        const r = msg.result;
        return this.emit('result', { turnId: msg.turnId, text: r.text ?? '', reply: r.reply, outcome: r.outcome, timings: r.timings ?? {} });
      }
      case 'reply-start':
        if (this.#speak) this.#player?.start(msg.sampleRate);
        return this.emit('reply', { turnId: msg.turnId, phase: 'start' });
      case 'reply-end':
        if (msg.interrupted) this.#player?.flush();
        return this.emit('reply', { turnId: msg.turnId, phase: 'end', interrupted: msg.interrupted });
      case 'tool-call':
        return void this.#runTool(msg);
      case 'error':
        // A refused `auth` changes nothing now: the socket closes when its session ends, and says so then.
        if (msg.code === 'unauthorized') return;
        return this.emit('error', { kind: 'server', message: msg.message });
      default:
        return;
    }
  }

  async #runTool(msg: ServerOf<'tool-call'>): Promise<void> {
    const tool = this.#tools.get(msg.name);
    const args = msg.args as { phrase: string };
    let reply: VoiceClientMessage;
    try {
      if (!tool) throw new Error(`no tool "${msg.name}" on this page`);
      reply = { type: 'tool-result', callId: msg.callId, result: (await tool.handler(args)) ?? null };
    } catch (err) {
      reply = { type: 'tool-result', callId: msg.callId, error: err instanceof Error ? err.message : String(err) };
    }
    this.emit('tool', { turnId: msg.turnId, name: msg.name, args, ok: !('error' in reply && reply.error) });
    this.#send(reply);
  }

  #expect<T extends VoiceServerMessage['type']>(type: T): Promise<ServerOf<T>> {
    return new Promise((resolve, reject) => this.#waiting.set(type, { resolve: resolve as (m: VoiceServerMessage) => void, reject }));
  }

  #send(msg: VoiceClientMessage): void {
    if (this.#ws?.readyState === OPEN) this.#ws.send(JSON.stringify(msg));
  }

  #addTool(tool: ClientTool): void {
    if (!TOOL_NAME.test(tool.name)) throw new TypeError(`Client tool name "${tool.name}" must be lowercase letters, digits and _ , starting with a letter.`);
    if (typeof tool.handler !== 'function') throw new TypeError(`Client tool "${tool.name}" needs a handler function.`);
    this.#tools.set(tool.name, tool);
  }

  #toolSpecs(): ClientToolSpec[] {
    return [...this.#tools.values()].map((t) => ({ name: t.name, description: t.description, refersTo: t.refersTo }));
  }

  #setState(state: VoiceSessionState, turnId?: string): void {
    if (state === this.#state && turnId === undefined) return;
    this.#state = state;
    this.emit('state', { state, ...(turnId !== undefined ? { turnId } : {}) });
  }

  #fail(failure: VoiceFailure): void {
    this.#setState('error');
    this.emit('error', { kind: failure.kind, message: failure.message });
  }

  /**
   * The audio path can die while the socket lives (the gateway closed the peer, a network path
   * went away): without this the mic would talk to nothing. `failed`/`closed` end the session at
   * once; `disconnected` gets a few seconds to come back, as ICE often does by itself.
   */
  #watchPeer(pc: RTCPeerConnection): void {
    if (pc !== this.#pc) return;
    clearTimeout(this.#peerLost);
    const lost = () => {
      if (pc !== this.#pc) return;
      this.#teardown();
      this.#fail(new VoiceFailure('connection', 'The audio connection to Sayso was lost. Try again.'));
    };
    if (pc.connectionState === 'failed' || pc.connectionState === 'closed') lost();
    else if (pc.connectionState === 'disconnected') this.#peerLost = setTimeout(lost, PEER_GRACE_MS);
  }

  #teardown(): void {
    this.#offToken?.();
    this.#offToken = undefined;
    clearTimeout(this.#peerLost);
    clearInterval(this.#levelTimer);
    this.#levelTimer = undefined;
    this.#mic?.stop();
    this.#worklet?.stop();
    this.#pc?.close();
    this.#player?.flush();
    const ws = this.#ws;
    this.#ws = undefined;
    this.#mic = this.#worklet = this.#pc = this.#sessionId = this.#transport = undefined;
    if (ws) {
      ws.onmessage = null;
      ws.onclose = null;
      ws.close(1000, 'closed by the page');
    }
    for (const w of this.#waiting.values()) w.reject(new Error('closed'));
    this.#waiting.clear();
  }
}
