// Shared by the extension's browser tests and its screenshot script: build the extension when
// its output is missing or older than its sources, start a gateway in this process on local
// engines, serve fixture pages (Google's hosts over self-signed HTTPS), and launch Chromium with
// the extension loaded.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import puppeteer, { type Browser, type Page, type WebWorker } from 'puppeteer-core';
import { MemoryBus } from '../../../server/src/bus/memory-bus.js';
import { readConfig } from '../../../server/src/config.js';
import { startGateway, type Gateway } from '../../../server/src/gateway.js';
import { HashEmbedder } from '../../../server/src/providers/embed/fake.js';
import { openTestStore, type TestStore } from '../../../server/test/support/stores.js';

const run = promisify(execFile);

// The extension APIs the tests call inside the service worker (tsc here has no chrome types).
declare const chrome: {
  tabs: { query(q: { url?: string }): Promise<Array<{ id?: number; url?: string }>> };
  storage: { local: { set(items: Record<string, unknown>): Promise<void>; get(keys?: string | string[]): Promise<Record<string, unknown>> } };
};
export const EXTENSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const OUTPUT_DIR = path.join(EXTENSION_DIR, '.output/chrome-mv3');
const FIXTURES = path.join(EXTENSION_DIR, 'test/fixtures');

async function newestMtime(p: string): Promise<number> {
  const s = await stat(p);
  if (!s.isDirectory()) return s.mtimeMs;
  const entries = await readdir(p);
  const times = await Promise.all(entries.map((e) => newestMtime(path.join(p, e))));
  return Math.max(s.mtimeMs, ...times);
}

/**
 * Runs `wxt build` when the built manifest is missing or older than any source (extension, SDK,
 * protocol), then copies the build to a folder of this run and returns it. Other runs (another
 * engineer's `vitest run`) may rebuild .output at any time: the copy keeps this run's Chromium
 * off files that are being replaced, and the build itself is written elsewhere and moved in.
 */
export async function ensureBuilt(): Promise<string> {
  const built = await stat(path.join(OUTPUT_DIR, 'manifest.json')).then((s) => s.mtimeMs, () => 0);
  const sources = await Promise.all(
    [path.join(EXTENSION_DIR, 'src'), path.join(EXTENSION_DIR, 'public'), path.join(EXTENSION_DIR, 'wxt.config.ts'), path.join(EXTENSION_DIR, '../sdk/src'), path.join(EXTENSION_DIR, '../protocol/src')].map(newestMtime),
  );
  if (built <= Math.max(...sources)) {
    const outDir = await mkdtemp(path.join(tmpdir(), 'sayso-ext-build-'));
    // A production build as `npm run build` makes it: vitest's NODE_ENV=test and VITEST*
    // variables would give React's development build.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
    await run('npx', ['wxt', 'build'], { cwd: EXTENSION_DIR, timeout: 180_000, env: { ...env, NODE_ENV: 'production', SAYSO_EXTENSION_OUT_DIR: outDir } });
    await mkdir(path.dirname(OUTPUT_DIR), { recursive: true });
    await rm(OUTPUT_DIR, { recursive: true, force: true });
    await rename(path.join(outDir, 'chrome-mv3'), OUTPUT_DIR).catch(() => cp(path.join(outDir, 'chrome-mv3'), OUTPUT_DIR, { recursive: true }));
    await rm(outDir, { recursive: true, force: true });
  }
  const copy = await mkdtemp(path.join(tmpdir(), 'sayso-ext-run-'));
  await cp(OUTPUT_DIR, copy, { recursive: true });
  return copy;
}

