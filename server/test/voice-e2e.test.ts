import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Habit, JournalEntry, Page as ListPage, Task } from '@sayso/protocol';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { readConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import { launchChromium, serveStatic, speechWav, type LaunchedBrowser } from './support/browser.js';
import { api, LiveSocket, signIn } from './support/live-socket.js';
import { openTestStore, type TestStore } from './support/stores.js';

const PAGE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/voice-page');

interface PageLog {
  messages: Array<{ at: number; msg: { type: string; [k: string]: unknown } }>;
  errors: string[];
  replies: Array<{ turnId: string; startAt: number; audioAt: number | null }>;
  firstReplyAudioAt: number | null;
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The whole loop with the local engines a person gets with no keys: Chromium's fake microphone
// plays a spoken command (synthesised with flite) -> WebRTC or WebSocket -> VAD -> pocketsphinx
// -> offline understanding -> the store -> the live socket, and a spoken reply (local flite
// voice) back to the page.
describe('a spoken command, end to end on local engines', () => {
  let db: TestStore;
  let gw: Gateway;
  let token: string;
  let site: { url: string; close(): Promise<void> };
  const browsers: LaunchedBrowser[] = [];
  const sockets: LiveSocket[] = [];

  beforeAll(async () => {
    db = await openTestStore('pglite');
    const config = readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'warn', SAYSO_STT: 'local', SAYSO_TTS: 'local', SAYSO_UNDERSTANDER: 'offline' });
    gw = await startGateway(config, { store: db.store, bus: new MemoryBus(), embedder: new HashEmbedder() });
    await gw.warmUp();
    token = await signIn(gw.url);
    site = await serveStatic(PAGE_DIR);
  });
  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close()));
    await Promise.all(sockets.map((s) => s.close()));
    await site?.close();
    await gw?.close();
    await db?.close();
  });

  async function speak(text: string, transport: 'webrtc' | 'websocket'): Promise<{ page: Page; log: () => Promise<PageLog> }> {
    const wav = await speechWav(text);
    const launched = await launchChromium({ fakeAudioFile: wav.path });
    browsers.push(launched);
    const page = await launched.browser.newPage();
    const q = new URLSearchParams({ token, server: gw.url.replace(/^http/, 'ws'), autostart: '1', transport, mode: 'hands-free' });
    await page.goto(`${site.url}/index.html?${q}`);
    return { page, log: () => page.evaluate(() => (window as unknown as { voiceLog: PageLog }).voiceLog) };
  }

  async function resultOf(log: () => Promise<PageLog>) {
    let result: { type: string; result?: { text: string; reply: string; outcome: { status: string; item?: { id: string } }; timings: Record<string, number> } } | undefined;
    await until(async () => Boolean((result = (await log()).messages.find((m) => m.msg.type === 'result')?.msg as typeof result)), 'the turn result');
    await until(async () => (await log()).firstReplyAudioAt !== null, 'reply audio playing on the page');
    return result!.result!;
  }

  it('over WebRTC: "add call the dentist tomorrow at nine" becomes a task, is pushed live, and is answered out loud', async () => {
    const live = await new LiveSocket(gw.url, token).ready();
    sockets.push(live);
    const { log } = await speak('add call the dentist tomorrow at nine', 'webrtc');
    const result = await resultOf(log);
    console.log(`[e2e webrtc] heard "${result.text}"; timings ${JSON.stringify(result.timings)}`);
    expect(result.text).toMatch(/dentist/);
    expect(result.outcome.status).toBe('done');
    expect(result.reply).toMatch(/dentist/i);
    const task = (await api<Task>(gw.url, token, 'GET', `/v1/tasks/${result.outcome.item!.id}`)).body;
    expect(task.title).toMatch(/dentist/i);
    // The title and the source are what must hold; dates depend on what the recogniser heard
    // ("at nine" is sometimes heard as "that nine" or "in nine"), so they are logged, not asserted.
    expect(task.source).toBe('voice');
    console.log(`[e2e webrtc] task due ${task.dueDate} ${task.dueTime}`);
    await live.until(() => live.events.some((e) => e.type === 'task_update' && e.data.task.id === task.id), 'task_update on the live socket');
    const page = await log();
    expect(page.errors).toEqual([]);
    expect(result.timings).toHaveProperty('stt');
    // Recognised while spoken: interim transcripts reached the page before the final one.
    const transcripts = page.messages.filter((m) => m.msg.type === 'transcript').map((m) => m.msg as unknown as { final: boolean; text: string });
    expect(transcripts.some((t) => !t.final)).toBe(true);
    expect(transcripts.at(-1)).toMatchObject({ final: true });
  }, 90_000);

  it('over the WebSocket fallback: a habit check-in by voice', async () => {
    const habit = (await api<Habit>(gw.url, token, 'POST', '/v1/habits', { name: 'meditation' })).body;
    const { log } = await speak('i did my meditation', 'websocket');
    const result = await resultOf(log);
    expect(result.outcome.status).toBe('done');
    const checkins = (await api<{ items: unknown[] }>(gw.url, token, 'GET', `/v1/habits/${habit.id}/checkins`)).body.items;
    expect(checkins).toHaveLength(1);
    console.log(`[e2e websocket] heard "${result.text}"; reply "${result.reply}"`);
  }, 90_000);

  it('over WebRTC: a journal dictation is saved', async () => {
    const { log } = await speak('journal today was a good day and the long run helped', 'webrtc');
    const result = await resultOf(log);
    expect(result.outcome.status).toBe('done');
    const entries = (await api<ListPage<JournalEntry>>(gw.url, token, 'GET', '/v1/journal')).body.items;
    expect(entries).toHaveLength(1);
    expect(entries[0]!.text).toMatch(/run/);
    console.log(`[e2e journal] heard "${result.text}"`);
  }, 90_000);
});
