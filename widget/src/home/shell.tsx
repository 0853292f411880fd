import { useEffect, useRef } from 'preact/hooks';
import { ConnectionIndicator } from './connection.js';
import { HabitsView } from './habits-view.js';
import { useHashView, useStore } from './hooks.js';
import { JournalView } from './journal-view.js';
import type { HomeStore } from './store.js';
import { TasksView } from './tasks-view.js';
import { ErrorMessage, quietButton, secondaryButton } from './ui.js';

const VIEWS = ['tasks', 'journal', 'habits'] as const;
const TITLES: Record<(typeof VIEWS)[number], string> = { tasks: 'Tasks', journal: 'Journal', habits: 'Habits' };

/** The signed-in page: header with navigation and the live indicator, then one full view. */
export function Shell(props: { store: HomeStore; onSignOut(): void }) {
  const store = useStore(props.store);
  const view = useHashView(VIEWS);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  useEffect(() => {
    document.title = `${TITLES[view]} · Sayso`;
    // After a navigation, start reading (and tabbing) at the new view, not at the menu.
    if (first.current) first.current = false;
    else main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [view]);

  return (
    <div class="min-h-screen">
      <a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-10 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header class="border-b border-slate-200 bg-white">
        <div class="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <p class="text-xl font-bold tracking-tight text-brand-700">Sayso</p>
          <nav aria-label="Sections">
            <ul class="flex gap-1">
              {VIEWS.map((v) => (
                <li key={v}>
                  <a
                    href={`#${v}`}
                    aria-current={v === view ? 'page' : undefined}
                    class={`rounded-md px-3 py-1.5 text-sm font-medium ${
                      v === view ? 'bg-brand-50 text-brand-700' : 'text-slate-600 hover:bg-slate-100 hover:text-slate-900'
                    }`}
                  >
                    {TITLES[v]}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <div class="ml-auto flex items-center gap-4">
            <ConnectionIndicator state={store.connection} />
            <p class="text-sm text-slate-700" data-testid="user-name">{store.user.name}</p>
            <button type="button" class={quietButton} onClick={props.onSignOut}>Sign out</button>
          </div>
        </div>
      </header>
      <main id="main" ref={main} class="mx-auto max-w-6xl px-4 pt-6 pb-24">
        {store.loadError ? (
          <div class="mb-4 space-y-2">
            <ErrorMessage message={`Could not load your data: ${store.loadError}`} />
            <button type="button" class={secondaryButton} onClick={() => void store.reload()}>Try again</button>
          </div>
        ) : null}
        {view === 'tasks' ? <TasksView store={store} /> : view === 'journal' ? <JournalView store={store} /> : <HabitsView store={store} />}
      </main>
      {/* The voice widget, signed in as the same person; changes it makes reach the views over live. */}
      <sayso-widget token={store.client.token} position="bottom-right" theme="light" />
    </div>
  );
}
