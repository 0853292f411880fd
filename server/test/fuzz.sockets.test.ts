import { exportPKCS8, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import fc from 'fast-check';
import { RTCPeerConnection, useOPUS } from 'werift';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VOICE_MAX_BINARY_BYTES, type Task } from '@sayso/protocol';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { readConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import { OfflineUnderstander } from '../src/providers/llm/offline.js';
import { FakeSTT } from '../src/providers/stt/fake.js';
import { FakeTTS } from '../src/providers/tts/fake.js';
import { api } from './support/live-socket.js';
import { openTestStore, type TestStore } from './support/stores.js';

// Bad input on /v1/live and /v1/voice: arbitrary and broken frames, binary frames of any size,
// messages out of order, hostile tools, malformed SDP. The server answers with a typed error or
// closes with a documented code, never crashes, other sockets keep working, and a normal turn
// still works afterwards. Also: session tokens that must not open a socket, and other people's ids.
//
// SAYSO_FUZZ_SEED varies the run; the default is fixed so the suite is repeatable.

const SEED = Number(process.env['SAYSO_FUZZ_SEED'] ?? 20261128);
const VOICE_ERROR_CODES = ['bad_message', 'bad_sdp', 'bad_audio', 'wrong_transport', 'not_ready', 'rate_limited'];
const LIVE_TYPES = ['hello', 'event', 'resync_required', 'pong', 'error'];
const VOICE_TYPES = ['ready', 'answer', 'state', 'transcript', 'result', 'reply-start', 'reply-end', 'tool-call', 'error'];
/** Close codes a fuzzed socket may see: RFC 6455's 1007 (text not UTF-8) and 1009 (frame over the limit), voice's 4400 (no hello in time). */
const DOCUMENTED_CLOSES = [1007, 1009, 4400];

type Message = { type: string; [k: string]: unknown };

/** A socket that records everything: parsed text messages, unparseable ones, binary sizes, the close. */
class Probe {
  readonly messages: Message[] = [];
  readonly unparseable: string[] = [];
  binaryBytes = 0;
  closed: { code: number; reason: string } | undefined;
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  private waiters: Array<() => void> = [];

  constructor(url: string, protocols?: string[]) {
    this.ws = new WebSocket(url, protocols);
    this.opened = new Promise((resolve, reject) => (this.ws.once('open', () => resolve()), this.ws.once('error', reject)));
    this.opened.catch(() => {}); // a refused socket is awaited through `closed`, not here
    this.ws.on('error', () => {});
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) this.binaryBytes += (data as Buffer).length;
      else {
        try {
          this.messages.push(JSON.parse(String(data)) as Message);
        } catch {
          this.unparseable.push(String(data).slice(0, 200));
        }
      }
      this.wake();
    });
    this.ws.on('close', (code, reason) => ((this.closed = { code, reason: String(reason) }), this.wake()));
  }

  send(data: string | Buffer, binary = Buffer.isBuffer(data)): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data, { binary });
  }

  of(type: string): Message[] {
    return this.messages.filter((m) => m.type === type);
  }

  until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; close ${JSON.stringify(this.closed)}, last ${JSON.stringify(this.messages.slice(-3)).slice(0, 500)}`)), timeoutMs);
      const waiter = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      };
      this.waiters.push(waiter);
    });
  }

  /** Sends a message the server must refuse naming `marker`, and waits for that refusal: all before it was handled. */
  async barrier(marker: string): Promise<void> {
    this.send(JSON.stringify({ type: marker }));
    await this.until(() => this.closed !== undefined || this.messages.some((m) => m.type === 'error' && JSON.stringify(m).includes(marker)), `the answer to ${marker}`);
  }

  /** The live socket's barrier: a ping whose pong carries `marker` back. */
  async pingBarrier(marker: string): Promise<void> {
    this.send(JSON.stringify({ type: 'ping', nonce: marker }));
    await this.until(() => this.closed !== undefined || this.messages.some((m) => m.type === 'pong' && m['nonce'] === marker), `the pong to ${marker}`);
  }

  close(): void {
    this.ws.terminate();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

let t: TestStore;
let gw: Gateway;
let key: { privateKey: CryptoKey; publicKey: CryptoKey; pem: string };
let alice: { id: string; token: string };
let bob: { id: string; token: string };
let aliceTask: Task;
let realOffer: string;
const probes: Probe[] = [];

const wsUrl = (path: string, token?: string, extra = '') => `${gw.url.replace(/^http/, 'ws')}${path}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}${extra}`;
async function open(path: string, token: string, extra = ''): Promise<Probe> {
  const p = new Probe(wsUrl(path, token, extra));
  probes.push(p);
  await p.opened;
  return p;
}

beforeAll(async () => {
  t = await openTestStore('pglite');
  const pair = await generateKeyPair('ES256', { extractable: true });
  key = { ...pair, pem: await exportPKCS8(pair.privateKey) };
  // Limits off: this file measures input handling; the message and audio budgets have their own tests.
  gw = await startGateway(
    readConfig({
      SAYSO_PORT: '0', SAYSO_LOG_LEVEL: process.env['SAYSO_FUZZ_LOG'] ?? 'silent', SAYSO_JWT_PRIVATE_KEY: key.pem,
      SAYSO_LIMIT_VOICE_MESSAGES_PER_MINUTE: '0', SAYSO_LIMIT_AUDIO_BYTES_PER_MINUTE: '0', SAYSO_LIMIT_REST_PER_MINUTE: '0', SAYSO_LIMIT_LLM_PER_MINUTE: '0',
    }),
    { store: t.store, bus: new MemoryBus(), embedder: new HashEmbedder(), stt: new FakeSTT(), understander: new OfflineUnderstander(), tts: new FakeTTS() },
  );
  const person = async (subject: string) => {
    const user = await gw.users.findOrCreate(subject, subject);
    return { id: user.id, token: (await gw.sessions.issue(user.id)).token };
  };
  alice = await person('fuzz:alice');
  bob = await person('fuzz:bob');
  // Alice has history (events 1..n) with words Bob must never see.
  aliceTask = (await api<Task>(gw.url, alice.token, 'POST', '/v1/tasks', { title: 'Alice secret errand' })).body;
  for (let i = 0; i < 5; i++) await api(gw.url, alice.token, 'PATCH', `/v1/tasks/${aliceTask.id}`, { notes: `Alice secret note ${i}` });

  const pc = new RTCPeerConnection({ iceServers: [], codecs: { audio: [useOPUS()] } });
  pc.addTransceiver('audio', { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  realOffer = pc.localDescription!.sdp;
  await pc.close();
});

afterAll(async () => {
  for (const p of probes) p.close();
  await gw?.close();
  await t?.close();
});

// ---------- generators ----------

const RAW = '\u0001RAW:';
const toJsonText = (v: unknown) => JSON.stringify(v).replace(new RegExp(`"${RAW}([^"]*)"`, 'g'), '$1');
const nasty = fc.oneof(
  fc.constantFrom<unknown>(null, true, 0, -1, 1.5, 1e308, 2 ** 53 + 2, '', ' ', 'NaN', '__proto__', '😀'.repeat(30), [], {}, [null], `${RAW}1e309`, `${RAW}-0`, 'x'.repeat(70_000)),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);
