import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import type { ServerMessage } from '@sayso/protocol';
import { RedisBus } from '../../server/src/bus/redis-bus.js';
import { readConfig } from '../../server/src/config.js';
import { startGateway, type Gateway, type GatewayParts } from '../../server/src/gateway.js';
import { HashEmbedder } from '../../server/src/providers/embed/fake.js';
import { openStore } from '../../server/src/store/open-store.js';

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** An in-process gateway on Redis Streams (a prefix of its own) and an in-memory PGlite, signed in. */
export interface PipelineRig {
  gw: Gateway;
  token: string;
  userId: string;
  /** Deletes this rig's Redis keys after closing the gateway, bus and store. */
  close(): Promise<void>;
}

/**
 * Starts a gateway with the given engines, the stages inline (SAYSO_PIPELINE=inline) and a hash
 * embedder (journal entries embed in microseconds, so the figures are the pipeline's own).
 */
export async function startPipelineRig(parts: Pick<GatewayParts, 'stt' | 'understander' | 'tts'>, timeZone = 'UTC'): Promise<PipelineRig> {
  const prefix = `sayso-bench-${randomUUID().slice(0, 8)}:`;
  const store = await openStore({ kind: 'embedded', dataDir: null });
  const bus = new RedisBus(REDIS_URL, { prefix });
  const config = readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent', SAYSO_PIPELINE: 'inline', SAYSO_STAGE_CLAIM_MS: '60000' });
  const gw = await startGateway(config, { store, bus, embedder: new HashEmbedder(), ...parts });
  const res = await fetch(`${gw.url}/v1/auth/local`, { method: 'POST' });
  const { token, user } = (await res.json()) as { token: string; user: { id: string } };
  await gw.users.update(user.id, { timeZone });
  return {
    gw,
    token,
    userId: user.id,
    async close() {
      await gw.close();
      await bus.close();
      await store.close();
      await deleteKeys(prefix);
    },
  };
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/**
 * A /v1/live subscriber that notes when the change of each turn arrives: `waitFor(turnId)`
 * resolves with `performance.now()` at the moment its `task_update` frame was parsed.
 */
export class TurnChangeWatcher {
  private readonly seen = new Map<string, number>();
  private readonly waiting = new Map<string, (at: number) => void>();
  private constructor(private readonly ws: WebSocket) {}

  static async open(baseUrl: string, token: string): Promise<TurnChangeWatcher> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/live?token=${token}`);
    const watcher = new TurnChangeWatcher(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', (data) => {
        const at = performance.now();
        const msg = JSON.parse(data.toString()) as ServerMessage;
        if (msg.type === 'hello') resolve();
        if (msg.type !== 'event' || msg.event.type !== 'task_update' || !msg.event.turnId) return;
        watcher.arrived(msg.event.turnId, at);
      });
    });
    return watcher;
  }

  waitFor(turnId: string, timeoutMs = 10_000): Promise<number> {
    const at = this.seen.get(turnId);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no task_update for turn ${turnId} within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(turnId, (t) => (clearTimeout(timer), resolve(t)));
    });
  }

  close(): void {
    this.ws.terminate();
  }

  private arrived(turnId: string, at: number): void {
    const waiter = this.waiting.get(turnId);
    if (!waiter) return void this.seen.set(turnId, at);
    this.waiting.delete(turnId);
    waiter(at);
  }
}

/** Runs `work(i)` for i in [0, n) with at most `limit` in flight. */
export async function pool(n: number, limit: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, n) }, async () => {
    while (next < n) await work(next++);
  }));
}
