import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import type { ServerMessage } from '@sayso/protocol';
import { startGatewayProcess } from '../server/test/support/gateway-process.js';
import { ms, percentile } from './stats.js';

const REST_REQUESTS = Number(process.env['BENCH_REST_N'] ?? 3000);
const REST_CONCURRENCY = 16;
const SUBSCRIBERS = Number(process.env['BENCH_SUBSCRIBERS'] ?? 1000);
const CHANGES = 20;

/**
 * Gateway figures, with the gateway in its own process on embedded defaults (PGlite, in-process
 * bus) as `npm start` runs it, and the clients in this process:
 * - REST create-task throughput and latency at 16 requests in flight;
 * - fan-out of one change to 1,000 live sockets of one person: commit -> received, per socket.
 */
export async function benchGateway(): Promise<string[]> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sayso-bench-'));
  // One person holds every subscriber here, far past the per-person socket limit: lift it.
  const gw = await startGatewayProcess({ SAYSO_DATA_DIR: dataDir, SAYSO_LOG_LEVEL: 'error', SAYSO_LIMIT_LIVE_SOCKETS: '0' });
  try {
    const { token } = (await (await fetch(`${gw.url}/v1/auth/local`, { method: 'POST' })).json()) as { token: string };
    return [await benchRest(gw.url, token), ...(await benchFanout(gw.url, token))];
  } finally {
    await gw.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchRest(url: string, token: string): Promise<string> {
  const post = async (i: number) => {
    const t0 = performance.now();
    const res = await fetch(`${url}/v1/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: `bench task ${i}`, dueDate: '2026-12-01', priority: 'medium' }),
    });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`create failed: ${res.status}`);
    return performance.now() - t0;
  };
  for (let i = 0; i < 100; i++) await post(i); // warm up
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: REST_CONCURRENCY }, async () => {
      while (next < REST_REQUESTS) latencies.push(await post(next++));
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return (
    `REST create-task (embedded PGlite, ${REST_CONCURRENCY} in flight): ${Math.round(REST_REQUESTS / seconds)} req/s, ` +
    `p50 ${ms(percentile(latencies, 0.5))}, p99 ${ms(percentile(latencies, 0.99))} (n=${REST_REQUESTS})`
  );
}

async function benchFanout(url: string, token: string): Promise<string[]> {
  const wsUrl = `${url.replace(/^http/, 'ws')}/v1/live?token=${token}`;
  const latencies: number[] = [];
  let received = 0;
  const sockets: WebSocket[] = [];
  for (let i = 0; i < SUBSCRIBERS; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, SUBSCRIBERS - i) }, () => new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(wsUrl);
        ws.on('message', (data) => {
          const msg = JSON.parse(data.toString()) as ServerMessage;
          if (msg.type === 'hello') return resolve();
          if (msg.type === 'event') {
            latencies.push(Date.now() - Date.parse(msg.event.at));
            received++;
          }
        });
        ws.once('error', reject);
        sockets.push(ws);
      })),
    );
  }
  const perChange: number[] = [];
  for (let c = 0; c < CHANGES; c++) {
    const before = received;
    const t0 = performance.now();
    await fetch(`${url}/v1/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: `fan-out ${c}` }),
    });
    while (received < before + SUBSCRIBERS) await new Promise((r) => setTimeout(r, 1));
    perChange.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const ws of sockets) ws.terminate();
  latencies.sort((a, b) => a - b);
  perChange.sort((a, b) => a - b);
  return [
    `live fan-out of one change to ${SUBSCRIBERS} WebSocket subscribers (commit -> received, per socket): ` +
      `p50 ${ms(percentile(latencies, 0.5))}, p99 ${ms(percentile(latencies, 0.99))} (n=${latencies.length}, ms clock)`,
    `live fan-out, REST request sent -> last of ${SUBSCRIBERS} sockets received: p50 ${ms(percentile(perChange, 0.5))}, max ${ms(perChange.at(-1)!)} (${CHANGES} changes)`,
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await benchGateway()) console.log(line);
}
