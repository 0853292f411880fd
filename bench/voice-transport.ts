import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
// Aliased: inside page.evaluate, RTCPeerConnection and MediaStreamTrack are the browser's.
import { MediaStreamTrack as WeriftTrack, RTCPeerConnection as WeriftPeer, RtpHeader, RtpPacket, useOPUS, usePCMU } from 'werift';
import WebSocket from 'ws';
import type { Sessions } from '../server/src/http/sessions.js';
import { createLogger } from '../server/src/log.js';
import type { VoiceServerMessage } from '../server/src/realtime/voice/messages.js';
import { VoiceHub } from '../server/src/realtime/voice/voice-hub.js';
import { launchChromium, serveStatic, speechWav } from '../server/test/support/browser.js';
import { ms, percentile } from './stats.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PAGE_DIR = path.join(HERE, '../server/test/fixtures/voice-page');
const CLIENT_ROLE = 'SAYSO_BENCH_VOICE_CLIENT';
const LEVELS = (process.env['BENCH_VOICE_LEVELS'] ?? '10,20,40,80').split(',').map(Number);
const WINDOW_S = 6;

/**
 * Voice transport figures, gateway side in this process, load clients in a child process:
 * offer -> answer latency (werift and Chromium offers), first reply audio at the page for PCM over
 * the WebSocket and for a WebRTC track (PCMU: no Opus encoder is installed), and CPU per WebRTC
 * mic session with Opus decoding, raising the session count until packets drop.
 */
export async function benchVoiceTransport(): Promise<string[]> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sessions = { verify: async () => ({ userId: 'bench', expiresAt: new Date(Date.now() + 86_400_000) }) } as unknown as Sessions;
  const hub = new VoiceHub({ sessions, log: createLogger('silent'), handlers: { onSegment() {}, onText() {} } });
  await hub.start(server);
  const site = await serveStatic(PAGE_DIR);
  const wav = await speechWav([{ silenceMs: 300 }, { say: 'remind me to water the plants every sunday morning' }, { silenceMs: 300 }]);
  const chrome = await launchChromium({ fakeAudioFile: wav.path });
  const lines: string[] = [];
  try {
    lines.push(await answerFromWerift(url));
    const page = await chrome.browser.newPage();
    await page.goto(`${site.url}/index.html`);
    const opus = await captureOpus(page); // Chrome's own Opus packets of the fake mic, replayed by the load clients
    await page.close();
    lines.push(await answerFromChromium(chrome.browser, site.url, url));
    lines.push(...(await replyOverWebSocket(chrome.browser, site.url, url, hub)));
    lines.push(await replyOverRtcTrack(chrome.browser, site.url));
    lines.push(...(await cpuRamp(url, hub, opus)));
  } finally {
    await chrome.close();
    await hub.stop();
    await site.close();
    server.closeAllConnections();
    server.close();
  }
  return lines;
}

async function answerFromWerift(url: string): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const c = await connectClient(url);
    await c.connect();
    times.push(c.answerMs);
    await c.close();
  }
  times.sort((a, b) => a - b);
  return `voice offer -> answer (werift offer, loopback, 20 runs): p50 ${ms(percentile(times, 0.5))}, p95 ${ms(percentile(times, 0.95))}`;
}

async function answerFromChromium(browser: Browser, site: string, url: string): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const page = await browser.newPage();
    await page.goto(`${site}/index.html?${new URLSearchParams({ server: url, transport: 'webrtc', mode: 'push-to-talk', token: 't', autostart: '1' })}`);
    const log = await waitLog(page, (l) => l.messages.some((m) => m.msg.type === 'answer') && l.offerSentAt !== null);
    times.push(log.messages.find((m) => m.msg.type === 'answer')!.at - log.offerSentAt!);
    await page.close();
  }
  times.sort((a, b) => a - b);
  return `voice offer -> answer (Chromium offer, as the page sees it, 5 runs): p50 ${ms(percentile(times, 0.5))}, max ${ms(times.at(-1)!)}`;
}

