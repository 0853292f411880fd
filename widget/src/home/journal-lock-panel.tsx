import { JournalLockError } from '@sayso/sdk';
import { useEffect, useReducer, useState } from 'preact/hooks';
import { messageOf } from './errors.js';
import { useAction } from './hooks.js';
import { passphraseStrength, type JournalVault } from './journal-vault.js';
import { card, ErrorMessage, Field, inputClass, primaryButton, secondaryButton } from './ui.js';

const LOSS_WARNING =
  'If you lose this passphrase, your encrypted entries cannot be recovered — not by you, not by Sayso. There is no reset.';

/** Re-renders the calling component whenever the vault changes (decrypted entries, progress, lock state). */
export function useVault(vault: JournalVault): JournalVault {
  const [, changed] = useReducer((n: number) => n + 1, 0);
  useEffect(() => vault.subscribe(() => changed(undefined)), [vault]);
  return vault;
}

/** Encryption of the journal: turn it on, unlock, lock, change the passphrase. */
export function JournalLockPanel(props: { vault: JournalVault }) {
  const { vault } = props;
  return (
    <section aria-labelledby="journal-lock-title" class={`${card} space-y-3`} data-testid="journal-lock" data-status={vault.status}>
      <h2 id="journal-lock-title" class="text-sm font-semibold text-slate-800">
        {vault.status === 'off' ? 'Encryption' : vault.status === 'locked' ? 'Your journal is locked' : 'Encrypted and unlocked'}
      </h2>
      {vault.job ? <JobProgress job={vault.job} /> : null}
      {vault.status === 'off' ? <TurnOn vault={vault} /> : vault.status === 'locked' ? <Unlock vault={vault} /> : <Unlocked vault={vault} />}
    </section>
  );
}

function JobProgress(props: { job: NonNullable<JournalVault['job']> }) {
  const { label, done, total } = props.job;
  return (
    <div role="status" class="space-y-1 text-sm text-slate-700">
      <label class="block">
        <span class="block">{label}: {done} of {total}</span>
        <progress class="w-full" max={Math.max(total, 1)} value={done} />
      </label>
    </div>
  );
}

/** Wraps an action's error so a wrong passphrase reads as one sentence. */
const explain = (doing: string) => (err: unknown) => (err instanceof JournalLockError ? err.message : messageOf(err, doing));

function TurnOn(props: { vault: JournalVault }) {
  const [open, setOpen] = useState(false);
  const [pass, setPass] = useState('');
  const [confirm, setConfirm] = useState('');
  const [understood, setUnderstood] = useState(false);
  const action = useAction();
  const strength = passphraseStrength(pass);
  const mismatch = confirm.length > 0 && confirm !== pass;

  if (!open) {
    return (
      <div class="space-y-2 text-sm text-slate-600">
        <p>Encrypt your entries on this device with a passphrase only you know. Sayso's server then stores only ciphertext.</p>
        <button type="button" class={secondaryButton} onClick={() => setOpen(true)}>Encrypt my journal…</button>
      </div>
    );
  }
  async function submit(e: Event) {
    e.preventDefault();
    if (pass !== confirm || !understood) return;
    const ok = await action.run(() => props.vault.enable(pass), explain('turn on encryption'));
    if (ok) setPass(''), setConfirm('');
  }
  return (
    <form onSubmit={submit} class="space-y-3" aria-label="Encrypt my journal">
      <p class="text-sm text-slate-600">
        Entries are encrypted here before they are sent. The server cannot read or search them; search runs on this device once you unlock.
        Spoken entries reach the server as words first and are encrypted as soon as an unlocked page sees them.
      </p>
      <Field label="Passphrase" hint={strength.hint}>
        <input class={inputClass} type="password" name="new-passphrase" autocomplete="new-password" required minLength={10}
          value={pass} onInput={(e) => setPass(e.currentTarget.value)} aria-describedby="passphrase-strength" />
      </Field>
      <p id="passphrase-strength" class="text-xs text-slate-600" aria-live="polite" data-testid="passphrase-strength">
        Strength: {strength.level}
      </p>
      <Field label="Confirm passphrase">
        <input class={inputClass} type="password" name="confirm-passphrase" autocomplete="new-password" required
          value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} aria-invalid={mismatch} />
      </Field>
      {mismatch ? <p class="text-xs text-red-700" role="alert">The two passphrases differ.</p> : null}
      <p class="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="loss-warning">{LOSS_WARNING}</p>
      <label class="flex items-start gap-2 text-sm text-slate-700">
        <input type="checkbox" name="understood" checked={understood} onChange={(e) => setUnderstood(e.currentTarget.checked)} required />
        <span>I understand that a lost passphrase means my encrypted entries are gone.</span>
      </label>
      <ErrorMessage message={action.error} onDismiss={() => action.setError(undefined)} />
      <div class="flex gap-2">
        <button type="submit" class={primaryButton} disabled={action.busy || !understood || pass.length < 10 || pass !== confirm}>
          {action.busy ? 'Encrypting…' : 'Turn on encryption'}
        </button>
        <button type="button" class={secondaryButton} onClick={() => setOpen(false)} disabled={action.busy}>Cancel</button>
      </div>
    </form>
  );
}

