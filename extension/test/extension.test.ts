import { rm } from 'node:fs/promises';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Habit, JournalEntry, Page as ListPage, Task } from '@sayso/protocol';
import { speechWav } from '../../server/test/support/browser.js';
import {
  ensureBuilt, launchExtension, pressHotkey, seedSession, serveFixtures, startTestGateway, typeInShadow, waitInShadow,
  type ExtensionBrowser, type FixtureSites, type TestGateway,
} from './support/harness.js';

const OVERLAY = 'sayso-overlay';
const SHEETS = 'sayso-sheets';
const CALENDAR = 'sayso-calendar';

const isoDay = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const click = (page: Page, host: string, selector: string) =>
  page.evaluate((host, selector) => (document.querySelector(host)!.shadowRoot!.querySelector(selector) as HTMLElement).click(), host, selector);

// The built extension in headless Chromium against a gateway on local engines: the hotkey's
// handler (called in the service worker: Chromium ignores synthetic shortcut presses), a spoken
// command through a fake microphone held by the offscreen document, the Sheets sidebar and the
// Calendar overlay on Google's hosts (resolved to a local HTTPS fixture).
let gateway: TestGateway;
let extensionDir: string;

beforeAll(async () => {
  // The build first, alone: it is the heaviest step and the others do not need it.
  extensionDir = await ensureBuilt();
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway?.close();
  await rm(extensionDir, { recursive: true, force: true });
});

