import { useEffect, useReducer, useState } from 'preact/hooks';
import type { HomeStore } from './store.js';

/** Re-renders the calling component whenever the store changes. */
export function useStore(store: HomeStore): HomeStore {
  const [, changed] = useReducer((n: number) => n + 1, 0);
  useEffect(() => store.subscribe(() => changed(undefined)), [store]);
  return store;
}

/** The current `#view` of the page, one of `views` (the first when the hash names none). */
export function useHashView<V extends string>(views: readonly V[]): V {
  // Other hashes (the skip link's `#main`) leave the view as it is.
  const read = (): V | undefined => {
    const hash = location.hash.replace(/^#\/?/, '') as V;
    return views.includes(hash) ? hash : undefined;
  };
  const [view, setView] = useState<V>(() => read() ?? views[0]!);
  useEffect(() => {
    const onChange = () => {
      const next = read();
      if (next) setView(next);
    };
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return view;
}

/** An action's busy flag and error message, for forms and buttons. */
export function useAction(): {
  busy: boolean;
  error: string | undefined;
  setError(message: string | undefined): void;
  run(work: () => Promise<void>, onError: (err: unknown) => string): Promise<boolean>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  return {
    busy,
    error,
    setError,
    async run(work, onError) {
      setBusy(true);
      setError(undefined);
      try {
        await work();
        return true;
      } catch (err) {
        setError(onError(err));
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}
