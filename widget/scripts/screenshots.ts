// The gateway's ambient module declarations, which the widget tsconfig does not otherwise see.
/// <reference path="../../server/src/providers/tts/engines.d.ts" />
/// <reference path="../../server/src/realtime/voice/fvad-wasm.d.ts" />
// `npx tsx widget/scripts/screenshots.ts`: builds the bundles, starts a gateway on local engines
// and a throwaway in-memory database with a few tasks, entries and habits, serves a host page
// from a second origin with a publishable key, and saves the widget's states as
// widget/docs/widget-*.png for the README. A fake microphone says "add call the dentist".
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'puppeteer-core';
import { MemoryBus } from '../../server/src/bus/memory-bus.js';
import { readConfig } from '../../server/src/config.js';
import { startGateway } from '../../server/src/gateway.js';
import { HashEmbedder } from '../../server/src/providers/embed/fake.js';
import { openStore } from '../../server/src/store/open-store.js';
import { launchChromium, serveStatic, speechWav } from '../../server/test/support/browser.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
const ZONE = 'Europe/London';
const day = (offset: number) => {
  const d = new Date(`${new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date())}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
};

const HOST_PAGE = (attrs: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Riverside Bakery</title>
<script src="/sayso-widget.js"></script>
<style>
  body { margin: 0; font: 16px/1.6 Georgia, serif; color: #3b2f2a; background: #fbf7f2; }
  header { padding: 28px 48px; background: #7c4a2d; color: #fff8ef; font-size: 26px; letter-spacing: .5px; }
  main { padding: 24px 48px; max-width: 420px; }
  h2 { margin: 0 0 8px; font-size: 22px; } p { margin: 0 0 16px; color: #6b5a50; }
  .card { background: #fff; border: 1px solid #eadfd3; border-radius: 10px; padding: 16px; margin-bottom: 14px; }
</style></head>
<body><header>Riverside Bakery</header><main>
<h2>This week's bakes</h2>
<div class="card"><strong>Sourdough loaf</strong><p>Slow-fermented for 36 hours. Fridays and Saturdays.</p></div>
<div class="card"><strong>Cardamom buns</strong><p>Every morning from 8, until they are gone.</p></div>
<div class="card"><strong>Rye and seeds</strong><p>Dense, dark and keeps all week.</p></div>
</main>
<sayso-widget ${attrs}></sayso-widget></body></html>`;

const shadow = (page: Page, fn: string) =>
  page.waitForFunction(`(() => { const r = document.querySelector('sayso-widget').shadowRoot; return ${fn}; })()`, { timeout: 30_000, polling: 50 });

await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/rollup/dist/bin/rollup'), '-c', '--silent'], { cwd: ROOT });
await mkdir(DOCS, { recursive: true });
const siteDir = await mkdtemp(path.join(tmpdir(), 'sayso-widget-shots-'));
await copyFile(path.join(ROOT, 'widget/dist/sayso-widget.js'), path.join(siteDir, 'sayso-widget.js'));
await copyFile(path.join(ROOT, 'widget/dist/pcm-worklet.js'), path.join(siteDir, 'pcm-worklet.js'));
const site = await serveStatic(siteDir);
const store = await openStore({ kind: 'embedded', dataDir: null });
const gw = await startGateway(readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'warn', SAYSO_UNDERSTANDER: 'offline', SAYSO_STT: 'local', SAYSO_TTS: 'local' }), {
  store, bus: new MemoryBus(), embedder: new HashEmbedder(),
});
await gw.warmUp();
const wav = await speechWav('add call the dentist');
const chromium = await launchChromium({ fakeAudioFile: wav.path });
try {
  const { token } = (await (await fetch(`${gw.url}/v1/auth/local`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Ada' }) })).json()) as { token: string };
  const call = async <T = { id: string }>(method: string, p: string, body?: unknown): Promise<T> => {
    const res = await fetch(gw.url + p, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  await call('PATCH', '/v1/me', { timeZone: ZONE });
  await call('POST', '/v1/tasks', { title: 'Order more rye flour', dueDate: day(-1) });
  await call('POST', '/v1/tasks', { title: 'Call the oven engineer', dueDate: day(0), dueTime: '10:00' });
  await call('POST', '/v1/tasks', { title: 'Update the weekend menu' });
  await call('POST', '/v1/tasks', { title: 'Pay the market stall fee', dueDate: day(0) });
  await call('POST', '/v1/journal', { text: 'Sold out of cardamom buns by ten. Bake a double batch on Saturday.', mood: 5, day: day(0) });
  await call('POST', '/v1/journal', { text: 'Quiet morning; the new sourdough starter is finally lively.', mood: 4, day: day(-1) });
  const stretch = await call('POST', '/v1/habits', { name: 'Stretch' });
  const walk = await call('POST', '/v1/habits', { name: 'Evening walk' });
  for (let i = 0; i < 60; i++) {
    if (i < 9 || i % 3 !== 0) await call('POST', `/v1/habits/${stretch.id}/checkins`, { day: day(-i) });
    if (i % 2 === 0 && i > 0) await call('POST', `/v1/habits/${walk.id}/checkins`, { day: day(-i) });
  }
  const { key } = await call<{ key: string }>('POST', '/v1/keys', { origins: [site.url], label: 'Riverside Bakery' });
  const { key: otherKey } = await call<{ key: string }>('POST', '/v1/keys', { origins: ['https://riverside-bakery.example'] });

  const page = await chromium.browser.newPage();
  await page.setViewport({ width: 920, height: 760 });
  const show = async (name: string, attrs: string) => {
    await writeFile(path.join(siteDir, `${name}.html`), HOST_PAGE(`server="${gw.url}" ${attrs}`));
    await page.goto(`${site.url}/${name}.html`);
  };
  const shot = async (name: string) => {
    await new Promise((r) => setTimeout(r, 300)); // let transitions settle
    await page.screenshot({ path: path.join(DOCS, `widget-${name}.png`) as `${string}.png` });
    console.log(`saved widget/docs/widget-${name}.png`);
  };

  await show('closed', `key="${key}" theme="light"`);
  await shadow(page, `r.querySelector('[data-launcher]')`);
  await shot('closed');

  await show('open', `key="${key}" theme="light" open`);
  await shadow(page, `r.querySelectorAll('[data-task-id]').length >= 4`);
  await shot('open');

  // Hold Space on the mic while the fake microphone speaks; shoot while an interim transcript shows.
  await page.evaluate(() => document.querySelector('sayso-widget')!.shadowRoot!.querySelector<HTMLElement>('[data-mic]')!.focus());
  await page.keyboard.down(' ');
  await shadow(page, `r.querySelector('[data-mic]').dataset.state === 'listening' && r.querySelector('[data-transcript]')`);
  await shot('listening');
  await new Promise((r) => setTimeout(r, wav.totalMs));
  await page.keyboard.up(' ');
  await shadow(page, `r.querySelector('[data-chip=task]') && r.querySelector('[data-reply]')`);
  await shot('chip');

  await show('dark', `key="${key}" theme="dark" open`);
  await shadow(page, `r.querySelectorAll('[data-task-id]').length >= 4`);
  await page.evaluate(() => document.querySelector('sayso-widget')!.shadowRoot!.querySelector<HTMLElement>('#sw-tab-habits')!.click());
  await shot('dark');

  await show('error', `key="${otherKey}" theme="light" open`);
  await shadow(page, `r.querySelector('[role=alert]')`);
  await shot('error');
} finally {
  await chromium.close();
  await site.close();
  await gw.close();
  await store.close();
  await rm(siteDir, { recursive: true, force: true });
}