const withNasty = (base: Record<string, unknown>) =>
  fc.tuple(fc.constantFrom(...Object.keys(base), 'type', '__proto__', 'constructor', 'extra'), nasty, fc.boolean()).map(([k, v, drop]) => {
    const copy = { ...base };
    if (drop && k !== 'type') delete copy[k];
    else Object.defineProperty(copy, k, { value: v, enumerable: true, writable: true, configurable: true });
    return copy;
  });

const toolName = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_]{0,63}$/), fc.constantFrom('', 'A', '1x', 'x'.repeat(65), '__proto__', 'constructor', 'has space', 'ümlaut', 'toString'), fc.string({ maxLength: 70 }));
const tool = fc.record({
  name: toolName,
  description: fc.oneof(fc.string({ maxLength: 40 }), fc.constant('d'.repeat(501)), nasty),
  refersTo: fc.oneof(fc.array(fc.string({ maxLength: 62 }), { maxLength: 12 }), nasty),
}, { requiredKeys: [] });
const tools = fc.oneof(fc.array(tool, { maxLength: 18 }), fc.constant(Array.from({ length: 17 }, (_, i) => ({ name: `t${i}`, description: 'd', refersTo: [] }))), nasty);

const voiceMessage: fc.Arbitrary<unknown> = fc.oneof(
  withNasty({ type: 'hello', mode: 'hands-free', transport: 'websocket' }),
  fc.record({ type: fc.constant('hello'), mode: fc.constantFrom('push-to-talk', 'hands-free', 'x'), transport: fc.constantFrom('websocket', 'webrtc', 'carrier-pigeon'), sampleRate: fc.oneof(fc.integer({ min: -10, max: 100_000 }), nasty), tools, speak: fc.oneof(fc.boolean(), nasty) }, { requiredKeys: ['type'] }),
  withNasty({ type: 'ptt', pressed: true }),
  withNasty({ type: 'mode', mode: 'push-to-talk' }),
  withNasty({ type: 'text', text: 'add milk' }),
  fc.string({ maxLength: 2100 }).map((text) => ({ type: 'text', text })),
  fc.constant({ type: 'cancel' }),
  fc.record({ type: fc.constant('tools'), tools }),
  fc.record({ type: fc.constant('tool-result'), callId: fc.oneof(fc.uuid().map(String), nasty), result: nasty, error: fc.oneof(fc.constant(undefined), nasty) }, { requiredKeys: ['type', 'callId'] }),
  withNasty({ type: 'speak', speak: false }),
  fc.record({ type: fc.oneof(fc.string({ maxLength: 20 }), nasty) }),
);

