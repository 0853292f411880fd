import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'puppeteer-core';
import { MemoryBus } from '../../server/src/bus/memory-bus.js';
import { readConfig } from '../../server/src/config.js';
import { startGateway, type Gateway } from '../../server/src/gateway.js';
import { HashEmbedder } from '../../server/src/providers/embed/fake.js';
import { launchChromium, serveStatic, type LaunchedBrowser } from '../../server/test/support/browser.js';
import { signIn } from '../../server/test/support/live-socket.js';
import { openTestStore, type TestStore } from '../../server/test/support/stores.js';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/**
 * A real gateway (local engines, in-process store) and a second origin serving host pages that
 * load the built IIFE bundle (vitest.global-setup.ts builds it), as a site embedding the widget would.
 */
export interface WidgetStack {
  gw: Gateway;
  /** The host site's origin, e.g. http://127.0.0.1:40123 (not the gateway's). */
  site: string;
  token: string;
  /** Writes a host page with `<sayso-widget {attrs}>` and returns its URL. */
  hostPage(name: string, attrs: Record<string, string | true>): Promise<string>;
  /** Writes a page as given and returns its URL. */
  rawPage(name: string, html: string): Promise<string>;
  browser(opts?: { fakeAudioFile?: string }): Promise<LaunchedBrowser>;
  close(): Promise<void>;
}

/**
 * `voice`: local speech-to-text too, warmed up. `cors`: allow the site by SAYSO_CORS_ORIGINS, for
 * pages that use a session token (default); key-based pages get CORS from the key's origins.
 */
export async function startWidgetStack(opts: { voice?: boolean; cors?: boolean } = {}): Promise<WidgetStack> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sayso-widget-site-'));
  await copyFile(path.join(DIST, 'sayso-widget.js'), path.join(dir, 'sayso-widget.js'));
  await copyFile(path.join(DIST, 'pcm-worklet.js'), path.join(dir, 'pcm-worklet.js'));
  // The ES module build under a .js name: the test server sends a JavaScript MIME type only for .js.
  await copyFile(path.join(DIST, 'sayso-widget.mjs'), path.join(dir, 'sayso-widget-module.js'));
  const site = await serveStatic(dir);
  const db: TestStore = await openTestStore('pglite');
  const engines = opts.voice ? { SAYSO_STT: 'local', SAYSO_TTS: 'local' } : { SAYSO_TTS: 'local' };
  const cors = opts.cors === false ? {} : { SAYSO_CORS_ORIGINS: site.url };
  const config = readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'warn', SAYSO_UNDERSTANDER: 'offline', ...cors, ...engines });
  const gw = await startGateway(config, { store: db.store, bus: new MemoryBus(), embedder: new HashEmbedder() });
  if (opts.voice) await gw.warmUp();
  const token = await signIn(gw.url);
  const browsers: LaunchedBrowser[] = [];
  return {
    gw,
    site: site.url,
    token,
    async hostPage(name, attrs) {
      const attrText = Object.entries(attrs)
        .map(([k, v]) => (v === true ? k : `${k}="${v.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`))
        .join(' ');
      const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host page</title>
<script src="/sayso-widget.js"></script></head>
<body><h1>A site that embeds Sayso</h1><button id="before">A page button</button>
<sayso-widget ${attrText}></sayso-widget>
<script>
  window.saysoEvents = [];
  for (const name of ['ready', 'state', 'transcript', 'action', 'undo', 'error']) {
    document.addEventListener('sayso:' + name, (e) => window.saysoEvents.push({ type: e.type, detail: e.detail }));
  }
</script></body></html>`;
      await writeFile(path.join(dir, `${name}.html`), html);
      return `${site.url}/${name}.html`;
    },
    async rawPage(name, html) {
      await writeFile(path.join(dir, `${name}.html`), html);
      return `${site.url}/${name}.html`;
    },
    async browser(o = {}) {
      const b = await launchChromium(o);
      browsers.push(b);
      return b;
    },
    async close() {
      await Promise.all(browsers.map((b) => b.close()));
      await site.close();
      await gw.close();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` in the page until it returns something truthy; returns it. */
export async function until<T>(page: Page, fn: () => T, what: string, timeoutMs = 15_000): Promise<NonNullable<Awaited<T>>> {
  const handle = await page.waitForFunction(fn, { timeout: timeoutMs, polling: 50 }).catch(async (err: Error) => {
    const text = await page.evaluate(() => document.querySelector('sayso-widget')?.shadowRoot?.textContent ?? '(no widget)').catch(() => '');
    throw new Error(`timed out waiting for ${what}; the widget shows: ${text.slice(0, 600)} (${err.message})`);
  });
  return (await handle.jsonValue()) as NonNullable<Awaited<T>>;
}

/** Text of the widget's shadow root (what a person sees, roughly). */
export const widgetText = (page: Page): Promise<string> =>
  page.evaluate(() => document.querySelector('sayso-widget')!.shadowRoot!.textContent ?? '');

/** The element that has focus, inside the widget's shadow root if it is there. */
export const focused = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const inner = document.querySelector('sayso-widget')?.shadowRoot?.activeElement;
    const el = inner ?? document.activeElement;
    if (!el) return 'none';
    const data = [...el.attributes].filter((a) => a.name.startsWith('data-') || a.name === 'aria-label' || a.name === 'role').map((a) => `${a.name}=${a.value}`);
    return `${inner ? 'widget:' : 'page:'}${el.tagName.toLowerCase()}[${data.join(' ')}]`;
  });
