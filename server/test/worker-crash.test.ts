import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Task } from '@sayso/protocol';
import { startGatewayProcess, startWorkerProcess, type GatewayProcess } from './support/gateway-process.js';
import { api, signIn } from './support/live-socket.js';
import { startSharedInstall } from './support/shared-install.js';

// A pipeline worker killed mid-turn: after its write committed, before it acked. Another
// worker claims the turn and finishes it; the task exists once and the person gets the reply.
describe('a worker killed mid-turn', () => {
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
    expect(tasks.filter((t) => /rent/i.test(t.title))).toHaveLength(1);
    console.log(`worker crash: recovered in ${recoveredMs} ms after the second worker started (claim after 1500 ms idle)`);
  }, 120_000);
});