const liveMessage: fc.Arbitrary<unknown> = fc.oneof(
  withNasty({ type: 'ping', nonce: 'n' }),
  fc.record({ type: fc.constant('ping'), nonce: fc.oneof(fc.string({ maxLength: 300 }), nasty) }),
  withNasty({ type: 'resume', lastEventId: 0 }),
  fc.record({ type: fc.constant('resume'), lastEventId: fc.oneof(fc.integer({ min: -5, max: 10_000 }), fc.double(), fc.constantFrom(2 ** 53, Number.MAX_SAFE_INTEGER), nasty) }),
  fc.record({ type: fc.oneof(fc.string({ maxLength: 20 }), nasty) }),
);

/** A text frame: mostly JSON messages, some arbitrary JSON, some not JSON at all, some not UTF-8. */
type Frame = { text: string } | { binary: number };
const frame = (messages: fc.Arbitrary<unknown>, maxBinary: number): fc.Arbitrary<Frame> =>
  fc.oneof(
    { weight: 10, arbitrary: messages.map((m) => ({ text: toJsonText(m) })) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((m) => ({ text: JSON.stringify(m) })) },
    { weight: 2, arbitrary: fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('', '{', '{"type":', 'null', '[]', '"hello"', '{"type":"hello"}{"type":"text"}', '\uFEFF{"type":"ping"}')).map((text) => ({ text })) },
    {
      weight: 4,
      arbitrary: fc.oneof(fc.constantFrom(0, 1, 2, 3, 640, 641, VOICE_MAX_BINARY_BYTES - 1, VOICE_MAX_BINARY_BYTES, VOICE_MAX_BINARY_BYTES + 2, 100 * 1024), fc.nat(4000))
        .map((binary) => ({ binary: Math.min(binary, maxBinary) })),
    },
  );

function sendFrame(p: Probe, f: Frame): void {
  if ('text' in f) p.send(f.text, false);
  else if ('binary' in f) {
    const b = Buffer.alloc(f.binary);
    for (let i = 0; i < b.length; i += 97) b[i] = i & 0xff; // not silence everywhere, so the VAD has something to chew
    p.send(b, true);
  }
}

