import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page as ListPage, Task } from '@sayso/protocol';
import { speechWav } from '../../server/test/support/browser.js';
import {
  ensureBuilt, launchExtension, pressHotkey, seedSession, serveFixtures, startTestGateway, typeInShadow, waitInShadow,
  type ExtensionBrowser, type FixtureSites, type TestGateway,
} from './support/harness.js';

const OVERLAY = 'sayso-overlay';

// The built extension in headless Chromium against a gateway on local engines: the hotkey's
// handler (called in the service worker: Chromium ignores synthetic shortcut presses), a spoken
// command through a fake microphone held by the offscreen document, the Sheets sidebar and the
// Calendar overlay on Google's hosts (resolved to a local HTTPS fixture).
describe('the Chrome extension', () => {
  let gateway: TestGateway;
  let sites: FixtureSites;
  let ext: ExtensionBrowser;
  let person: Awaited<ReturnType<TestGateway['signIn']>>;

  beforeAll(async () => {
    const wav = speechWav('remind me to read this page tomorrow');
    [gateway, sites] = await Promise.all([startTestGateway(), serveFixtures(), ensureBuilt()]);
    person = await gateway.signIn('Ada');
    ext = await launchExtension({ fakeAudioFile: (await wav).path, httpsPort: sites.httpsPort });
    await seedSession(ext.worker, gateway.url, person);
  });
  afterAll(async () => {
    await ext?.close();
    await sites?.close();
    await gateway?.close();
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

    await pressHotkey(ext.worker, url);
    const state = await waitInShadow<string>(page, OVERLAY, `return root.querySelector('[data-sayso-overlay] [data-state="listening"]') && 'listening'`);
    expect(state).toBe('listening');
    // Speech is in the WAV from 1 s to ~3.5 s; push-to-talk ends when the hotkey is pressed again.
    await waitInShadow(page, OVERLAY, `return Number(root.querySelector('[data-level]')?.dataset.level) > 0.2`, 10_000);
    await new Promise((r) => setTimeout(r, 3_500));
    await pressHotkey(ext.worker, url);

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
});
