import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

/** A gateway as users run it (`npm start` = tsx server/src/main.ts), in its own process. */
export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  /** Sends SIGTERM and waits for a clean exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  return startProcess('server/src/main.ts', /Sayso is running at (http:\/\/\S+)/, env);
}

/** `npm run worker` in its own process; resolves once its stages are running. */
export async function startWorkerProcess(env: Record<string, string>): Promise<GatewayProcess> {
  return startProcess('server/src/worker.ts', /Sayso worker (\S+) running/, env);
}

async function startProcess(script: string, ready: RegExp, env: Record<string, string>): Promise<GatewayProcess> {
  const child = spawn(TSX, [script], {
    cwd: ROOT,
    env: { ...process.env, SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'warn', SAYSO_EMBEDDER: 'hash', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = ready.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before starting:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        // A process that does not finish its shutdown in 10 s is killed: a stuck one must not hang the suite.
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', (code) => (clearTimeout(kill), resolve(code)));
        child.kill('SIGTERM');
      }),
  };
}
