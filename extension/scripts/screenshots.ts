// Screenshots of the extension for its README: npx tsx extension/scripts/screenshots.ts
// Builds the extension if needed, starts a gateway on local engines with some made-up data,
// speaks one command through Chromium's fake microphone, and saves PNGs under extension/docs/.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { speechWav } from '../../server/test/support/browser.js';
import {
  EXTENSION_DIR, ensureBuilt, launchExtension, pressHotkey, seedSession, serveFixtures, startTestGateway, typeInShadow, waitInShadow,
} from '../test/support/harness.js';

const DOCS = path.join(EXTENSION_DIR, 'docs');
const day = (offset: number) => {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

async function main(): Promise<void> {
  await mkdir(DOCS, { recursive: true });
  const extensionDir = await ensureBuilt();
  const [gateway, sites, wav] = await Promise.all([startTestGateway(), serveFixtures(), speechWav('remind me to read this page tomorrow')]);
  const person = await gateway.signIn('Ada');
  const call = (method: string, p: string, body?: unknown) => gateway.api<{ id: string }>(person.token, method, p, body).then((r) => r.body);

  for (const [title, extra] of [
    ['Renew passport', { dueDate: day(3) }],
    ['Call the dentist', { dueDate: day(1), dueTime: '09:30' }],
    ['Oat milk', { list: 'groceries' }],
    ['Send the slides to Sam', { dueDate: day(0), priority: 'high' }],
  ] as const) await call('POST', '/v1/tasks', { title, ...extra });
  await call('POST', '/v1/journal', { text: 'Long walk by the river before work. Felt calm all morning.', mood: 4 });
  await call('POST', '/v1/journal', { text: 'Finished the draft. Tired but happy.', mood: 5 });
  for (const [name, every] of [['Stretch', 1], ['Read 20 pages', 2], ['Meditate', 3]] as const) {
    const habit = await call('POST', '/v1/habits', { name });
    for (let i = 0; i < 84; i++) if (i % every === 0 && (i * 7) % 11 !== 3) await call('POST', `/v1/habits/${habit.id}/checkins`, { day: day(-i) });
  }

  const ext = await launchExtension(extensionDir, { fakeAudioFile: wav.path, httpsPort: sites.httpsPort });
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(DOCS, name) }).then(() => console.log(`saved docs/${name}`));
  try {
    const worker = await ext.worker();
    await seedSession(worker, gateway.url, person);

    // The overlay: hotkey, speech, the chip.
    const article = await ext.browser.newPage();
    const url = `${sites.http}/article.html`;
    await article.goto(url);
    await article.bringToFront();
    await pressHotkey(worker, url);
    await waitInShadow(article, 'sayso-overlay', `return root.querySelector('[data-state="listening"]')`);
    // Speech starts 1 s into the WAV and lasts about 2.5 s.
    await waitInShadow(article, 'sayso-overlay', `return Number(root.querySelector('[data-level]')?.dataset.level) > 0.2`);
    await new Promise((r) => setTimeout(r, 3_500));
    await pressHotkey(worker, url);
    await waitInShadow(article, 'sayso-overlay', `return root.querySelector('[data-chip] [data-chip-title]') && root.querySelector('[data-reply]')`, 30_000);
    await shot(article, 'overlay.png');

    // Side panel (shown at a side panel's width).
    const panel = await ext.openExtensionPage('sidepanel.html');
    await panel.setViewport({ width: 400, height: 760 });
    await panel.waitForSelector('[data-task-title]');
    await shot(panel, 'side-panel-tasks.png');
    await panel.evaluate(() => [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')].find((b) => b.textContent === 'Habits')!.click());
    await panel.waitForSelector('[data-heatmap]');
    await shot(panel, 'side-panel-habits.png');

    // Sheets sidebar, after a typed command.
    const sheets = await ext.browser.newPage();
    await sheets.goto('https://docs.google.com/spreadsheets/d/groceries-1/edit#gid=0');
    await sheets.bringToFront();
    await waitInShadow(sheets, 'sayso-sheets', `return root.querySelector('[data-task-title]')`);
    await typeInShadow(sheets, 'sayso-sheets', 'input[name="command"]', 'add a row for sourdough bread');
    await waitInShadow(sheets, 'sayso-sheets', `return root.querySelector('[data-chip="task"]')`);
    await shot(sheets, 'sheets-sidebar.png');

    // Calendar overlay, after a quick-add on the day in view.
    const shown = new Date();
    shown.setDate(shown.getDate() + 2);
    const calendar = await ext.browser.newPage();
    await calendar.goto(`https://calendar.google.com/calendar/u/0/r/day/${shown.getFullYear()}/${shown.getMonth() + 1}/${shown.getDate()}`);
    await calendar.bringToFront();
    await waitInShadow(calendar, 'sayso-calendar', `return root.querySelector('[data-sayso-calendar]')`);
    await typeInShadow(calendar, 'sayso-calendar', 'input[name="command"]', 'lunch with Sam at 1pm');
    await waitInShadow(calendar, 'sayso-calendar', `return root.querySelector('[data-day-events] [data-event-title]')`);
    await shot(calendar, 'calendar-overlay.png');

    const options = await ext.openExtensionPage('options.html');
    await options.waitForSelector('[data-signed-in]');
    await shot(options, 'options.png');
  } finally {
    await ext.close();
    await sites.close();
    await gateway.close();
    await rm(extensionDir, { recursive: true, force: true });
  }
}

await main();
