import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { readConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/log.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import { OfflineUnderstander } from '../src/providers/llm/offline.js';
import { FakeSTT } from '../src/providers/stt/fake.js';
import { FakeTTS } from '../src/providers/tts/fake.js';
import { startTracing, type Tracing } from '../src/telemetry/tracing.js';
import { startOtlpCollector, until, type CollectedSpan } from './support/otlp-collector.js';
import { api, signIn } from './support/live-socket.js';
import { openTestStore, type TestStore } from './support/stores.js';

// Observability of one gateway in process: a trace per turn exported over OTLP/HTTP (the real
// exporter, to a stand-in collector), log lines and span attributes free of what was said, and
// the /metrics an operator needs. Words no test elsewhere uses mark the personal content.
describe('observability of a gateway', () => {
  let db: TestStore;
  let gw: Gateway;
  let token: string;
  let collector: Awaited<ReturnType<typeof startOtlpCollector>>;
  let tracing: Tracing;
  const logLines: string[] = [];

  beforeAll(async () => {
    collector = await startOtlpCollector();
    tracing = startTracing({ serviceName: 'sayso-gateway', tracesUrl: `${collector.url}/v1/traces` });
    db = await openTestStore('pglite');
    const config = readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'debug', SAYSO_STAGE_CLAIM_MS: '500' });
    const log = createLogger('debug', 'sayso', { write: (line: string) => void logLines.push(line) });
    gw = await startGateway(config, { store: db.store, bus: new MemoryBus(), embedder: new HashEmbedder(), stt: new FakeSTT(), understander: new OfflineUnderstander(), tts: new FakeTTS(), log });
    token = await signIn(gw.url);
  });
  afterAll(async () => {
    await gw?.close();
    await tracing?.shutdown();
    await collector?.close();
    await db?.close();
  });

  it('a text turn is one trace: the HTTP span (continuing the caller\'s traceparent), voice.turn, then understand and act', async () => {
    const callerTrace = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const callerSpan = '0f1e2d3c4b5a6978';
    const res = await fetch(`${gw.url}/v1/turns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', traceparent: `00-${callerTrace}-${callerSpan}-01` },
      body: JSON.stringify({ text: 'add call the zanzibar plumber tomorrow at 9' }),
    });
    const body = (await res.json()) as { turnId: string; outcome: { status: string } };
    expect(body.outcome.status).toBe('done');
    await tracing.flush();
    const inTrace = () => collector.spans.filter((s) => s.traceId === callerTrace);
    await until(() => ['POST /v1/turns', 'voice.turn', 'understand', 'act'].every((n) => inTrace().some((s) => s.name === n)), 'the turn spans');

    const byName = (name: string) => inTrace().find((s) => s.name === name)!;
    const http = byName('POST /v1/turns');
    const turn = byName('voice.turn');
    expect(http).toMatchObject({ service: 'sayso-gateway', parentSpanId: callerSpan, kind: 2 });
    expect(http.attributes).toMatchObject({ 'http.route': '/v1/turns', 'http.response.status_code': 200, 'http.request.method': 'POST' });
    expect(turn.parentSpanId).toBe(http.spanId);
    expect(turn.attributes).toMatchObject({ 'sayso.turn.id': body.turnId, 'sayso.outcome.status': 'done', 'sayso.session.kind': 'rest', 'sayso.turn.via': 'typed' });
    expect(turn.attributes['enduser.id']).toMatch(/\S/);
    expect(byName('understand').parentSpanId).toBe(turn.spanId);
    expect(byName('understand').attributes).toMatchObject({ 'sayso.engine': 'offline-rules', 'sayso.action.kind': 'task' });
    expect(byName('act').parentSpanId).toBe(turn.spanId);
    expect(byName('act').attributes).toMatchObject({ 'sayso.outcome.status': 'done', 'sayso.action.name': 'create' });

    // Ids, engines and sizes, never the words.
    expect(JSON.stringify(collector.bodies)).not.toMatch(/zanzibar|plumber/i);
  });

  it("a typed turn on a voice socket that asks the page's tool: client_tool and tts spans in the turn's trace", async () => {
    const ws = new WebSocket(`${gw.url.replace(/^http/, 'ws')}/v1/voice?token=${token}`);
    const seen: Array<{ type: string; [k: string]: unknown }> = [];
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const m = JSON.parse(String(data)) as { type: string; callId?: string };
      seen.push(m);
      if (m.type === 'ready') ws.send(JSON.stringify({ type: 'text', text: 'add this article to my reading list' }));
      if (m.type === 'tool-call') ws.send(JSON.stringify({ type: 'tool-result', callId: m.callId, result: { title: 'The pangolin almanac', url: 'https://example.com/p' } }));
    });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({
      type: 'hello', mode: 'push-to-talk', transport: 'websocket', speak: true,
      tools: [{ name: 'current_article', description: 'The article on screen', refersTo: ['this article'] }],
    }));
    await until(() => seen.some((m) => m.type === 'reply-end'), 'the spoken reply');
    ws.close();
    const turnId = String(seen.find((m) => m.type === 'result')!['turnId']);
    await tracing.flush();
    const turn = () => collector.spans.find((s) => s.name === 'voice.turn' && s.attributes['sayso.turn.id'] === turnId);
    const child = (name: string) => collector.spans.filter((s) => s.name === name && s.parentSpanId === turn()?.spanId);
    await until(() => Boolean(turn() && child('client_tool').length && child('tts').length && child('act').length), 'client_tool, tts and act under voice.turn');
    expect(turn()!.parentSpanId).toBeUndefined(); // a voice turn starts its own trace
    expect(turn()!.attributes).toMatchObject({ 'sayso.session.kind': 'voice', 'sayso.outcome.status': 'done' });
    expect(child('client_tool')[0]!.attributes).toMatchObject({ 'sayso.client_tool': 'current_article', 'sayso.client_tool.ok': true });
    expect(child('tts')[0]!.attributes).toMatchObject({ 'sayso.engine': expect.any(String), 'sayso.tts.interrupted': false });
    expect(child('understand').length).toBe(2); // before and after the page answered
    expect(JSON.stringify(collector.bodies)).not.toMatch(/pangolin|almanac/i);
  });

  it('a plain REST request is a span named by its route template, and without traceparent starts its own trace', async () => {
    const created = await api<{ id: string }>(gw.url, token, 'POST', '/v1/tasks', { title: 'water the bougainvillea' });
    await api(gw.url, token, 'GET', `/v1/tasks/${created.body.id}`);
    await tracing.flush();
    const named = (n: string) => collector.spans.find((s: CollectedSpan) => s.name === n);
    await until(() => Boolean(named('POST /v1/tasks') && named('GET /v1/tasks/:id')), 'the REST spans');
    expect(named('POST /v1/tasks')).toMatchObject({ parentSpanId: undefined, attributes: { 'http.response.status_code': 201 } });
    expect(named('GET /v1/tasks/:id')!.attributes['http.route']).toBe('/v1/tasks/:id');
    expect(JSON.stringify(collector.bodies)).not.toMatch(/bougainvillea/i);
  });

  it('logs carry turn ids and sizes, never the words of a task, a journal entry or a search', async () => {
    logLines.length = 0;
    const task = await api<{ turnId: string }>(gw.url, token, 'POST', '/v1/turns', { text: 'add feed the axolotl on saturday' });
    const entry = await api<{ turnId: string }>(gw.url, token, 'POST', '/v1/turns', { text: 'journal the quokka sang at the marmalade festival' });
    await api(gw.url, token, 'POST', '/v1/journal', { text: 'Tangerine kites over the fjord made me cry.' });
    await api(gw.url, token, 'GET', '/v1/journal/search?q=tangerine%20fjord');
    expect(JSON.stringify(task.body)).toMatch(/axolotl/i); // the words went through the pipeline (and back in the reply)
    expect(logLines.length).toBeGreaterThan(0);
    const all = logLines.join('');
    for (const line of logLines) expect(() => JSON.parse(line)).not.toThrow(); // structured: one JSON object a line
    expect(all).not.toMatch(/axolotl|quokka|marmalade|tangerine|fjord/i);
    // What is there instead: the request log line with its route template and the turn ids in the turn logs.
    expect(all).toContain('"route":"/v1/journal/search"');
    expect(task.body.turnId).toMatch(/\S/);
    expect(entry.body.turnId).toMatch(/\S/);
  });

  it('an error logged with a failed query keeps the query, not its parameters', () => {
    const lines: string[] = [];
    const log = createLogger('info', 'sayso', { write: (line: string) => void lines.push(line) });
    const failed = Object.assign(new Error('Failed query: insert into "journal" ("text") values ($1)\nparams: the quokka sang'), { code: '23505' });
    log.error({ err: failed }, 'request failed');
    log.warn({ err: String(failed) }, 'pipeline stage error');
    const out = lines.join('');
    expect(out).toContain('Failed query: insert into');
    expect(out).toContain('"code":"23505"');
    expect(out).not.toContain('quokka');
  });

  it('/metrics shows turns by outcome, stage durations, voice sessions, live sockets and the stage backlog', async () => {
    await api(gw.url, token, 'POST', '/v1/turns', { text: 'play some jazz' }); // understood as nothing to do
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('sayso_turns_total{outcome="done"}')).toBeGreaterThanOrEqual(3);
    expect(value('sayso_turns_total{outcome="none"}')).toBeGreaterThanOrEqual(1);
    expect(value('sayso_turn_stage_seconds_count{stage="understand"}')).toBeGreaterThanOrEqual(4);
    expect(value('sayso_turn_stage_seconds_count{stage="act"}')).toBeGreaterThanOrEqual(4);
    expect(value('sayso_voice_sessions')).toBe(0);
    expect(value('sayso_live_connections')).toBe(0);
    expect(value('sayso_pipeline_backlog{stage="act",state="pending"}')).toBe(0);
    expect(value('sayso_pipeline_backlog{stage="understand",state="waiting"}')).toBe(0);
    expect(value('sayso_http_requests_total{method="POST",route="/v1/turns",status="200"}')).toBeGreaterThanOrEqual(4);
  });
});