/** Checks every message a socket got: JSON of a known type, errors typed. Returns what is wrong. */
function problems(p: Probe, types: string[], isTypedError: (m: Message) => boolean): string[] {
  const out = p.unparseable.map((u) => `not JSON: ${u}`);
  for (const m of p.messages) {
    if (!types.includes(m.type)) out.push(`unknown type: ${JSON.stringify(m).slice(0, 200)}`);
    if (m.type === 'error' && !isTypedError(m)) out.push(`untyped error: ${JSON.stringify(m).slice(0, 200)}`);
  }
  if (p.closed && !DOCUMENTED_CLOSES.includes(p.closed.code)) out.push(`closed with ${p.closed.code} ${p.closed.reason}`);
  return out;
}
const voiceErrorTyped = (m: Message) => VOICE_ERROR_CODES.includes(m['code'] as string) && typeof m['message'] === 'string' && (m['message'] as string).length > 10;
const liveErrorTyped = (m: Message) => {
  const e = m['error'] as { code?: string; message?: string } | undefined;
  return e?.code === 'validation_failed' && typeof e.message === 'string' && e.message.length > 10;
};

/** SDP offers: random text, truncated and mangled real offers, huge ones. */
function sdpOffers(real: string): fc.Arbitrary<unknown> {
  const lines = real.split('\r\n');
  return fc.oneof(
    fc.string({ maxLength: 400 }),
    fc.string({ maxLength: 400 }).map((s) => `v=0\r\n${s}`),
    fc.nat(real.length).map((n) => real.slice(0, n)),
    fc.tuple(fc.nat(lines.length - 1), fc.nat(lines.length - 1)).map(([a, b]) => lines.filter((_, i) => i < Math.min(a, b) || i > Math.max(a, b)).join('\r\n')),
    fc.tuple(fc.nat(lines.length - 1), fc.string({ maxLength: 80 })).map(([i, junk]) => [...lines.slice(0, i), junk, ...lines.slice(i)].join('\r\n')),
    fc.tuple(fc.nat(lines.length - 1), fc.constantFrom('a=rtpmap:111 opus/48000/2', 'm=audio 0 RTP/AVP 0', 'a=fingerprint:sha-256 ZZ', 'a=ice-ufrag:', 'c=IN IP6 ::1', 'a=setup:actpass', 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=group:BUNDLE 0 1 2')).map(([i, l]) => [...lines.slice(0, i), l, ...lines.slice(i)].join('\r\n')),
    fc.constantFrom(real.replace(/\r\n/g, '\n'), real + 'x'.repeat(25_000), `${real}\r\n${real}`, real.replace(/opus/gi, 'OPUS'), real.replace(/a=fingerprint[^\r]*/g, ''), real.replace(/a=ice-[^\r]*\r\n/g, '')),
    nasty,
  );
}

// ---------- tests ----------

describe('fuzzing /v1/voice', () => {
  it('2,000+ frames over many sessions: typed errors or documented closes only, other sockets unharmed, then a normal turn', { timeout: 300_000 }, async () => {
    const started = Date.now();
    const bystander = await open('/v1/voice', bob.token);
    bystander.send(JSON.stringify({ type: 'hello', mode: 'push-to-talk', transport: 'websocket' }));
    await bystander.until(() => bystander.of('ready').length === 1, 'bystander ready');
    const liveBystander = await open('/v1/live', bob.token);
    await liveBystander.until(() => liveBystander.of('hello').length === 1, 'live hello');

    const SESSIONS = 16;
    const PER_SESSION = 130;
    const plans = fc.sample(
      fc.record({
        hello: fc.constantFrom('none', 'websocket', 'webrtc', 'late'),
        frames: fc.array(frame(voiceMessage, 100 * 1024), { minLength: PER_SESSION, maxLength: PER_SESSION }),
      }),
      { numRuns: SESSIONS, seed: SEED },
    );
    let frames = 0;
    let closes: Record<string, number> = {};
    const failures: string[] = [];
    let errorsSeen = 0;
    await Promise.all(
      plans.map(async (plan, s) => {
        const p = await open('/v1/voice', alice.token);
        const hello = (transport: string) => p.send(JSON.stringify({ type: 'hello', mode: 'hands-free', transport }));
        if (plan.hello === 'websocket' || plan.hello === 'webrtc') hello(plan.hello);
        let certainErrors = 0;
        for (const [i, f] of plan.frames.entries()) {
          if (p.closed) break;
          if (plan.hello === 'late' && i === PER_SESSION / 2) hello('websocket');
          sendFrame(p, f);
          frames++;
          if ('text' in f && !f.text.trim().startsWith('{')) certainErrors++; // not a JSON object: always bad_message
          if (i % 20 === 19) await p.barrier(`zz-barrier-${s}-${i}`);
        }
        if (!p.closed) await p.barrier(`zz-final-${s}`);
        errorsSeen += p.of('error').length;
        if (p.closed) closes[p.closed.code] = (closes[p.closed.code] ?? 0) + 1;
        if (p.of('error').length < certainErrors) failures.push(`session ${s}: ${certainErrors} frames that must be refused, ${p.of('error').length} errors`);
        failures.push(...problems(p, VOICE_TYPES, voiceErrorTyped).map((x) => `session ${s}: ${x}`));
        p.close();
      }),
    );

    // Frames past the socket's payload limit close it with 1009, as RFC 6455 says; only that socket.
    const big = await open('/v1/voice', alice.token);
    big.send(JSON.stringify({ type: 'hello', mode: 'hands-free', transport: 'websocket' }));
    big.send(Buffer.alloc(16 * VOICE_MAX_BINARY_BYTES + 2));
    await big.until(() => big.closed !== undefined, 'the close of an oversize frame');
    expect(big.closed!.code).toBe(1009);
    frames++;
    // Text that is not UTF-8: 1007.
    const notUtf8 = await open('/v1/voice', alice.token);
    notUtf8.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), false);
    await notUtf8.until(() => notUtf8.closed !== undefined, 'the close of a non-UTF-8 text frame');
    expect(notUtf8.closed!.code).toBe(1007);
    frames++;

    const seconds = (Date.now() - started) / 1000;
    console.log(`[fuzz.sockets] voice: ${frames} frames over ${SESSIONS + 2} sessions in ${seconds.toFixed(1)} s; typed errors ${errorsSeen}; closes ${JSON.stringify(closes)}; failures ${failures.length}`);
    for (const f of failures.slice(0, 10)) console.log(`[fuzz.sockets] FAIL ${f}`);
    expect(failures).toEqual([]);
    expect(frames).toBeGreaterThanOrEqual(2_000);

    // The bystanders never noticed.
    await bystander.barrier('zz-bystander');
    expect(bystander.closed).toBeUndefined();
    expect(problems(bystander, VOICE_TYPES, voiceErrorTyped)).toEqual([]);
    liveBystander.send(JSON.stringify({ type: 'ping', nonce: 'still-there' }));
    await liveBystander.until(() => liveBystander.of('pong').some((m) => m['nonce'] === 'still-there'), 'pong');

    // A normal typed turn on a fresh socket: understood, acted on, announced on the live socket.
    const after = await open('/v1/voice', bob.token);
    after.send(JSON.stringify({ type: 'hello', mode: 'push-to-talk', transport: 'websocket', speak: false }));
    await after.until(() => after.of('ready').length === 1, 'ready');
    after.send(JSON.stringify({ type: 'text', text: 'add buy stamps to my list' }));
    await after.until(() => after.of('result').length === 1, 'the result of a normal turn', 30_000);
    expect(JSON.stringify(after.of('result')[0])).toMatch(/stamps/i);
    await liveBystander.until(() => liveBystander.of('event').some((m) => JSON.stringify(m).includes('stamps')), 'the new task on the live socket');
  });

  it('malformed SDP offers: each gets bad_sdp (or an answer), the session stays open and still answers a real offer', { timeout: 300_000 }, async () => {
    const offers = fc.sample(sdpOffers(realOffer), { numRuns: 160, seed: SEED + 1 });
    const SESSIONS = 4;
    const outcomes = { bad_sdp: 0, answer: 0 };
    await Promise.all(
      Array.from({ length: SESSIONS }, async (_, s) => {
        const p = await open('/v1/voice', alice.token);
        p.send(JSON.stringify({ type: 'hello', mode: 'hands-free', transport: 'webrtc' }));
        await p.until(() => p.of('ready').length === 1, 'ready');
        const mine = offers.filter((_, i) => i % SESSIONS === s);
        for (const sdp of mine) p.send(toJsonText({ type: 'offer', sdp }));
        // Offers are answered one at a time, in order; each gets exactly one answer or one bad_sdp.
        await p.until(() => p.of('answer').length + p.of('error').filter((e) => e['code'] === 'bad_sdp').length >= mine.length, `${mine.length} offers handled`, 240_000);
        const real = p.of('answer').length;
        p.send(JSON.stringify({ type: 'offer', sdp: realOffer }));
        await p.until(() => p.of('answer').length === real + 1, 'the answer to a real offer after the bad ones');
        expect(problems(p, VOICE_TYPES, voiceErrorTyped)).toEqual([]);
        expect(p.closed).toBeUndefined();
        outcomes.answer += real;
        outcomes.bad_sdp += p.of('error').filter((e) => e['code'] === 'bad_sdp').length;
        p.close();
      }),
    );
    console.log(`[fuzz.sockets] sdp: ${offers.length} offers: ${JSON.stringify(outcomes)}`);
    expect(outcomes.answer + outcomes.bad_sdp).toBe(offers.length);
    // An offer on a websocket-transport session is refused as such.
    const ws = await open('/v1/voice', alice.token);
    ws.send(JSON.stringify({ type: 'hello', mode: 'hands-free', transport: 'websocket' }));
    ws.send(JSON.stringify({ type: 'offer', sdp: realOffer }));
    await ws.until(() => ws.of('error').some((e) => e['code'] === 'wrong_transport'), 'wrong_transport');
  });
});

