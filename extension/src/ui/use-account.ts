import { SaysoClient } from '@sayso/sdk';
import { useEffect, useMemo, useState } from 'react';
import { browser } from 'wxt/browser';
import { loadSession, loadSettings, type Settings, type StoredSession } from '../lib/settings';

export interface Account {
  loaded: boolean;
  settings: Settings | null;
  session: StoredSession | null;
  /** A client for the signed-in person, or null. */
  client: SaysoClient | null;
}

/** Settings and session from chrome.storage, kept current when another page changes them. */
export function useAccount(): Account {
  const [state, setState] = useState<{ loaded: boolean; settings: Settings | null; session: StoredSession | null }>({
    loaded: false, settings: null, session: null,
  });
  useEffect(() => {
    let alive = true;
    const load = async () => {
      const settings = await loadSettings();
      const session = await loadSession(settings);
      if (alive) setState({ loaded: true, settings, session });
    };
    void load();
    const onChanged = (_changes: unknown, area: string) => area === 'local' && void load();
    browser.storage.onChanged.addListener(onChanged);
    return () => {
      alive = false;
      browser.storage.onChanged.removeListener(onChanged);
    };
  }, []);
  const { settings, session } = state;
  const client = useMemo(
    () => (settings && session ? new SaysoClient({ baseUrl: settings.gatewayUrl, token: session.token, source: 'extension' }) : null),
    [settings?.gatewayUrl, session?.token],
  );
  return { ...state, client };
}
