import { SaysoClient, type User } from '@sayso/sdk';
import { browserTimeZone } from './dates.js';

const TOKEN_KEY = 'sayso:token';
const EXPIRES_KEY = 'sayso:expiresAt';

/** The gateway that served this page: the home page always talks to its own origin. */
export const GATEWAY = location.origin;

export interface SignedIn {
  client: SaysoClient;
  user: User;
}

const clientFor = (token: string) => new SaysoClient({ baseUrl: GATEWAY, token, source: 'widget' });

/** A client for the token kept from the last sign-in, unless there is none or it has expired. */
export function savedClient(): SaysoClient | undefined {
  const token = localStorage.getItem(TOKEN_KEY);
  const expiresAt = Date.parse(localStorage.getItem(EXPIRES_KEY) ?? '');
  if (!token || (Number.isFinite(expiresAt) && expiresAt <= Date.now())) return undefined;
  return clientFor(token);
}

export function forgetSession(): void {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(EXPIRES_KEY);
  localStorage.removeItem('sayso:lastEventId');
}

/**
 * Local sign-in (name, and the password when the gateway has one). The token is kept in
 * localStorage. On a person's first sign-in their time zone is still the default (UTC): it is set
 * from the browser, since it decides what "today" and "overdue" mean.
 */
export async function signIn(name: string, password: string | undefined): Promise<SignedIn> {
  const signed = await SaysoClient.signInLocal(GATEWAY, {
    ...(name ? { name } : {}),
    ...(password !== undefined ? { password } : {}),
    source: 'widget',
  });
  const session = signed.session!;
  localStorage.setItem(TOKEN_KEY, session.token);
  localStorage.setItem(EXPIRES_KEY, session.expiresAt);
  let user = session.user;
  const zone = browserTimeZone();
  const client = clientFor(session.token);
  if (user.timeZone === 'UTC' && zone !== 'UTC') user = await client.updateMe({ timeZone: zone }).catch(() => user);
  return { client, user };
}
