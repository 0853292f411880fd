import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBus } from '../src/bus/redis-bus.js';
import { STREAMS, type TextMessage } from '../src/pipeline/messages.js';
import { startGatewayProcess, startWorkerProcess, type GatewayProcess } from './support/gateway-process.js';
import { api, signIn } from './support/live-socket.js';
import { startPgliteWire } from './support/pglite-wire.js';
import { startOtlpCollector, until } from './support/otlp-collector.js';
import { startSentryIngest } from './support/sentry-ingest.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

// A gateway (SAYSO_PIPELINE=off) and a worker process, as operators run them, both pointed at a
// stand-in OTLP collector (OTEL_EXPORTER_OTLP_ENDPOINT) and a stand-in Sentry ingest (SENTRY_DSN).
// The database is PGlite behind a wire-protocol server (support/pglite-wire.ts), so the last test can take it away.
describe('observability across a gateway and a worker process', () => {
  let pglite: PGlite;
  let database: Awaited<ReturnType<typeof startPgliteWire>>;
  let collector: Awaited<ReturnType<typeof startOtlpCollector>>;
  let sentry: Awaited<ReturnType<typeof startSentryIngest>>;
  let gateway: GatewayProcess;
  let worker: GatewayProcess;
  let token: string;
  let userId: string;
  const prefix = `sayso-test-${randomUUID().slice(0, 8)}:`;

  beforeAll(async () => {
    [collector, sentry, pglite] = await Promise.all([startOtlpCollector(), startSentryIngest(), PGlite.create({ extensions: { vector } })]);
    database = await startPgliteWire(pglite);
    const env = {
      DATABASE_URL: database.url,
      SAYSO_DB_POOL_SIZE: '1',
      REDIS_URL,
      SAYSO_BUS_PREFIX: prefix,
      SAYSO_UNDERSTANDER: 'offline',
      SAYSO_STAGE_CLAIM_MS: '1500',
      SAYSO_LOG_LEVEL: 'debug',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      SENTRY_DSN: sentry.dsn,
    };
    gateway = await startGatewayProcess({ ...env, SAYSO_PIPELINE: 'off' });
    worker = await startWorkerProcess(env);
    token = await signIn(gateway.url);
    userId = (await api<{ id: string }>(gateway.url, token, 'GET', '/v1/me')).body.id;
  }, 120_000);

  afterAll(async () => {
    await Promise.all([gateway?.stop(), worker?.stop()]);
    await database?.close();
    await pglite?.close();
    await Promise.all([collector?.close(), sentry?.close()]);
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('a turn whose stages run in the worker is still one trace: gateway HTTP and voice.turn, worker understand and act', async () => {
    const res = await api<{ turnId: string; outcome: { status: string } }>(gateway.url, token, 'POST', '/v1/turns', { text: 'add feed the axolotl tomorrow' });
    expect(res.body.outcome.status).toBe('done');
    const turnSpan = () => collector.spans.find((s) => s.name === 'voice.turn' && s.attributes['sayso.turn.id'] === res.body.turnId);
    const inTurn = (name: string) => collector.spans.find((s) => s.name === name && s.traceId === turnSpan()?.traceId);
    await until(() => Boolean(turnSpan() && inTurn('understand') && inTurn('act') && inTurn('POST /v1/turns')), 'spans from both processes');

    const turn = turnSpan()!;
    expect(turn.service).toBe('sayso-gateway');
    expect(turn.parentSpanId).toBe(inTurn('POST /v1/turns')!.spanId);
    for (const stage of ['understand', 'act']) {
      expect(inTurn(stage)).toMatchObject({ service: 'sayso-worker', parentSpanId: turn.spanId });
      expect(inTurn(stage)!.attributes).toMatchObject({ 'sayso.turn.id': res.body.turnId, 'enduser.id': userId });
    }
    expect(JSON.stringify(collector.bodies)).not.toMatch(/axolotl/i);
  });

  it("neither process's log output holds the words of a task or a journal entry, only ids and sizes", async () => {
    const task = await api<{ turnId: string; reply: string }>(gateway.url, token, 'POST', '/v1/turns', { text: 'add repaint the zeppelin hangar on monday' });
    const entry = await api<{ turnId: string; outcome: { status: string } }>(gateway.url, token, 'POST', '/v1/turns', { text: 'journal the quokka sang at the marmalade festival' });
    expect(entry.body.outcome.status).toBe('done');
    expect(task.body.reply).toMatch(/zeppelin/i); // the words went through both processes
    const logs = { gateway: gateway.output(), worker: worker.output() };
    for (const [name, out] of Object.entries(logs)) {
      expect(out, name).not.toMatch(/zeppelin|hangar|quokka|marmalade|axolotl/i);
    }
    // The worker's line per turn: ids and sizes.
    const acted = logs.worker.split('\n').filter((l) => l.includes('"turn acted"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(acted.find((l) => l['turnId'] === entry.body.turnId)).toMatchObject({ userId, kind: 'journal', status: 'done', chars: 'journal the quokka sang at the marmalade festival'.length });
    expect(logs.gateway).toContain('"route":"/v1/turns"');
  });

  it('/metrics on the gateway counts the turns and reads the stage backlog from Redis', async () => {
    let text = '';
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1]);
    // The worker acks a turn just after publishing its reply: the last one may be pending a moment.
    const scrape = async () => (text = await (await fetch(`${gateway.url}/metrics`)).text());
    await scrape();
    for (let i = 0; i < 40 && value('sayso_pipeline_backlog{stage="act",state="pending"}') !== 0; i++) await new Promise((r) => setTimeout(r, 50)).then(scrape);
    expect(value('sayso_turns_total{outcome="done"}')).toBeGreaterThanOrEqual(3);
    expect(value('sayso_pipeline_backlog{stage="understand",state="pending"}')).toBe(0);
    expect(value('sayso_pipeline_backlog{stage="understand",state="waiting"}')).toBe(0);
    expect(value('sayso_pipeline_backlog{stage="act",state="pending"}')).toBe(0);
    expect(text).toMatch(/^sayso_voice_sessions 0$/m);
  });

  it('with the database gone, Sentry gets the 5xx from the gateway and the stage failure from the worker, with the user id and without bodies or words', async () => {
    await database.stop();
    const res = await api<{ error: { code: string; requestId: string } }>(gateway.url, token, 'POST', '/v1/journal', { text: 'Saffron otters borrowed my canoe.' });
    expect(res.status).toBeGreaterThanOrEqual(500);

    // A turn already on the bus when the worker cannot reach the database.
    const bus = new RedisBus(REDIS_URL, { prefix });
    const turnId = randomUUID();
    await bus.publish(STREAMS.texts, {
      turnId, userId, sessionId: `rest:${turnId}`, endedAt: Date.now(), context: { timeZone: 'UTC' }, timings: {}, text: 'add polish the walrus statue', via: 'typed',
    } satisfies TextMessage);
    await bus.close();

    const events = () => sentry.items.filter((i) => i.type === 'event').map((i) => i.payload as { tags?: Record<string, string>; user?: { id?: string }; request?: Record<string, unknown>; exception?: unknown });
    const fromGateway = () => events().find((e) => e.tags?.['service'] === 'sayso-gateway' && e.tags['requestId'] === res.body.error.requestId);
    const fromWorker = () => events().find((e) => e.tags?.['service'] === 'sayso-worker' && e.tags['turnId'] === turnId);
    await until(() => Boolean(fromGateway() && fromWorker()), 'both error events at the stand-in Sentry', 20_000);

    expect(fromGateway()).toMatchObject({ user: { id: userId }, tags: { route: '/v1/journal' } });
    expect(fromGateway()!.exception).toBeTruthy();
    expect(fromGateway()!.request?.['data']).toBeUndefined();
    expect(fromWorker()).toMatchObject({ user: { id: userId }, tags: { stage: 'understand' } });
    expect(sentry.raw.join('\n')).not.toMatch(/saffron|otters|canoe|walrus|authorization|bearer/i);
  }, 60_000);
});
