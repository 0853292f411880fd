import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Task } from '@sayso/protocol';
import { SaysoClient, type VoiceSessionEvents } from '../../sdk/src/index.js';
import { startGatewayProcess, startWorkerProcess, type GatewayProcess } from './support/gateway-process.js';
import { api, signIn } from './support/live-socket.js';
import { startSharedInstall } from './support/shared-install.js';

// Pipeline stages in worker processes, apart from the gateway that holds the person's session.
// First a worker killed mid-turn: after its write committed, before it acked. Another worker
// claims the turn and finishes it; the task exists once and the person gets the reply.
describe('pipeline workers apart from the gateway', () => {
  let gateway: GatewayProcess;
  const procs: GatewayProcess[] = [];
  let shared: Awaited<ReturnType<typeof startSharedInstall>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    shared = await startSharedInstall();
    env = {
      ...shared.env,
      SAYSO_STAGE_CLAIM_MS: '1500',
      SAYSO_UNDERSTANDER: 'offline',
    };
    gateway = await startGatewayProcess({ ...env, SAYSO_PIPELINE: 'off' });
    procs.push(gateway);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await shared?.close();
  });

  it('loses no turn and doubles none', async () => {
    const token = await signIn(gateway.url);
    const doomed = await startWorkerProcess({ ...env, SAYSO_FAILPOINT: 'act:after-commit' });
    procs.push(doomed);
    // tsx runs the script in a child node process and exits with 128 + signal when it is killed.
    const died = new Promise<string>((resolve) => doomed.child.once('exit', (code, signal) => resolve(signal ?? String(code))));

    const reply = api<{ reply?: string; outcome?: { status: string } }>(gateway.url, token, 'POST', '/v1/turns', {
      text: 'add pay the rent tomorrow',
      waitMs: 30_000,
    });
    expect(['SIGKILL', '137']).toContain(await died); // it committed the task, then died before acking

    const startedAt = Date.now();
    procs.push(await startWorkerProcess(env));
    const res = await reply.catch((err: unknown) => {
      throw new Error(`${String(err)}\ngateway said:\n${gateway.output().slice(-3000)}`);
    });
    const recoveredMs = Date.now() - startedAt;
    expect(res.status).toBe(200);
    expect(res.body.outcome?.status).toBe('done');
    expect(res.body.reply).toMatch(/rent/i);

    const tasks = (await api<Page<Task>>(gateway.url, token, 'GET', '/v1/tasks?limit=200')).body.items;
    const effects = tasks.filter((t) => /rent/i.test(t.title)).length;
    console.log(`fault worker-kill: turns 1, lost ${effects === 0 ? 1 : 0}, duplicates ${Math.max(0, effects - 1)}, recovered in ${recoveredMs} ms (after the second worker started; claim after 1500 ms idle)`);
    expect(effects).toBe(1);
  }, 120_000);

  it("a client tool round trip crosses processes: the worker's stage asks, the gateway's page answers", async () => {
    const client = new SaysoClient({ baseUrl: gateway.url, token: await signIn(gateway.url), WebSocket });
    const voice = client.voice({
      speakReplies: false,
      tools: [{ name: 'current_article', description: 'The article on screen', refersTo: ['this article'], handler: () => ({ title: 'Designing Data-Intensive Applications', url: 'https://example.com/ddia' }) }],
    });
    const results: Array<VoiceSessionEvents['result']> = [];
    voice.on('result', (r) => results.push(r));
    await voice.connect({ mic: false });
    voice.sendText('add this article to my reading list');
    const deadline = Date.now() + 30_000;
    while (results.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    voice.close();
    expect(results).toHaveLength(1);
    const outcome = results[0]!.outcome;
    const task = (await api<Task>(gateway.url, client.token!, 'GET', `/v1/tasks/${'item' in outcome ? outcome.item!.id : 'none'}`)).body;
    expect(task).toMatchObject({ title: 'Designing Data-Intensive Applications', list: 'reading', notes: 'https://example.com/ddia' });
  }, 60_000);
});
