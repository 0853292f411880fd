import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from '../../sdk/test/support/gateway.js';

const run = promisify(execFile);

describe('examples/node-sdk', () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway?.close());

  it('signs in, creates a task and prints its live update', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'node-sdk', '-w', '@sayso/examples', '--', '--once'], {
      env: { ...process.env, SAYSO_URL: gateway.gw.url },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/^signed in as /m);
    expect(stdout).toMatch(/^created task [0-9a-f-]{36}$/m);
    expect(stdout).toMatch(/^live #\d+ task_update created "Try Sayso from Node"$/m);
  }, 90_000);
});
