// The gateway's ambient module declarations, which the widget tsconfig does not otherwise see.
/// <reference path="../../server/src/providers/tts/engines.d.ts" />
/// <reference path="../../server/src/realtime/voice/fvad-wasm.d.ts" />
import type { ElementHandle, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEntry, Page as ListPage } from '@sayso/protocol';
import { MemoryBus } from '../../server/src/bus/memory-bus.js';
import { readConfig } from '../../server/src/config.js';
import { startGateway, type Gateway } from '../../server/src/gateway.js';
import { HashEmbedder } from '../../server/src/providers/embed/fake.js';
import { launchChromium, type LaunchedBrowser } from '../../server/test/support/browser.js';
import { api, signIn } from '../../server/test/support/live-socket.js';
import { openTestStore, type TestStore } from '../../server/test/support/stores.js';

// End-to-end encrypted journal on the home page, in Chromium: turned on with a passphrase,
// entries written and sealed in the page, only ciphertext on the gateway (its REST answers and
// its database), locked after a reload, a wrong passphrase explained, unlocked, searched locally,
// and the passphrase changed.
describe('the home page encrypts the journal', () => {
  let db: TestStore;
  let gw: Gateway;
  let launched: LaunchedBrowser;
  let page: Page;
  let token: string;
  const pageErrors: string[] = [];
  const passphrase = 'heron kettle mosaic 42 lanterns';
  const newPassphrase = 'winter fig quartz 77 harbour';

  const lockStatus = () => page.$eval('[data-testid="journal-lock"]', (el) => el.getAttribute('data-status'));
  const waitForStatus = (status: string, timeout = 20_000) =>
    page.waitForFunction((s) => document.querySelector('[data-testid="journal-lock"]')?.getAttribute('data-status') === s, { timeout }, status);
  const waitForText = (selector: string, wanted: string, timeout = 15_000) =>
    page.waitForFunction(
      (sel, w) => [...document.querySelectorAll(sel)].some((el) => (el.textContent ?? '').includes(w)),
      { timeout },
      selector,
      wanted,
    );
  const field = async (scope: string, label: string) => {
    const handle = await page.waitForFunction(
      (s, l) =>
        [...document.querySelectorAll(`${s} label`)]
          .find((el) => el.querySelector('span')?.textContent?.trim() === l)
          ?.querySelector('input, textarea, select') ?? null,
      {},
      scope,
      label,
    );
    return handle.asElement() as ElementHandle<HTMLInputElement>;
  };
  const fill = async (scope: string, label: string, value: string) => {
    const el = await field(scope, label);
    await el.click({ count: 3 });
    await el.type(value);
  };
  /** What the gateway's database holds for journal entries, read straight from the store. */
  const rows = async () =>
    (await db.store.pool.query<{ id: string; text: string | null; ciphertext: string | null; key_id: string | null; mood: number | null; embedding: unknown }>(
      'select id, text, ciphertext, key_id, mood, embedding from journal_entries where deleted_at is null',
    )).rows;
  const dumpDatabase = async () => {
    const tables = await db.store.pool.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'",
    );
    const out: string[] = [];
    for (const { table_name } of tables.rows) {
      out.push(...(await db.store.pool.query<{ r: string }>(`select row_to_json(t)::text as r from "${table_name}" t`)).rows.map((x) => x.r));
    }
    return out.join('\n').toLowerCase();
  };
  const unlockWith = async (pass: string) => {
    const input = await field('form[aria-label="Unlock the journal"]', 'Journal passphrase');
    await input.click({ count: 3 });
    await input.type(pass);
    await page.keyboard.press('Enter'); // submits from the keyboard
  };

  beforeAll(async () => {
    db = await openTestStore('pglite');
    const config = readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'warn', SAYSO_UNDERSTANDER: 'offline', SAYSO_TTS: 'local' });
    gw = await startGateway(config, { store: db.store, bus: new MemoryBus(), embedder: new HashEmbedder() });
    launched = await launchChromium();
    page = await launched.browser.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    await page.setViewport({ width: 1200, height: 1000 });
  }, 120_000);

  afterAll(async () => {
    await launched?.close();
    await gw?.close();
    await db?.close();
  });

  it('turns encryption on with a passphrase and its confirmation, and encrypts the entries already there', async () => {
    await page.goto(gw.url + '/#journal');
    await fill('form', 'Your name', 'Ada');
    await page.click('button[type="submit"]');
    await page.waitForSelector('#journal-title');
    await page.waitForSelector('[data-connection="open"]');
    token = await signIn(gw.url); // another client of the same person
    const before = await api<JournalEntry>(gw.url, token, 'POST', '/v1/journal', { text: 'Plain before encryption: the marmalade recipe.', mood: 3 });
    await waitForText('[data-testid="journal-list"]', 'the marmalade recipe');
    expect(await lockStatus()).toBe('off');

    await page.click('[data-testid="journal-lock"] button');
    const form = 'form[aria-label="Encrypt my journal"]';
    expect(await page.$eval('[data-testid="loss-warning"]', (el) => el.textContent)).toMatch(/cannot be recovered.*no reset/i);
    await fill(form, 'Passphrase', 'aaaaaaaaaaa1');
    expect(await page.$eval('[data-testid="passphrase-strength"]', (el) => el.textContent)).toContain('weak');
    await fill(form, 'Passphrase', passphrase);
    expect(await page.$eval('[data-testid="passphrase-strength"]', (el) => el.textContent)).toContain('strong');
    await fill(form, 'Confirm passphrase', passphrase.slice(0, -1));
    await waitForText(form, 'The two passphrases differ.');
    expect(await page.$eval(`${form} button[type="submit"]`, (b) => (b as HTMLButtonElement).disabled)).toBe(true);
    await fill(form, 'Confirm passphrase', passphrase);
    await page.click(`${form} input[name="understood"]`);
    await page.click(`${form} button[type="submit"]`);
    await waitForStatus('unlocked');
    // The entry written plain before is now ciphertext, text and vector gone, and still readable here.
    const deadline = Date.now() + 15_000;
    while ((await rows()).find((r) => r.id === before.body.id)?.ciphertext === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const row = (await rows()).find((r) => r.id === before.body.id)!;
    expect(row).toMatchObject({ text: null, mood: null, embedding: null });
    expect(row.key_id).toMatch(/^pbkdf2-sha256\.600000\./);
    await waitForText('[data-testid="journal-list"] [data-testid="entry-text"]', 'the marmalade recipe');
    expect(await page.$eval('[data-testid="journal-list"]', (el) => el.textContent)).toContain('Mood 3');
  });

  it('writes an entry that the gateway holds only as ciphertext (REST and database), with no key in storage', async () => {
    const editor = 'form[aria-labelledby="journal-editor-title"]';
    await fill(editor, 'Entry', 'Saw the aurora over the lake tonight, hands cold, heart full.');
    await page.select(`${editor} select[name="mood"]`, '5');
    await page.click(`${editor} button[type="submit"]`);
    await waitForText('[data-testid="journal-list"] [data-testid="entry-text"]', 'Saw the aurora over the lake');

    const listed = await api<ListPage<JournalEntry>>(gw.url, token, 'GET', '/v1/journal');
    expect(listed.body.items).toHaveLength(2);
    for (const e of listed.body.items) {
      expect(e).toMatchObject({ text: null, mood: null });
      expect(e.ciphertext).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    }
    expect((await rows()).every((r) => r.text === null && r.ciphertext !== null && r.embedding === null)).toBe(true);
    const everything = await dumpDatabase();
    for (const secret of ['aurora', 'marmalade', passphrase]) expect(everything).not.toContain(secret);
    // The server's search cannot see it.
    const found = await api<{ items: unknown[] }>(gw.url, token, 'GET', '/v1/journal/search?q=aurora%20over%20the%20lake');
    expect(found.body.items).toEqual([]);
    // The browser keeps the key's name and a verifier, never the passphrase or the key.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
    expect(stored).toContain('pbkdf2-sha256.600000.');
    expect(stored).not.toContain(passphrase);
    expect(stored).not.toContain('aurora');
  });

  it('seals an entry that arrives plain from a typed or spoken turn', async () => {
    const turn = await api<{ outcome: { item: { id: string } } }>(gw.url, token, 'POST', '/v1/turns', { text: 'journal: the pelican stole my sandwich at the pier' });
    const id = turn.body.outcome.item.id;
    await page.waitForFunction(
      async (entryId, t) => {
        const res = await fetch(`/v1/journal/${entryId}`, { headers: { authorization: `Bearer ${t}` } });
        return ((await res.json()) as { ciphertext: string | null }).ciphertext !== null;
      },
      { timeout: 15_000, polling: 200 },
      id,
      token,
    );
    expect((await rows()).find((r) => r.id === id)).toMatchObject({ text: null, embedding: null });
    expect(await dumpDatabase()).not.toContain('pelican');
    await waitForText('[data-testid="journal-list"] [data-testid="entry-text"]', 'the pelican stole my sandwich');
  });

  it('is locked after a reload, explains a wrong passphrase, unlocks with the right one and searches on the device', async () => {
    await page.reload();
    await page.waitForSelector('#journal-title');
    await waitForStatus('locked');
    await waitForText('[data-testid="journal-list"] [data-testid="entry-locked"]', 'Locked — unlock to read');
    expect(await page.$$('[data-testid="journal-list"] [data-testid="entry-text"]')).toHaveLength(0);
    expect(await page.$('form[aria-labelledby="journal-editor-title"]')).toBeNull(); // no writing while locked
    expect(await page.$eval('form[role="search"] button[type="submit"]', (b) => (b as HTMLButtonElement).disabled)).toBe(true);

    await unlockWith('heron kettle mosaic 41 lanterns');
    await waitForText('form[aria-label="Unlock the journal"] [role="alert"]', 'That passphrase does not unlock this journal');
    expect(await lockStatus()).toBe('locked');

    await unlockWith(passphrase);
    await waitForStatus('unlocked');
    await waitForText('[data-testid="journal-list"] [data-testid="entry-text"]', 'Saw the aurora over the lake');
    await waitForText('[data-testid="journal-list"] [data-testid="entry-text"]', 'the pelican stole my sandwich');

    await fill('form[role="search"]', 'Search your journal', 'lakes aurora');
    await page.keyboard.press('Enter');
    await waitForText('[data-testid="search-results"]', 'Saw the aurora over the lake');
    const results = await page.$$eval('[data-testid="search-results"] li', (els) => els.map((el) => el.textContent ?? ''));
    expect(results).toHaveLength(1);
    expect(pageErrors).toEqual([]);
  });

  it('changes the passphrase with progress: every entry re-encrypted, the old passphrase no longer unlocks', async () => {
    const oldKey = (await rows())[0]!.key_id;
    await page.click('[data-testid="journal-lock"] button:not([type="submit"])'); // "Lock now" forgets the key at once
    await waitForStatus('locked');
    await unlockWith(passphrase);
    await waitForStatus('unlocked');
    const change = await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="journal-lock"] button')].find((b) => b.textContent?.startsWith('Change passphrase')) ?? null,
    );
    await (change.asElement() as ElementHandle<HTMLButtonElement>).click();
    const form = 'form[aria-label="Change passphrase"]';
    await fill(form, 'Current passphrase', 'not the passphrase');
    await fill(form, 'New passphrase', newPassphrase);
    await fill(form, 'Confirm new passphrase', newPassphrase);
    await page.click(`${form} button[type="submit"]`);
    await waitForText(`${form} [role="alert"]`, 'does not unlock');

    await fill(form, 'Current passphrase', passphrase);
    await page.click(`${form} button[type="submit"]`);
    await waitForText(`${form} [role="status"]`, 'Passphrase changed: 3 entries re-encrypted.', 30_000);
    const after = await rows();
    expect(after).toHaveLength(3);
    expect(new Set(after.map((r) => r.key_id)).size).toBe(1);
    expect(after[0]!.key_id).not.toBe(oldKey);

    await page.reload();
    await waitForStatus('locked');
    await unlockWith(passphrase);
    await waitForText('form[aria-label="Unlock the journal"] [role="alert"]', 'does not unlock');
    await unlockWith(newPassphrase);
    await waitForStatus('unlocked');
    await waitForText('[data-testid="journal-list"] [data-testid="entry-text"]', 'the marmalade recipe');
    expect(pageErrors).toEqual([]);
  });

  it('finishes a passphrase change that stopped halfway, after unlocking with both passphrases', async () => {
    const third = 'saffron tugboat 19 velvet ridge';
    let patches = 0;
    const cutAfterOne = (req: import('puppeteer-core').HTTPRequest) => {
      // The connection drops after the first entry is re-encrypted.
      if (req.method() === 'PATCH' && req.url().includes('/v1/journal/') && ++patches > 1) void req.abort('connectionreset');
      else void req.continue();
    };
    await page.setRequestInterception(true);
    page.on('request', cutAfterOne);
    const change = await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="journal-lock"] button')].find((b) => b.textContent?.startsWith('Change passphrase')) ?? null,
    );
    await (change.asElement() as ElementHandle<HTMLButtonElement>).click();
    const form = 'form[aria-label="Change passphrase"]';
    await fill(form, 'Current passphrase', newPassphrase);
    await fill(form, 'New passphrase', third);
    await fill(form, 'Confirm new passphrase', third);
    await page.click(`${form} button[type="submit"]`);
    await waitForText(`${form} [role="alert"]`, 'did not answer', 30_000);
    page.off('request', cutAfterOne);
    await page.setRequestInterception(false);
    expect(new Set((await rows()).map((r) => r.key_id)).size).toBe(2); // one moved, two not yet

    await page.reload();
    await waitForStatus('locked');
    await unlockWith(third);
    await waitForStatus('unlocked');
    // The entries still under the older passphrase stay locked until it is given too.
    await waitForText('[data-testid="journal-list"] [data-testid="entry-locked"]', 'Locked — unlock to read');
    const older = await field('form[aria-label="Unlock with an older passphrase"]', 'Older passphrase');
    await older.type(newPassphrase);
    await page.keyboard.press('Enter');
    const finish = await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="journal-lock"] button')].find((b) => b.textContent === 'Finish changing the passphrase') ?? null,
    );
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="journal-list"] [data-testid="entry-locked"]').length === 0, { timeout: 10_000 });
    await (finish.asElement() as ElementHandle<HTMLButtonElement>).click();
    const deadline = Date.now() + 20_000;
    while (new Set((await rows()).map((r) => r.key_id)).size > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const keys = new Set((await rows()).map((r) => r.key_id));
    expect(keys.size).toBe(1);
    expect(await page.evaluate(() => localStorage.getItem(Object.keys(localStorage).find((k) => k.startsWith('sayso:journal-lock:'))!))).toContain([...keys][0]!);
    await waitForText('[data-testid="journal-list"] [data-testid="entry-text"]', 'the marmalade recipe');
    expect(pageErrors).toEqual([]);
  });
});
