import { useCallback, useEffect, useState } from 'react';
import { sheetLinkOf, type GoogleStatus, type SheetLink } from '../lib/google-links';
import { ask } from '../lib/messages';

function ago(iso: string | null): string {
  if (!iso) return 'not synced yet';
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  return s < 60 ? 'synced just now' : s < 3600 ? `synced ${Math.round(s / 60)} min ago` : `synced ${new Date(iso).toLocaleString()}`;
}

/** Whether this spreadsheet syncs with Sayso, and the button that changes it. */
export function SheetSyncCard({ spreadsheetId, refreshKey }: { spreadsheetId: string | null; refreshKey: number }) {
  const [view, setView] = useState<SheetLink | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setView(sheetLinkOf(await ask<GoogleStatus>({ type: 'google:status' }), spreadsheetId));
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  }, [spreadsheetId]);
  useEffect(() => void load(), [load, refreshKey]);

  async function run(action: () => Promise<unknown>) {
    setBusy(true);
    try {
      await action();
      await load();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  const link = () => run(() => ask({ type: 'google:link-sheet', spreadsheetId: spreadsheetId! }));
  const connect = () => run(async () => window.open((await ask<{ url: string }>({ type: 'google:connect' })).url, '_blank'));
  const syncNow = () => run(() => ask({ type: 'google:sync' }));
  const button = 'mt-2 rounded-lg bg-brand-500 px-2.5 py-1 text-xs font-semibold text-white disabled:opacity-50';

  let body;
  switch (view?.kind) {
    case undefined:
      body = <p>{error ? 'Sync status unavailable.' : 'Checking sync…'}</p>;
      break;
    case 'off':
      body = (
        <>
          <p className="font-semibold text-white">Not linked: Google sync is off</p>
          <p className="mt-1">{view.message}</p>
        </>
      );
      break;
    case 'no-account':
      body = (
        <>
          <p className="font-semibold text-white">Not linked to Sayso</p>
          <p className="mt-1">Connect your Google account to Sayso to sync this spreadsheet with your tasks and habits.</p>
          <button type="button" className={button} disabled={busy} onClick={() => void connect()}>Connect Google</button>
        </>
      );
      break;
    case 'not-linked':
    case 'other-sheet':
      body = (
        <>
          <p className="font-semibold text-white">Not linked to Sayso</p>
          <p className="mt-1">
            {view.kind === 'other-sheet' ? 'Sayso syncs with another spreadsheet.' : 'No spreadsheet syncs with Sayso yet.'} Link this one to keep its rows and
            your tasks and habits in step.
          </p>
          {spreadsheetId && <button type="button" className={button} disabled={busy} onClick={() => void link()}>Link this spreadsheet</button>}
        </>
      );
      break;
    case 'linked':
      body = (
        <>
          <p className="font-semibold text-white">
            Linked · {view.link.state === 'ok' ? ago(view.link.lastSyncAt) : view.link.state === 'paused' ? 'paused' : 'sync failed'}
          </p>
          {view.link.error && <p className="mt-1 text-rose-300">{view.link.error}</p>}
          {view.link.conflicts > 0 && <p className="mt-1">{view.link.conflicts} conflicts resolved (see the sync log)</p>}
          <button type="button" className={button} disabled={busy} onClick={() => void syncNow()}>Sync now</button>
        </>
      );
      break;
  }
  return (
    <section data-sync-status={view?.kind ?? 'loading'} className="rounded-xl bg-white/5 p-3 text-xs text-white/80 ring-1 ring-white/10">
      {body}
      {error && <p role="alert" className="mt-1 text-rose-300">{error}</p>}
    </section>
  );
}
