import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { browser } from 'wxt/browser';
import { ask } from '../../lib/messages';
import { useAccount } from '../../ui/use-account';
import '../../ui/styles.css';

function Popup() {
  const { loaded, session } = useAccount();
  const [shortcut, setShortcut] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    void browser.commands.getAll().then((all) => setShortcut(all.find((c) => c.name === 'toggle-capture')?.shortcut ?? ''));
  }, []);
  if (!loaded) return null;

  async function talk() {
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    try {
      await ask({ type: 'capture:toggle', ...(tab?.id !== undefined ? { tabId: tab.id } : {}) });
      window.close();
    } catch (err) {
      setError((err as Error).message);
    }
  }
  async function home() {
    const win = await browser.windows.getCurrent();
    if (win.id !== undefined) await browser.sidePanel.open({ windowId: win.id });
    window.close();
  }
  return (
    <main className="flex w-72 flex-col gap-3 bg-slate-900 p-4 font-sans text-white">
      <h1 className="text-lg font-bold text-brand-400">Sayso</h1>
      {session ? (
        <>
          <p className="text-sm text-white/70">Signed in as {session.user.name}</p>
          <button type="button" className="rounded-xl bg-brand-500 px-3 py-2 text-sm font-semibold" onClick={() => void talk()}>
            Talk {shortcut && <span className="font-normal text-white/70">({shortcut})</span>}
          </button>
          <button type="button" className="rounded-xl bg-white/10 px-3 py-2 text-sm" onClick={() => void home()}>
            Open home (tasks, journal, habits)
          </button>
        </>
      ) : (
        <p className="text-sm text-white/80">Sign in to your Sayso gateway to start.</p>
      )}
      {error && <p role="alert" className="text-sm text-rose-300">{error}</p>}
      <button type="button" className="text-left text-xs text-white/60 underline" onClick={() => void browser.runtime.openOptionsPage()}>
        Options
      </button>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Popup />
  </StrictMode>,
);
