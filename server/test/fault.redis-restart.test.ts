import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SaysoClient } from '../../sdk/src/index.js';
import {
  currentEventId, gapsAndRepeats, pause, subscribe, tally, tasksByTitle, turnLoad, until, WebSocket, writeLoad,
  type Subscriber, type TurnRecord, type WriteRecord,
} from './support/fault-load.js';
import { startGatewayProcess, startWorkerProcess, type GatewayProcess } from './support/gateway-process.js';
import { startOwnRedis, type OwnRedis } from './support/own-redis.js';
import { startSharedInstall } from './support/shared-install.js';

// Redis restarted under load: two gateways (one running the pipeline, one not) and a worker on a
// Redis of this test's own, text turns and REST creates flowing, live subscribers on both
// gateways. Afterwards every turn and every create took effect exactly once, and every
// subscriber saw every committed event exactly once.
describe('fault: Redis restarts under load', () => {
  let redis: OwnRedis;
  let shared: Awaited<ReturnType<typeof startSharedInstall>>;
  const procs: GatewayProcess[] = [];

  beforeAll(async () => {
    redis = await startOwnRedis();
    shared = await startSharedInstall();
    const env = { ...shared.env, REDIS_URL: redis.url, SAYSO_STAGE_CLAIM_MS: '3000', SAYSO_UNDERSTANDER: 'offline' };
    // One at a time: three tsx start-ups at once on two busy cores can pass the 60 s start limit.
    procs.push(await startGatewayProcess(env));
    procs.push(await startGatewayProcess({ ...env, SAYSO_PIPELINE: 'off' }));
    procs.push(await startWorkerProcess(env));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await shared?.close();
    await redis?.close();
  });

  it('loses no turn, write or live event and doubles none', async () => {
    const [a, b] = procs as [GatewayProcess, GatewayProcess];
    const onA = await SaysoClient.signInLocal(a.url, { WebSocket });
    const onB = new SaysoClient({ baseUrl: b.url, token: onA.token!, WebSocket });
    const subscribers: Subscriber[] = await Promise.all([subscribe(onA), subscribe(onA), subscribe(onB), subscribe(onB)]);

    const turns: TurnRecord[] = [];
    const writes: WriteRecord[] = [];
    let running = true;
    const load = Promise.all([
      turnLoad({ urls: [a.url, b.url], token: onA.token!, tag: 'redis', concurrency: 4, running: () => running, out: turns }),
      writeLoad({ clients: [onA, onB], tag: 'redis', concurrency: 2, running: () => running, out: writes }),
    ]);
    await until(() => turns.length >= 12, 'turns before the restart', 30_000);

    await redis.stop();
    const downAt = Date.now();
    await pause(2_000);
    await redis.start();
    const backAt = Date.now();
    await until(() => turns.some((t) => t.status === 200 && t.endedAt > backAt), 'a turn answered after the restart', 40_000);
    const firstTurn = Math.min(...turns.filter((t) => t.status === 200 && t.endedAt > backAt).map((t) => t.endedAt));
    await pause(3_000);
    running = false;
    // In-flight requests end within their timeouts; if they do not, say where things stand.
    await Promise.race([
      load,
      pause(60_000).then(() => {
        throw new Error(`the load did not wind down in 60 s; turns ${turns.length}, writes ${writes.length}\n${procs.map((p) => p.output().slice(-2000)).join('\n---\n')}`);
      }),
    ]);

    // Every turn the gateway took (200, or 202 = still running) must take effect exactly once;
    // one it refused (an error status) must take effect at most once.
    const accepted = turns.filter((t) => t.status === 200 || t.status === 202).map((t) => t.title);
    const refused = turns.filter((t) => !(t.status === 200 || t.status === 202));
    const created = writes.map((w) => w.title);
    let counts = new Map<string, number>();
    await until(async () => {
      counts = await tasksByTitle(onA);
      return tally([...accepted, ...created], counts).lost.length === 0;
    }, 'every accepted turn and write to show as a task', 30_000).catch(() => {});
    const turnTally = tally(accepted, counts);
    const writeTally = tally(created, counts);
    const refusedDoubled = tally(refused.map((t) => t.title), counts).doubled;

    const upTo = await currentEventId(onA);
    await until(() => subscribers.every((s) => (s.sub.lastEventId ?? 0) >= upTo), 'every subscriber to reach the last event', 15_000).catch(() => {});
    await pause(300); // a repeat would arrive now
    const live = subscribers.map((s) => gapsAndRepeats(s, upTo));
    const missed = live.reduce((n, l) => n + l.missed, 0);
    const repeated = live.reduce((n, l) => n + l.repeated, 0);
    for (const s of subscribers) s.sub.close();

    const lost = turnTally.lost.length + writeTally.lost.length;
    const duplicates = turnTally.doubled.length + writeTally.doubled.length + refusedDoubled.length;
    console.log(
      `fault redis-restart: turns ${turns.length} (refused ${refused.length}: ${[...new Set(refused.map((t) => t.code ?? t.status))].join('/') || '-'}), ` +
        `writes ${writes.length} (retried ${writes.filter((w) => w.attempts > 1).length}: ${[...new Set(writes.flatMap((w) => w.errors))].join('/') || '-'}), live events ${upTo - subscribers[0]!.start} x ${subscribers.length} subscribers, ` +
        `lost ${lost}, duplicates ${duplicates}, live missed ${missed}, live repeated ${repeated}, ` +
        `redis down ${backAt - downAt} ms, first turn ${firstTurn - backAt} ms after redis was back`,
    );
    // What the gateways logged for requests that failed (500s), so a regression says why.
    const failures = [...new Set(procs.flatMap((p) => p.output().split('\n').filter((l) => l.includes('request failed')).map((l) => /"message":"([^"]{0,160})/.exec(l)?.[1] ?? l.slice(0, 160))))];
    if (failures.length) console.log(`fault redis-restart: gateway errors: ${failures.slice(0, 3).join(' | ')}`);
    expect({ lostTurns: turnTally.lost, doubledTurns: turnTally.doubled, refusedDoubled }).toEqual({ lostTurns: [], doubledTurns: [], refusedDoubled: [] });
    expect({ lostWrites: writeTally.lost, doubledWrites: writeTally.doubled }).toEqual({ lostWrites: [], doubledWrites: [] });
    expect(live).toEqual(live.map(() => ({ missed: 0, repeated: 0 })));
  }, 240_000); // the waits above add up to more than 120 s on a loaded machine
});
