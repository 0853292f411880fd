// One warm pocketsphinx worker (pocketsphinx-worker.py) behind a lock: callers take turns, a
// hung request kills it, and the next call after a death starts a fresh one.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { STTError } from './port.js';

const WORKER = fileURLToPath(new URL('./pocketsphinx-worker.py', import.meta.url));
const INSTALL = 'Install Debian python3-pocketsphinx and pocketsphinx-en-us (apt-get install python3-pocketsphinx pocketsphinx-en-us)';

export interface WorkerReply {
  id?: number;
  error?: string;
  text?: string;
  confidence?: number;
  ms?: number;
  missing?: string[];
}

export interface PocketSphinxProcessOptions {
  /** Interpreter that can `import pocketsphinx`. Default /usr/bin/python3 (Debian's, not a venv). */
  python: string;
  /** Model folder holding en-us/, en-us.lm.bin and cmudict-en-us.dict. */
  modelDir: string;
  /** Extra pocketsphinx flags, e.g. `{ '-maxhmmpf': 5000 }` (integers stay integers). */
  flags: Record<string, string | number | boolean>;
  /** Longest wait for the worker to load its models. */
  startTimeoutMs: number;
  /** Runs after each (re)start, inside the lock, before any queued call: register searches here. */
  onStart: (send: Send) => Promise<void>;
}

export type Send = (request: Record<string, unknown>, timeoutMs?: number) => Promise<WorkerReply>;

export class PocketSphinxProcess {
  private child: ChildProcessWithoutNullStreams | undefined;
  private starting: Promise<void> | undefined;
  private pending: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void } | undefined;
  private lock: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private stderrTail = '';
  /** How many times a worker was started (restarts included). */
  starts = 0;

  constructor(private readonly options: PocketSphinxProcessOptions) {}

  /** The running worker's process id, if one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Runs `work` alone with a started worker; later callers wait their turn. Use `send` only
   * inside `work`. `shouldRun` is checked when the turn comes (an aborted call skips its turn).
   */
  exclusive<T>(work: (send: Send) => Promise<T>, shouldRun: () => void = () => {}): Promise<T> {
    const run = this.lock.then(async () => {
      shouldRun();
      await this.start();
      return work(this.send);
    });
    this.lock = run.catch(() => {});
    return run;
  }

  /** Starts the worker now rather than on the first call. */
  warmUp(): Promise<void> {
    return this.exclusive(async () => {});
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.fail(child, new STTError('Local speech recognition was closed.', { retryable: true }));
    if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }

  private start(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) return Promise.resolve();
    this.starting ??= this.spawnWorker().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async spawnWorker(): Promise<void> {
    const { python, modelDir, startTimeoutMs, flags } = this.options;
    // Batch CMN: each utterance is normalised on its own, so one speaker's level never shifts
    // the next speaker's result (live CMN carries over between utterances).
    const args = JSON.stringify({ model: modelDir, cmn: 'batch', flags });
    const child = spawn(python, ['-u', WORKER, args], { stdio: 'pipe' });
    this.child = child;
    this.starts++;
    this.stderrTail = '';
    child.stderr.on('data', (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-600)));
    child.stdin.on('error', () => {}); // a dead worker's pipe; the exit handler reports it
    const ready = new Promise<void>((resolve, reject) => {
      this.pending = { resolve: () => resolve(), reject };
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'ENOENT' ? `${python} was not found. ${INSTALL}.` : `Could not start ${python}: ${err.message}.`;
      this.fail(child, new STTError(`Local speech recognition is unavailable: ${hint}`, { retryable: false, cause: err }));
    });
    let loaded = false;
    child.once('exit', (code, signal) => {
      const tail = this.stderrTail.trim().split('\n').at(-1) ?? '';
      const how = `${signal ?? `exit ${code}`}${tail ? `: ${tail}` : ''}`;
      let message = `The pocketsphinx worker stopped (${how}); it restarts on the next call.`;
      if (/No module named 'pocketsphinx'|libpocketsphinx|libsphinxbase/.test(this.stderrTail)) {
        message = `Local speech recognition is unavailable (${tail}). ${INSTALL}.`;
      } else if (!loaded) {
        message = `The pocketsphinx worker could not load its models (${how}): check that ${modelDir} holds en-us/, en-us.lm.bin and cmudict-en-us.dict (Debian pocketsphinx-en-us).`;
      }
      this.fail(child, new STTError(message, { retryable: loaded }));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (this.child !== child) return;
      const pending = this.pending;
      this.pending = undefined;
      try {
        pending?.resolve(JSON.parse(line) as WorkerReply);
      } catch (err) {
        pending?.reject(new STTError('The pocketsphinx worker answered garbage.', { retryable: true, cause: err }));
      }
    });
    const timer = setTimeout(() => {
      this.fail(child, new STTError(`The pocketsphinx worker did not load its models within ${startTimeoutMs} ms.`, { retryable: true }));
    }, startTimeoutMs);
    try {
      await ready;
      loaded = true;
    } finally {
      clearTimeout(timer);
    }
    await this.options.onStart(this.send);
  }

  private readonly send: Send = (request, timeoutMs = 30_000) => {
    const child = this.child;
    if (!child || this.pending) return Promise.reject(new STTError('The pocketsphinx worker is not ready.', { retryable: true }));
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      // A decode never takes this long; the worker is stuck. Kill it, the next call restarts.
      const timer = setTimeout(() => {
        this.fail(child, new STTError(`Local speech recognition timed out after ${timeoutMs} ms; the engine restarts on the next call.`, { retryable: true }));
      }, timeoutMs);
      this.pending = {
        resolve: (reply) => {
          clearTimeout(timer);
          if (reply.id !== id) reject(new STTError(`The pocketsphinx worker answered request ${reply.id}, expected ${id}.`, { retryable: true }));
          else if (reply.error) reject(new STTError(`pocketsphinx: ${reply.error}`, { retryable: false }));
          else resolve(reply);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      child.stdin.write(JSON.stringify({ ...request, id }) + '\n');
    });
  };

  /** Ends `child` and fails whatever waited on it. */
  private fail(child: ChildProcessWithoutNullStreams, err: STTError): void {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (this.child !== child) return; // an earlier worker: its waiters were failed already
    this.child = undefined;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(err);
  }
}
