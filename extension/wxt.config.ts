import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'wxt';

// One manifest for Chrome MV3. Entry points live in src/entrypoints, one file (or folder) each.
export default defineConfig({
  srcDir: 'src',
  // Tests build elsewhere and move the result into place, so a run never loads a half-written build.
  ...(process.env['SAYSO_EXTENSION_OUT_DIR'] ? { outDir: process.env['SAYSO_EXTENSION_OUT_DIR'] } : {}),
  modules: ['@wxt-dev/module-react'],
  // Explicit imports everywhere: the code reads the same in an editor, in tsc and in review.
  imports: false,
  vite: () => ({ plugins: [tailwindcss()] }),
  // For the Chrome Web Store: .output/sayso-0.1.0-chrome.zip
  zip: { artifactTemplate: 'sayso-{{version}}-{{browser}}.zip' },
  manifest: {
    name: 'Sayso',
    description: 'Say it, and it is done: tasks, journal, habits and calendar by voice, on any page.',
    minimum_chrome_version: '116',
    permissions: ['storage', 'offscreen', 'sidePanel', 'scripting', 'tabs'],
    // Any page: the overlay is injected where the hotkey is pressed, and the page's title, link
    // and selection are read for "add this page to my reading list". The gateway is any URL the
    // person configures, so requests to it need no CORS set-up.
    host_permissions: ['<all_urls>'],
    action: { default_title: 'Sayso' },
    commands: {
      'toggle-capture': {
        suggested_key: { default: 'Alt+Shift+S', mac: 'Alt+Shift+S' },
        description: 'Start or stop talking to Sayso',
      },
    },
  },
});