describe('fuzzing /v1/live', () => {
  it('hundreds of frames per socket: pong, resume, or a typed error; never another person\'s events', { timeout: 120_000 }, async () => {
    const SOCKETS = 6;
    const PER_SOCKET = 120;
    const plans = fc.sample(fc.array(frame(liveMessage, 64 * 1024), { minLength: PER_SOCKET, maxLength: PER_SOCKET }), { numRuns: SOCKETS, seed: SEED + 2 });
    let frames = 0;
    const failures: string[] = [];
    await Promise.all(
      plans.map(async (plan, s) => {
        // Bob's sockets, asking for history from 0 and every id Alice's events have.
        const p = await open('/v1/live', bob.token, s % 2 ? '&lastEventId=0' : `&lastEventId=${s}`);
        await p.until(() => p.of('hello').length === 1, 'hello');
        for (const [i, f] of plan.entries()) {
          if (p.closed) break;
          sendFrame(p, f);
          frames++;
          if (i % 20 === 19) await p.pingBarrier(`zz-barrier-${s}-${i}`);
        }
        await p.pingBarrier(`zz-final-${s}`);
        failures.push(...problems(p, LIVE_TYPES, liveErrorTyped).map((x) => `socket ${s}: ${x}`));
        const seen = JSON.stringify(p.messages);
        if (seen.includes('Alice secret') || seen.includes(aliceTask.id)) failures.push(`socket ${s}: Alice's events reached Bob`);
        if (p.of('hello')[0]?.['userId'] !== bob.id) failures.push(`socket ${s}: hello for another user`);
        p.close();
      }),
    );
    const big = await open('/v1/live', bob.token);
    big.send('x'.repeat(64 * 1024 + 1), false);
    await big.until(() => big.closed !== undefined, 'the close of an oversize frame');
    expect(big.closed!.code).toBe(1009);
    frames++;
    console.log(`[fuzz.sockets] live: ${frames} frames over ${SOCKETS + 1} sockets; failures ${failures.length}`);
    for (const f of failures.slice(0, 10)) console.log(`[fuzz.sockets] FAIL ${f}`);
    expect(failures).toEqual([]);
  });
});