/** playReply called -> the page's first reply sample plays (scheduled start; device latency listed apart). */
async function replyOverWebSocket(browser: Browser, site: string, url: string, hub: VoiceHub): Promise<string[]> {
  const page = await browser.newPage();
  await page.goto(`${site}/index.html?${new URLSearchParams({ server: url, transport: 'websocket', mode: 'push-to-talk', token: 't', autostart: '1' })}`);
  const ready = await waitLog(page, (l) => l.messages.some((m) => m.msg.type === 'ready'));
  const session = hub.get((ready.messages.find((m) => m.msg.type === 'ready')!.msg as { sessionId: string }).sessionId)!;
  const toStart: number[] = [];
  const device: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = Date.now();
    await session.playReply(`b${i}`, tone(300, 16_000), 16_000);
    const log = await waitLog(page, (l) => (l.replies.at(-1)?.audioAt ?? null) !== null && l.replies.length === i + 1);
    const r = log.replies.at(-1)!;
    toStart.push(r.audioAt! - r.deviceLatencyMs - t0);
    device.push(r.deviceLatencyMs);
  }
  // CPU of 3 s of reply against 3 s idle, same page open: what sending PCM costs the gateway.
  const idle0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 3_000));
  const idle = process.cpuUsage(idle0);
  const busy0 = process.cpuUsage();
  await session.playReply('cpu', tone(3_000, 24_000), 24_000);
  const busy = process.cpuUsage(busy0);
  const perSecond = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000 / 3;
  await page.close();
  toStart.sort((a, b) => a - b);
  return [
    `voice reply first audio, PCM over WebSocket + WebAudio (playReply -> scheduled start, 5 runs): p50 ${ms(percentile(toStart, 0.5))}, max ${ms(toStart.at(-1)!)}; plus device latency ${ms(device[0] ?? 0)}`,
    `voice reply CPU, PCM over WebSocket: gateway process ${ms(perSecond(busy))} CPU per second while sending 24 kHz reply audio, against ${ms(perSecond(idle))} per second idle (tone generation included; noisy on a shared machine)`,
  ];
}

/** A WebRTC track from werift to Chromium, PCMU: first packet sent -> the receiver reports it played. */
async function replyOverRtcTrack(browser: Browser, site: string): Promise<string> {
  const page = await browser.newPage();
  await page.goto(`${site}/index.html`);
  const pc = new WeriftPeer({ iceServers: [], codecs: { audio: [usePCMU()] } });
  const track = new WeriftTrack({ kind: 'audio' });
  const sender = pc.addTransceiver(track, { direction: 'sendonly' }).sender;
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const answer = await page.evaluate(async (offer: string) => {
    const w = window as unknown as { rx: RTCPeerConnection; analyser: AnalyserNode };
    const rx = (w.rx = new RTCPeerConnection({ iceServers: [] }));
    rx.ontrack = (e) => {
      const stream = e.streams[0] ?? new MediaStream([e.track]);
      const audio = new Audio(); // Chrome feeds a remote track to WebAudio only while an element plays it
      audio.srcObject = stream;
      audio.muted = true;
      void audio.play();
      const ctx = new AudioContext();
      w.analyser = ctx.createAnalyser();
      w.analyser.fftSize = 256;
      ctx.createMediaStreamSource(stream).connect(w.analyser);
    };
    await rx.setRemoteDescription({ type: 'offer', sdp: offer });
    await rx.setLocalDescription(await rx.createAnswer());
    await new Promise<void>((r) => (rx.iceGatheringState === 'complete' ? r() : (rx.onicegatheringstatechange = () => rx.iceGatheringState === 'complete' && r())));
    return rx.localDescription!.sdp;
  }, pc.localDescription!.sdp);
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  await until(() => pc.connectionState === 'connected', 10_000);
  const base = Date.now();
  let seq = 0;
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 700));
    const t0 = Date.now();
    const heard = page.evaluate(async (since: number) => {
      const { analyser } = window as unknown as { analyser: AnalyserNode };
      const buf = new Float32Array(analyser.fftSize);
      while (Date.now() < since + 3_000) {
        analyser.getFloatTimeDomainData(buf);
        if (buf.some((x) => Math.abs(x) > 0.05)) return Date.now();
        await new Promise((r) => setTimeout(r, 1));
      }
      return Number.NaN;
    }, t0);
    for (let p = 0; p < 15; p++) {
      const payload = Buffer.from(Array.from({ length: 160 }, (_, k) => muLaw(Math.round(8000 * Math.sin((2 * Math.PI * 440 * (p * 160 + k)) / 8000)))));
      await sender.sendRtp(new RtpPacket(new RtpHeader({ sequenceNumber: seq++ & 0xffff, timestamp: ((Date.now() - base) * 8) >>> 0, payloadType: 0, marker: p === 0 }), payload));
      await new Promise((r) => setTimeout(r, 20));
    }
    times.push((await heard) - t0);
  }
  await page.close();
  await pc.close();
  times.sort((a, b) => a - b);
  return `voice reply first audio, WebRTC track (werift PCMU -> Chromium; first packet sent -> audio in the page's WebAudio graph, 5 runs): p50 ${ms(percentile(times, 0.5))}, max ${ms(times.at(-1)!)} (Opus would add encoding: no encoder installed to measure)`;
}

