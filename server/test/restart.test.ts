import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page, Task } from '@sayso/protocol';
import { startGatewayProcess } from './support/gateway-process.js';
import { api, signIn } from './support/live-socket.js';

describe('the embedded gateway (npm start, no services)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sayso-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps tasks and sessions across a restart, and refuses a second process on the same data', async () => {
    const env = { SAYSO_DATA_DIR: dataDir };
    const first = await startGatewayProcess(env);
    const token = await signIn(first.url);
    const created = await api<Task>(first.url, token, 'POST', '/v1/tasks', { title: 'survives a restart' });
    expect(created.status).toBe(201);

    await expect(startGatewayProcess(env)).rejects.toThrow(/in use by another Sayso process/);
    expect(await first.stop()).toBe(0);

    const second = await startGatewayProcess(env);
    try {
      // The same token still works: the signing key was persisted with the data.
      const list = await api<Page<Task>>(second.url, token, 'GET', '/v1/tasks');
      expect(list.status).toBe(200);
      expect(list.body.items.map((t) => t.title)).toEqual(['survives a restart']);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 120_000);
});
