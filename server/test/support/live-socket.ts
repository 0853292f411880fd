import WebSocket from 'ws';
import type { LiveEvent, ServerMessage } from '@sayso/protocol';

/** A live-updates client for tests: collects every message and waits for conditions. */
export class LiveSocket {
  readonly messages: ServerMessage[] = [];
  closeCode: number | undefined;
  readonly ws: WebSocket;
  private readonly opened: Promise<void>;
  private waiters: Array<() => void> = [];

  constructor(baseUrl: string, token: string, lastEventId?: number) {
    const url = new URL('/v1/live', baseUrl.replace(/^http/, 'ws'));
    url.searchParams.set('token', token);
    if (lastEventId !== undefined) url.searchParams.set('lastEventId', String(lastEventId));
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as ServerMessage);
      this.wake();
    });
    this.ws.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  /** Resolves after the hello, so the subscription is in place. */
  async ready(): Promise<this> {
    await this.opened;
    await this.until(() => this.messages.some((m) => m.type === 'hello'), 'hello');
    return this;
  }

  get events(): LiveEvent[] {
    return this.messages.flatMap((m) => (m.type === 'event' ? [m.event] : []));
  }

  get lastEventId(): number {
    return this.events.at(-1)?.id ?? (this.messages.find((m) => m.type === 'hello') as { lastEventId: number } | undefined)?.lastEventId ?? 0;
  }

  until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${this.messages.length} messages, close ${this.closeCode}`)), timeoutMs);
      const waiter = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      };
      this.waiters.push(waiter);
    });
  }

  untilEvents(n: number, timeoutMs?: number): Promise<void> {
    return this.until(() => this.events.length >= n, `${n} events`, timeoutMs);
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** Signs in locally on a gateway and returns the token. */
export async function signIn(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/v1/auth/local`, { method: 'POST' });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export async function api<T = unknown>(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}