describe('a frame over the limit before the token is checked', () => {
  // This used to throw an unhandled 'error' on /v1/live and take the whole gateway down.
  it.each(['/v1/live', '/v1/voice'])('%s: closes only that socket with 1009, with or without a valid token', async (path) => {
    const keep = await open('/v1/live', bob.token);
    await keep.until(() => keep.of('hello').length === 1, 'hello');
    for (const token of [bob.token, 'not-a-token']) {
      const p = new Probe(wsUrl(path, token));
      probes.push(p);
      p.ws.once('open', () => p.send('x'.repeat(path === '/v1/live' ? 64 * 1024 + 1 : 16 * VOICE_MAX_BINARY_BYTES + 1), false));
      await p.until(() => p.closed !== undefined, 'the close');
      expect([1009, 4401]).toContain(p.closed!.code);
    }
    keep.send(JSON.stringify({ type: 'ping', nonce: 'alive' }));
    await keep.until(() => keep.of('pong').length === 1, 'pong from the socket beside');
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
  });
});

describe("other people's ids on the sockets", () => {
  it("a live resume from any id gives only the person's own events, never another's with the same ids", async () => {
    const aliceLast = await gw.users.lastEventId(alice.id);
    expect(aliceLast).toBeGreaterThanOrEqual(6);
    const bobSocket = await open('/v1/live', bob.token, '&lastEventId=0');
    await bobSocket.until(() => bobSocket.of('hello').length === 1, 'hello');
    for (let id = 0; id <= aliceLast + 2; id++) bobSocket.send(JSON.stringify({ type: 'resume', lastEventId: id }));
    await bobSocket.pingBarrier('zz-resumed');
    await new Promise((r) => setTimeout(r, 500)); // resumes read the store after the pong may have gone
    await bobSocket.pingBarrier('zz-resumed-2');
    expect(bobSocket.of('event').length).toBeGreaterThan(0);
    const bobEvents = bobSocket.of('event').map((m) => m['event'] as { id: number; data: unknown });
    expect(JSON.stringify(bobEvents)).not.toContain(aliceTask.id);
    expect(JSON.stringify(bobEvents)).not.toContain('Alice secret');
    // Alice, resuming from 0, gets her own history: the ids exist, they are just not Bob's.
    const aliceSocket = await open('/v1/live', alice.token, '&lastEventId=0');
    await aliceSocket.until(() => aliceSocket.of('event').length >= aliceLast, 'Alice\'s history');
    expect(JSON.stringify(aliceSocket.of('event'))).toContain('Alice secret');
  });

  it("a voice tool-result with another session's callId is refused, and the call still gets its own answer", async () => {
    const tools = [{ name: 'page_title', description: 'The page title', refersTo: ['this page'] }];
    const a = await open('/v1/voice', alice.token);
    a.send(JSON.stringify({ type: 'hello', mode: 'push-to-talk', transport: 'websocket', tools }));
    const ready = await a.until(() => a.of('ready').length === 1, 'ready').then(() => a.of('ready')[0]!);
    const sessionA = gw.voice.get(ready['sessionId'] as string)!;
    const answer = sessionA.callTool('turn-1', 'page_title', {});
    await a.until(() => a.of('tool-call').length === 1, 'tool-call');
    const callId = a.of('tool-call')[0]!['callId'] as string;

    for (const [who, token] of [['bob', bob.token], ['alice, another session', alice.token]] as const) {
      const other = await open('/v1/voice', token);
      other.send(JSON.stringify({ type: 'hello', mode: 'push-to-talk', transport: 'websocket', tools }));
      other.send(JSON.stringify({ type: 'tool-result', callId, result: `hijacked by ${who}` }));
      await other.until(() => other.of('error').length === 1, 'the refusal');
      expect(other.of('error')[0]).toMatchObject({ code: 'bad_message', message: expect.stringContaining('callId') });
    }
    a.send(JSON.stringify({ type: 'tool-result', callId, result: 'Real title' }));
    expect(await answer).toEqual({ result: 'Real title' });
  });
});

