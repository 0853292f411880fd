import { AuthError } from '@sayso/sdk';
import { useRef, useState } from 'preact/hooks';
import { messageOf } from './errors.js';
import { signIn, type SignedIn } from './session.js';
import { ErrorMessage, Field, inputClass, primaryButton } from './ui.js';

/**
 * Local sign-in for this gateway's one person. The password field appears only once the gateway
 * answers that it needs one (it was started with SAYSO_LOCAL_PASSWORD).
 */
export function SignIn(props: { onSignedIn(signed: SignedIn): void; notice?: string | undefined }) {
  const [name, setName] = useState(() => localStorage.getItem('sayso:name') ?? '');
  const [password, setPassword] = useState('');
  const [needsPassword, setNeedsPassword] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const passwordRef = useRef<HTMLInputElement>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const signed = await signIn(name.trim(), needsPassword ? password : undefined);
      if (name.trim()) localStorage.setItem('sayso:name', name.trim());
      props.onSignedIn(signed);
    } catch (err) {
      if (err instanceof AuthError && err.code === 'unauthorized' && !needsPassword) {
        setNeedsPassword(true);
        setError('This gateway asks for a password: the SAYSO_LOCAL_PASSWORD it was started with.');
        setTimeout(() => passwordRef.current?.focus(), 0);
      } else {
        setError(err instanceof AuthError ? err.message : messageOf(err, 'sign in'));
      }
      setBusy(false);
    }
  }

  return (
    <main class="flex min-h-screen items-center justify-center px-4">
      <div class="w-full max-w-sm">
        <p class="mb-6 text-center text-3xl font-bold tracking-tight text-brand-700">Sayso</p>
        <form class="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" onSubmit={submit} aria-labelledby="sign-in-title">
          <div>
            <h1 id="sign-in-title" class="text-lg font-semibold">Sign in</h1>
            <p class="mt-1 text-sm text-slate-600">Say it, and it's done: tasks, journal and habits, by voice or by hand.</p>
          </div>
          {props.notice ? <p class="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">{props.notice}</p> : null}
          <Field label="Your name" hint="Used the first time you sign in on this gateway.">
            <input
              class={inputClass}
              name="name"
              autocomplete="name"
              value={name}
              maxLength={100}
              onInput={(e) => setName(e.currentTarget.value)}
            />
          </Field>
          {needsPassword ? (
            <Field label="Password">
              <input
                ref={passwordRef}
                class={inputClass}
                type="password"
                name="password"
                autocomplete="current-password"
                value={password}
                required
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </Field>
          ) : null}
          <ErrorMessage message={error} />
          <button type="submit" class={`${primaryButton} w-full`} disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