function Unlock(props: { vault: JournalVault; again?: boolean }) {
  const [pass, setPass] = useState('');
  const action = useAction();
  async function submit(e: Event) {
    e.preventDefault();
    const ok = await action.run(() => props.vault.unlock(pass), explain('unlock the journal'));
    if (ok) setPass('');
  }
  return (
    <form onSubmit={submit} class="space-y-2" aria-label={props.again ? 'Unlock with an older passphrase' : 'Unlock the journal'}>
      {props.again ? null : (
        <p class="text-sm text-slate-600">
          Entries are encrypted. Enter your passphrase to read, write and search them on this device; it is kept only until you close or reload the page.
        </p>
      )}
      <Field label={props.again ? 'Older passphrase' : 'Journal passphrase'}>
        <input class={inputClass} type="password" name="passphrase" autocomplete="current-password" required
          value={pass} onInput={(e) => setPass(e.currentTarget.value)} />
      </Field>
      <ErrorMessage message={action.error} onDismiss={() => action.setError(undefined)} />
      <button type="submit" class={primaryButton} disabled={action.busy || !pass}>{action.busy ? 'Unlocking…' : 'Unlock'}</button>
      {props.again ? null : <p class="text-xs text-slate-500">Forgot it? Encrypted entries cannot be recovered without it.</p>}
    </form>
  );
}

function Unlocked(props: { vault: JournalVault }) {
  const { vault } = props;
  const [changing, setChanging] = useState(false);
  const finish = useAction();
  return (
    <div class="space-y-3 text-sm text-slate-600">
      <p>New entries are encrypted on this device. The key stays in this tab's memory until you lock, reload or sign out.</p>
      {vault.missingKeys > 0 ? (
        <div class="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-900">
          <p>Some entries still use an older passphrase (a change did not finish). Enter it to read them, then finish the change.</p>
          <Unlock vault={vault} again />
        </div>
      ) : null}
      <div class="flex flex-wrap gap-2">
        <button type="button" class={secondaryButton} onClick={() => vault.lock()} disabled={Boolean(vault.job)}>Lock now</button>
        {changing ? null : (
          <button type="button" class={secondaryButton} onClick={() => setChanging(true)} disabled={Boolean(vault.job)}>Change passphrase…</button>
        )}
        {vault.missingKeys === 0 && vault.needsFinish ? (
          <button type="button" class={primaryButton} disabled={finish.busy || Boolean(vault.job)}
            onClick={() => void finish.run(async () => void (await vault.finishChange()), explain('finish the passphrase change'))}>
            Finish changing the passphrase
          </button>
        ) : null}
      </div>
      <ErrorMessage message={finish.error} onDismiss={() => finish.setError(undefined)} />
      {changing ? <ChangePassphrase vault={vault} onDone={() => setChanging(false)} /> : null}
    </div>
  );
}

function ChangePassphrase(props: { vault: JournalVault; onDone(): void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [result, setResult] = useState<string | undefined>(undefined);
  const action = useAction();
  const strength = passphraseStrength(next);
  async function submit(e: Event) {
    e.preventDefault();
    if (next !== confirm) return;
    await action.run(async () => {
      const { total } = await props.vault.changePassphrase(current, next);
      setResult(`Passphrase changed: ${total} ${total === 1 ? 'entry' : 'entries'} re-encrypted.`);
      setCurrent(''), setNext(''), setConfirm('');
    }, explain('change the passphrase'));
  }
  return (
    <form onSubmit={submit} class="space-y-3 rounded-md border border-slate-200 p-3" aria-label="Change passphrase">
      <Field label="Current passphrase">
        <input class={inputClass} type="password" name="current-passphrase" autocomplete="current-password" required value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
      </Field>
      <Field label="New passphrase" hint={strength.hint}>
        <input class={inputClass} type="password" name="new-passphrase" autocomplete="new-password" required minLength={10} value={next} onInput={(e) => setNext(e.currentTarget.value)} />
      </Field>
      <Field label="Confirm new passphrase">
        <input class={inputClass} type="password" name="confirm-passphrase" autocomplete="new-password" required value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} aria-invalid={confirm.length > 0 && confirm !== next} />
      </Field>
      <p class="text-xs text-slate-600">
        Every entry is re-encrypted with the new passphrase. If this stops halfway, unlock with the new one and the old one to finish. {LOSS_WARNING}
      </p>
      <ErrorMessage message={action.error} onDismiss={() => action.setError(undefined)} />
      {result ? <p role="status" class="text-sm text-emerald-700">{result}</p> : null}
      <div class="flex gap-2">
        <button type="submit" class={primaryButton} disabled={action.busy || !current || next.length < 10 || next !== confirm}>
          {action.busy ? 'Re-encrypting…' : 'Change passphrase'}
        </button>
        <button type="button" class={secondaryButton} onClick={props.onDone} disabled={action.busy}>Close</button>
      </div>
    </form>
  );
}
