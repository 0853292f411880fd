import { afterEach, describe, expect, it } from 'vitest';
import type { ServerMessage } from '@sayso/protocol';
import { SaysoClient, type LiveEvent, type LiveOptions, type LiveSubscription, type WebSocketLike } from '../src/index.js';
import { until } from './support/until.js';

/** A socket the test plays the gateway on: what a real gateway never sends (repeats, silence) can be sent here. */
class FakeWebSocket implements WebSocketLike {
  static readonly made: FakeWebSocket[] = [];
  readyState = 0;
  readonly sent: string[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(readonly url: string, readonly protocols?: string | string[]) {
    FakeWebSocket.made.push(this);
    queueMicrotask(() => {
      this.readyState = 1;
      this.onopen?.({});
    });
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(code = 1000, reason = ''): void {
    this.serverClose(code, reason);
  }
  serverSend(msg: ServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  serverClose(code: number, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

const hello = (lastEventId: number): ServerMessage => ({ type: 'hello', protocolVersion: 1, userId: 'u1', lastEventId });
const taskEvent = (id: number): ServerMessage => ({
  type: 'event',
  event: {
    v: 1, id, type: 'task_update', at: '2026-11-28T10:00:00.000Z', source: 'api',
    data: {
      op: 'created',
      task: {
        id: `t${id}`, title: `task ${id}`, notes: null, status: 'open', priority: 'none', dueDate: null, dueTime: null, list: 'inbox',
        source: 'api', sheetsRowId: null, calendarEventId: null, version: 1, createdAt: '', updatedAt: '', completedAt: null,
      },
    },
  },
});

describe('live subscription, with the gateway played by a fake socket', () => {
  const subs: LiveSubscription[] = [];
  const client = new SaysoClient({ baseUrl: 'https://sayso.example/api', token: 'tok', WebSocket: FakeWebSocket });
  const open = (opts: Partial<LiveOptions> = {}) => {
    const seen: LiveEvent[] = [];
    const sub = client.live({ onEvent: (e) => seen.push(e), ...opts });
    subs.push(sub);
    return { sub, seen, socket: () => FakeWebSocket.made.at(-1)! };
  };
  afterEach(() => {
    for (const s of subs.splice(0)) s.close();
    FakeWebSocket.made.length = 0;
  });

  it('sends the token as a subprotocol to the live path under baseUrl, over wss', () => {
    const { socket } = open();
    expect(socket().url).toBe('wss://sayso.example/api/v1/live');
    expect(socket().protocols).toEqual(['sayso.bearer.tok']);
  });

  it('delivers a stored event repeated after a reconnect once, and transcripts whatever their id', async () => {
    const { sub, seen, socket } = open();
    const first = socket();
    first.serverSend(hello(5));
    first.serverSend(taskEvent(6));
    first.serverSend(taskEvent(7));
    first.serverClose(1006);
    expect(sub.state).toBe('reconnecting');
    await until(() => FakeWebSocket.made.length === 2, 'a second socket');
    const second = socket();
    expect(new URL(second.url).searchParams.get('lastEventId')).toBe('7');
    second.serverSend(hello(8));
    second.serverSend(taskEvent(7));
    second.serverSend(taskEvent(8));
    second.serverSend({
      type: 'event',
      event: { v: 1, id: 2, type: 'voice_transcript', at: '', source: 'voice', data: { turnId: 't', text: 'hi', final: true } },
    });
    expect(seen.map((e) => `${e.type}:${e.id}`)).toEqual(['task_update:6', 'task_update:7', 'task_update:8', 'voice_transcript:2']);
    expect(sub.lastEventId).toBe(8);
  });

  it('asks for a reload when the gateway has fewer events than the client saw (a restored database)', () => {
    const resyncs: number[] = [];
    const { sub, socket } = open({ lastEventId: 40, onResync: (i) => resyncs.push(i.fromEventId) });
    socket().serverSend(hello(12));
    expect(resyncs).toEqual([12]);
    expect(sub.lastEventId).toBe(12);
  });

  it('pings an open socket, and replaces one that has gone silent', async () => {
    const { sub, socket } = open({ heartbeatMs: 40 });
    const first = socket();
    first.serverSend(hello(0));
    await until(() => first.sent.length > 0, 'a ping');
    expect(JSON.parse(first.sent[0]!)).toEqual({ type: 'ping' });
    await until(() => FakeWebSocket.made.length === 2, 'a replacement socket', 2_000);
    expect(first.readyState).toBe(3);
    socket().serverSend(hello(0));
    expect(sub.state).toBe('open');
  });
});
