import type { Page, Task, TaskPriority, TaskStatus } from '@sayso/protocol';
import { enc, randomId, type CreateOptions, type Http, type RequestOptions } from '../http.js';

export interface TaskCreateParams {
  title: string;
  notes?: string | null;
  priority?: TaskPriority;
  /** `YYYY-MM-DD`, in the person's time zone. */
  dueDate?: string | null;
  /** `HH:MM`; needs a `dueDate`. */
  dueTime?: string | null;
  /** Default `inbox`. */
  list?: string;
}

export interface TaskUpdateParams extends Partial<TaskCreateParams> {
  /** The version you last saw; the update fails with a ConflictError if the task changed since. */
  version: number;
  status?: TaskStatus;
}

export interface TaskListParams {
  status?: TaskStatus | undefined;
  list?: string | undefined;
  dueFrom?: string | undefined;
  dueTo?: string | undefined;
  /** Only open tasks due before today. */
  overdue?: boolean | undefined;
  /** 1-200, default 50. */
  limit?: number | undefined;
  /** `nextCursor` of the previous page. */
  cursor?: string | undefined;
}

/** `client.tasks`: to-dos with optional due dates, in lists. */
export class Tasks {
  constructor(private readonly http: Http) {}

  /**
   * A page of tasks, newest first.
   *
   * @example
   * const { items, nextCursor } = await client.tasks.list({ status: 'open', limit: 20 });
   */
  list(params: TaskListParams = {}, opts: RequestOptions = {}): Promise<Page<Task>> {
    return this.http.request({ method: 'GET', path: '/v1/tasks', query: params, signal: opts.signal });
  }

  /**
   * One task.
   *
   * @example
   * const task = await client.tasks.get(id);
   */
  get(id: string, opts: RequestOptions = {}): Promise<Task> {
    return this.http.request({ method: 'GET', path: `/v1/tasks/${enc(id)}`, signal: opts.signal });
  }

  /**
   * Creates a task. Sent with an Idempotency-Key, so the SDK's retries never create it twice.
   *
   * @example
   * const task = await client.tasks.create({ title: 'Call the dentist', dueDate: '2026-12-01' });
   */
  create(params: TaskCreateParams, opts: CreateOptions = {}): Promise<Task> {
    const idempotencyKey = opts.idempotencyKey ?? randomId();
    return this.http.request({ method: 'POST', path: '/v1/tasks', body: params, idempotencyKey, signal: opts.signal });
  }

  /**
   * Changes a task. Send the version you last saw: if someone changed it since, this throws a
   * ConflictError carrying the current task.
   *
   * @example
   * const updated = await client.tasks.update(task.id, { version: task.version, priority: 'high' });
   */
  update(id: string, params: TaskUpdateParams, opts: RequestOptions = {}): Promise<Task> {
    return this.http.request({ method: 'PATCH', path: `/v1/tasks/${enc(id)}`, body: params, signal: opts.signal });
  }

  /**
   * Marks a task done. With `version`, fails with a ConflictError if the task changed since.
   *
   * @example
   * await client.tasks.complete(task.id, { version: task.version });
   */
  complete(id: string, params: { version?: number } = {}, opts: RequestOptions = {}): Promise<Task> {
    return this.http.request({ method: 'POST', path: `/v1/tasks/${enc(id)}/complete`, body: params, signal: opts.signal });
  }

  /**
   * Marks a done task open again.
   *
   * @example
   * await client.tasks.reopen(task.id);
   */
  reopen(id: string, params: { version?: number } = {}, opts: RequestOptions = {}): Promise<Task> {
    return this.http.request({ method: 'POST', path: `/v1/tasks/${enc(id)}/reopen`, body: params, signal: opts.signal });
  }

  /**
   * Deletes a task and returns it as it was (for undo). With `version`, only if unchanged since.
   *
   * @example
   * const removed = await client.tasks.remove(task.id, { version: task.version });
   */
  remove(id: string, params: { version?: number } = {}, opts: RequestOptions = {}): Promise<Task> {
    return this.http.request({ method: 'DELETE', path: `/v1/tasks/${enc(id)}`, ifMatch: params.version, signal: opts.signal });
  }
}