describe('session tokens that must not open a socket', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const claims = () => new SignJWT({}).setSubject(alice.id).setIssuedAt(now() - 60).setExpirationTime(now() + 3600);
  const cases: Array<[string, () => Promise<string>]> = [
    ['garbage', async () => 'not-a-token'],
    ['an empty JWT', async () => '..'],
    ['signed by another key', async () => claims().setProtectedHeader({ alg: 'ES256', kid: 'configured' }).setIssuer('sayso').setAudience('sayso').sign((await generateKeyPair('ES256')).privateKey)],
    ['expired', async () => new SignJWT({}).setSubject(alice.id).setIssuedAt(now() - 7200).setExpirationTime(now() - 60).setProtectedHeader({ alg: 'ES256', kid: 'configured' }).setIssuer('sayso').setAudience('sayso').sign(key.privateKey)],
    ['for another issuer', async () => claims().setProtectedHeader({ alg: 'ES256', kid: 'configured' }).setIssuer('someone-else').setAudience('sayso').sign(key.privateKey)],
    ['for another audience', async () => claims().setProtectedHeader({ alg: 'ES256', kid: 'configured' }).setIssuer('sayso').setAudience('someone-else').sign(key.privateKey)],
    ['alg none', async () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: alice.id, iss: 'sayso', aud: 'sayso', exp: now() + 3600 })}.`],
    ['HS256 with the public key as the secret', async () => claims().setProtectedHeader({ alg: 'HS256', kid: 'configured' }).setIssuer('sayso').setAudience('sayso').sign(new TextEncoder().encode(await exportSPKI(key.publicKey)))],
  ];

  it('the genuine token opens both sockets (the cases below change only the token)', async () => {
    const good = await claims().setProtectedHeader({ alg: 'ES256', kid: 'configured' }).setIssuer('sayso').setAudience('sayso').sign(key.privateKey);
    const live = await open('/v1/live', good);
    await live.until(() => live.of('hello').length === 1, 'hello');
    const voice = await open('/v1/voice', good);
    voice.send(JSON.stringify({ type: 'hello', mode: 'hands-free', transport: 'websocket' }));
    await voice.until(() => voice.of('ready').length === 1, 'ready');
  });

  it.each(cases)('%s: both sockets close with 4401, by query and by subprotocol, and say to sign in', async (_name, make) => {
    const token = await make();
    for (const path of ['/v1/live', '/v1/voice']) {
      for (const how of ['query', 'subprotocol'] as const) {
        const p = how === 'query' ? new Probe(wsUrl(path, token)) : new Probe(wsUrl(path), [`sayso.bearer.${token.replace(/[^\x21-\x7e]/g, '')}`]);
        probes.push(p);
        // A refused socket still must not act on what it sent before the close.
        p.ws.once('open', () => p.send(JSON.stringify({ type: 'text', text: 'add a task from a forged token' }), false));
        await p.until(() => p.closed !== undefined, `${path} by ${how} to close`);
        expect(p.closed!.code, `${path} ${how}`).toBe(4401);
        expect(p.closed!.reason, `${path} ${how}`).toMatch(/sign in/i);
        expect(p.messages.filter((m) => m.type !== 'error'), `${path} ${how}`).toEqual([]);
      }
    }
    const tasks = await api<{ items: Task[] }>(gw.url, alice.token, 'GET', '/v1/tasks');
    expect(tasks.body.items.map((x) => x.title)).not.toContain('add a task from a forged token');
  });
});
