import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../server/src/bus/memory-bus.js';
import { readConfig } from '../../server/src/config.js';
import { startGateway, type Gateway } from '../../server/src/gateway.js';
import { HashEmbedder } from '../../server/src/providers/embed/fake.js';
import { FakeSTT } from '../../server/src/providers/stt/fake.js';
import { FakeTTS } from '../../server/src/providers/tts/fake.js';
import { launchChromium, serveStatic, type LaunchedBrowser } from '../../server/test/support/browser.js';
import { openTestStore, type TestStore } from '../../server/test/support/stores.js';
import { SaysoClient } from '../src/index.js';
import { until as waitUntil } from './support/until.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface PageLog {
  events: Array<{ name: string; at: number; [k: string]: unknown }>;
  errors: string[];
  transport: string | null;
}

/** Browser work is slower: 30 s by default. */
const until = (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) => waitUntil(check, what, timeoutMs, 50);

/** 16 kHz mono PCM16 silence: a microphone in a quiet room, so only typed turns happen. */
function silentWav(seconds: number): Buffer {
  const data = seconds * 16_000 * 2;
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + data, 4); h.write('WAVE', 8); h.write('fmt ', 12);
  h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22); h.writeUInt32LE(16_000, 24);
  h.writeUInt32LE(32_000, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34); h.write('data', 36); h.writeUInt32LE(data, 40);
  return Buffer.concat([h, Buffer.alloc(data)]);
}

// The WebRTC audio path dropped by the gateway mid-session (its peer connection closed) while a
// turn is in flight, in Chromium with the built SDK: the session reports the loss, a new connect()
// comes up over WebRTC again, and no turn takes effect twice.
describe('fault: WebRTC dropped mid-session (Chromium)', () => {
  let db: TestStore;
  let gw: Gateway;
  let client: SaysoClient;
  let site: { url: string; close(): Promise<void> };
  let dir: string;
  let browser: LaunchedBrowser | undefined;

  beforeAll(async () => {
    db = await openTestStore('pglite');
    const config = readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'warn', SAYSO_UNDERSTANDER: 'offline' });
    gw = await startGateway(config, { store: db.store, bus: new MemoryBus(), embedder: new HashEmbedder(), stt: new FakeSTT(), tts: new FakeTTS() });
    client = await SaysoClient.signInLocal(gw.url);
    dir = await mkdtemp(path.join(tmpdir(), 'sayso-sdk-fault-'));
    await copyFile(path.join(here, '../dist/index.js'), path.join(dir, 'index.js'));
    await copyFile(path.join(here, '../dist/pcm-worklet.js'), path.join(dir, 'pcm-worklet.js'));
    for (const f of ['voice.html', 'voice-setup.js', 'voice-page.js']) await copyFile(path.join(here, 'fixtures', f), path.join(dir, f === 'voice.html' ? 'index.html' : f));
    await writeFile(path.join(dir, 'silence.wav'), silentWav(30));
    site = await serveStatic(dir);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await gw?.close();
    await db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the session reports the lost audio path, reconnects over WebRTC, and nothing is doubled', async () => {
    browser = await launchChromium({ fakeAudioFile: path.join(dir, 'silence.wav') });
    const page: Page = await browser.browser.newPage();
    await page.goto(`${site.url}/index.html?${new URLSearchParams({ server: gw.url, token: client.token! })}`);
    await page.waitForFunction(() => typeof (window as unknown as { connect?: unknown }).connect === 'function');
    const log = () => page.evaluate(() => (window as unknown as { saysoLog: PageLog }).saysoLog);
    const named = (l: PageLog, name: string) => l.events.filter((e) => e.name === name);
    const connect = () => page.evaluate(() => (window as unknown as { connect(): Promise<void> }).connect());
    const say = (text: string) => page.evaluate((t) => (window as unknown as { voice: { sendText(t: string): void } }).voice.sendText(t), text);
    const sessionId = () => page.evaluate(() => (window as unknown as { voice: { sessionId?: string } }).voice.sessionId);

    await connect();
    expect((await log()).transport).toBe('webrtc');
    await say('add webrtc before the drop');
    await until(async () => named(await log(), 'result').length === 1, 'the first result');

    // A turn in flight, then the gateway closes the peer connection of this session.
    await say('add webrtc during the drop');
    const server = gw.voice.get((await sessionId())!) as unknown as { ingest: { closePeer(): Promise<void> } };
    const droppedAt = Date.now();
    await server.ingest.closePeer();
    await until(async () => named(await log(), 'error').length > 0, 'the session to report the lost audio path', 40_000);
    const reportedMs = Date.now() - droppedAt;
    expect(named(await log(), 'error')[0]).toMatchObject({ kind: 'connection' });

    await connect();
    const l = await log();
    expect(l.errors).toEqual([]);
    expect(l.transport).toBe('webrtc');
    const connectedMs = Date.now() - droppedAt;
    await say('add webrtc after the drop');
    await until(async () => named(await log(), 'result').some((r) => /after the drop/.test(String(r['text']))), 'a result after reconnecting');

    const titles = (await client.tasks.list({ limit: 200 })).items.map((t) => t.title).filter((t) => t.startsWith('webrtc'));
    const count = (t: string) => titles.filter((x) => x === t).length;
    const wanted = ['webrtc before the drop', 'webrtc during the drop', 'webrtc after the drop'];
    await until(async () => (await client.tasks.list({ limit: 200 })).items.some((t) => t.title === 'webrtc during the drop'), 'the in-flight turn to take effect', 5_000).catch(() => {});
    console.log(
      `fault webrtc-drop: turns 3, lost ${wanted.filter((t) => count(t) === 0).length}, duplicates ${wanted.filter((t) => count(t) > 1).length}, ` +
        `drop reported in ${reportedMs} ms, reconnected over WebRTC ${connectedMs} ms after the drop`,
    );
    expect(wanted.map(count)).toEqual([1, 1, 1]);
  }, 90_000);
});
