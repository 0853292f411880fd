import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedBrowser } from '../../server/test/support/browser.js';
import { startTestGateway } from '../../sdk/test/support/gateway.js';

const SERVE = fileURLToPath(new URL('../script-tag/serve.mjs', import.meta.url));

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

// The README's script-tag example as a person runs it: the page on its own origin, the widget
// script and its session from the gateway, through a publishable key made for that origin.
describe('examples/script-tag', () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let serve: ChildProcess;
  let browser: LaunchedBrowser;
  let site: string;

  beforeAll(async () => {
    gateway = await startTestGateway();
    const port = await freePort();
    site = `http://localhost:${port}`;
    serve = spawn(process.execPath, [SERVE], { env: { ...process.env, SAYSO_URL: gateway.gw.url, PORT: String(port) } });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      serve.stdout!.on('data', (d: Buffer) => ((out += d.toString()), out.includes('open ') && resolve()));
      serve.once('exit', (code) => reject(new Error(`serve.mjs exited ${code}: ${out}`)));
    });
    expect(out).toMatch(/made publishable key pk_/);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    serve?.kill();
    await gateway?.close();
  });

  it('the page gets the widget from the gateway, signs in with its key and takes a typed command', async () => {
    const page = await browser.browser.newPage();
    await page.evaluateOnNewDocument(() => {
      const seen: Array<{ type: string; detail: unknown }> = ((window as unknown as { seen: unknown[] }).seen = []) as never;
      for (const type of ['sayso:ready', 'sayso:error', 'sayso:action']) document.addEventListener(type, (e) => seen.push({ type, detail: (e as CustomEvent).detail }));
    });
    await page.goto(site);
    const seen = () => page.evaluate(() => (window as unknown as { seen: Array<{ type: string; detail: unknown }> }).seen);
    await page.waitForFunction(() => (window as unknown as { seen: Array<{ type: string }> }).seen.some((e) => e.type === 'sayso:ready' || e.type === 'sayso:error'), { timeout: 30_000 });
    expect((await seen()).map((e) => e.type)).toEqual(['sayso:ready']);
    expect(await page.title()).toBe('My site, with Sayso');
    // Type a command into the widget, as a person would; the task lands in the key owner's list.
    await page.evaluate(() => (document.querySelector('sayso-widget')!.shadowRoot!.querySelector('[data-launcher]') as HTMLElement).click());
    // Opening moves focus into the panel (onto the mic) after it renders; then go to the text box.
    await page.waitForFunction(() => document.querySelector('sayso-widget')!.shadowRoot!.activeElement?.hasAttribute('data-mic'), { timeout: 10_000 });
    await page.evaluate(() => (document.querySelector('sayso-widget')!.shadowRoot!.querySelector('[data-text-input]') as HTMLElement).focus());
    await page.waitForFunction(() => document.querySelector('sayso-widget')!.shadowRoot!.activeElement?.hasAttribute('data-text-input'), { timeout: 10_000 });
    await page.keyboard.type('add renew my passport to my errands list');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (window as unknown as { seen: Array<{ type: string }> }).seen.some((e) => e.type === 'sayso:action'), { timeout: 30_000 });
    const owner = await gateway.gw.users.findOrCreate('local', 'Me');
    const tasks = (await gateway.gw.tasks.list(owner.id, { list: 'errands', limit: 50 })).items;
    expect(tasks.map((t) => t.title)).toEqual(['renew my passport']);
  }, 60_000);
});
