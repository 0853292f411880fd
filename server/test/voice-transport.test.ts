import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { readConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import type { VoiceServerMessage } from '../src/realtime/voice/messages.js';
import type { VoiceHub } from '../src/realtime/voice/voice-hub.js';
import type { VoiceHandlers, VoiceSegment, VoiceSession } from '../src/realtime/voice/voice-session.js';
import { launchChromium, rms, serveStatic, speechWav, type LaunchedBrowser, type SpeechWav } from './support/browser.js';
import { signIn } from './support/live-socket.js';
import { openTestStore, type TestStore } from './support/stores.js';

const PAGE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/voice-page');

interface Recorder {
  segments: Array<{ session: VoiceSession; segment: VoiceSegment; at: number }>;
  texts: Array<{ session: VoiceSession; turnId: string; text: string }>;
  cancels: string[];
  onSegment: ((session: VoiceSession, segment: VoiceSegment) => void) | undefined;
}

/** A sine tone as a TTS would stream it: 20 ms chunks. */
async function* tone(ms: number, hz: number, rate: number): AsyncGenerator<Int16Array> {
  const chunk = rate / 50;
  for (let done = 0; done < (ms * rate) / 1000; done += chunk) {
    yield Int16Array.from({ length: chunk }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * hz * (done + i)) / rate)));
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface PageLog {
  messages: Array<{ at: number; msg: VoiceServerMessage }>;
  errors: string[];
  micAttachedAt: number | null;
  firstReplyChunkAt: number | null;
  firstReplyAudioAt: number | null;
  flushedAt: number | null;
}

