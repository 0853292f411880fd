import { browser } from 'wxt/browser';
import type { PageContext } from './messages';

const MAX_SELECTION = 2_000;

/** Title, link and selected text of a tab, read in the page (needs host permission for it). */
export async function readPageContext(tabId: number): Promise<PageContext> {
  const [result] = await browser.scripting.executeScript({
    target: { tabId },
    func: (max: number) => ({
      title: document.title,
      url: location.href,
      selection: String(getSelection() ?? '').trim().slice(0, max),
    }),
    args: [MAX_SELECTION],
  });
  const ctx = result?.result as PageContext | undefined;
  if (!ctx) throw new Error('Could not read this page (Chrome pages and the Web Store cannot be read by extensions).');
  return ctx;
}
