import { StrictMode, useEffect, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { browser } from 'wxt/browser';
import { saveSettings, signIn, signOut, type Settings } from '../../lib/settings';
import { useAccount } from '../../ui/use-account';
import '../../ui/styles.css';

const LANGUAGES: Array<[string, string]> = [
  ['en-US', 'English (US)'], ['en-GB', 'English (UK)'], ['fr-FR', 'Français'], ['de-DE', 'Deutsch'], ['es-ES', 'Español'], ['it-IT', 'Italiano'],
];

function Options() {
  const { loaded, settings, session } = useAccount();
  const welcome = new URLSearchParams(location.search).has('welcome');
  if (!loaded || !settings) return null;
  return (
    <main className="mx-auto flex max-w-xl flex-col gap-6 p-8 font-sans text-slate-800">
      <header>
        <h1 className="text-2xl font-bold text-brand-600">Sayso</h1>
        <p className="text-sm text-slate-500">Say it, and it is done. Settings are kept in this browser.</p>
      </header>
      {welcome && (
        <p className="rounded-xl bg-brand-500/10 p-4 text-sm">
          Welcome! Allow the microphone once below, sign in to your gateway, then press the shortcut on any page.
        </p>
      )}
      <Microphone />
      <Gateway settings={settings} signedInAs={session ? `${session.user.name}` : null} expiresAt={session?.expiresAt ?? null} />
      <Shortcut />
      <Section title="Voice">
        <fieldset className="flex flex-col gap-2">
          <legend className="mb-1 text-sm font-medium">The shortcut…</legend>
          <Radio name="mode" value="push-to-talk" current={settings.mode} label="Push to talk: press once to speak, again when done" />
          <Radio name="mode" value="hands-free" current={settings.mode} label="Hands-free: press to start a conversation, again to stop" />
        </fieldset>
        <label className="flex items-center gap-3 text-sm">
          Language
          <select
            name="language"
            className="rounded-lg border border-slate-300 px-2 py-1"
            value={settings.language}
            onChange={(e) => void saveSettings({ language: e.target.value })}
          >
            {LANGUAGES.map(([tag, name]) => (
              <option key={tag} value={tag}>{name}</option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-3 text-sm">
          <input
            type="checkbox"
            name="speakReplies"
            checked={settings.speakReplies}
            onChange={(e) => void saveSettings({ speakReplies: e.target.checked })}
          />
          Speak replies out loud
        </label>
      </Section>
    </main>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="flex flex-col gap-3 rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <h2 className="text-base font-semibold">{title}</h2>
      {children}
    </section>
  );
}

function Radio({ name, value, current, label }: { name: 'mode'; value: Settings['mode']; current: string; label: string }) {
  return (
    <label className="flex items-center gap-2 text-sm">
      <input type="radio" name={name} value={value} checked={current === value} onChange={() => void saveSettings({ [name]: value })} />
      {label}
    </label>
  );
}

function Microphone() {
  const [state, setState] = useState<PermissionState | 'unknown'>('unknown');
  useEffect(() => {
    void navigator.permissions?.query({ name: 'microphone' as PermissionName }).then((p) => {
      setState(p.state);
      p.onchange = () => setState(p.state);
    });
  }, []);
  async function allow() {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      for (const t of stream.getTracks()) t.stop();
      setState('granted');
    } catch {
      setState('denied');
    }
  }
  return (
    <Section title="Microphone">
      <p className="text-sm text-slate-600">
        Sayso listens through the extension itself, so web pages never get your microphone. Allow it once here.
      </p>
      <div className="flex items-center gap-3">
        <button type="button" data-action="allow-mic" className="rounded-lg bg-brand-600 px-3 py-1.5 text-sm font-medium text-white" onClick={() => void allow()}>
          Allow microphone
        </button>
        <span data-mic-state={state} className="text-sm text-slate-500">
          {state === 'granted' ? 'Allowed' : state === 'denied' ? 'Blocked: allow it in the site settings of this extension' : 'Not allowed yet'}
        </span>
      </div>
    </Section>
  );
}

function Gateway({ settings, signedInAs, expiresAt }: { settings: Settings; signedInAs: string | null; expiresAt: string | null }) {
  const [url, setUrl] = useState(settings.gatewayUrl);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [status, setStatus] = useState<{ busy?: boolean; error?: string; note?: string }>({});
  useEffect(() => setUrl(settings.gatewayUrl), [settings.gatewayUrl]);

  async function save(): Promise<boolean> {
    try {
      const parsed = new URL(url.trim());
      if (!/^https?:$/.test(parsed.protocol)) throw new Error();
      await saveSettings({ gatewayUrl: parsed.origin + parsed.pathname.replace(/\/$/, '') });
      return true;
    } catch {
      setStatus({ error: 'Enter the gateway address as http(s)://host:port, e.g. http://localhost:8787.' });
      return false;
    }
  }
  async function submit() {
    setStatus({ busy: true });
    if (!(await save())) return;
    try {
      const s = await signIn({ ...(name ? { name } : {}), ...(password ? { password } : {}) });
      setStatus({ note: `Signed in as ${s.user.name}.` });
    } catch (err) {
      setStatus({ error: (err as Error).message });
    }
  }
  return (
    <Section title="Account">
      <label className="flex flex-col gap-1 text-sm">
        Gateway URL
        <input
          name="gatewayUrl"
          className="rounded-lg border border-slate-300 px-2 py-1.5 font-mono"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          onBlur={() => void save()}
        />
      </label>
      {signedInAs ? (
        <div className="flex items-center gap-3 text-sm">
          <span data-signed-in>
            Signed in as <strong>{signedInAs}</strong>
            {expiresAt && <span className="text-slate-500"> until {new Date(expiresAt).toLocaleDateString()}</span>}
          </span>
          <button type="button" className="rounded-lg px-2 py-1 text-slate-600 ring-1 ring-slate-300" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      ) : (
        <div className="flex flex-wrap items-end gap-2 text-sm">
          <label className="flex flex-col gap-1">
            Your name
            <input name="name" className="rounded-lg border border-slate-300 px-2 py-1.5" placeholder="Me" value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label className="flex flex-col gap-1">
            Password (if the gateway has one)
            <input name="password" type="password" className="rounded-lg border border-slate-300 px-2 py-1.5" value={password} onChange={(e) => setPassword(e.target.value)} />
          </label>
          <button type="button" data-action="sign-in" disabled={status.busy} className="rounded-lg bg-brand-600 px-3 py-1.5 font-medium text-white disabled:opacity-50" onClick={() => void submit()}>
            Sign in
          </button>
        </div>
      )}
      {status.error && <p role="alert" className="text-sm text-rose-600">{status.error}</p>}
      {status.note && <p className="text-sm text-emerald-700">{status.note}</p>}
    </Section>
  );
}

function Shortcut() {
  const [shortcut, setShortcut] = useState<string | null>(null);
  useEffect(() => {
    void browser.commands.getAll().then((all) => setShortcut(all.find((c) => c.name === 'toggle-capture')?.shortcut || ''));
  }, []);
  return (
    <Section title="Shortcut">
      <p className="text-sm">
        Talk to Sayso on any page with{' '}
        <kbd data-shortcut className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs ring-1 ring-slate-300">{shortcut || 'no shortcut set'}</kbd>.
        Press Esc to cancel.
      </p>
      <button
        type="button"
        className="self-start rounded-lg px-3 py-1.5 text-sm ring-1 ring-slate-300"
        onClick={() => void browser.tabs.create({ url: 'chrome://extensions/shortcuts' })}
      >
        Change it in chrome://extensions/shortcuts
      </button>
    </Section>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Options />
  </StrictMode>,
);