describe('voice transport at /v1/voice', () => {
  let db: TestStore;
  let gw: Gateway;
  let hub: VoiceHub;
  let token: string;
  let site: { url: string; close(): Promise<void> };
  let command: SpeechWav;
  const rec: Recorder = { segments: [], texts: [], cancels: [], onSegment: undefined };
  const handlers: VoiceHandlers = {
    onSegment: (session, segment) => {
      rec.segments.push({ session, segment, at: Date.now() });
      rec.onSegment?.(session, segment);
    },
    onText: (session, text) => void rec.texts.push({ session, ...text }),
    onCancel: (_session, turnId) => void rec.cancels.push(turnId),
  };
  const browsers: LaunchedBrowser[] = [];

  beforeAll(async () => {
    db = await openTestStore('pglite');
    gw = await startGateway(readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent' }), {
      store: db.store, bus: new MemoryBus(), embedder: new HashEmbedder(), voiceHandlers: handlers,
    });
    hub = gw.voice;
    token = await signIn(gw.url);
    site = await serveStatic(PAGE_DIR);
    command = await speechWav('remind me to call the dentist tomorrow at nine');
  });
  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close()));
    await site?.close();
    await gw?.close();
    await db?.close();
  });

  const reset = () => {
    rec.segments.length = 0;
    rec.texts.length = 0;
    rec.cancels.length = 0;
    rec.onSegment = undefined;
  };

  async function openPage(wav: SpeechWav, query: Record<string, string>): Promise<Page> {
    const launched = await launchChromium({ fakeAudioFile: wav.path });
    browsers.push(launched);
    const page = await launched.browser.newPage();
    page.on('console', (m) => m.type() === 'error' && console.error('page:', m.text()));
    const q = new URLSearchParams({ token, server: gw.url.replace(/^http/, 'ws'), autostart: '1', ...query });
    await page.goto(`${site.url}/index.html?${q}`);
    return page;
  }

  const pageLog = (page: Page) => page.evaluate(() => (window as unknown as { voiceLog: PageLog }).voiceLog);

  async function speakOneCommand(transport: 'webrtc' | 'websocket') {
    reset();
    let reply: Promise<{ firstByteMs: number | null; interrupted: boolean }> | undefined;
    rec.onSegment = (session) => void (reply = session.playReply('r1', tone(400, 440, 24_000), 24_000));
    const page = await openPage(command, { transport, mode: 'hands-free' });
    await until(() => rec.segments.length > 0, 'a segment', 12_000);
    await until(() => reply !== undefined, 'reply started');
    const outcome = await reply!;
    await new Promise((r) => setTimeout(r, 600)); // any second segment would have shown by now
    const log = await pageLog(page);
    expect(log.errors).toEqual([]);
    expect(rec.segments).toHaveLength(1);
    const { segment } = rec.segments[0]!;
    const spoken = command.spoken[0]!;
    const segmentMs = segment.pcm.length / 16;
    expect(Math.abs(segmentMs - (spoken.endMs - spoken.startMs))).toBeLessThan(500);
    expect(rms(segment.pcm)).toBeGreaterThan(20 * Math.max(1, rms(segment.pcm.subarray(0, 160))));
    expect(segment.vadMs).toBeGreaterThanOrEqual(0); // how long it took is a figure (npm run bench -- voice), not a pass mark
    expect(outcome.interrupted).toBe(false);
    expect(log.firstReplyAudioAt).not.toBeNull();
    const types = log.messages.map((m) => m.msg.type);
    expect(types).toContain('reply-start');
    expect(types).toContain('reply-end');
    const replyStart = log.messages.find((m) => m.msg.type === 'reply-start')!.at;
    console.log(`[voice ${transport}] segment ${segmentMs} ms (spoken ${spoken.endMs - spoken.startMs} ms), vadMs ${segment.vadMs}, ` +
      `first byte ${outcome.firstByteMs} ms, reply-start -> audio playing ${(log.firstReplyAudioAt! - replyStart).toFixed(0)} ms`);
  }

  it('over WebRTC: one segment per spoken command, and the reply plays on the page', async () => {
    await speakOneCommand('webrtc');
  });

  it('over the WebSocket fallback: the same', async () => {
    await speakOneCommand('websocket');
  });

  it('barge-in: speaking over a long reply stops it at once, and the new turn is heard', async () => {
    reset();
    const wav = await speechWav([
      { silenceMs: 800 }, { say: 'what is on my calendar today' }, { silenceMs: 2_500 }, { say: 'stop, add a task instead' }, { silenceMs: 1_500 },
    ]);
    let reply: Promise<{ firstByteMs: number | null; interrupted: boolean }> | undefined;
    let replyDoneAt = 0;
    rec.onSegment = (session) => {
      if (reply) return;
      reply = session.playReply('long', tone(10_000, 330, 16_000), 16_000);
      void reply.then(() => (replyDoneAt = Date.now()));
    };
    const page = await openPage(wav, { transport: 'webrtc', mode: 'hands-free' });
    await until(() => rec.segments.length >= 2, 'two segments', 15_000);
    const outcome = await reply!;
    const log = await pageLog(page);
    expect(outcome.interrupted).toBe(true);
    const end = log.messages.find((m) => m.msg.type === 'reply-end');
    expect(end?.msg).toEqual({ type: 'reply-end', turnId: 'long', interrupted: true });
    const second = rec.segments[1]!.segment;
    // Stopped while the person was still speaking, not after: the reply ended between the start
    // and the end of the second utterance (how fast is a figure for the bench, not a pass mark).
    expect(end!.at).toBeGreaterThanOrEqual(second.speechStartedAt);
    expect(end!.at).toBeLessThanOrEqual(second.endedAt);
    expect(replyDoneAt).toBeLessThanOrEqual(second.endedAt);
    expect(log.flushedAt).not.toBeNull();
    const states = log.messages.filter((m) => m.msg.type === 'state').map((m) => (m.msg as { state: string }).state);
    expect(states).toEqual(['idle', 'listening', 'thinking', 'speaking', 'listening', 'thinking']);
    console.log(`[voice barge-in] speech start -> reply-end at page ${end!.at - second.speechStartedAt} ms`);
  });

  it('push-to-talk: the turn runs from press to release, and speech without a press is no turn', async () => {
    reset();
    const wav = await speechWav([
      { silenceMs: 600 }, { say: 'this is not for you' }, { silenceMs: 1_500 }, { say: 'add milk to the shopping list' }, { silenceMs: 1_000 },
    ]);
    const page = await openPage(wav, { transport: 'websocket', mode: 'push-to-talk' });
    const attached = await page.waitForFunction(() => (window as unknown as { voiceLog: PageLog }).voiceLog.micAttachedAt, { timeout: 10_000 });
    const micAt = (await attached.jsonValue()) as number;
    const spoken = wav.spoken[1]!;
    const at = async (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, micAt + ms - Date.now())));
    const ptt = (pressed: boolean) => page.evaluate((p) => (window as unknown as { voice: { ptt(p: boolean): void } }).voice.ptt(p), pressed);
    await at(spoken.startMs - 400);
    const pressedAt = Date.now();
    await ptt(true);
    await at(spoken.endMs + 300);
    const releasedAt = Date.now();
    await ptt(false);
    await until(() => rec.segments.length > 0, 'the ptt segment');
    await new Promise((r) => setTimeout(r, 300));
    expect(rec.segments).toHaveLength(1);
    const { segment } = rec.segments[0]!;
    // The segment is the press-to-release stretch: it holds the whole command and none of the
    // earlier speech (judged by the audio it carries, not by clocks, which load makes noisy).
    const segmentMs = segment.pcm.length / 16;
    const first = wav.spoken[0]!;
    expect(segmentMs).toBeGreaterThanOrEqual(spoken.endMs - spoken.startMs);
    expect(segmentMs).toBeLessThan(spoken.endMs + 300 + 100 - first.endMs); // reaching back to the first phrase would be longer
    expect(segment.speechStartedAt).toBeLessThan(segment.endedAt);
    expect(rms(segment.pcm)).toBeGreaterThan(300);
    console.log(`[voice ptt] press -> segment start ${segment.speechStartedAt - pressedAt} ms, release -> segment end ${segment.endedAt - releasedAt} ms, held ${releasedAt - pressedAt} ms, segment ${segmentMs} ms`);
  });
});
