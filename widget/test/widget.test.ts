import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Habit, Page as ListPage, Task } from '@sayso/sdk';
import { api } from '../../server/test/support/live-socket.js';
import { focused, startWidgetStack, until, widgetText, type WidgetStack } from './support.js';

type Events = Array<{ type: string; detail: Record<string, unknown> }>;
const events = (page: Page) => page.evaluate(() => (window as unknown as { saysoEvents: Events }).saysoEvents);

// <sayso-widget> from the built IIFE bundle, on a page of another origin than the gateway, in
// Chromium, against a real gateway (offline understanding, local TTS). No microphone here: see
// voice.test.ts for speech.
describe('<sayso-widget> on a host page', () => {
  let stack: WidgetStack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startWidgetStack();
    browser = (await stack.browser()).browser;
  });
  afterAll(() => stack?.close());

  async function open(name: string, attrs: Record<string, string | true> = {}): Promise<Page> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    (page as Page & { errors?: string[] }).errors = errors;
    await page.goto(await stack.hostPage(name, { server: stack.gw.url, token: stack.token, ...attrs }));
    return page;
  }

  it('shows today\'s tasks, recent journal entries and habit streaks, and applies changes made elsewhere live', async () => {
    const { gw, token } = stack;
    await api(gw.url, token, 'POST', '/v1/tasks', { title: 'Water the plants' });
    await api(gw.url, token, 'POST', '/v1/journal', { text: 'A long walk by the river.', mood: 4 });
    const habit = (await api<Habit>(gw.url, token, 'POST', '/v1/habits', { name: 'Stretch' })).body;
    await api(gw.url, token, 'POST', `/v1/habits/${habit.id}/checkins`, {});

    const page = await open('panels', { open: true });
    await until(page, () => (window as unknown as { saysoEvents: Events }).saysoEvents.some((e) => e.type === 'sayso:ready'), 'sayso:ready');
    expect(await widgetText(page)).toContain('Water the plants');

    // Made over REST by "another device": the live subscription brings it in.
    await api(gw.url, token, 'POST', '/v1/tasks', { title: 'Renew the passport' });
    await until(page, () => document.querySelector('sayso-widget')!.shadowRoot!.textContent!.includes('Renew the passport'), 'the live task');

    // Journal and habits tabs, reached with the arrow keys from the focused tab.
    await page.evaluate(() => document.querySelector('sayso-widget')!.shadowRoot!.querySelector<HTMLElement>('[role=tab][aria-selected=true]')!.focus());
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toContain('role=tab');
    const journal = await page.evaluate(() => {
      const root = document.querySelector('sayso-widget')!.shadowRoot!;
      return { selected: root.querySelector('[role=tab][aria-selected=true]')!.textContent, panel: root.querySelector<HTMLElement>('#sw-panel-journal')!.innerText };
    });
    expect(journal.selected).toBe('Journal');
    expect(journal.panel).toContain('A long walk by the river.');
    expect(journal.panel).toContain('mood 4/5');
    await page.keyboard.press('End');
    const habits = await page.evaluate(() => {
      const root = document.querySelector('sayso-widget')!.shadowRoot!;
      const panel = root.querySelector<HTMLElement>('#sw-panel-habits')!;
      return { hidden: panel.hidden, text: panel.innerText, heatmap: panel.querySelector('[role=img]')?.getAttribute('aria-label'), cells: panel.querySelectorAll('[role=img] span').length };
    });
    expect(habits.hidden).toBe(false);
    expect(habits.text).toMatch(/Stretch\s+1 day streak/);
    expect(habits.heatmap).toMatch(/checked in on 1 of the last 84 days/);
    expect(habits.cells).toBe(84);

    // A check-in made elsewhere moves the streak's heatmap live (yesterday's, so the streak becomes 2).
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await api(gw.url, token, 'POST', `/v1/habits/${habit.id}/checkins`, { day: yesterday });
    await until(page, () => /checked in on 2 of/.test(document.querySelector('sayso-widget')!.shadowRoot!.querySelector('#sw-panel-habits [role=img]')!.getAttribute('aria-label')!), 'the live check-in');
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.close();
  });

  it('shows a task title containing HTML as text, never as markup', async () => {
    const title = '<img src=x onerror=alert(1)> and <b>bold</b>';
    await api(stack.gw.url, stack.token, 'POST', '/v1/tasks', { title });
    const page = await open('html-title', { open: true });
    let dialogs = 0;
    page.on('dialog', (d) => void ((dialogs += 1), d.dismiss()));
    await until(page, () => document.querySelector('sayso-widget')!.shadowRoot!.textContent!.includes('onerror=alert(1)'), 'the task');
    const shown = await page.evaluate(() => {
      const root = document.querySelector('sayso-widget')!.shadowRoot!;
      const item = [...root.querySelectorAll('[data-task-id]')].find((li) => li.textContent!.includes('onerror'))!;
      return { text: item.querySelector('p')!.textContent, imgs: root.querySelectorAll('img').length, bolds: root.querySelectorAll('b').length };
    });
    expect(shown.text).toBe(title);
    expect(shown.imgs).toBe(0);
    expect(shown.bolds).toBe(0);
    expect(dialogs).toBe(0);
    await page.close();
  });

  it('works from the keyboard alone: open, type a command, Enter, see the chip; Escape closes and focus returns to the launcher', async () => {
    const page = await open('keyboard');
    await until(page, () => (window as unknown as { saysoEvents: Events }).saysoEvents.some((e) => e.type === 'sayso:ready'), 'sayso:ready');
    // From the page's own button, Tab reaches the launcher (inside the shadow root).
    await page.focus('#before');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toContain('data-launcher');
    await page.keyboard.press('Enter');
    // Focus moved into the dialog, onto the mic button.
    await until(page, () => document.querySelector('sayso-widget')!.shadowRoot!.activeElement?.hasAttribute('data-mic'), 'focus on the mic button');
    const dialog = await page.evaluate(() => {
      const root = document.querySelector('sayso-widget')!.shadowRoot!;
      return { role: root.querySelector('#sw-panel')!.getAttribute('role'), expanded: root.querySelector('[data-launcher]')!.getAttribute('aria-expanded') };
    });
    expect(dialog).toEqual({ role: 'dialog', expanded: 'true' });

    for (let i = 0; i < 10 && !(await focused(page)).includes('data-text-input'); i++) await page.keyboard.press('Tab');
    expect(await focused(page)).toContain('data-text-input');
    await page.keyboard.type('add buy oat milk');
    await page.keyboard.press('Enter');

    const chip = await until(
      page,
      () => document.querySelector('sayso-widget')!.shadowRoot!.querySelector('[data-chip=task] [data-chip-title]')?.textContent,
      'the chip',
    );
    expect(chip).toMatch(/oat milk/i);
    await until(page, () => [...document.querySelector('sayso-widget')!.shadowRoot!.querySelectorAll('[data-task-id]')].some((li) => /oat milk/i.test(li.textContent!)), 'the task in the panel');
    const action = (await events(page)).find((e) => e.type === 'sayso:action');
    expect(action?.detail).toMatchObject({ outcome: { status: 'done', item: { kind: 'task' } } });
    const tasks = (await api<ListPage<Task>>(stack.gw.url, stack.token, 'GET', '/v1/tasks')).body.items;
    expect(tasks.some((t) => /oat milk/i.test(t.title))).toBe(true);

    await page.keyboard.press('Escape');
    await until(page, () => !document.querySelector('sayso-widget')!.shadowRoot!.querySelector('#sw-panel'), 'the dialog to close');
    // Focus returns in the effect after the closing render: wait for it rather than race it.
    await until(page, () => document.querySelector('sayso-widget')!.shadowRoot!.activeElement?.hasAttribute('data-launcher'), 'focus back on the launcher');
    expect(await focused(page)).toContain('data-launcher');
    expect(await page.evaluate(() => document.querySelector('sayso-widget')!.hasAttribute('open'))).toBe(false);
    await page.close();
  });
  it('follows theme="dark" and the --sayso-* custom properties; Tailwind utilities, shadows and rings apply inside the shadow root', async () => {
    const page = await open('themed', { theme: 'dark', open: true, style: '--sayso-accent: rgb(200, 0, 0); --sayso-radius: 4px' });
    await until(page, () => document.querySelector('sayso-widget')!.shadowRoot!.querySelector('#sw-panel'), 'the panel');
    const look = await page.evaluate(() => {
      const root = document.querySelector('sayso-widget')!.shadowRoot!;
      const css = (sel: string) => getComputedStyle(root.querySelector(sel)!);
      return {
        panelBg: css('#sw-panel').backgroundColor,
        panelRadius: css('#sw-panel').borderTopLeftRadius,
        launcherBg: css('[data-launcher]').backgroundColor,
        launcherShadow: css('[data-launcher]').boxShadow,
        headerPadding: css('#sw-panel header').paddingLeft,
        adopted: root.adoptedStyleSheets.length,
      };
    });
    expect(look.panelBg).toBe('rgb(24, 24, 27)');
    expect(look.panelRadius).toBe('4px');
    expect(look.launcherBg).toBe('rgb(200, 0, 0)');
    // shadow-lg and ring-1 need the --tw-* defaults that Chromium drops with @property in shadow roots.
    expect(look.launcherShadow).toMatch(/rgba\(0, 0, 0, 0\.1\).*px/);
    // A utility (px-4) wins over the base reset: the layer order holds.
    expect(look.headerPadding).toBe('16px');
    expect(look.adopted).toBe(1);
    const light = await open('light', { theme: 'light', open: true });
    await until(light, () => document.querySelector('sayso-widget')!.shadowRoot!.querySelector('#sw-panel'), 'the panel');
    expect(await light.evaluate(() => getComputedStyle(document.querySelector('sayso-widget')!.shadowRoot!.querySelector('#sw-panel')!).backgroundColor)).toBe('rgb(255, 255, 255)');
    await page.close();
    await light.close();
  });
  it('loads as an ES module too: registerWidget() under another tag name, position inline', async () => {
    const page = await browser.newPage();
    const url = await stack.rawPage('esm', `<!doctype html><html lang="en"><body>
<my-assistant server="${stack.gw.url}" token="${stack.token}" position="inline"></my-assistant>
<script type="module">
  import { registerWidget } from './sayso-widget-module.js';
  window.registered = registerWidget('my-assistant') === customElements.get('my-assistant');
  window.again = registerWidget('my-assistant') === customElements.get('my-assistant');
</script></body></html>`);
    await page.goto(url);
    await until(page, () => document.querySelector('my-assistant')?.shadowRoot?.querySelector('[role=region] [data-mic]'), 'the inline panel');
    const seen = await page.evaluate(() => ({
      registered: (window as unknown as { registered: boolean }).registered,
      again: (window as unknown as { again: boolean }).again,
      launcher: Boolean(document.querySelector('my-assistant')!.shadowRoot!.querySelector('[data-launcher]')),
      dialog: Boolean(document.querySelector('my-assistant')!.shadowRoot!.querySelector('[role=dialog]')),
    }));
    expect(seen).toEqual({ registered: true, again: true, launcher: false, dialog: false });
    await page.close();
  });
});
