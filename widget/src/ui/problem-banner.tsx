import type { Problem } from '../problems.js';
import { Icon } from './icons.js';

/** A problem in plain words, announced to screen readers, with "Try again" when that can help. */
export function ProblemBanner({ problem, onRetry, onDismiss }: { problem: Problem; onRetry(): void; onDismiss: (() => void) | undefined }) {
  return (
    <div role="alert" data-problem={problem.kind} class="mx-3 mt-3 flex gap-2.5 rounded-[calc(var(--sayso-radius)*0.6)] border border-(--sw-danger)/40 bg-(--sw-danger)/8 p-3">
      <span class="mt-0.5 text-(--sw-danger)"><Icon name="alert" /></span>
      <div class="min-w-0 flex-1">
        <p class="font-semibold">{problem.title}</p>
        <p class="mt-0.5 text-[13px] break-words text-(--sw-muted)">{problem.detail}</p>
        {(problem.retry || onDismiss) && <div class="mt-2 flex gap-2">
          {problem.retry && (
            <button onClick={onRetry} class="rounded-full bg-(--sayso-accent) px-3 py-1 text-xs font-medium text-(--sayso-accent-contrast)">Try again</button>
          )}
          {onDismiss && <button onClick={onDismiss} class="rounded-full border border-(--sw-line) px-3 py-1 text-xs">Dismiss</button>}
        </div>}
      </div>
    </div>
  );
}