export interface TestGateway {
  url: string;
  db: TestStore;
  gw: Gateway;
  /** A fresh person (local sign-in) with their token. */
  signIn(name?: string): Promise<{ token: string; expiresAt: string; user: { id: string; name: string } }>;
  api<T = unknown>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** A gateway on embedded Postgres with the local speech engines and the offline understanding engine. */
export async function startTestGateway(): Promise<TestGateway> {
  const db = await openTestStore('pglite');
  const config = readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: process.env['SAYSO_TEST_LOG'] ?? 'warn', SAYSO_STT: 'local', SAYSO_TTS: 'local', SAYSO_UNDERSTANDER: 'offline' });
  const gw = await startGateway(config, { store: db.store, bus: new MemoryBus(), embedder: new HashEmbedder() });
  await gw.warmUp();
  const api = async <T,>(token: string, method: string, p: string, body?: unknown) => {
    const res = await fetch(`${gw.url}${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return {
    url: gw.url,
    db,
    gw,
    api,
    async signIn(name = 'Ada') {
      const res = await fetch(`${gw.url}/v1/auth/local`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
      if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
      return (await res.json()) as { token: string; expiresAt: string; user: { id: string; name: string } };
    },
    async close() {
      await gw.close();
      await db.close();
    },
  };
}

export interface FixtureSites {
  /** Plain page over HTTP: `${http}/article.html`. */
  http: string;
  /** Port of the HTTPS server that answers for docs.google.com and calendar.google.com. */
  httpsPort: number;
  close(): Promise<void>;
}

/**
 * Fixture pages: an article over HTTP, and over self-signed HTTPS whatever path Google's hosts
 * are asked for (a Sheets page under /spreadsheets/, a Calendar page under /calendar/).
 */
export async function serveFixtures(): Promise<FixtureSites> {
  const certDir = await mkdtemp(path.join(tmpdir(), 'sayso-cert-'));
  const key = path.join(certDir, 'key.pem');
  const cert = path.join(certDir, 'cert.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-keyout', key, '-out', cert]);
  const page = (file: string) => (_req: IncomingMessage, res: ServerResponse) =>
    void readFile(path.join(FIXTURES, file)).then(
      (body) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body),
      () => res.writeHead(404).end(),
    );
  const http = createHttpServer((req, res) => {
    const name = path.basename(new URL(req.url ?? '/', 'http://x').pathname) || 'article.html';
    page(name)(req, res);
  });
  const https = createHttpsServer({ key: await readFile(key), cert: await readFile(cert) }, (req, res) => {
    const host = req.headers.host ?? '';
    const p = new URL(req.url ?? '/', 'https://x').pathname;
    if (host.startsWith('docs.google.com') && p.startsWith('/spreadsheets/')) return page('sheets.html')(req, res);
    if (host.startsWith('calendar.google.com')) return page('calendar.html')(req, res);
    res.writeHead(404).end();
  });
  await rm(certDir, { recursive: true, force: true });
  await Promise.all([http, https].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
  return {
    http: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    httpsPort: (https.address() as AddressInfo).port,
    async close() {
      for (const s of [http, https]) {
        s.closeAllConnections();
        await new Promise((resolve) => s.close(resolve));
      }
    },
  };
}

export interface ExtensionBrowser {
  browser: Browser;
  extensionId: string;
  profile: string;
  /** The service worker; woken by a message when Chromium has not started it (after a restart it starts lazily). */
  worker(): Promise<WebWorker>;
  /** Opens a page of the extension, e.g. `options.html`. */
  openExtensionPage(file: string): Promise<Page>;
  /** Closes Chromium and deletes its profile; `keepProfile` keeps it, to launch again with it (a restart). */
  close(opts?: { keepProfile?: boolean }): Promise<void>;
}

/** Chromium's id for an unpacked extension: the SHA-256 of its path, first 32 hex digits written a-p. */
export function unpackedExtensionId(dir: string): string {
  return [...createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 32)].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

/**
 * Chromium (headless=new) with the built extension. `profile`: reuse a user-data-dir (a restart);
 * `fakeAudioFile`: the microphone plays this WAV once from getUserMedia; `httpsPort`: Google's
 * hosts resolve to the fixture server.
 */
export async function launchExtension(extensionDir: string, opts: { profile?: string; fakeAudioFile?: string; httpsPort?: number } = {}): Promise<ExtensionBrowser> {
  const profile = opts.profile ?? (await mkdtemp(path.join(tmpdir(), 'sayso-ext-')));
  const args = [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--user-data-dir=${profile}`,
    `--load-extension=${extensionDir}`, `--disable-extensions-except=${extensionDir}`,
    '--autoplay-policy=no-user-gesture-required',
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    ...(opts.fakeAudioFile ? [`--use-file-for-fake-audio-capture=${path.resolve(opts.fakeAudioFile)}%noloop`] : []),
    ...(opts.httpsPort
      ? [`--host-resolver-rules=MAP docs.google.com 127.0.0.1:${opts.httpsPort}, MAP calendar.google.com 127.0.0.1:${opts.httpsPort}`, '--ignore-certificate-errors']
      : []),
  ];
  const browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium', headless: true, args, pipe: true, ignoreDefaultArgs: ['--disable-extensions'],
    defaultViewport: { width: 1280, height: 800 },
  });
  const extensionId = unpackedExtensionId(extensionDir);
  const openExtensionPage = async (file: string) => {
    const page = await browser.newPage();
    await page.goto(`chrome-extension://${extensionId}/${file}`);
    // The welcome tab the extension opens on install may be in front; mouse clicks need this one.
    await page.bringToFront();
    return page;
  };
  const isWorker = (t: { type(): string; url(): string }) => t.type() === 'service_worker' && t.url() === `chrome-extension://${extensionId}/background.js`;
  return {
    browser,
    extensionId,
    profile,
    openExtensionPage,
    async worker() {
      let target = browser.targets().find(isWorker);
      if (!target) {
        // Any message starts the worker.
        const page = await openExtensionPage('popup.html');
        await page.evaluate(() => (globalThis as unknown as { chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } } }).chrome.runtime.sendMessage({ type: 'session:get' }));
        target = await browser.waitForTarget(isWorker, { timeout: 15_000 });
        await page.close();
      }
      return (await target.worker())!;
    },
    async close(closeOpts: { keepProfile?: boolean } = {}) {
      await browser.close().catch(() => {});
      if (!closeOpts.keepProfile) await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Presses the extension's shortcut for the tab showing `url` (puppeteer cannot press extension shortcuts). */
export function pressHotkey(worker: WebWorker, url: string): Promise<unknown> {
  return worker.evaluate(async (u) => {
    const [tab] = await chrome.tabs.query({ url: u });
    const g = globalThis as unknown as { saysoOnCommand(c: string, t?: unknown): Promise<unknown> };
    return g.saysoOnCommand('toggle-capture', tab);
  }, url);
}

/** Stores a session in the extension as the options page would after signing in. */
export function seedSession(worker: WebWorker, gatewayUrl: string, s: { token: string; expiresAt: string; user: unknown }, settings: Record<string, unknown> = {}): Promise<void> {
  return worker.evaluate(
    (gatewayUrl, s, settings) =>
      chrome.storage.local.set({
        settings: { gatewayUrl, mode: 'push-to-talk', language: 'en-US', speakReplies: true, ...settings },
        session: { ...s, gatewayUrl },
      }),
    gatewayUrl, s, settings,
  );
}

/** Runs `fn` over the shadow root of the UI host `host` (e.g. `sayso-overlay`) until it returns truthy. */
export async function waitInShadow<T>(page: Page, host: string, fn: string, timeout = 15_000): Promise<T> {
  const handle = await page
    .waitForFunction(
      (host, fn) => {
        const root = document.querySelector(host)?.shadowRoot;
        if (!root) return false;
        return new Function('root', fn)(root) as unknown;
      },
      { timeout, polling: 100 },
      host, fn,
    )
    .catch(async (err: Error) => {
      // Say what the UI showed instead: a timeout alone does not tell why.
      const shown = await page.evaluate((host) => [...(document.querySelector(host)?.shadowRoot?.children ?? [])].filter((e) => e.tagName !== "STYLE").map((e) => (e as HTMLElement).innerText).join(" ") || `(nothing in ${host})`, host);
      throw new Error(`${err.message} waiting for \`${fn}\`; ${host} showed: ${JSON.stringify(shown)}`);
    });
  return (await handle.jsonValue()) as T;
}

/** Types into an input of a shadow UI and presses Enter. */
export async function typeInShadow(page: Page, host: string, selector: string, text: string): Promise<void> {
  const input = await page.evaluateHandle((host, selector) => document.querySelector(host)!.shadowRoot!.querySelector(selector) as HTMLInputElement, host, selector);
  await input.asElement()!.type(text);
  await input.asElement()!.press('Enter');
}
