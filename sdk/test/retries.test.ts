import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, SaysoClient } from '../src/index.js';
import { startTestGateway } from './support/gateway.js';

describe('SaysoClient retries of writes', () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let token: string;

  beforeAll(async () => {
    gateway = await startTestGateway();
    token = (await SaysoClient.signInLocal(gateway.gw.url)).token!;
  });
  afterAll(() => gateway?.close());

  /** A fetch whose first `method` request reaches the gateway, which commits it, and then "loses" the answer. */
  const losingFirstAnswer = (method: string) => {
    const sent: Array<{ key: string | null; replayed: string | null }> = [];
    const lossy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (init?.method !== method) return res;
      sent.push({ key: new Headers(init.headers).get('idempotency-key'), replayed: res.headers.get('idempotent-replayed') });
      if (sent.length === 1) {
        await res.text(); // the answer arrived; drop it, as a connection reset would
        throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
      }
      return res;
    };
    return { lossy, sent };
  };

  it('a create whose answer was lost is retried with the same Idempotency-Key and creates one task', async () => {
    const { lossy, sent } = losingFirstAnswer('POST');
    const client = new SaysoClient({ baseUrl: gateway.gw.url, token, fetch: lossy });
    const title = `Buy oat milk ${randomUUID()}`;
    const task = await client.tasks.create({ title });
    expect(task.title).toBe(title);
    expect(sent).toHaveLength(2);
    expect(sent[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[1]).toEqual({ key: sent[0]!.key, replayed: 'true' });
    const all = await client.tasks.list({ limit: 200 });
    expect(all.items.filter((t) => t.title === title)).toHaveLength(1);
  });

  it('a 503 on a create is retried; an update whose answer was lost is not, so it is never applied twice', async () => {
    let unavailable = 1;
    const flaky: typeof fetch = async (input, init) => {
      if (init?.method === 'POST' && unavailable-- > 0) {
        const body = { error: { code: 'unavailable', message: 'The database is not reachable right now.' } };
        return new Response(JSON.stringify(body), { status: 503, headers: { 'content-type': 'application/json' } });
      }
      return fetch(input, init);
    };
    const client = new SaysoClient({ baseUrl: gateway.gw.url, token, fetch: flaky });
    const habit = await client.habits.create({ name: `Read ${randomUUID()}` });
    expect(unavailable).toBe(-1);

    const { lossy, sent } = losingFirstAnswer('PATCH');
    const lossyClient = new SaysoClient({ baseUrl: gateway.gw.url, token, fetch: lossy });
    await expect(lossyClient.habits.update(habit.id, { version: habit.version, target: 3 })).rejects.toBeInstanceOf(ConnectionError);
    expect(sent).toHaveLength(1);
    expect(await client.habits.get(habit.id)).toMatchObject({ target: 3, version: 2 });
  });
});
