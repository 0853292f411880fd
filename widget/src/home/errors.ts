import { AuthError, ConflictError, ConnectionError, RateLimitError, SaysoError, ValidationError } from '@sayso/sdk';

/**
 * One sentence to show a person when `doing` failed, saying what to do next. The gateway's own
 * messages already name the fix; the request id is added so a problem can be reported.
 */
export function messageOf(err: unknown, doing: string): string {
  if (err instanceof ConflictError && err.code === 'version_conflict') {
    return `Could not ${doing}: it was changed somewhere else in the meantime. The latest version is shown now; make your change again.`;
  }
  if (err instanceof ConnectionError) {
    return `Could not ${doing}: the Sayso gateway did not answer. Check that it is running (npm start) and try again.`;
  }
  if (err instanceof RateLimitError) {
    return `Could not ${doing}: too many requests just now. Wait a moment and try again.`;
  }
  if (err instanceof AuthError) return `Could not ${doing}: your session has ended. Sign in again.`;
  if (err instanceof ValidationError) return `Could not ${doing}. ${err.message}`;
  if (err instanceof SaysoError) {
    return `Could not ${doing}. ${err.message}${err.requestId ? ` (request ${err.requestId})` : ''}`;
  }
  return `Could not ${doing}: ${err instanceof Error ? err.message : String(err)}`;
}