/** Records the Opus payloads Chromium sends from its fake mic for ~4 s (the page's WebRTC session). */
async function captureOpus(page: Page): Promise<string[]> {
  const pc = new WeriftPeer({ iceServers: [], codecs: { audio: [useOPUS()] } });
  const packets: string[] = [];
  pc.onTrack.subscribe((t) => t.onReceiveRtp.subscribe((rtp) => void (packets.length < 200 && packets.push(rtp.payload.toString('base64')))));
  const offer = await page.evaluate(async () => {
    const w = window as unknown as { cap: RTCPeerConnection };
    const cap = (w.cap = new RTCPeerConnection({ iceServers: [] }));
    cap.addTransceiver('audio', { direction: 'sendonly' });
    await cap.setLocalDescription(await cap.createOffer());
    await new Promise<void>((r) => (cap.iceGatheringState === 'complete' ? r() : (cap.onicegatheringstatechange = () => cap.iceGatheringState === 'complete' && r())));
    return cap.localDescription!.sdp;
  });
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered(pc);
  await page.evaluate(async (sdp: string) => {
    const cap = (window as unknown as { cap: RTCPeerConnection }).cap;
    await cap.setRemoteDescription({ type: 'answer', sdp });
    const mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    await cap.getSenders()[0]!.replaceTrack(mic.getAudioTracks()[0]!);
  }, pc.localDescription!.sdp);
  await until(() => packets.length >= 200, 15_000);
  await pc.close();
  return packets;
}

interface LevelReport { n: number; cpuPct: number; received: number; lost: number; clientCpuPct: number; maxTickLagMs: number; loopP99Ms: number }

async function cpuRamp(url: string, hub: VoiceHub, opus: string[]): Promise<string[]> {
  const lines: string[] = [];
  let best = 0;
  let perSession = 0;
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  for (const n of LEVELS) {
    const child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, [CLIENT_ROLE]: '1' }, stdio: 'inherit' });
    const next = <T>() => new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)));
    child.send({ url, n, opus });
    const { ids } = await next<{ ids: string[] }>();
    const before = ids.map((id) => ({ ...hub.get(id)!.ingestStats }));
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    child.send({ go: WINDOW_S });
    const done = await next<{ clientCpuMs: number; maxTickLagMs: number }>();
    const wall = Date.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    loop.disable();
    const after = ids.map((id) => hub.get(id)?.ingestStats ?? { packets: 0, lost: 0, decodeErrors: 0 });
    const received = after.reduce((s, a, i) => s + a.packets - before[i]!.packets, 0);
    const lost = after.reduce((s, a, i) => s + a.lost - before[i]!.lost, 0);
    const r: LevelReport = { n, cpuPct: ((cpu.user + cpu.system) / 1000 / wall) * 100, received, lost, clientCpuPct: (done.clientCpuMs / wall) * 100, maxTickLagMs: done.maxTickLagMs, loopP99Ms: loop.percentile(99) / 1e6 };
    child.send({ exit: true });
    await new Promise((r) => child.once('exit', r));
    lines.push(`voice WebRTC mic sessions with decoding, ${n} at once for ${WINDOW_S} s: gateway CPU ${r.cpuPct.toFixed(0)}% of a core (${(r.cpuPct / n).toFixed(1)}% per session), ` +
      `${r.received} packets, ${r.lost} lost (${((100 * r.lost) / Math.max(1, r.received + r.lost)).toFixed(2)}%), event loop p99 ${ms(r.loopP99Ms)}; client process ${r.clientCpuPct.toFixed(0)}% CPU, worst send tick late ${ms(r.maxTickLagMs)}`);
    perSession = r.cpuPct / n;
    if (r.lost / Math.max(1, r.received) > 0.001) break;
    best = n;
    if (r.cpuPct > 85 || r.clientCpuPct > 85) break; // a core is full (ours or the client's): more would measure the machine
  }
  const dropped = best !== LEVELS.at(-1);
  lines.push(`concurrent WebRTC sessions with decoding per core before packets drop: ${dropped ? best : `>= ${best}`} ` +
    `(${dropped ? 'largest level without loss' : 'no loss at the highest level tried'}; ~${Math.floor(100 / perSession)} by CPU per session; ` +
    'load clients are werift in a second process on the same 2 cores, sending no header extensions: Chrome clients cost more)');
  return lines;
}

// ---- the load client (child process): N werift peers replaying Chrome's Opus packets ----

interface Client { answerMs: number; sessionId: string; connect(): Promise<void>; send(payload: Buffer): void; close(): Promise<void> }

