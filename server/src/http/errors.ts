import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { ErrorBody } from '@sayso/protocol';
import { AppError } from '../domain/errors.js';
import type { Logger } from '../log.js';
import { retryAfterSeconds } from '../limits/limits.js';
import { reportError } from '../telemetry/errors.js';

/** Unknown routes get the same JSON error shape as everything else. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `There is no ${req.method} ${req.path}. See /openapi.json for the routes this gateway has.`));
};

/** Maps every error to `{ error: { code, message, details, requestId } }` with its status. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const requestId = String(res.locals['requestId'] ?? '');
    const app = toAppError(err);
    if (app.status >= 500) {
      log.error({ err, requestId, route: req.route?.path }, 'request failed');
      reportError(err, { userId: res.locals['userId'] as string | undefined, requestId, route: req.route?.path as string | undefined });
    }
    const body: ErrorBody = {
      error: { code: app.code, message: app.message, ...(app.details !== undefined ? { details: app.details } : {}), requestId },
    };
    const retryAfter = retryAfterSeconds(app);
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    res.status(app.status).json(body);
  };
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) {
    const details = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = details[0];
    const where = first ? (first.path ? `\`${first.path}\`: ${first.message}` : first.message) : 'invalid input';
    const more = details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? 's' : ''}, see details)` : '';
    return new AppError('validation_failed', `The request is not valid: ${where}${more}. Fix it and send it again.`, details);
  }
  const e = err as { type?: string; status?: number; limit?: number };
  if (e.type === 'entity.parse.failed') {
    return new AppError('bad_json', 'The body is not valid JSON. Send a JSON object with Content-Type: application/json.');
  }
  if (e.type === 'entity.too.large') {
    return new AppError('payload_too_large', `The body is larger than the ${e.limit ?? ''} bytes allowed. Send less, e.g. split a long entry.`);
  }
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
    return new AppError('unsupported_media_type', 'Send the body as UTF-8 JSON.');
  }
  // A body that does not inflate (Content-Encoding: gzip over plain text) or does not match its
  // Content-Length is the client's mistake, not ours (found by server/test/fuzz.rest.test.ts).
  if (e.type === 'request.size.invalid' || /^Z_/.test(String((err as { code?: unknown }).code ?? ''))) {
    return new AppError('bad_json', 'The body could not be read: it does not match its Content-Length or Content-Encoding. Send plain JSON, or gzip/deflate it and say so in Content-Encoding.');
  }
  // The router's own 400s (a path like /v1/tasks/%ZZ does not decode) and body-parser's other client errors.
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && (err instanceof URIError || (err as { expose?: unknown }).expose === true)) {
    return new AppError('validation_failed', `The request could not be read (${String((err as Error).message).slice(0, 100)}). Check its URL, headers and body, and send it again.`);
  }
  if (isDbUnavailable(err)) {
    return new AppError('unavailable', 'The database is not reachable right now. Try again in a few seconds.');
  }
  if (isRedisUnavailable(err)) {
    return new AppError('unavailable', 'The event bus (Redis) is not reachable right now, so nothing was started. Try again in a few seconds.');
  }
  return new AppError('internal', 'Something went wrong on the gateway. Try again; if it keeps happening, report the requestId.');
}

function isDbUnavailable(err: unknown): boolean {
  for (let e = err as { code?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === 'ECONNREFUSED' || e.code === '57P01' || e.code === '57P03' || e.code === '08006') return true;
    // pg's own words when the server drops a connection mid-query; it sets no code.
    if (typeof e.message === 'string' && e.message.startsWith('Connection terminated')) return true;
    // ...and when no pooled connection came free within the pool's time limit.
    if (typeof e.message === 'string' && e.message.startsWith('timeout exceeded when trying to connect')) return true;
  }
  return false;
}

/** ioredis's words once it gave up on a command (Redis down past its retries), or the link closed under it. */
function isRedisUnavailable(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | undefined;
  return e?.name === 'MaxRetriesPerRequestError' || (typeof e?.message === 'string' && e.message.startsWith('Connection is closed'));
}
