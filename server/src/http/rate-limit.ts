import type { RequestHandler } from 'express';
import type { Limits } from '../limits/limits.js';

/** Routes anyone may call to get a session: limited per client address, before any session exists. */
const SIGN_IN = [/^\/v1\/auth\//, /^\/v1\/google\/(signin|callback)$/];

/**
 * REST budgets: each `/v1` request of a signed-in person spends from that person's bucket; a
 * sign-in request without a session spends from its IP's (`req.ip`, which honours
 * SAYSO_TRUST_PROXY behind a proxy). Runs after `authenticate`, which notes who is calling.
 * Pages, bundles, /health and /metrics are not limited here.
 */
export function rateLimit(limits: Limits): RequestHandler {
  return (req, res, next) => {
    if (!req.path.startsWith('/v1/') || req.method === 'OPTIONS') return next();
    const userId = res.locals['userId'] as string | undefined;
    const spent = userId
      ? limits.rest(userId)
      : SIGN_IN.some((r) => r.test(req.path))
        ? limits.signIn(req.ip ?? req.socket.remoteAddress ?? 'unknown')
        : undefined;
    if (!spent) return next();
    spent.then(() => next(), next);
  };
}
