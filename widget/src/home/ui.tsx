import type { ComponentChildren } from 'preact';

// Shared looks. Tailwind finds these class names in this file, like any other.
export const inputClass =
  'block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 focus:border-brand-500 disabled:bg-slate-100';
export const primaryButton =
  'inline-flex items-center justify-center gap-1 rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white shadow-xs hover:bg-brand-700 disabled:cursor-not-allowed disabled:opacity-60';
export const secondaryButton =
  'inline-flex items-center justify-center gap-1 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-700 shadow-xs hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-60';
export const quietButton =
  'inline-flex items-center rounded px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900 disabled:opacity-60';
export const dangerButton =
  'inline-flex items-center rounded px-2 py-1 text-sm text-red-700 hover:bg-red-50 disabled:opacity-60';
export const card = 'rounded-xl border border-slate-200 bg-white p-4 shadow-sm';

/** A form control with its visible label. */
export function Field(props: { label: string; children: ComponentChildren; class?: string; hint?: string }) {
  return (
    <label class={`block text-sm ${props.class ?? ''}`}>
      <span class="mb-1 block font-medium text-slate-700">{props.label}</span>
      {props.children}
      {props.hint ? <span class="mt-1 block text-xs text-slate-500">{props.hint}</span> : null}
    </label>
  );
}

/** An error to act on, announced by screen readers when it appears. */
export function ErrorMessage(props: { message: string | undefined; onDismiss?: () => void }) {
  if (!props.message) return null;
  return (
    <div role="alert" class="flex items-start justify-between gap-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      <p>{props.message}</p>
      {props.onDismiss ? (
        <button type="button" class="shrink-0 rounded px-1 text-red-700 hover:bg-red-100" onClick={props.onDismiss} aria-label="Dismiss message">
          ✕
        </button>
      ) : null}
    </div>
  );
}
