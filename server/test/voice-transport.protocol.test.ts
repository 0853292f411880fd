import { RTCPeerConnection, useOPUS } from 'werift';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { readConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import type { VoiceClientMessage, VoiceServerMessage } from '../src/realtime/voice/messages.js';
import type { VoiceHub } from '../src/realtime/voice/voice-hub.js';
import type { VoiceSegment, VoiceSession } from '../src/realtime/voice/voice-session.js';
import { speechWav, type SpeechWav } from './support/browser.js';
import { signIn } from './support/live-socket.js';
import { openTestStore, type TestStore } from './support/stores.js';

/** A bare voice socket from Node: JSON out, every message and the close code collected. */
class Client {
  readonly messages: VoiceServerMessage[] = [];
  readonly binary: Buffer[] = [];
  closed: { code: number; reason: string } | undefined;
  readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(base: string, token?: string) {
    const url = new URL('/v1/voice', base.replace(/^http/, 'ws'));
    if (token) url.searchParams.set('token', token);
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => (this.ws.once('open', () => resolve()), this.ws.once('error', reject)));
    this.ws.on('message', (data, isBinary) => (isBinary ? this.binary.push(data as Buffer) : this.messages.push(JSON.parse(String(data)))));
    this.ws.on('close', (code, reason) => (this.closed = { code, reason: String(reason) }));
  }

  send(msg: VoiceClientMessage | string | Buffer): void {
    this.ws.send(typeof msg === 'object' && !Buffer.isBuffer(msg) ? JSON.stringify(msg) : msg);
  }

  of<T extends VoiceServerMessage['type']>(type: T): Array<Extract<VoiceServerMessage, { type: T }>> {
    return this.messages.filter((m): m is Extract<VoiceServerMessage, { type: T }> => m.type === type);
  }

  async next<T extends VoiceServerMessage['type']>(type: T, count = 1): Promise<Extract<VoiceServerMessage, { type: T }>> {
    await until(() => this.of(type).length >= count, `${count} × ${type}`);
    return this.of(type)[count - 1]!;
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('voice transport protocol at /v1/voice', () => {
  let db: TestStore;
  let gw: Gateway;
  let hub: VoiceHub;
  let token: string;
  let speech: SpeechWav;
  const segments: Array<{ session: VoiceSession; segment: VoiceSegment }> = [];
  const texts: string[] = [];
  const clients: Client[] = [];
  const connect = async (t: string | undefined = token) => {
    const c = new Client(gw.url, t);
    clients.push(c);
    await c.opened;
    return c;
  };

  beforeAll(async () => {
    db = await openTestStore('pglite');
    gw = await startGateway(readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent' }), {
      store: db.store, bus: new MemoryBus(), embedder: new HashEmbedder(),
      voiceHandlers: { onSegment: (session, segment) => void segments.push({ session, segment }), onText: (_s, t) => void texts.push(t.text) },
    });
    hub = gw.voice;
    token = await signIn(gw.url);
    speech = await speechWav('add bread to the shopping list');
  });
  afterAll(async () => {
    for (const c of clients) c.ws.terminate();
    await gw?.close();
    await db?.close();
  });

  it('refuses a socket without a token, or with a bad one, with 4401 and says what to do', async () => {
    for (const t of [undefined, 'not-a-token']) {
      const c = new Client(gw.url, t);
      clients.push(c);
      await until(() => c.closed !== undefined, 'close');
      expect(c.closed!.code).toBe(4401);
      expect(c.closed!.reason).toMatch(/sign in/);
    }
  });

  it('a bad SDP offer gets an error and the session still answers a good one', async () => {
    const c = await connect();
    c.send({ type: 'hello', mode: 'hands-free', transport: 'webrtc' });
    await c.next('ready');
    c.send({ type: 'offer', sdp: 'hello there' });
    c.send({ type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n' }); // no codecs, no ICE, no DTLS
    c.send({ type: 'offer', sdp: 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n' });
    await c.next('error', 3);
    expect(c.of('error').map((e) => e.code)).toEqual(['bad_sdp', 'bad_sdp', 'bad_sdp']);
    for (const e of c.of('error')) expect(e.message.length).toBeGreaterThan(20);

    const pc = new RTCPeerConnection({ iceServers: [], codecs: { audio: [useOPUS()] } });
    pc.addTransceiver('audio', { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const asked = Date.now();
    c.send({ type: 'offer', sdp: pc.localDescription!.sdp });
    const answer = await c.next('answer');
    console.log(`[voice] offer -> answer ${Date.now() - asked} ms (werift client, same process)`);
    expect(answer.sdp).toMatch(/a=rtpmap:\d+ opus\/48000\/2/i);
    expect(answer.sdp).not.toMatch(/red\/48000/i);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    await until(() => pc.connectionState === 'connected', 'WebRTC connected');
    await pc.close();
    expect(c.closed).toBeUndefined();
  });

  it('garbage binary frames get errors and are ignored; the PCM after them still makes a turn', async () => {
    segments.length = 0;
    const c = await connect();
    c.send(Buffer.alloc(10)); // before hello
    c.send({ type: 'hello', mode: 'hands-free', transport: 'websocket' });
    await c.next('ready');
    c.send('{not json');
    c.send({ type: 'dance' } as unknown as VoiceClientMessage);
    c.send(Buffer.alloc(641)); // odd length
    c.send(Buffer.alloc(100 * 1024)); // over 64 kB
    await c.next('error', 5);
    expect(c.of('error').map((e) => e.code)).toEqual(['not_ready', 'bad_message', 'bad_message', 'bad_audio', 'bad_audio']);
    // The speech, in 20 ms frames and faster than real time: the VAD counts frames, not wall time.
    const bytes = Buffer.from(speech.pcm.buffer, speech.pcm.byteOffset, speech.pcm.byteLength);
    for (let off = 0; off < bytes.length; off += 640) c.send(bytes.subarray(off, off + 640));
    await until(() => segments.length > 0, 'a segment');
    const spoken = speech.spoken[0]!;
    expect(Math.abs(segments[0]!.segment.pcm.length / 16 - (spoken.endMs - spoken.startMs))).toBeLessThan(500);
    await c.next('state', 3);
    expect(c.of('state').map((s) => s.state)).toEqual(['idle', 'listening', 'thinking']);
    expect(c.closed).toBeUndefined();
  });

  it('a typed turn reaches onText; a reply can be resampled to the rate the client asked for', async () => {
    const c = await connect();
    c.send({ type: 'hello', mode: 'push-to-talk', transport: 'websocket', sampleRate: 16_000 });
    await c.next('ready');
    c.send({ type: 'text', text: '  buy stamps ' });
    await until(() => texts.includes('buy stamps'), 'onText');
    const session = hub.get((await c.next('ready')).sessionId)!;
    async function* pcm24k() {
      for (let i = 0; i < 10; i++) yield new Int16Array(480).fill(1000); // 10 × 20 ms at 24 kHz
    }
    const outcome = await session.playReply('t1', pcm24k(), 24_000);
    expect(outcome.interrupted).toBe(false);
    expect(c.of('reply-start')[0]).toEqual({ type: 'reply-start', turnId: 't1', sampleRate: 16_000 });
    await c.next('reply-end');
    const samples = c.binary.reduce((n, b) => n + b.length / 2, 0);
    expect(Math.abs(samples - 3_200)).toBeLessThanOrEqual(2); // 200 ms at 16 kHz
    await c.next('state', 4);
    expect(c.of('state').map((s) => s.state)).toEqual(['idle', 'thinking', 'speaking', 'idle']);
  });
});