describe('the Chrome extension', () => {
  let sites: FixtureSites;
  let ext: ExtensionBrowser;
  let person: Awaited<ReturnType<TestGateway['signIn']>>;

  beforeAll(async () => {
    let wav;
    [wav, sites, person] = await Promise.all([speechWav('remind me to read this page tomorrow'), serveFixtures(), gateway.signIn('Ada')]);
    ext = await launchExtension(extensionDir, { fakeAudioFile: wav.path, httpsPort: sites.httpsPort });
    await seedSession(await ext.worker(), gateway.url, person);
  });
  afterAll(async () => {
    await ext?.close();
    await sites?.close();
  });

  it('the hotkey on a page opens the overlay; "remind me to read this page tomorrow" spoken into the mic makes a task of the page, shows its chip, Undo takes it back, Escape closes', async () => {
    const page = await ext.browser.newPage();
    const url = `${sites.http}/article.html`;
    await page.goto(url);
    await page.evaluate(() => {
      // Selected text travels with the page's title and link.
      const range = document.createRange();
      range.selectNodeContents(document.getElementById('lede')!);
      getSelection()!.addRange(range);
    });

    await pressHotkey(await ext.worker(), url);
    const state = await waitInShadow<string>(page, OVERLAY, `return root.querySelector('[data-sayso-overlay] [data-state="listening"]') && 'listening'`);
    expect(state).toBe('listening');
    // Speech is in the WAV from 1 s to ~3.5 s; push-to-talk ends when the hotkey is pressed again.
    await waitInShadow(page, OVERLAY, `return Number(root.querySelector('[data-level]')?.dataset.level) > 0.2`, 10_000);
    await new Promise((r) => setTimeout(r, 3_500));
    await pressHotkey(await ext.worker(), url);

    const chip = await waitInShadow<string>(page, OVERLAY, `return root.querySelector('[data-chip="task"] [data-chip-title]')?.textContent`, 30_000);
    const heard = await waitInShadow<string>(page, OVERLAY, `return root.querySelector('[data-transcript]')?.textContent`);
    console.log(`[extension voice] heard "${heard}", chip "${chip}"`);
    expect(chip).toMatch(/ownership/i);
    // "this page" was answered by the page: its title in the task, its link in the notes.
    const tasks = (await gateway.api<ListPage<Task>>(person.token, 'GET', '/v1/tasks')).body.items;
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ source: 'voice' });
    expect(tasks[0]!.title).toMatch(/understanding ownership/i);
    expect(tasks[0]!.notes ?? '').toContain('/article.html');

    await page.evaluate((host) => (document.querySelector(host)!.shadowRoot!.querySelector('[data-action="undo"]') as HTMLButtonElement).click(), OVERLAY);
    await waitInShadow(page, OVERLAY, `return root.querySelector('[data-chip="task"][data-status="undone"]')`);
    expect((await gateway.api(person.token, 'GET', `/v1/tasks/${tasks[0]!.id}`)).status).toBe(404);

    await page.keyboard.press('Escape');
    await waitInShadow(page, OVERLAY, `return !root.querySelector('[data-sayso-overlay]')`);
    await page.close();
  }, 60_000);

  it('the hotkey on a page that takes no scripts (chrome://version) starts nothing and says why on the toolbar icon', async () => {
    const page = await ext.browser.newPage();
    await page.goto('chrome://version');
    const worker = await ext.worker();
    const result = await worker.evaluate(async () => {
      const c = (globalThis as unknown as { chrome: { tabs: { query(q: object): Promise<Array<{ id: number; url?: string }>> }; action: { getTitle(d: object): Promise<string>; getBadgeText(d: object): Promise<string> } } }).chrome;
      const tab = (await c.tabs.query({})).find((t) => t.url?.startsWith('chrome://version'))!;
      const g = globalThis as unknown as { saysoOnCommand(c: string, t: unknown): Promise<unknown> };
      return { answer: await g.saysoOnCommand('toggle-capture', tab), badge: await c.action.getBadgeText({ tabId: tab.id }), title: await c.action.getTitle({ tabId: tab.id }) };
    });
    expect(result).toMatchObject({ answer: { state: 'unavailable' }, badge: '!' });
    expect(result.title).toMatch(/cannot run on this page/);
    await page.close();
  });

  it('on docs.google.com/spreadsheets the sidebar lists the tasks, says the sheet is not linked (Google sync off), and "add a row for …" and "mark … done" act', async () => {
    const dentist = (await gateway.api<Task>(person.token, 'POST', '/v1/tasks', { title: 'call the dentist' })).body;
    const page = await ext.browser.newPage();
    await page.goto('https://docs.google.com/spreadsheets/d/sheet-123/edit#gid=0');
    expect(await waitInShadow<string>(page, SHEETS, `return root.querySelector('[data-sheet-name]')?.textContent`)).toBe('Groceries');
    // This gateway has no Google client configured: the sidebar says so, and how to turn it on.
    expect(await waitInShadow<string>(page, SHEETS, `return root.querySelector('[data-sync-status="off"]')?.textContent`)).toMatch(/not linked.*SAYSO_GOOGLE_CLIENT_ID/is);
    await waitInShadow(page, SHEETS, `return [...root.querySelectorAll('[data-task-title]')].some((e) => e.textContent === 'call the dentist')`);

    await typeInShadow(page, SHEETS, 'input[name="command"]', 'add a row for oat milk');
    expect(await waitInShadow<string>(page, SHEETS, `return root.querySelector('[data-chip="task"] [data-chip-title]')?.textContent`)).toBe('oat milk');
    await waitInShadow(page, SHEETS, `return [...root.querySelectorAll('[data-task-title]')].some((e) => e.textContent === 'oat milk')`);

    await typeInShadow(page, SHEETS, 'input[name="command"]', 'mark the dentist done');
    await waitInShadow(page, SHEETS, `return [...root.querySelectorAll('[data-chip="task"]')].some((e) => /Done task/.test(e.textContent) && /dentist/.test(e.textContent))`);
    expect((await gateway.api<Task>(person.token, 'GET', `/v1/tasks/${dentist.id}`)).body.status).toBe('done');
    await waitInShadow(page, SHEETS, `return ![...root.querySelectorAll('[data-task-title]')].some((e) => e.textContent === 'call the dentist')`);
    await page.close();
  }, 30_000);

  it('on calendar.google.com a typed quick-add lands on the day in view, is listed there, and Undo removes it', async () => {
    const shown = new Date();
    shown.setDate(shown.getDate() + 4);
    const day = isoDay(shown);
    const page = await ext.browser.newPage();
    await page.goto(`https://calendar.google.com/calendar/u/0/r/day/${shown.getFullYear()}/${shown.getMonth() + 1}/${shown.getDate()}`);
    expect(await waitInShadow<string>(page, CALENDAR, `return root.querySelector('[data-sayso-calendar]')?.dataset.day`)).toBe(day);

    await typeInShadow(page, CALENDAR, 'input[name="command"]', 'lunch with Sam at 1pm');
    expect(await waitInShadow<string>(page, CALENDAR, `return root.querySelector('[data-chip="event"] [data-chip-title]')?.textContent`)).toMatch(/lunch with sam/i);
    const events = (await gateway.api<ListPage<Task>>(person.token, 'GET', `/v1/tasks?list=calendar&dueFrom=${day}&dueTo=${day}`)).body.items;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ dueDate: day, dueTime: '13:00' });
    await waitInShadow(page, CALENDAR, `return root.querySelector('[data-day-events] [data-event-title]')?.textContent.toLowerCase() === 'lunch with sam'`);

    await click(page, CALENDAR, '[data-chip="event"] [data-action="undo"]');
    await waitInShadow(page, CALENDAR, `return root.querySelector('[data-chip="event"][data-status="undone"]') && !root.querySelector('[data-day-events]')`);
    expect((await gateway.api(person.token, 'GET', `/v1/tasks/${events[0]!.id}`)).status).toBe(404);
    await page.close();
  }, 30_000);

  it('the side panel shows tasks, journal and habits (with a streak heatmap) and follows changes live', async () => {
    const habit = (await gateway.api<Habit>(person.token, 'POST', '/v1/habits', { name: 'stretch' })).body;
    await gateway.api(person.token, 'POST', `/v1/habits/${habit.id}/checkins`, {});
    const panel = await ext.openExtensionPage('sidepanel.html');
    await panel.waitForFunction(() => document.querySelector('[data-live]')?.getAttribute('data-live') === 'open');
    // Made elsewhere after the panel opened: it arrives over the live socket.
    await gateway.api(person.token, 'POST', '/v1/tasks', { title: 'water the plants' });
    await panel.waitForFunction(() => [...document.querySelectorAll('[data-task-title]')].some((e) => e.textContent === 'water the plants'));

    await panel.evaluate(() => [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')].find((b) => b.textContent === 'Journal')!.click());
    await panel.type('textarea[name="journal-text"]', 'A calm morning by the river.');
    await panel.evaluate(() => [...document.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent === 'Save entry')!.click());
    await panel.waitForFunction(() => document.querySelector('[data-journal]')?.textContent?.includes('A calm morning'));
    const entries = (await gateway.api<ListPage<JournalEntry>>(person.token, 'GET', '/v1/journal')).body.items;
    expect(entries.map((e) => e.text)).toContain('A calm morning by the river.');

    await panel.evaluate(() => [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')].find((b) => b.textContent === 'Habits')!.click());
    const today = isoDay(new Date());
    await panel.waitForFunction((today) => document.querySelector(`[data-habit="stretch"] [data-day="${today}"]`)?.getAttribute('data-value') === '1', {}, today);
    expect(await panel.$eval('[data-habit="stretch"] [data-streak]', (e) => e.getAttribute('data-streak'))).toBe('1');
    expect(await panel.$$eval('[data-habit="stretch"] [data-heatmap] [data-day]', (cells) => cells.length)).toBe(12 * 7);
    await panel.close();
  }, 30_000);
});

describe('hands-free on Google Calendar', () => {
  let sites: FixtureSites;
  let ext: ExtensionBrowser | undefined;
  afterAll(async () => {
    await ext?.close();
    await sites?.close();
  });

  it('the hotkey opens a hands-free conversation; a spoken event with no day lands on the day in view; the hotkey again closes it', async () => {
    const [wav, fixtures, person] = await Promise.all([speechWav('team meeting at ten'), serveFixtures(), gateway.signIn('Ada')]);
    sites = fixtures;
    ext = await launchExtension(extensionDir, { fakeAudioFile: wav.path, httpsPort: sites.httpsPort });
    const worker = await ext.worker();
    await seedSession(worker, gateway.url, person, { mode: 'hands-free' });
    const shown = new Date();
    shown.setDate(shown.getDate() + 5);
    const day = isoDay(shown);
    const page = await ext.browser.newPage();
    const url = `https://calendar.google.com/calendar/u/0/r/day/${shown.getFullYear()}/${shown.getMonth() + 1}/${shown.getDate()}`;
    await page.goto(url);
    await waitInShadow(page, CALENDAR, `return root.querySelector('[data-sayso-calendar]')`);

    await pressHotkey(worker, url);
    // No second press: the gateway's voice activity detection ends the turn.
    const note = await waitInShadow<string>(page, CALENDAR, `return root.querySelector('[data-chip="event"] [data-chip-note]')?.textContent`, 30_000);
    const heard = await waitInShadow<string>(page, CALENDAR, `return root.querySelector('[data-transcript]')?.textContent`);
    console.log(`[extension hands-free] heard "${heard}"; ${note}`);
    expect(note).toMatch(/day in view/);
    const events = (await gateway.api<ListPage<Task>>(person.token, 'GET', `/v1/tasks?list=calendar&dueFrom=${day}&dueTo=${day}`)).body.items;
    expect(events).toHaveLength(1);
    expect(events[0]!.title).toMatch(/meeting/);
    await waitInShadow(page, CALENDAR, `return /meeting/.test(root.querySelector('[data-day-events] [data-event-title]')?.textContent ?? '')`);

    await pressHotkey(worker, url);
    await waitInShadow(page, CALENDAR, `return root.querySelector('[data-state="disconnected"]')`);
  }, 60_000);
});

describe('the extension settings', () => {
  let ext: ExtensionBrowser | undefined;
  afterAll(() => ext?.close());

  it('gateway, sign-in, mode, language and spoken replies set on the options page survive a browser restart', async () => {
    ext = await launchExtension(extensionDir);
    const options = await ext.openExtensionPage('options.html');
    await options.waitForSelector('input[name="gatewayUrl"]');
    await options.$eval('input[name="gatewayUrl"]', (e) => ((e as HTMLInputElement).select()));
    await options.type('input[name="gatewayUrl"]', gateway.url);
    // A self-hosted gateway has one local person (Ada, signed in above); the name only names a new one.
    await options.type('input[name="name"]', 'Ada');
    await options.click('[data-action="sign-in"]');
    await options.waitForFunction(() => document.querySelector('[data-signed-in]')?.textContent?.includes('Ada'));
    await options.click('input[name="mode"][value="hands-free"]');
    await options.select('select[name="language"]', 'fr-FR');
    await options.click('input[name="speakReplies"]');
    await options.waitForFunction(() => !(document.querySelector('input[name="speakReplies"]') as HTMLInputElement).checked);
    const profile = ext.profile;
    await ext.close({ keepProfile: true });

    ext = await launchExtension(extensionDir, { profile });
    const again = await ext.openExtensionPage('options.html');
    await again.waitForFunction(() => document.querySelector('[data-signed-in]')?.textContent?.includes('Ada'));
    expect(await again.$eval('input[name="gatewayUrl"]', (e) => (e as HTMLInputElement).value)).toBe(gateway.url);
    expect(await again.$eval('input[name="mode"][value="hands-free"]', (e) => (e as HTMLInputElement).checked)).toBe(true);
    expect(await again.$eval('select[name="language"]', (e) => (e as HTMLSelectElement).value)).toBe('fr-FR');
    expect(await again.$eval('input[name="speakReplies"]', (e) => (e as HTMLInputElement).checked)).toBe(false);
    // The stored session still works against the gateway.
    const stored = await (await ext.worker()).evaluate(() => (globalThis as unknown as { chrome: { storage: { local: { get(k: string): Promise<{ session: { token: string } }> } } } }).chrome.storage.local.get('session'));
    expect((await gateway.api(stored.session.token, 'GET', '/v1/me')).status).toBe(200);
  }, 40_000);
});
