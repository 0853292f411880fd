import { SaysoClient, type User } from '@sayso/sdk';
import { browser } from 'wxt/browser';

/** What the person chooses on the options page. Kept in chrome.storage.local, so it survives restarts. */
export interface Settings {
  /** The Sayso gateway, e.g. `http://localhost:8787`. */
  gatewayUrl: string;
  /** `push-to-talk`: the hotkey starts a turn and ends it. `hands-free`: it opens and closes a conversation. */
  mode: 'push-to-talk' | 'hands-free';
  /** BCP 47 tag of the language spoken, e.g. `en-US`. */
  language: string;
  /** Speak Sayso's replies out loud. */
  speakReplies: boolean;
}

/** The signed-in session (`POST /v1/auth/local`). */
export interface StoredSession {
  token: string;
  expiresAt: string;
  user: User;
  /** The gateway that issued the token: a token is no good at another one. */
  gatewayUrl: string;
}

export const DEFAULT_SETTINGS: Settings = {
  gatewayUrl: 'http://localhost:8787',
  mode: 'push-to-talk',
  language: 'en-US',
  speakReplies: true,
};

export async function loadSettings(): Promise<Settings> {
  const { settings } = await browser.storage.local.get('settings');
  return { ...DEFAULT_SETTINGS, ...(settings as Partial<Settings> | undefined) };
}

export async function saveSettings(changes: Partial<Settings>): Promise<Settings> {
  const next = { ...(await loadSettings()), ...changes };
  await browser.storage.local.set({ settings: next });
  return next;
}

/** The stored session, if there is one for the configured gateway and it has not expired. */
export async function loadSession(settings?: Settings): Promise<StoredSession | null> {
  const { gatewayUrl } = settings ?? (await loadSettings());
  const { session } = await browser.storage.local.get('session');
  const s = session as StoredSession | undefined;
  if (!s || s.gatewayUrl !== gatewayUrl || Date.parse(s.expiresAt) <= Date.now()) return null;
  return s;
}

/** Signs in as the gateway's local person and keeps the session. */
export async function signIn(opts: { name?: string; password?: string } = {}): Promise<StoredSession> {
  const { gatewayUrl } = await loadSettings();
  const client = await SaysoClient.signInLocal(gatewayUrl, {
    source: 'extension',
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.password ? { password: opts.password } : {}),
  });
  const s = client.session!;
  const session: StoredSession = { token: s.token, expiresAt: s.expiresAt, user: s.user, gatewayUrl };
  await browser.storage.local.set({ session });
  return session;
}

export async function signOut(): Promise<void> {
  await browser.storage.local.remove('session');
}

/** A client for the signed-in person, or null with nobody signed in. */
export async function currentClient(): Promise<SaysoClient | null> {
  const settings = await loadSettings();
  const session = await loadSession(settings);
  return session ? new SaysoClient({ baseUrl: settings.gatewayUrl, token: session.token, source: 'extension' }) : null;
}
