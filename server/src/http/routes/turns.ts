import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import type { Turns } from '../../domain/turns.js';
import type { Users } from '../../domain/users.js';
import { TextTurn, TurnOut } from '../../domain/schemas.js';
import type { ReplyRouter } from '../../pipeline/replies.js';
import type { TurnStarter } from '../../pipeline/turns.js';
import { defineRoute } from '../route.js';

export interface TurnDeps {
  starter: TurnStarter;
  replies: ReplyRouter;
  users: Users;
  turns: Turns;
}

export function turnRoutes(router: Router, registry: OpenAPIRegistry, deps: TurnDeps): void {
  defineRoute(router, registry, {
    method: 'post', path: '/v1/turns', tag: 'Turns',
    summary:
      'Say something in text ("add milk to my shopping list"): understood and acted on like speech. Waits for the reply (up to `waitMs`, default 15 s); 202 if it is still running. ' +
      'Send an Idempotency-Key to make retries safe: a repeat is the same turn (same turnId), and what it did is not done twice.',
    body: TextTurn,
    idempotent: true,
    ok: { status: 200, schema: TurnOut, description: 'What Sayso did and said, and the context for the next turn.' },
    handle: async ({ userId, body, ctx, res }) => {
      const timeZone = await deps.users.timeZone(userId);
      const { turnId, replayed } = ctx.idempotency ? await deps.turns.idFor(userId, ctx.idempotency) : { turnId: crypto.randomUUID(), replayed: false };
      if (replayed) res.setHeader('Idempotent-Replayed', 'true');
      const reply = deps.replies.waitFor(turnId, body.waitMs ?? 15_000);
      await deps.starter.text({ userId, sessionId: `rest:${turnId}`, turnId, text: body.text, context: { ...(body.context?.last ? { last: body.context.last } : {}), timeZone } });
      const r = await reply;
      deps.starter.finish(turnId, r ? r.outcome : 'timeout');
      if (!r) return { status: 202, body: { turnId } };
      const { timeZone: _tz, ...context } = r.context;
      return { body: { turnId, text: r.text, reply: r.reply, outcome: r.outcome, timings: r.timings, context } };
    },
  });
}
