import { createHash } from 'node:crypto';
import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import type { Source } from '@sayso/protocol';
import type { WriteContext } from '../domain/changes.js';
import { AppError } from '../domain/errors.js';
import { ErrorOut } from '../domain/schemas.js';

type Method = 'get' | 'post' | 'patch' | 'delete';

export interface Handled {
  status?: number;
  body: unknown;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The signed-in person (empty on routes with `auth: false`). */
  userId: string;
  /** The write context for services: who, from where, and the request's idempotency key. */
  ctx: WriteContext;
  /** The version from `If-Match`, when the client sent one. */
  ifMatch: number | undefined;
  req: Request;
  res: Response;
}

export interface RouteSpec<P, Q, B> {
  method: Method;
  /** Express path, e.g. `/v1/tasks/:id`. */
  path: string;
  summary: string;
  tag: string;
  auth?: boolean;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Success status and schema; error responses are added for every route. */
  ok: { status: number; schema?: z.ZodType; description: string };
  /** Honour `Idempotency-Key` on this route (creates). */
  idempotent?: boolean;
  handle(input: RouteInput<P, Q, B>): Promise<Handled>;
}

const SOURCES: readonly Source[] = ['api', 'widget', 'extension'];

/**
 * Declares a route once: the Express handler validates params, query and body with the zod
 * schemas, and the same schemas describe the route in the OpenAPI document.
 */
export function defineRoute<P = object, Q = object, B = undefined>(
  router: Router,
  registry: OpenAPIRegistry,
  spec: RouteSpec<P, Q, B>,
): void {
  registry.registerPath(describe(spec));
  router[spec.method](spec.path, async (req: Request, res: Response) => {
    // Who before what: a caller without a session learns nothing about the request's validity.
    const userId = res.locals['userId'] as string | undefined;
    if (spec.auth !== false && !userId) {
      if (res.locals['authError']) throw res.locals['authError'];
      throw new AppError('unauthorized', 'Sign in first: send `Authorization: Bearer <token>` (POST /v1/auth/local gives one).');
    }
    const params = spec.params ? spec.params.parse(req.params) : ({} as P);
    const query = spec.query ? spec.query.parse(req.query) : ({} as Q);
    const body = spec.body ? spec.body.parse(req.body ?? undefined) : (undefined as B);
    const ctx = writeContext(req, userId ?? '', spec);
    const out = await spec.handle({ params, query, body, userId: userId ?? '', ctx, ifMatch: parseIfMatch(req), req, res });
    res.status(out.status ?? spec.ok.status);
    if (out.body === undefined) res.end();
    else res.json(out.body);
  });
}

function writeContext(req: Request, userId: string, spec: RouteSpec<unknown, unknown, unknown>): WriteContext {
  const claimed = req.get('x-sayso-source') as Source | undefined;
  const ctx: WriteContext = { userId, source: claimed && SOURCES.includes(claimed) ? claimed : 'api' };
  const key = req.get('idempotency-key');
  if (spec.idempotent && key !== undefined) {
    if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
      throw new AppError('validation_failed', 'The Idempotency-Key header must be 1-200 visible ASCII characters, e.g. a UUID.');
    }
    const requestHash = createHash('sha256').update(`${req.method} ${req.path}\n${JSON.stringify(req.body ?? null)}`).digest('hex');
    ctx.idempotency = { key, requestHash, status: spec.ok.status };
  }
  return ctx;
}

/** Accepts `If-Match: "3"`, `W/"3"` or `3`. */
function parseIfMatch(req: Request): number | undefined {
  const raw = req.get('if-match');
  if (raw === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(raw.trim());
  if (!m) throw new AppError('validation_failed', 'If-Match must hold the version number you last saw, e.g. If-Match: "3".');
  return Number(m[1]);
}

/** The version a write expects: body `version` or `If-Match`; they must agree when both are sent. */
export function expectedVersion(bodyVersion: number | undefined, ifMatch: number | undefined): number | undefined {
  if (bodyVersion !== undefined && ifMatch !== undefined && bodyVersion !== ifMatch) {
    throw new AppError('validation_failed', `The body says version ${bodyVersion} but If-Match says ${ifMatch}: send one, or the same in both.`);
  }
  return bodyVersion ?? ifMatch;
}

function describe(spec: RouteSpec<unknown, unknown, unknown>): RouteConfig {
  const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ErrorOut } } });
  return {
    method: spec.method,
    path: spec.path.replace(/:(\w+)/g, '{$1}'),
    summary: spec.summary,
    tags: [spec.tag],
    ...(spec.auth === false ? {} : { security: [{ bearer: [] }] }),
    request: {
      ...(spec.params ? { params: spec.params as z.ZodObject } : {}),
      ...(spec.query ? { query: spec.query as z.ZodObject } : {}),
      ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } } } } : {}),
    },
    responses: {
      [spec.ok.status]: spec.ok.schema
        ? { description: spec.ok.description, content: { 'application/json': { schema: spec.ok.schema } } }
        : { description: spec.ok.description },
      400: errorResponse('The request is malformed or fails validation; `error.details` lists each problem.'),
      ...(spec.auth === false ? {} : { 401: errorResponse('Missing, invalid or expired session token.') }),
      ...(spec.params ? { 404: errorResponse('No such item for this account.') } : {}),
      ...(spec.method === 'patch' || spec.method === 'delete' || spec.idempotent
        ? { 409: errorResponse('Version conflict, or an Idempotency-Key reused for another request.') }
        : {}),
    },
  };
}
