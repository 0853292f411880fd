import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { z } from 'zod';
import type { PublishableKeys } from '../../domain/publishable-keys.js';
import { IdParams, UserOut } from '../../domain/schemas.js';
import type { Users } from '../../domain/users.js';
import { defineRoute } from '../route.js';
import type { Limits } from '../../limits/limits.js';
import type { Sessions } from '../sessions.js';

/** Sessions bought with a publishable key are short, because the key is public; the SDK renews them. */
const KEY_SESSION_MINUTES = 120;

const KeyOut = z
  .object({ id: z.string(), key: z.string(), label: z.string(), origins: z.array(z.string()), createdAt: z.string() })
  .openapi('PublishableKey');
const KeyIn = z
  .object({
    origins: z.array(z.string().max(200)).min(1, 'list at least one origin, e.g. ["https://example.com"]').max(20),
    label: z.string().max(100).optional(),
  })
  .strict()
  .openapi('PublishableKeyCreate');
const Exchange = z.object({ key: z.string().min(1).max(100) }).strict().openapi('PublishableKeyExchange');
const SessionOut = z.object({ token: z.string(), expiresAt: z.string(), user: UserOut });

export function keyRoutes(router: Router, registry: OpenAPIRegistry, deps: { keys: PublishableKeys; sessions: Sessions; users: Users; limits?: Limits | undefined; keySessionMinutes?: number | undefined }): void {
  const keySessionHours = (deps.keySessionMinutes ?? KEY_SESSION_MINUTES) / 60;
  const tag = 'Keys';
  defineRoute(router, registry, {
    method: 'post', path: '/v1/keys', tag,
    summary: 'Create a publishable key for <sayso-widget> on the sites (origins) you list. It acts as you there.',
    body: KeyIn,
    ok: { status: 201, schema: KeyOut, description: 'The key, to put in the widget\'s `key` attribute.' },
    handle: async ({ userId, body }) => ({ status: 201, body: await deps.keys.create(userId, body) }),
  });
  defineRoute(router, registry, {
    method: 'get', path: '/v1/keys', tag, summary: 'Your publishable keys (revoked ones are left out).',
    ok: { status: 200, schema: z.object({ items: z.array(KeyOut) }), description: 'The keys.' },
    handle: async ({ userId }) => ({ body: { items: await deps.keys.list(userId) } }),
  });
  defineRoute(router, registry, {
    method: 'delete', path: '/v1/keys/:id', tag, summary: 'Revoke a publishable key. Sessions it bought end when they expire (2 hours by default) and are not renewed.',
    params: IdParams,
    ok: { status: 204, description: 'Revoked.' },
    handle: async ({ userId, params }) => {
      await deps.keys.revoke(userId, params.id);
      return { status: 204, body: undefined };
    },
  });
  defineRoute(router, registry, {
    method: 'post', path: '/v1/auth/publishable', tag: 'Auth', auth: false,
    summary: 'Exchange a publishable key for a short-lived session. Only from a page whose origin the key lists.',
    body: Exchange,
    ok: { status: 200, schema: SessionOut, description: 'A session token, valid for 2 hours by default (SAYSO_KEY_SESSION_MINUTES).' },
    handle: async ({ body, req }) => {
      const userId = await deps.keys.exchange(body.key, req.get('origin'));
      // Counted only for a valid key from a listed origin: junk keys are the per-IP sign-in limit's job.
      await deps.limits?.keySession(body.key);
      return { body: { ...(await deps.sessions.issue(userId, keySessionHours)), user: await deps.users.get(userId) } };
    },
  });
}
