import type { SaysoClient, TaskListParams, TaskUpdateParams } from '@sayso/sdk';

/**
 * The REST calls content scripts may make. They go through the background, which holds the
 * session and is not bound by the page's CORS; only these, so a compromised page cannot use the
 * extension as a general proxy.
 */
export const apiOps = {
  'tasks.list': (c: SaysoClient, params: TaskListParams) => c.tasks.list(params),
  'tasks.get': (c: SaysoClient, id: string) => c.tasks.get(id),
  'tasks.update': (c: SaysoClient, id: string, params: TaskUpdateParams) => c.tasks.update(id, params),
  'tasks.complete': (c: SaysoClient, id: string) => c.tasks.complete(id),
  'tasks.reopen': (c: SaysoClient, id: string) => c.tasks.reopen(id),
  'tasks.remove': (c: SaysoClient, id: string) => c.tasks.remove(id),
  'habits.list': (c: SaysoClient) => c.habits.list(),
  'habits.checkIn': (c: SaysoClient, id: string) => c.habits.checkIn(id),
} satisfies Record<string, (c: SaysoClient, ...args: never[]) => Promise<unknown>>;

export type ApiOps = typeof apiOps;
export type ApiOp = keyof ApiOps;
type Rest<F> = F extends (c: SaysoClient, ...args: infer A) => unknown ? A : never;
export type ApiArgs<K extends ApiOp> = Rest<ApiOps[K]>;
export type ApiResult<K extends ApiOp> = Awaited<ReturnType<ApiOps[K]>>;
