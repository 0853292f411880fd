import { loadSession, loadSettings } from './settings';

// The gateway's Google routes (GET /v1/google/status, POST /v1/google/sheets, ...). The SDK has
// no methods for them yet, so they are plain requests here.

/** A request to the gateway as the signed-in person; errors carry the gateway's own message. */
export async function gatewayRequest<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const settings = await loadSettings();
  const session = await loadSession(settings);
  if (!session) throw new Error('Sign in to Sayso first: open the extension options.');
  let res: Response;
  try {
    res = await fetch(new URL(path, `${settings.gatewayUrl}/`), {
      method,
      headers: { authorization: `Bearer ${session.token}`, 'x-sayso-source': 'extension', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new Error(`Sayso's gateway at ${settings.gatewayUrl} did not answer. Check the address in the options and that it is running.`);
  }
  const text = await res.text();
  const json = (text ? JSON.parse(text) : undefined) as (T & { error?: { message?: string } }) | undefined;
  if (!res.ok) throw new Error(json?.error?.message ?? `The gateway answered ${res.status}. Try again.`);
  return json as T;
}
