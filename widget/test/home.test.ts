// The gateway's ambient module declarations, which the widget tsconfig does not otherwise see.
/// <reference path="../../server/src/providers/tts/engines.d.ts" />
/// <reference path="../../server/src/realtime/voice/fvad-wasm.d.ts" />
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Habit, Page as ListPage, Task, User } from '@sayso/protocol';
import { MemoryBus } from '../../server/src/bus/memory-bus.js';
import { readConfig } from '../../server/src/config.js';
import { startGateway, type Gateway } from '../../server/src/gateway.js';
import { serveStatic } from '../../server/src/http/static.js';
import { HashEmbedder } from '../../server/src/providers/embed/fake.js';
import { launchChromium, type LaunchedBrowser } from '../../server/test/support/browser.js';
import { api, signIn } from '../../server/test/support/live-socket.js';
import { openTestStore, type TestStore } from '../../server/test/support/stores.js';

/** GET with the path exactly as written: fetch and browsers would resolve `..` before sending. */
function rawGet(base: string, rawPath: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

// The home page as a person meets it after `npm start`: served by the gateway at `/`, signed in
// with the local sign-in, every view driven through the page, and changes from another client
// arriving over the live subscription without a reload.
describe('the home page at /', () => {
  let db: TestStore;
  let gw: Gateway;
  let launched: LaunchedBrowser;
  let page: Page;
  let token: string;
  const pageErrors: string[] = [];

  const text = (selector: string) => page.$eval(selector, (el) => el.textContent ?? '');
  const waitForText = (selector: string, wanted: string, timeout = 10_000) =>
    page.waitForFunction(
      (sel, w) => [...document.querySelectorAll(sel)].some((el) => (el.textContent ?? '').includes(w)),
      { timeout },
      selector,
      wanted,
    );
  const go = async (view: 'tasks' | 'journal' | 'habits') => {
    await page.click(`nav[aria-label="Sections"] a[href="#${view}"]`);
    await page.waitForSelector(`#${view}-title`);
  };
  /** Types into the field whose visible label is `label`, inside `scope`. */
  const fill = async (scope: string, label: string, value: string) => {
    const handle = await page.waitForFunction(
      (s, l) =>
        [...document.querySelectorAll(`${s} label`)]
          .find((el) => el.querySelector('span')?.textContent?.trim() === l)
          ?.querySelector('input, textarea, select') ?? null,
      {},
      scope,
      label,
    );
    const el = handle.asElement() as import('puppeteer-core').ElementHandle<HTMLInputElement>;
    await el.click({ count: 3 });
    await el.type(value);
  };

  beforeAll(async () => {
    // widget/dist (home.js, home.css, index.html) is built from the current sources by vitest's
    // global setup (vitest.global-setup.ts) whenever a source is newer.
    db = await openTestStore('pglite');
    const config = readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'warn', SAYSO_UNDERSTANDER: 'offline' });
    gw = await startGateway(config, { store: db.store, bus: new MemoryBus(), embedder: new HashEmbedder() });
    launched = await launchChromium();
    page = await launched.browser.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    // A person in Berlin: the page sets their time zone on first sign-in.
    await page.emulateTimezone('Europe/Berlin');
    await page.setViewport({ width: 1200, height: 900 });
    // Lets a test hold back live-socket messages (and release them later) to stage a conflict.
    await page.evaluateOnNewDocument(`
      const held = [];
      window.liveHeld = false;
      window.releaseLive = () => {
        window.liveHeld = false;
        for (const deliver of held.splice(0)) deliver();
      };
      const Native = window.WebSocket;
      const onmessage = Object.getOwnPropertyDescriptor(Native.prototype, 'onmessage');
      window.WebSocket = class extends Native {
        set onmessage(fn) {
          onmessage.set.call(this, fn && ((ev) => (window.liveHeld && this.url.includes('/v1/live') ? held.push(() => fn(ev)) : fn(ev))));
        }
        get onmessage() {
          return onmessage.get.call(this);
        }
      };
    `);
  }, 120_000);

  afterAll(async () => {
    await launched?.close();
    await gw?.close();
    await db?.close();
  });

  it('signs in at / with a name, keeps the token, shows the live indicator and sets the time zone', async () => {
    const res = await page.goto(gw.url + '/');
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('form[aria-labelledby="sign-in-title"]');
    expect(await page.$('input[type="password"]')).toBeNull(); // this gateway has no password
    await fill('form', 'Your name', 'Ada');
    await page.click('button[type="submit"]');
    await page.waitForSelector('#tasks-title');
    expect(await text('[data-testid="user-name"]')).toBe('Ada');
    await page.waitForSelector('[data-connection="open"]');
    expect(await text('[data-connection]')).toContain('Live');
    expect(await page.evaluate(() => localStorage.getItem('sayso:token'))).toMatch(/\S{20,}/);
    token = await signIn(gw.url); // another client of the same person
    const me = await api<User>(gw.url, token, 'GET', '/v1/me');
    expect(me.body).toMatchObject({ name: 'Ada', timeZone: 'Europe/Berlin' });
    // A reload keeps the session.
    await page.reload();
    await page.waitForSelector('[data-connection="open"]');
    expect(await text('[data-testid="user-name"]')).toBe('Ada');
  });

  it('adds a task through the page, lists it, renames it inline and completes it (sent with its version)', async () => {
    await fill('form[aria-labelledby="add-task-title"]', 'Title', 'Water the plants');
    await page.select('form[aria-labelledby="add-task-title"] select[name="priority"]', 'high');
    await page.click('form[aria-labelledby="add-task-title"] button[type="submit"]');
    await waitForText('[data-testid="task-list"] [data-testid="task-title"]', 'Water the plants');
    const tasks = (await api<ListPage<Task>>(gw.url, token, 'GET', '/v1/tasks')).body.items;
    const task = tasks.find((t) => t.title === 'Water the plants')!;
    expect(task).toMatchObject({ priority: 'high', list: 'inbox', source: 'widget', version: 1 });

    await page.click(`[data-task-id="${task.id}"] button[aria-label="Rename Water the plants"]`);
    const edit = await page.waitForSelector(`[data-task-id="${task.id}"] input[aria-label^="New title"]`);
    await edit!.click({ count: 3 });
    await edit!.type('Water the ferns');
    await page.keyboard.press('Enter');
    await waitForText(`[data-task-id="${task.id}"]`, 'Water the ferns');
    expect((await api<Task>(gw.url, token, 'GET', `/v1/tasks/${task.id}`)).body).toMatchObject({ title: 'Water the ferns', version: 2 });

    await page.click(`[data-task-id="${task.id}"] input[type="checkbox"]`);
    await page.waitForFunction((id) => !document.querySelector(`[data-task-id="${id}"]`), {}, task.id);
    expect((await api<Task>(gw.url, token, 'GET', `/v1/tasks/${task.id}`)).body.status).toBe('done');
    await page.click('[role="group"][aria-label="Show"] button:nth-child(5)'); // Done
    await waitForText('[data-testid="task-list"]', 'Water the ferns');
    await page.click('[role="group"][aria-label="Show"] button:nth-child(1)'); // All open
  });

  it('says clearly when a task changed elsewhere meanwhile, and shows the latest version', async () => {
    const task = (await api<Task>(gw.url, token, 'POST', '/v1/tasks', { title: 'Book flights' })).body;
    await waitForText('[data-testid="task-list"]', 'Book flights');
    // Hold back live events, so the page still shows version 1 when another client changes it.
    await page.evaluate(() => ((window as unknown as { liveHeld: boolean }).liveHeld = true));
    await api<Task>(gw.url, token, 'PATCH', `/v1/tasks/${task.id}`, { version: 1, title: 'Book flights to Lisbon' });
    await page.click(`[data-task-id="${task.id}"] button[aria-label="Rename Book flights"]`);
    const edit = await page.waitForSelector(`[data-task-id="${task.id}"] input[aria-label^="New title"]`);
    await edit!.click({ count: 3 });
    await edit!.type('Book trains');
    await page.keyboard.press('Enter');
    await waitForText(`[data-task-id="${task.id}"] [role="alert"]`, 'changed somewhere else');
    // The page now shows the task as it is, from the conflict's answer, and nothing was overwritten.
    expect(await text(`[data-task-id="${task.id}"] [data-testid="task-title"]`)).toBe('Book flights to Lisbon');
    expect((await api<Task>(gw.url, token, 'GET', `/v1/tasks/${task.id}`)).body).toMatchObject({ title: 'Book flights to Lisbon', version: 2 });
    await page.evaluate(() => (window as unknown as { releaseLive(): void }).releaseLive());
  });

  it('shows a task created through REST by another client live, without a reload', async () => {
    const marker = await page.evaluate(() => ((window as unknown as { marker: number }).marker = Math.random()));
    const created = await api<Task>(gw.url, token, 'POST', '/v1/tasks', { title: 'Call the plumber', list: 'house' });
    expect(created.status).toBe(201);
    await waitForText('[data-testid="task-list"]', 'Call the plumber');
    // The list from the data shows up among the lists, and this is still the same page.
    await waitForText('nav[aria-label="Lists"]', 'house');
    expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(marker);
    await api(gw.url, token, 'DELETE', `/v1/tasks/${created.body.id}`);
    await page.waitForFunction((id) => !document.querySelector(`[data-task-id="${id}"]`), {}, created.body.id);
  });

  it('shows an HTML task title as text, never as markup', async () => {
    const title = '<img src=x onerror="window.pwned=1"><b>bold</b>';
    const created = (await api<Task>(gw.url, token, 'POST', '/v1/tasks', { title })).body;
    await page.waitForSelector(`[data-task-id="${created.id}"]`);
    expect(await text(`[data-task-id="${created.id}"] [data-testid="task-title"]`)).toBe(title);
    expect(await page.$(`[data-task-id="${created.id}"] img, [data-task-id="${created.id}"] b`)).toBeNull();
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  });

  it('writes a journal entry and finds it through semantic search', async () => {
    await go('journal');
    await fill('form[aria-labelledby="journal-editor-title"]', 'Entry', 'A long walk by the river with my sister, the water was calm.');
    await page.select('form[aria-labelledby="journal-editor-title"] select[name="mood"]', '4');
    await page.click('form[aria-labelledby="journal-editor-title"] button[type="submit"]');
    await waitForText('[data-testid="journal-list"] [data-testid="entry-text"]', 'A long walk by the river');
    await fill('form[role="search"]', 'Search your journal', 'walk by the river');
    await page.click('form[role="search"] button[type="submit"]');
    await waitForText('[data-testid="search-results"]', 'A long walk by the river');
    // An entry written elsewhere arrives live too.
    await api(gw.url, token, 'POST', '/v1/journal', { text: 'Finished the <em>book</em> tonight.' });
    await waitForText('[data-testid="journal-list"]', 'Finished the <em>book</em> tonight.');
  });

  it('creates a habit, checks in today and shows the streak and a filled heatmap cell', async () => {
    await go('habits');
    await fill('form[aria-labelledby="add-habit-title"]', 'Name', 'Stretch');
    await page.click('form[aria-labelledby="add-habit-title"] button[type="submit"]');
    await waitForText('[data-testid="habit-list"] h3', 'Stretch');
    const habit = (await api<{ items: Habit[] }>(gw.url, token, 'GET', '/v1/habits')).body.items.find((h) => h.name === 'Stretch')!;
    const card = `[data-habit-id="${habit.id}"]`;
    await waitForText(`${card} [data-testid="current-streak"]`, '0 days');
    await page.click(`${card} button::-p-text(Check in today)`);
    await waitForText(`${card} [data-testid="current-streak"]`, '1 day');
    expect(await text(`${card} [data-testid="longest-streak"]`)).toBe('1 day');
    await page.waitForSelector(`${card} [data-testid="done-today"]`);
    const filled = await page.$$eval(`${card} [data-testid="heatmap"] [data-filled="true"]`, (els) => els.map((e) => e.getAttribute('data-day')));
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date());
    expect(filled).toEqual([today]);
    expect(await page.$$eval(`${card} [data-testid="heatmap"] [data-day]`, (els) => els.length)).toBe(84);
    expect(pageErrors).toEqual([]);
  });

  it('labels every control and works from the keyboard alone', async () => {
    for (const view of ['tasks', 'journal', 'habits'] as const) {
      await go(view);
      // Navigating moves focus to the new view's heading.
      await page.waitForFunction((v) => document.activeElement?.id === `${v}-title`, { timeout: 2_000 }, view);
      const unlabelled = await page.$$eval('main input, main select, main textarea, main button', (els) =>
        els
          .filter((el) => {
            const named = (el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || (el.textContent ?? '').trim();
            return !named;
          })
          .map((el) => el.outerHTML.slice(0, 120)),
      );
      expect(unlabelled, view).toEqual([]);
    }
    await go('tasks');
    // The view moves focus to its heading once it shows: wait for that, or it takes focus back from the field.
    await page.waitForFunction(() => document.activeElement?.id === 'tasks-title', { timeout: 5_000 });
    /** Focuses `selector` and waits until it really has focus (a re-render may move it). */
    const focusOn = async (selector: string) => {
      await page.waitForFunction(
        (sel) => {
          const el = document.querySelector<HTMLElement>(sel);
          if (el && document.activeElement !== el) el.focus();
          return document.activeElement === el;
        },
        { timeout: 10_000, polling: 100 },
        selector,
      );
    };
    // To the title field, type, Enter adds the task.
    await focusOn('form[aria-labelledby="add-task-title"] input[name="title"]');
    await page.keyboard.type('Keyboard only task');
    await page.keyboard.press('Enter');
    await waitForText('[data-testid="task-list"]', 'Keyboard only task');
    // The form clears and takes focus back for the next task once the create is answered (the
    // live event can show the task sooner): wait for that before moving on.
    await page.waitForFunction(() => {
      const el = document.querySelector<HTMLInputElement>('form[aria-labelledby="add-task-title"] input[name="title"]');
      return el?.value === '' && document.activeElement === el;
    }, { timeout: 10_000 });
    // Rename from the keyboard: Enter on Rename, Escape cancels, focus returns to the button.
    await focusOn('button[aria-label="Rename Keyboard only task"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('input[aria-label="New title for Keyboard only task"]', { timeout: 10_000 });
    // The field takes focus in an effect after it renders: Escape must reach the field, not what had focus before.
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'New title for Keyboard only task', { timeout: 10_000 });
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Rename Keyboard only task', { timeout: 10_000 });
  });

  it('embeds the voice widget, signed in with the session of the page', async () => {
    await page.waitForFunction(() => customElements.get('sayso-widget') !== undefined);
    const widget = await page.$eval('sayso-widget', (el) => ({ token: el.getAttribute('token'), hasShadow: el.shadowRoot !== null }));
    expect(widget.token).toBe(await page.evaluate(() => localStorage.getItem('sayso:token')));
    expect(widget.hasShadow).toBe(true);
  });

  it('asks for the password only when the gateway answers that it needs one', async () => {
    const locked = await startGateway(
      readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'warn', SAYSO_UNDERSTANDER: 'offline', SAYSO_LOCAL_PASSWORD: 'open sesame' }),
      { store: db.store, bus: new MemoryBus(), embedder: new HashEmbedder() },
    );
    const other = await launched.browser.newPage();
    try {
      await other.goto(locked.url + '/');
      await other.waitForSelector('form[aria-labelledby="sign-in-title"]');
      expect(await other.$('input[type="password"]')).toBeNull();
      await other.click('button[type="submit"]');
      const password = await other.waitForSelector('input[type="password"]');
      expect(await other.$eval('[role="alert"]', (el) => el.textContent)).toContain('password');
      await password!.type('wrong');
      await other.click('button[type="submit"]');
      await other.waitForFunction(() => document.querySelector('[role="alert"]')?.textContent?.includes('Wrong password'));
      await password!.click({ count: 3 });
      await password!.type('open sesame');
      await other.click('button[type="submit"]');
      await other.waitForSelector('#tasks-title');
      expect(await other.$eval('[data-testid="user-name"]', (el) => el.textContent)).toBe('Ada');
    } finally {
      await other.close();
      await locked.close();
    }
  });

  it('serves files only from the folder: path traversal is refused, API routes are not shadowed', async () => {
    for (const p of ['/../package.json', '/..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/../../server/src/main.ts']) {
      const res = await rawGet(gw.url, p);
      expect(res.status, p).toBe(404);
      expect(res.body, p).not.toContain('"workspaces"');
    }
    expect((await rawGet(gw.url, '/home.js')).status).toBe(200);
    const hashed = (await rawGet(gw.url, '/')).body.match(/home\.js\?v=\w+/)![0];
    const immutable = await fetch(`${gw.url}/${hashed}`);
    expect(immutable.headers.get('cache-control')).toContain('immutable');
    await immutable.arrayBuffer();
    const home = await fetch(`${gw.url}/`);
    expect(home.headers.get('cache-control')).toBe('no-cache');
    await home.arrayBuffer();
    expect((await rawGet(gw.url, '/index.html')).body).toContain('home.js?v=');
    expect((await rawGet(gw.url, '/health')).body).toContain('"status"');
    expect((await rawGet(gw.url, '/v1/nothing')).body).toContain('not_found');
  });

  it('answers / with how to build the page when widget/dist is missing', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'sayso-nodist-'));
    const app = express().use(serveStatic(path.join(empty, 'dist'))).use((_req, res) => void res.status(404).end());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const home = await rawGet(base, '/');
      expect(home.status).toBe(200);
      expect(home.body).toContain('npm run build:bundles');
      expect((await rawGet(base, '/home.js')).status).toBe(404);
    } finally {
      server.closeAllConnections();
      server.close();
      await rm(empty, { recursive: true, force: true });
    }
  });
});
