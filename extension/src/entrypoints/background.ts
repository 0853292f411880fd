import { browser, type Browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { apiOps, type ApiOp } from '../lib/api-ops';
import type { BackgroundRequest, OffscreenRequest, Reply, TabMessage, TextTurnResult } from '../lib/messages';
import type { GoogleStatus } from '../lib/google-links';
import { gatewayRequest } from '../lib/google-status';
import { readPageContext } from '../lib/page-context';
import { currentClient, loadSession, loadSettings } from '../lib/settings';
import { chipFrom, renameChip } from '../lib/chips';

const OFFSCREEN_URL = 'offscreen.html';

export default defineBackground(() => {
  browser.runtime.onInstalled.addListener(({ reason }) => {
    // The microphone is granted once, to the extension, from its own page: ask on install.
    if (reason === 'install') void browser.tabs.create({ url: browser.runtime.getURL('/options.html?welcome=1') });
  });
  browser.commands.onCommand.addListener((command, tab) => void onCommand(command, tab).catch((err: unknown) => reportFailure(tab?.id, err)));
  browser.runtime.onMessage.addListener((msg: BackgroundRequest, sender, sendResponse) => {
    if ((msg as { target?: string }).target === 'offscreen') return false;
    handle(msg, sender).then(
      (value) => sendResponse({ ok: true, value } satisfies Reply<unknown>),
      (err: unknown) => sendResponse({ ok: false, error: err instanceof Error ? err.message : String(err) } satisfies Reply<unknown>),
    );
    return true; // answered asynchronously
  });
  // Puppeteer cannot press extension shortcuts; tests call the same handler from the worker.
  (globalThis as { saysoOnCommand?: typeof onCommand }).saysoOnCommand = onCommand;
});

/** The hotkey: start capture on the tab, or end it (push-to-talk: end the turn; hands-free: stop). */
async function onCommand(command: string, tab?: Browser.tabs.Tab): Promise<unknown> {
  if (command !== 'toggle-capture') return undefined;
  const target = tab?.id !== undefined ? tab : (await browser.tabs.query({ active: true, lastFocusedWindow: true }))[0];
  if (target?.id === undefined) throw new Error('No tab to listen on.');
  return toggleCapture(target.id);
}

async function toggleCapture(tabId: number): Promise<unknown> {
  const settings = await loadSettings();
  const session = await loadSession(settings);
  if (!(await ensureSurface(tabId))) {
    // chrome:// pages and the Web Store take no content scripts: say so on the toolbar icon.
    await browser.action.setBadgeText({ tabId, text: '!' });
    await browser.action.setTitle({ tabId, title: 'Sayso cannot run on this page. Try it on a web page, or use the side panel.' });
    return { state: 'unavailable' };
  }
  if (!session) {
    await toTab(tabId, { type: 'voice:event', event: { name: 'error', kind: 'unauthorized', message: 'Sign in to Sayso first: open the extension options.' } });
    return { state: 'signed-out' };
  }
  await ensureOffscreen();
  return toOffscreen({ target: 'offscreen', type: 'toggle', tabId, settings, session });
}

/**
 * Injects the overlay unless the page already has a Sayso surface (Sheets sidebar, Calendar
 * overlay, an earlier overlay). False when the page cannot have one.
 */
async function ensureSurface(tabId: number): Promise<boolean> {
  // A tab opened before the extension was installed has no Sheets or Calendar surface yet either.
  const present = await browser.tabs.sendMessage(tabId, { type: 'surface:ping' } satisfies TabMessage).catch(() => false);
  if (!present) {
    const injected = await browser.scripting.executeScript({ target: { tabId }, files: ['/content-scripts/overlay.js'] }).then(() => true, () => false);
    if (!injected) return false;
  }
  await toTab(tabId, { type: 'overlay:show' });
  return true;
}

/** A capture that could not start: the surface in the tab says why. */
async function reportFailure(tabId: number | undefined, err: unknown): Promise<void> {
  if (tabId === undefined) return;
  const message = err instanceof Error ? err.message : String(err);
  await toTab(tabId, { type: 'voice:event', event: { name: 'error', kind: 'server', message } });
}

async function ensureOffscreen(): Promise<void> {
  const contexts = await browser.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT' as Browser.runtime.ContextType] });
  if (contexts.length > 0) return;
  await browser.offscreen
    .createDocument({
      url: OFFSCREEN_URL,
      reasons: ['USER_MEDIA' as Browser.offscreen.Reason, 'AUDIO_PLAYBACK' as Browser.offscreen.Reason],
      justification: 'Holds the microphone and plays spoken replies, so no web page needs microphone access.',
    })
    // Two quick presses race to create it; the second finds it there.
    .catch((err: unknown) => {
      if (!String(err).includes('Only a single offscreen')) throw err;
    });
}

async function toOffscreen(msg: OffscreenRequest): Promise<unknown> {
  const reply = (await browser.runtime.sendMessage(msg)) as Reply<unknown> | undefined;
  if (!reply) throw new Error('The microphone page did not answer.');
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}

function toTab(tabId: number, msg: TabMessage): Promise<unknown> {
  // A tab that closed or navigated away has no one listening; that is fine.
  return browser.tabs.sendMessage(tabId, msg).catch(() => undefined);
}

async function handle(msg: BackgroundRequest, sender: Browser.runtime.MessageSender): Promise<unknown> {
  switch (msg.type) {
    case 'capture:toggle': {
      const tabId = msg.tabId ?? sender.tab?.id;
      if (tabId === undefined) return onCommand('toggle-capture');
      return toggleCapture(tabId).catch(async (err: unknown) => {
        await reportFailure(tabId, err);
        throw err;
      });
    }
    case 'capture:cancel': {
      const open = await browser.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT' as Browser.runtime.ContextType] });
      return open.length > 0 ? toOffscreen({ target: 'offscreen', type: 'cancel' }) : undefined;
    }
    case 'voice:event':
      // The mic is granted to the extension from its options page; take the person there.
      if (msg.event.name === 'error' && msg.event.kind === 'mic_denied') {
        await browser.tabs.create({ url: browser.runtime.getURL('/options.html?welcome=1') });
      }
      return toTab(msg.tabId, { type: 'voice:event', event: msg.event });
    case 'page:context':
      return readPageContext(msg.tabId);
    case 'turn:text': {
      const r = await (await signedIn()).turns.say(msg.text);
      return { ...r, chip: r.outcome ? chipFrom(r.outcome) : null } satisfies TextTurnResult;
    }
    case 'chip:undo':
      return (await signedIn()).turns.undo(msg.chip.outcome);
    case 'chip:rename':
      return renameChip(await signedIn(), msg.chip, msg.title);
    case 'api': {
      if (!Object.hasOwn(apiOps, msg.op)) throw new Error(`Unknown operation ${msg.op}.`);
      const op = apiOps[msg.op as ApiOp] as (c: unknown, ...args: unknown[]) => Promise<unknown>;
      return op(await signedIn(), ...msg.args);
    }
    case 'session:get': {
      const settings = await loadSettings();
      return { settings, session: await loadSession(settings) };
    }
    case 'google:status':
      return gatewayRequest<GoogleStatus>('GET', '/v1/google/status');
    case 'google:link-sheet':
      return gatewayRequest('POST', '/v1/google/sheets', { spreadsheetId: msg.spreadsheetId });
    case 'google:sync':
      return gatewayRequest('POST', '/v1/google/sync');
    case 'google:connect':
      // Back to the gateway's home page afterwards: Google's pages are not an allowed return address.
      return gatewayRequest<{ url: string }>('POST', '/v1/google/connect', { returnTo: `${(await loadSettings()).gatewayUrl}/` });
  }
}

async function signedIn() {
  const client = await currentClient();
  if (!client) throw new Error('Sign in to Sayso first: open the extension options.');
  return client;
}
