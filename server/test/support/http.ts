/** A REST reply as tests look at it: status, headers, the raw text and the parsed body. */
export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

/** Calls the gateway at `baseUrl` as the holder of `token` (none when empty), with an optional JSON body. */
export async function request<T = unknown>(
  baseUrl: string,
  token: string,
  method: string,
  path: string,
  send: { json?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...send.headers };
  if (send.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(baseUrl + path, { method, headers, ...(send.json === undefined ? {} : { body: JSON.stringify(send.json) }) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: (text ? JSON.parse(text) : undefined) as T };
}
