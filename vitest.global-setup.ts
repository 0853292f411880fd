import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';

// Tests talk to a real Redis (REDIS_URL, default 127.0.0.1:6379). When none answers, start one
// from the redis-server binary, so `npm test` works on a machine that has it installed.

const url = new URL(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
let started: ChildProcess | undefined;

const reachable = () =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: url.hostname, port: Number(url.port || 6379) });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

export async function setup(): Promise<void> {
  if (await reachable()) return;
  started = spawn('redis-server', ['--bind', url.hostname, '--port', url.port || '6379', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const failed = new Promise<never>((_, reject) =>
    started!.once('error', () =>
      reject(new Error(`No Redis at ${url.host} and no redis-server to start. Install it (apt-get install redis-server) or set REDIS_URL.`)),
    ),
  );
  for (let i = 0; i < 50; i++) {
    if (await Promise.race([reachable(), failed])) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis-server did not start on ${url.host}.`);
}

export function teardown(): void {
  started?.kill();
}