async function connectClient(url: string): Promise<Client> {
  const ws = new WebSocket(`${url}/v1/voice?token=t`);
  const messages: VoiceServerMessage[] = [];
  ws.on('message', (d, bin) => void (!bin && messages.push(JSON.parse(String(d)))));
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  ws.send(JSON.stringify({ type: 'hello', mode: 'hands-free', transport: 'webrtc' })); // hands-free: the VAD runs on every frame
  const pc = new WeriftPeer({ iceServers: [], codecs: { audio: [useOPUS()] } });
  const track = new WeriftTrack({ kind: 'audio' });
  const sender = pc.addTransceiver(track, { direction: 'sendonly' }).sender;
  let seq = 0;
  let ts = 0;
  const c: Client = {
    answerMs: 0,
    sessionId: '',
    async connect() {
      await until(() => messages.some((m) => m.type === 'ready'), 5_000);
      c.sessionId = (messages.find((m) => m.type === 'ready') as { sessionId: string }).sessionId;
      await pc.setLocalDescription(await pc.createOffer());
      const t0 = performance.now();
      ws.send(JSON.stringify({ type: 'offer', sdp: pc.localDescription!.sdp }));
      await until(() => messages.some((m) => m.type === 'answer'), 10_000);
      c.answerMs = performance.now() - t0;
      await pc.setRemoteDescription({ type: 'answer', sdp: (messages.find((m) => m.type === 'answer') as { sdp: string }).sdp });
      await until(() => pc.connectionState === 'connected', 10_000);
    },
    send(payload) {
      void sender.sendRtp(new RtpPacket(new RtpHeader({ sequenceNumber: seq++ & 0xffff, timestamp: (ts += 960) >>> 0, payloadType: 111 }), payload));
    },
    async close() {
      await pc.close();
      ws.close();
    },
  };
  return c;
}

async function runClients(): Promise<void> {
  const { url, n, opus } = await new Promise<{ url: string; n: number; opus: string[] }>((r) => process.once('message', (m) => r(m as never)));
  const packets = opus.map((p) => Buffer.from(p, 'base64'));
  const clients: Client[] = [];
  for (let i = 0; i < n; i++) {
    const c = await connectClient(url);
    await c.connect();
    clients.push(c);
  }
  process.send!({ ids: clients.map((c) => c.sessionId) });
  const { go } = await new Promise<{ go: number }>((r) => process.once('message', (m) => r(m as never)));
  const cpu0 = process.cpuUsage();
  const start = Date.now();
  let tick = 0;
  let maxTickLagMs = 0;
  // One tick per 20 ms packet time, scheduled against the clock so lateness does not accumulate.
  while (Date.now() - start < go * 1000) {
    maxTickLagMs = Math.max(maxTickLagMs, Date.now() - (start + tick * 20));
    const payload = packets[tick % packets.length]!;
    for (const c of clients) c.send(payload);
    tick++;
    await new Promise((r) => setTimeout(r, Math.max(0, start + tick * 20 - Date.now())));
  }
  const cpu = process.cpuUsage(cpu0);
  process.send!({ clientCpuMs: (cpu.user + cpu.system) / 1000, maxTickLagMs });
  await new Promise((r) => process.once('message', r));
  await Promise.all(clients.map((c) => c.close()));
  process.exit(0);
}

// ---- helpers ----

interface BenchPageLog {
  messages: Array<{ at: number; msg: VoiceServerMessage }>;
  offerSentAt: number | null;
  replies: Array<{ audioAt: number | null; deviceLatencyMs: number }>;
}

async function waitLog(page: Page, check: (l: BenchPageLog) => boolean): Promise<BenchPageLog> {
  for (let i = 0; i < 500; i++) {
    const log = await page.evaluate(() => (window as unknown as { voiceLog: BenchPageLog }).voiceLog);
    if (check(log)) return log;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the voice page did not get there in 10 s');
}

async function* tone(msLong: number, rate: number): AsyncGenerator<Int16Array> {
  for (let done = 0; done < (msLong * rate) / 1000; done += rate / 50) {
    yield Int16Array.from({ length: rate / 50 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * (done + i)) / rate)));
  }
}

/** G.711 mu-law encoding of one 16-bit sample. */
function muLaw(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let s = Math.min(32635, Math.abs(sample)) + 0x84;
  let exp = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp--;
  s = (s >> (exp + 3)) & 0x0f;
  return ~(sign | (exp << 4) | s) & 0xff;
}

function gathered(pc: WeriftPeer): Promise<void> {
  return until(() => pc.iceGatheringState === 'complete', 3_000).catch(() => {});
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

if (process.env[CLIENT_ROLE] === '1') void runClients();
