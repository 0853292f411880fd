import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';

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

// Browser tests load the built bundles (widget/dist, sdk/dist): build them once, unless every
// output is already newer than every source it is built from.
const ROOT = path.dirname(fileURLToPath(import.meta.url));
const BUNDLE_SOURCES = ['protocol/src', 'sdk/src', 'widget/src', 'widget/build', 'widget/scripts', 'rollup.config.mjs'];

async function newestMtime(entry: string): Promise<number> {
  const info = await stat(entry).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const names = await readdir(entry);
  return Math.max(0, ...(await Promise.all(names.map((n) => newestMtime(path.join(entry, n))))));
}

async function buildBundles(): Promise<void> {
  const configs = ((await import(pathToFileURL(path.join(ROOT, 'rollup.config.mjs')).href)) as { default: RollupOptions[] }).default;
  const outputs = configs.flatMap((c) => [c.output ?? []].flat() as OutputOptions[]);
  const newestSource = Math.max(...(await Promise.all(BUNDLE_SOURCES.map((s) => newestMtime(path.join(ROOT, s))))));
  const outputTimes = await Promise.all(outputs.map((o) => (o.file ? stat(o.file).then((s) => s.mtimeMs, () => 0) : 0)));
  if (outputTimes.every((t) => t > newestSource)) return;
  for (const config of configs) {
    const bundle = await rollup(config);
    for (const output of [config.output ?? []].flat()) await bundle.write(output);
    await bundle.close();
  }
}

// Files tests make (speech WAVs the browsers read until the end) go under one directory per run,
// removed at teardown: test processes are stopped, not exited, so their own exit hooks do not run.
let scratch: string | undefined;

export async function setup(): Promise<void> {
  process.env['SAYSO_TEST_SCRATCH'] = scratch = await mkdtemp(path.join(tmpdir(), 'sayso-test-'));
  await buildBundles();
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

export async function teardown(): Promise<void> {
  started?.kill();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}
