// The gateway's ambient module declarations, which the widget tsconfig does not otherwise see.
/// <reference path="../../server/src/providers/tts/engines.d.ts" />
/// <reference path="../../server/src/realtime/voice/fvad-wasm.d.ts" />
// `npx tsx widget/scripts/home-screenshot.ts`: builds the home page, starts a gateway on a
// throwaway in-memory database with a few example tasks, entries and habits, and saves
// widget/docs/home.png (the tasks view) for the README. Pass `--all` for the journal and habits too.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MemoryBus } from '../../server/src/bus/memory-bus.js';
import { readConfig } from '../../server/src/config.js';
import { startGateway } from '../../server/src/gateway.js';
import { HashEmbedder } from '../../server/src/providers/embed/fake.js';
import { openStore } from '../../server/src/store/open-store.js';
import { launchChromium } from '../../server/test/support/browser.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
const ZONE = 'Europe/London';

const day = (offset: number) => {
  const d = new Date(`${new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date())}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
};

await promisify(execFile)('npx', ['rollup', '-c', 'widget/scripts/home-build.mjs'], { cwd: ROOT });
const store = await openStore({ kind: 'embedded', dataDir: null });
const gw = await startGateway(readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'warn', SAYSO_UNDERSTANDER: 'offline' }), {
  store,
  bus: new MemoryBus(),
  embedder: new HashEmbedder(),
});
const browser = await launchChromium();
try {
  const signIn = await fetch(`${gw.url}/v1/auth/local`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Ada' }),
  });
  const { token } = (await signIn.json()) as { token: string };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(gw.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string; version: number };
  };
  await call('PATCH', '/v1/me', { timeZone: ZONE });
  await call('POST', '/v1/tasks', { title: 'Renew passport', dueDate: day(-2), priority: 'high' });
  await call('POST', '/v1/tasks', { title: 'Call the dentist', dueDate: day(0), dueTime: '09:30', priority: 'medium' });
  await call('POST', '/v1/tasks', { title: 'Team lunch', dueDate: day(0), dueTime: '12:30', list: 'calendar' });
  await call('POST', '/v1/tasks', { title: 'Buy oat milk and bread', list: 'groceries' });
  await call('POST', '/v1/tasks', { title: 'Book train to Edinburgh', dueDate: day(3), list: 'travel', priority: 'low' });
  await call('POST', '/v1/tasks', { title: 'Water the plants', dueDate: day(1) });
  const done = await call('POST', '/v1/tasks', { title: 'Send the invoice', list: 'work' });
  await call('POST', `/v1/tasks/${done.id}/complete`, {});
  await call('POST', '/v1/journal', { text: 'A long walk by the river after work. The light was beautiful and I felt calm.', mood: 4, day: day(-1) });
  await call('POST', '/v1/journal', { text: 'Busy day, but the morning run helped. Finished the first draft.', mood: 5 });
  const stretch = await call('POST', '/v1/habits', { name: 'Stretch' });
  const read = await call('POST', '/v1/habits', { name: 'Read 20 pages' });
  for (let i = 0; i < 80; i++) {
    if (i < 9 || (i * 7) % 5 < 3) await call('POST', `/v1/habits/${stretch.id}/checkins`, { day: day(-i) });
    if ((i * 3) % 4 !== 0) await call('POST', `/v1/habits/${read.id}/checkins`, { day: day(-i) });
  }

  const page = await browser.browser.newPage();
  await page.emulateTimezone(ZONE);
  await page.setViewport({ width: 1280, height: 820, deviceScaleFactor: 1 });
  await page.goto(`${gw.url}/`);
  await page.evaluate((t) => localStorage.setItem('sayso:token', t), token);
  const shots: Array<[string, string]> = [['tasks', 'home.png']];
  if (process.argv.includes('--all')) shots.push(['journal', 'home-journal.png'], ['habits', 'home-habits.png']);
  await mkdir(DOCS, { recursive: true });
  for (const [view, file] of shots) {
    await page.goto(`${gw.url}/#${view}`);
    await page.reload();
    await page.waitForSelector('[data-connection="open"]');
    await page.waitForFunction(() => !document.body.textContent?.includes('Loading'));
    await new Promise((r) => setTimeout(r, 300)); // streak numbers and heatmaps arrive just after
    await page.screenshot({ path: `${DOCS}${file}` });
    console.log(`saved widget/docs/${file}`);
  }
} finally {
  await browser.close();
  await gw.close();
  await store.close();
}
