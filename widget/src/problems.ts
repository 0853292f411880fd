import { AuthError, ConnectionError, SaysoError } from '@sayso/sdk';

// Every error the widget can show, in plain words with what to do next.

export type ProblemKind =
  | 'config' // the page set the widget up wrong (for the site's developer)
  | 'origin' // the publishable key does not allow this site
  | 'auth' // the key or session was refused
  | 'connection' // the gateway cannot be reached
  | 'mic_denied'
  | 'mic_unavailable'
  | 'unsupported'
  | 'server' // the gateway failed
  | 'action'; // an undo or edit did not go through

export interface Problem {
  kind: ProblemKind;
  /** One short line. */
  title: string;
  /** What happened and what to do. */
  detail: string;
  /** Whether a "Try again" button can help. */
  retry: boolean;
}

export const problem = (kind: ProblemKind, title: string, detail: string, retry = false): Problem => ({ kind, title, detail, retry });

/** A failed sign-in with a publishable key or a token. */
export function signInProblem(err: unknown, ctx: { server: string; usingKey: boolean }): Problem {
  if (err instanceof AuthError) {
    if (ctx.usingKey && err.status === 403) {
      return problem(
        'origin',
        'Sayso is not enabled on this website',
        `This page (${location.origin}) is not on the list of websites allowed to use its Sayso key. The site owner can add ${location.origin} to the key's allowed websites in Sayso.`,
      );
    }
    return ctx.usingKey
      ? problem('auth', 'This Sayso key was not accepted', `The key may be mistyped or revoked. The site owner can check the key attribute against the keys in Sayso. (${err.message})`)
      : problem('auth', 'Your Sayso session has ended', 'Sign in to Sayso again, then reload this page.');
  }
  return requestProblem(err, ctx.server);
}

/** A voice session's failure (the SDK's `error` event), in the widget's words. */
export function voiceProblem(kind: string, message: string, server: string): Problem {
  switch (kind) {
    case 'mic_denied':
      return problem('mic_denied', 'Sayso cannot use your microphone', 'Microphone access is blocked for this site. Allow it with the icon in the address bar, then press the mic again. You can also type below.');
    case 'mic_unavailable':
      return problem('mic_unavailable', 'No microphone is available', 'Connect a microphone, or close the app that is using it, then press the mic again. You can also type below.');
    case 'unsupported':
      return problem('unsupported', 'This browser cannot record audio for Sayso', `${message} You can type below instead.`);
    case 'unauthorized':
      return problem('auth', 'Your Sayso session has ended', 'Reload this page to start a new one.');
    case 'connection':
      return problem('connection', 'Sayso cannot be reached', `No answer from ${server}. Check your internet connection, then press the mic or send again.`, true);
    default:
      return problem('server', 'Sayso had a problem with that', `${message} Try again.`, true);
  }
}

/** A failed request once signed in. */
export function requestProblem(err: unknown, server: string): Problem {
  if (err instanceof ConnectionError || (err instanceof SaysoError && err.code === 'bad_response')) {
    return problem('connection', 'Sayso cannot be reached', `No answer from ${server}. Check your internet connection, then try again.`, true);
  }
  if (err instanceof AuthError) return problem('auth', 'Your Sayso session has ended', 'Reload this page to start a new one.');
  if (err instanceof SaysoError && err.retryable) return problem('server', 'Sayso is having trouble', `${err.message} Try again in a moment.`, true);
  const message = err instanceof Error ? err.message : String(err);
  return problem('server', 'Something went wrong', `${message} Try again, or reload the page.`, true);
}
