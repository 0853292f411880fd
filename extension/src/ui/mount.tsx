import type { ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';

/** Renders `node` in a shadow root at the end of the page's body, so the page's CSS cannot reach it. */
export async function mountInShadowRoot(ctx: ContentScriptContext, name: string, node: ReactNode): Promise<void> {
  let root: Root | undefined;
  const ui = await createShadowRootUi(ctx, {
    name,
    position: 'inline',
    anchor: 'body',
    onMount(container) {
      root = createRoot(container);
      root.render(node);
    },
    onRemove: () => root?.unmount(),
  });
  ui.mount();
}
