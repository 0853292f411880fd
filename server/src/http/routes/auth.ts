import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { timingSafeEqual, createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { LocalSignIn, MePatch, UserOut } from '../../domain/schemas.js';
import type { Users } from '../../domain/users.js';
import { defineRoute } from '../route.js';
import type { Sessions } from '../sessions.js';

export interface LocalSignInOptions {
  enabled: boolean;
  /** When set, local sign-in asks for it (a gateway reachable by others). */
  password: string | undefined;
}

const SessionOut = z.object({ token: z.string(), expiresAt: z.string(), user: UserOut }).openapi('Session');

/** The subject of the one person of an embedded, single-user install. */
export const LOCAL_SUBJECT = 'local';

export function authRoutes(
  router: Router,
  registry: OpenAPIRegistry,
  deps: { users: Users; sessions: Sessions; local: LocalSignInOptions },
): void {
  const tag = 'Auth';
  defineRoute(router, registry, {
    method: 'post', path: '/v1/auth/local', tag, auth: false,
    summary: 'Sign in as the single local person of this install (no Google needed). Returns a session token.',
    body: LocalSignIn,
    ok: { status: 200, schema: SessionOut, description: 'A session token for `Authorization: Bearer`.' },
    handle: async ({ body }) => {
      if (!deps.local.enabled) {
        throw new AppError('forbidden', 'Local sign-in is turned off on this gateway (SAYSO_LOCAL_SIGNIN=off). Sign in with Google instead.');
      }
      if (deps.local.password !== undefined && !samePassword(body?.password ?? '', deps.local.password)) {
        throw new AppError('unauthorized', 'Wrong password for local sign-in. It is the SAYSO_LOCAL_PASSWORD this gateway was started with.');
      }
      const user = await deps.users.findOrCreate(LOCAL_SUBJECT, body?.name ?? 'Me');
      return { body: { ...(await deps.sessions.issue(user.id)), user } };
    },
  });
  defineRoute(router, registry, {
    method: 'get', path: '/v1/me', tag, summary: 'The signed-in person.',
    ok: { status: 200, schema: UserOut, description: 'The person the token belongs to.' },
    handle: async ({ userId }) => ({ body: await deps.users.get(userId) }),
  });
  defineRoute(router, registry, {
    method: 'patch', path: '/v1/me', tag,
    summary: 'Change your name or time zone (the zone decides what "today" and "overdue" mean).',
    body: MePatch,
    ok: { status: 200, schema: UserOut, description: 'The updated person.' },
    handle: async ({ userId, body }) => ({ body: await deps.users.update(userId, body) }),
  });
}

function samePassword(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
