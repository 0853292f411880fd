import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '@sayso/protocol';
import { MemoryBus } from '../../server/src/bus/memory-bus.js';
import { readConfig } from '../../server/src/config.js';
import { startGateway, type Gateway } from '../../server/src/gateway.js';
import { HashEmbedder } from '../../server/src/providers/embed/fake.js';
import { launchChromium, serveStatic, speechWav, type LaunchedBrowser } from '../../server/test/support/browser.js';
import { openTestStore, type TestStore } from '../../server/test/support/stores.js';
import { SaysoClient } from '../src/index.js';
import { until as waitUntil } from './support/until.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface PageLog {
  events: Array<{ name: string; at: number; [k: string]: unknown }>;
  levels: number;
  maxLevel: number;
  errors: string[];
  transport: string | null;
}

/** Browser work is slower: 30 s by default. */
const until = (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) => waitUntil(check, what, timeoutMs, 50);

// The SDK's VoiceSession as a page uses it: the built bundle (sdk/dist) in Chromium, a fake
// microphone playing a spoken command, a real gateway on local speech engines.
describe('VoiceSession in Chromium (built SDK, fake microphone)', () => {
  let db: TestStore;
  let gw: Gateway;
  let client: SaysoClient;
  let site: { url: string; close(): Promise<void> };
  let dir: string;
  const browsers: LaunchedBrowser[] = [];

  beforeAll(async () => {
    db = await openTestStore('pglite');
    const config = readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'warn', SAYSO_STT: 'local', SAYSO_TTS: 'local', SAYSO_UNDERSTANDER: 'offline' });
    gw = await startGateway(config, { store: db.store, bus: new MemoryBus(), embedder: new HashEmbedder() });
    await gw.warmUp();
    client = await SaysoClient.signInLocal(gw.url);
    dir = await mkdtemp(path.join(tmpdir(), 'sayso-sdk-page-'));
    // The page loads the bundle and its worklet from its own origin, as a site would.
    await copyFile(path.join(here, '../dist/index.js'), path.join(dir, 'index.js'));
    await copyFile(path.join(here, '../dist/pcm-worklet.js'), path.join(dir, 'pcm-worklet.js'));
    for (const f of ['voice.html', 'voice-setup.js', 'voice-page.js']) await copyFile(path.join(here, 'fixtures', f), path.join(dir, f === 'voice.html' ? 'index.html' : f));
    site = await serveStatic(dir);
  });
  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close()));
    await site?.close();
    await gw?.close();
    await db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function open(say: string, query: Record<string, string> = {}): Promise<{ page: Page; log: () => Promise<PageLog> }> {
    const wav = await speechWav(say);
    const launched = await launchChromium({ fakeAudioFile: wav.path });
    browsers.push(launched);
    const page = await launched.browser.newPage();
    await page.goto(`${site.url}/index.html?${new URLSearchParams({ server: gw.url, token: client.token!, ...query })}`);
    await page.waitForFunction(() => typeof (window as unknown as { connect?: unknown }).connect === 'function');
    await page.evaluate(() => (window as unknown as { connect(): Promise<void> }).connect());
    return { page, log: () => page.evaluate(() => (window as unknown as { saysoLog: PageLog }).saysoLog) };
  }

  const named = (log: PageLog, name: string) => log.events.filter((e) => e.name === name);

  it('over WebRTC: states, interim and final transcripts, the result, a level meter and a spoken reply', async () => {
    const { page, log } = await open('add call the dentist tomorrow at nine');
    await until(async () => named(await log(), 'reply').some((e) => e['phase'] === 'end'), 'the spoken reply to finish', 60_000);
    const seen = await log();
    expect(seen.errors).toEqual([]);
    expect(seen.transport).toBe('webrtc');
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    const states = named(seen, 'state').map((e) => e['state']);
    expect(states).toEqual(expect.arrayContaining(['idle', 'listening', 'thinking', 'speaking']));
    expect(states.indexOf('listening')).toBeLessThan(states.indexOf('thinking'));
    const transcripts = named(seen, 'transcript');
    expect(transcripts.at(-1)).toMatchObject({ final: true });
    expect(String(transcripts.at(-1)!['text'])).toMatch(/dentist/);
    const [result] = named(seen, 'result') as unknown as Array<{ outcome: { status: string; item: { id: string } } }>;
    expect(result!.outcome.status).toBe('done');
    expect((await client.tasks.get(result!.outcome.item.id)).title).toMatch(/dentist/i);
    expect(named(seen, 'reply')[0]).toMatchObject({ phase: 'start' });
    // The meter moved while the person spoke.
    expect(seen.levels).toBeGreaterThan(10);
    expect(seen.maxLevel).toBeGreaterThan(0.05);
  }, 90_000);

  it('without WebRTC it falls back to the WebSocket transport and works under a strict CSP (worklet by URL, no eval)', async () => {
    const { page, log } = await open('add buy oat milk to my shopping list', { nortc: '1' });
    await until(async () => named(await log(), 'result').length > 0, 'the result', 60_000);
    const seen = await log();
    expect(seen.errors).toEqual([]);
    expect(seen.transport).toBe('websocket');
    const [result] = named(seen, 'result') as unknown as Array<{ outcome: { status: string; item: { id: string } } }>;
    expect(result!.outcome.status).toBe('done');
    const task: Task = await client.tasks.get(result!.outcome.item.id);
    expect(task.list).toBe('shopping');
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
  }, 90_000);

  it('a refused microphone is explained, with what to do', async () => {
    const { log } = await open('hello', { deny: '1' });
    await until(async () => (await log()).errors.length > 0, 'the connect error');
    const seen = await log();
    expect(seen.errors[0]).toMatch(/Microphone access is blocked\. Allow it/);
    expect(named(seen, 'error')[0]).toMatchObject({ kind: 'mic_denied' });
    expect(named(seen, 'state').at(-1)).toMatchObject({ state: 'error' });
  }, 60_000);
});
