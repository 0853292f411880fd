import type { CDPSession, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '@sayso/sdk';
import { speechWav } from '../../server/test/support/browser.js';
import { api } from '../../server/test/support/live-socket.js';
import { startWidgetStack, until, widgetText, type WidgetStack } from './support.js';

type Events = Array<{ type: string; detail: Record<string, unknown> }>;
const events = (page: Page) => page.evaluate(() => (window as unknown as { saysoEvents: Events }).saysoEvents);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts binary WebSocket frames the page receives: the spoken reply's PCM. */
async function countAudioFrames(page: Page): Promise<{ count(): number; cdp: CDPSession }> {
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  let frames = 0;
  cdp.on('Network.webSocketFrameReceived', (e) => {
    if (e.response.opcode === 2) frames += 1;
  });
  return { count: () => frames, cdp };
}

// The widget as a site embeds it: a publishable key, a page on another origin than the gateway
// (CORS comes from the key's origins only), Chromium's fake microphone playing a spoken command
// (flite), and a gateway on local engines (pocketsphinx, offline understanding, local TTS).
describe('<sayso-widget> with a publishable key and a microphone', () => {
  let stack: WidgetStack;

  beforeAll(async () => {
    stack = await startWidgetStack({ voice: true, cors: false });
  });
  afterAll(() => stack?.close());

  it('a spoken command (push-to-talk on Space): transcript, chip, the task in the panel and a spoken reply; Undo removes the task', async () => {
    const { gw, token, site } = stack;
    const key = (await api<{ key: string }>(gw.url, token, 'POST', '/v1/keys', { origins: [site], label: 'widget test' })).body.key;
    const wav = await speechWav('add call the dentist');
    const { browser } = await stack.browser({ fakeAudioFile: wav.path });
    const page = await browser.newPage();
    const audio = await countAudioFrames(page);
    await page.goto(await stack.hostPage('voice', { server: gw.url, key, open: true }));
    await until(page, () => (window as unknown as { saysoEvents: Events }).saysoEvents.some((e) => e.type === 'sayso:ready'), 'sayso:ready');

    // Hold Space on the focused mic button for the whole recording (the fake mic starts playing
    // when the widget opens it), then let go: the turn goes to Sayso.
    await page.evaluate(() => document.querySelector('sayso-widget')!.shadowRoot!.querySelector<HTMLElement>('[data-mic]')!.focus());
    await page.keyboard.down(' ');
    await until(page, () => (window as unknown as { saysoEvents: Events }).saysoEvents.some((e) => e.type === 'sayso:state' && e.detail['state'] === 'listening'), 'listening', 20_000);
    const meter = await page.evaluate(() => document.querySelector('sayso-widget')!.shadowRoot!.querySelector('[data-mic]')!.getAttribute('aria-pressed'));
    expect(meter).toBe('true');
    await sleep(wav.totalMs);
    const level = await page.evaluate(() => document.querySelector('sayso-widget')!.shadowRoot!.querySelector<HTMLElement>('.sw-meter')!.style.getPropertyValue('--level'));
    expect(level).not.toBe('');
    await page.keyboard.up(' ');

    const chip = await until(page, () => document.querySelector('sayso-widget')!.shadowRoot!.querySelector('[data-chip=task] [data-chip-title]')?.textContent, 'the chip', 30_000);
    expect(chip).toMatch(/dentist/i);
    const transcript = await page.evaluate(() => document.querySelector('sayso-widget')!.shadowRoot!.querySelector('[data-transcript]')?.textContent);
    expect(transcript).toMatch(/dentist/);
    await until(page, () => [...document.querySelector('sayso-widget')!.shadowRoot!.querySelectorAll('[data-task-id]')].some((li) => /dentist/i.test(li.textContent!)), 'the task in the panel');
    // The spoken reply: its PCM arrives as binary frames, and the widget shows "speaking".
    await until(page, () => (window as unknown as { saysoEvents: Events }).saysoEvents.some((e) => e.type === 'sayso:state' && e.detail['state'] === 'speaking'), 'speaking');
    const deadline = Date.now() + 10_000;
    while (audio.count() === 0 && Date.now() < deadline) await sleep(50);
    expect(audio.count()).toBeGreaterThan(0);
    expect(await widgetText(page)).not.toMatch(/cannot|blocked|not enabled/i);

    const seen = await events(page);
    const transcripts = seen.filter((e) => e.type === 'sayso:transcript');
    expect(transcripts.at(-1)?.detail).toMatchObject({ final: true });
    const action = seen.find((e) => e.type === 'sayso:action')!;
    const item = (action.detail['outcome'] as { item: { id: string } }).item;
    expect((await api<Task>(gw.url, token, 'GET', `/v1/tasks/${item.id}`)).body.source).toBe('voice');

    await page.evaluate(() => document.querySelector('sayso-widget')!.shadowRoot!.querySelector<HTMLElement>('[data-chip=task] [data-action=undo]')!.click());
    await until(page, () => document.querySelector('sayso-widget')!.shadowRoot!.querySelector('[data-chip=task]')?.getAttribute('data-status') === 'undone', 'the chip to show undone');
    await until(page, () => ![...document.querySelector('sayso-widget')!.shadowRoot!.querySelectorAll('[data-task-id]')].some((li) => /dentist/i.test(li.textContent!)), 'the task to leave the panel');
    expect((await api(gw.url, token, 'GET', `/v1/tasks/${item.id}`)).status).toBe(404);
    expect((await events(page)).find((e) => e.type === 'sayso:undo')?.detail).toMatchObject({ item: { id: item.id, kind: 'task' } });
    await audio.cdp.detach();
  }, 90_000);

  it('a site the key does not list is refused, and the widget says so in plain words', async () => {
    const { gw, token } = stack;
    const key = (await api<{ key: string }>(gw.url, token, 'POST', '/v1/keys', { origins: ['https://shop.example'] })).body.key;
    const { browser } = await stack.browser();
    const page = await browser.newPage();
    await page.goto(await stack.hostPage('unlisted', { server: gw.url, key, open: true }));
    const shown = await until(page, () => document.querySelector('sayso-widget')!.shadowRoot!.querySelector('[role=alert]')?.textContent, 'the refusal', 30_000);
    expect(shown).toContain('Sayso is not enabled on this website');
    expect(shown).toContain(`This page (${stack.site}) is not on the list of websites allowed to use its Sayso key`);
    expect(shown).toMatch(/add .* to the key's allowed websites/);
    const error = (await events(page)).find((e) => e.type === 'sayso:error');
    expect(error?.detail).toMatchObject({ kind: 'origin' });
    expect((await events(page)).some((e) => e.type === 'sayso:ready')).toBe(false);
  }, 60_000);

  it('a refused microphone is explained, with what to do, and typing still works', async () => {
    const { gw, token, site } = stack;
    const key = (await api<{ key: string }>(gw.url, token, 'POST', '/v1/keys', { origins: [site] })).body.key;
    const { browser } = await stack.browser();
    const page = await browser.newPage();
    await page.evaluateOnNewDocument(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    await page.goto(await stack.hostPage('denied', { server: gw.url, key, open: true }));
    await until(page, () => (window as unknown as { saysoEvents: Events }).saysoEvents.some((e) => e.type === 'sayso:ready'), 'sayso:ready');
    await page.evaluate(() => document.querySelector('sayso-widget')!.shadowRoot!.querySelector<HTMLElement>('[data-mic]')!.focus());
    await page.keyboard.press('Enter');
    const shown = await until(page, () => document.querySelector('sayso-widget')!.shadowRoot!.querySelector('[role=alert][data-problem=mic_denied]')?.textContent, 'the explanation');
    expect(shown).toContain('Sayso cannot use your microphone');
    expect(shown).toContain('Allow it with the icon in the address bar');
    expect(shown).toContain('type below');
    expect((await events(page)).find((e) => e.type === 'sayso:error')?.detail).toMatchObject({ kind: 'mic_denied' });

    // The text box still works: a typed command over a text-only session.
    await page.evaluate(() => document.querySelector('sayso-widget')!.shadowRoot!.querySelector<HTMLElement>('[data-text-input]')!.focus());
    await page.keyboard.type('add water the plants');
    await page.keyboard.press('Enter');
    const chip = await until(page, () => document.querySelector('sayso-widget')!.shadowRoot!.querySelector('[data-chip=task] [data-chip-title]')?.textContent, 'the chip', 20_000);
    expect(chip).toMatch(/water the plants/i);
  }, 60_000);

  it('hands-free with spoken replies off: speaking alone makes the turn, no reply audio is sent, and Edit renames the task', async () => {
    const { gw, token, site } = stack;
    const key = (await api<{ key: string }>(gw.url, token, 'POST', '/v1/keys', { origins: [site] })).body.key;
    const wav = await speechWav('add feed the cat');
    const { browser } = await stack.browser({ fakeAudioFile: wav.path });
    const page = await browser.newPage();
    const audio = await countAudioFrames(page);
    await page.goto(await stack.hostPage('hands-free', { server: gw.url, key, open: true, 'hands-free': true, 'voice-replies': 'off' }));
    await until(page, () => (window as unknown as { saysoEvents: Events }).saysoEvents.some((e) => e.type === 'sayso:ready'), 'sayso:ready');
    // One press opens the mic; after that the server's voice detection finds the turn.
    await page.evaluate(() => document.querySelector('sayso-widget')!.shadowRoot!.querySelector<HTMLElement>('[data-mic]')!.click());
    const chip = await until(page, () => document.querySelector('sayso-widget')!.shadowRoot!.querySelector('[data-chip=task] [data-chip-title]')?.textContent, 'the chip', 30_000);
    expect(chip).toMatch(/feed the cat/i);
    await sleep(1_500); // a reply would have started streaming by now
    expect(audio.count()).toBe(0);
    expect((await events(page)).some((e) => e.type === 'sayso:state' && e.detail['state'] === 'speaking')).toBe(false);

    await page.evaluate(() => document.querySelector('sayso-widget')!.shadowRoot!.querySelector<HTMLElement>('[data-chip=task] [data-action=edit]')!.click());
    await until(page, () => document.querySelector('sayso-widget')!.shadowRoot!.activeElement?.tagName === 'INPUT', 'the title editor');
    await page.keyboard.down('Control');
    await page.keyboard.press('a');
    await page.keyboard.up('Control');
    await page.keyboard.type('feed the cat at six');
    await page.keyboard.press('Enter');
    const item = ((await events(page)).find((e) => e.type === 'sayso:action')!.detail['outcome'] as { item: { id: string } }).item;
    const deadline = Date.now() + 10_000;
    let title = '';
    while (Date.now() < deadline && title !== 'feed the cat at six') {
      title = (await api<Task>(gw.url, token, 'GET', `/v1/tasks/${item.id}`)).body.title;
      await sleep(100);
    }
    expect(title).toBe('feed the cat at six');
    await audio.cdp.detach();
  }, 90_000);
});
