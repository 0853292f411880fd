import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '@sayso/protocol';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { api, LiveSocket, signIn } from './support/live-socket.js';
import { startSharedInstall } from './support/shared-install.js';

// Two gateway processes on one Redis and one database, as a scaled-out install runs.
describe('two gateway processes on one Redis', () => {
  let a: GatewayProcess;
  let b: GatewayProcess;
  let shared: Awaited<ReturnType<typeof startSharedInstall>>;
  const sockets: LiveSocket[] = [];

  beforeAll(async () => {
    shared = await startSharedInstall();
    a = await startGatewayProcess(shared.env);
    b = await startGatewayProcess(shared.env);
  });

  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await Promise.all([a?.stop(), b?.stop()]);
    await shared?.close();
  });

  it('a change written through gateway A reaches a live subscriber on gateway B, and back', async () => {
    const token = await signIn(a.url);
    const onB = new LiveSocket(b.url, token);
    const onA = new LiveSocket(a.url, token);
    sockets.push(onB, onA);
    await Promise.all([onB.ready(), onA.ready()]);

    const created = await api<Task>(a.url, token, 'POST', '/v1/tasks', { title: 'written via A' });
    expect(created.status).toBe(201);
    await onB.untilEvents(1);
    expect(onB.events[0]).toMatchObject({ type: 'task_update', data: { op: 'created', task: { id: created.body.id } } });

    const done = await api<Task>(b.url, token, 'POST', `/v1/tasks/${created.body.id}/complete`);
    expect(done.status).toBe(200);
    await onA.untilEvents(2);
    expect(onA.events.map((e) => (e.type === 'task_update' ? e.data.op : e.type))).toEqual(['created', 'completed']);
  });

  it('writes through both gateways at once arrive everywhere in one order, without gaps', async () => {
    const token = await signIn(b.url);
    const onA = new LiveSocket(a.url, token);
    const onB = new LiveSocket(b.url, token);
    sockets.push(onA, onB);
    await Promise.all([onA.ready(), onB.ready()]);
    const start = onA.lastEventId;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => api(i % 2 ? a.url : b.url, token, 'POST', '/v1/tasks', { title: `t${i}` })),
    );
    await Promise.all([onA.untilEvents(20), onB.untilEvents(20)]);
    const expected = Array.from({ length: 20 }, (_, i) => start + i + 1);
    expect(onA.events.map((e) => e.id)).toEqual(expected);
    expect(onB.events.map((e) => e.id)).toEqual(expected);
  });

  it('a subscriber that drops from A resumes on B without missing anything', async () => {
    const token = await signIn(a.url);
    const first = new LiveSocket(a.url, token);
    sockets.push(first);
    await first.ready();
    await api(a.url, token, 'POST', '/v1/tasks', { title: 'seen' });
    await first.untilEvents(1);
    const seen = first.lastEventId;
    first.ws.terminate();
    await api(a.url, token, 'POST', '/v1/tasks', { title: 'missed 1' });
    await api(b.url, token, 'POST', '/v1/tasks', { title: 'missed 2' });
    const resumed = new LiveSocket(b.url, token, seen);
    sockets.push(resumed);
    await resumed.ready();
    await resumed.untilEvents(2);
    expect(resumed.events.map((e) => e.id)).toEqual([seen + 1, seen + 2]);
  });
});
