import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import type { TaskService } from '../../domain/tasks.js';
import { IdParams, pageOf, TaskCreate, TaskListQuery, TaskOut, TaskPatch, VersionBody } from '../../domain/schemas.js';
import { defineRoute, expectedVersion } from '../route.js';

const withVersion = (v: number | undefined) => (v === undefined ? {} : { version: v });

export function taskRoutes(router: Router, registry: OpenAPIRegistry, tasks: TaskService): void {
  const tag = 'Tasks';
  defineRoute(router, registry, {
    method: 'get', path: '/v1/tasks', tag, summary: 'List tasks, newest first, with filters and a cursor.',
    query: TaskListQuery,
    ok: { status: 200, schema: pageOf(TaskOut), description: 'A page of tasks.' },
    handle: async ({ userId, query }) => ({ body: await tasks.list(userId, query) }),
  });
  defineRoute(router, registry, {
    method: 'post', path: '/v1/tasks', tag, summary: 'Create a task. Send an Idempotency-Key to make retries safe.',
    body: TaskCreate, idempotent: true,
    ok: { status: 201, schema: TaskOut, description: 'The new task.' },
    handle: async ({ ctx, body, res }) => replayable(res, await tasks.create(ctx, body)),
  });
  defineRoute(router, registry, {
    method: 'get', path: '/v1/tasks/:id', tag, summary: 'Get one task.',
    params: IdParams,
    ok: { status: 200, schema: TaskOut, description: 'The task.' },
    handle: async ({ userId, params }) => ({ body: await tasks.get(userId, params.id) }),
  });
  defineRoute(router, registry, {
    method: 'patch', path: '/v1/tasks/:id', tag,
    summary: 'Change a task. Send the version you last saw (body `version` or If-Match); 409 if it changed since.',
    params: IdParams, body: TaskPatch,
    ok: { status: 200, schema: TaskOut, description: 'The updated task.' },
    handle: async ({ ctx, params, body, ifMatch }) => {
      const version = expectedVersion(body.version, ifMatch);
      return { body: (await tasks.update(ctx, params.id, { ...body, ...withVersion(version) })).value };
    },
  });
  defineRoute(router, registry, {
    method: 'post', path: '/v1/tasks/:id/complete', tag, summary: 'Mark a task done.',
    params: IdParams, body: VersionBody,
    ok: { status: 200, schema: TaskOut, description: 'The completed task.' },
    handle: async ({ ctx, params, body, ifMatch }) => ({
      body: (await tasks.complete(ctx, params.id, expectedVersion(body?.version, ifMatch))).value,
    }),
  });
  defineRoute(router, registry, {
    method: 'post', path: '/v1/tasks/:id/reopen', tag, summary: 'Mark a done task open again.',
    params: IdParams, body: VersionBody,
    ok: { status: 200, schema: TaskOut, description: 'The reopened task.' },
    handle: async ({ ctx, params, body, ifMatch }) => ({
      body: (await tasks.reopen(ctx, params.id, expectedVersion(body?.version, ifMatch))).value,
    }),
  });
  defineRoute(router, registry, {
    method: 'delete', path: '/v1/tasks/:id', tag, summary: 'Delete a task (If-Match optional).',
    params: IdParams,
    ok: { status: 200, schema: TaskOut, description: 'The deleted task, as it was, for undo.' },
    handle: async ({ ctx, params, ifMatch }) => ({ body: (await tasks.remove(ctx, params.id, ifMatch)).value }),
  });
}

/** Sends a create's result; a replayed Idempotency-Key is marked so clients can tell. */
export function replayable(res: { setHeader(name: string, value: string): unknown }, result: { value: unknown; replayed: boolean }) {
  if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
  return { body: result.value };
}
