import { BEARER_PROTOCOL } from '@sayso/protocol';

/**
 * Opens a WebSocket on `path` (relative, e.g. `v1/live`) of the gateway at `baseUrl`, which may
 * carry a base path (`https://host/api`). The token rides as a subprotocol, not in the URL, so it
 * stays out of proxy and access logs.
 */
export function openGatewaySocket<S>(
  WebSocket: new (url: string, protocols?: string | string[]) => S,
  baseUrl: string,
  path: string,
  token: string | undefined,
  query: Record<string, string> = {},
): S {
  const url = new URL(path, baseUrl.replace(/\/*$/, '/'));
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return token ? new WebSocket(url.toString(), [BEARER_PROTOCOL + token]) : new WebSocket(url.toString());
}
