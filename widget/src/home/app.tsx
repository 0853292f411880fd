import { AuthError, type SaysoClient } from '@sayso/sdk';
import { useEffect, useState } from 'preact/hooks';
import { messageOf } from './errors.js';
import { forgetSession, savedClient, type SignedIn } from './session.js';
import { Shell } from './shell.js';
import { SignIn } from './sign-in.js';
import { HomeStore } from './store.js';
import { secondaryButton } from './ui.js';

type Screen =
  | { kind: 'checking' }
  | { kind: 'signed-out'; notice?: string }
  | { kind: 'unreachable'; message: string; client: SaysoClient }
  | { kind: 'signed-in'; store: HomeStore };

/** Signed in (a saved token the gateway still accepts) or the sign-in screen. */
export function App() {
  const [screen, setScreen] = useState<Screen>(() => {
    const client = savedClient();
    return client ? { kind: 'checking' } : { kind: 'signed-out' };
  });

  const signOut = (notice?: string) => {
    setScreen((s) => {
      if (s.kind === 'signed-in') s.store.stop();
      return notice ? { kind: 'signed-out', notice } : { kind: 'signed-out' };
    });
    forgetSession();
  };
  const enter = ({ client, user }: SignedIn) => {
    const store = new HomeStore(client, user, (message) => signOut(`Signed out: ${message}`));
    setScreen({ kind: 'signed-in', store });
  };
  const resume = (client: SaysoClient) =>
    client.me().then(
      (user) => enter({ client, user }),
      (err: unknown) => {
        if (err instanceof AuthError) signOut('Your session has ended. Sign in again.');
        else setScreen({ kind: 'unreachable', client, message: messageOf(err, 'load your account') });
      },
    );

  useEffect(() => {
    const client = savedClient();
    if (client) void resume(client);
  }, []);
  useEffect(() => {
    if (screen.kind !== 'signed-in') return;
    screen.store.start();
    return () => screen.store.stop();
  }, [screen]);

  switch (screen.kind) {
    case 'checking':
      return (
        <main class="flex min-h-screen items-center justify-center text-slate-500">
          <p role="status">Loading Sayso…</p>
        </main>
      );
    case 'signed-out':
      return <SignIn onSignedIn={enter} notice={screen.notice} />;
    case 'unreachable':
      return (
        <main class="mx-auto max-w-md px-4 py-24 text-center">
          <p role="alert" class="text-slate-700">{screen.message}</p>
          <div class="mt-4 flex justify-center gap-2">
            <button type="button" class={secondaryButton} onClick={() => void resume(screen.client)}>Try again</button>
            <button type="button" class={secondaryButton} onClick={() => signOut()}>Sign out</button>
          </div>
        </main>
      );
    case 'signed-in':
      return <Shell store={screen.store} onSignOut={() => signOut()} />;
  }
}
