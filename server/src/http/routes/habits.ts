import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import type { HabitService } from '../../domain/habits.js';
import {
  CheckinInput, CheckinListQuery, CheckinOut, HabitCreate, HabitDayParams, HabitOut, HabitPatch, HabitStatsOut, IdParams,
} from '../../domain/schemas.js';
import { defineRoute, expectedVersion } from '../route.js';
import { replayable } from './tasks.js';

export function habitRoutes(router: Router, registry: OpenAPIRegistry, habits: HabitService): void {
  const tag = 'Habits';
  defineRoute(router, registry, {
    method: 'get', path: '/v1/habits', tag, summary: 'List habits.',
    ok: { status: 200, schema: z.object({ items: z.array(HabitOut) }), description: 'All habits, oldest first.' },
    handle: async ({ userId }) => ({ body: { items: await habits.list(userId) } }),
  });
  defineRoute(router, registry, {
    method: 'post', path: '/v1/habits', tag, summary: 'Create a habit (names are unique per person, ignoring case).',
    body: HabitCreate, idempotent: true,
    ok: { status: 201, schema: HabitOut, description: 'The new habit.' },
    handle: async ({ ctx, body, res }) => replayable(res, await habits.create(ctx, body)),
  });
  defineRoute(router, registry, {
    method: 'get', path: '/v1/habits/:id', tag, summary: 'Get one habit.',
    params: IdParams,
    ok: { status: 200, schema: HabitOut, description: 'The habit.' },
    handle: async ({ userId, params }) => ({ body: await habits.get(userId, params.id) }),
  });
  defineRoute(router, registry, {
    method: 'patch', path: '/v1/habits/:id', tag, summary: 'Change a habit (send the version you last saw).',
    params: IdParams, body: HabitPatch,
    ok: { status: 200, schema: HabitOut, description: 'The updated habit.' },
    handle: async ({ ctx, params, body, ifMatch }) => {
      const version = expectedVersion(body.version, ifMatch);
      return { body: (await habits.update(ctx, params.id, { ...body, ...(version === undefined ? {} : { version }) })).value };
    },
  });
  defineRoute(router, registry, {
    method: 'delete', path: '/v1/habits/:id', tag, summary: 'Delete a habit.',
    params: IdParams,
    ok: { status: 200, schema: HabitOut, description: 'The deleted habit.' },
    handle: async ({ ctx, params, ifMatch }) => ({ body: (await habits.remove(ctx, params.id, ifMatch)).value }),
  });
  defineRoute(router, registry, {
    method: 'get', path: '/v1/habits/:id/stats', tag, summary: 'Current and longest streak, and the last 12 weeks of check-ins.',
    params: IdParams,
    ok: { status: 200, schema: HabitStatsOut, description: 'Streaks and heatmap days.' },
    handle: async ({ userId, params }) => ({ body: await habits.stats(userId, params.id) }),
  });
  defineRoute(router, registry, {
    method: 'get', path: '/v1/habits/:id/checkins', tag, summary: 'Check-ins of a habit, newest first.',
    params: IdParams, query: CheckinListQuery,
    ok: { status: 200, schema: z.object({ items: z.array(CheckinOut) }), description: 'Check-ins in the range.' },
    handle: async ({ userId, params, query }) => ({ body: { items: await habits.checkins(userId, params.id, query) } }),
  });
  defineRoute(router, registry, {
    method: 'post', path: '/v1/habits/:id/checkins', tag,
    summary: 'Check in (today unless `day` is given). Checking in again the same day replaces the value.',
    params: IdParams, body: CheckinInput.optional(),
    ok: { status: 200, schema: CheckinOut, description: 'The check-in.' },
    handle: async ({ ctx, params, body }) => ({ body: (await habits.checkIn(ctx, params.id, body ?? {})).value }),
  });
  defineRoute(router, registry, {
    method: 'delete', path: '/v1/habits/:id/checkins/:day', tag, summary: 'Remove the check-in of a day.',
    params: HabitDayParams,
    ok: { status: 200, schema: CheckinOut, description: 'The removed check-in.' },
    handle: async ({ ctx, params }) => ({ body: (await habits.removeCheckin(ctx, params.id, params.day)).value }),
  });
}
