import { randomUUID } from 'node:crypto';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import express, { type RequestHandler } from 'express';
import { z } from 'zod';
import { PROTOCOL_VERSION } from '@sayso/protocol';
import { AppError } from '../domain/errors.js';
import type { HabitService } from '../domain/habits.js';
import type { JournalService } from '../domain/journal.js';
import type { TaskService } from '../domain/tasks.js';
import type { Users } from '../domain/users.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { defineRoute } from './route.js';
import { authRoutes, type LocalSignInOptions } from './routes/auth.js';
import { googleRoutes, type GoogleRouteDeps } from './routes/google.js';
import { habitRoutes } from './routes/habits.js';
import { journalRoutes } from './routes/journal.js';
import { taskRoutes } from './routes/tasks.js';
import { turnRoutes, type TurnDeps } from './routes/turns.js';
import { keyRoutes } from './routes/keys.js';
import type { PublishableKeys } from '../domain/publishable-keys.js';
import type { Sessions } from './sessions.js';
import { serveStatic } from './static.js';
import type { Limits } from '../limits/limits.js';
import { rateLimit } from './rate-limit.js';
import { securityHeaders, type SecurityHeaderOptions } from './security-headers.js';
import { traceRequests } from '../telemetry/http-trace.js';

export interface AppDeps {
  tasks: TaskService;
  journal: JournalService;
  habits: HabitService;
  users: Users;
  sessions: Sessions;
  local: LocalSignInOptions;
  metrics: Metrics;
  log: Logger;
  corsOrigins: readonly string[];
  /** Publishable keys for embedding the widget; their origins may call the API cross-origin. */
  keys: PublishableKeys;
  /** How long a session bought with a publishable key lasts, in minutes. Default 120. */
  keySessionMinutes?: number | undefined;
  /** Text turns through the pipeline; absent when this gateway runs without one. */
  turns?: TurnDeps;
  /** Google sign-in and sync; absent when not configured (its routes then say what to set). */
  google?: GoogleRouteDeps['google'];
  /** Checks of the database and the bus for /health; each throws when down. */
  health: Record<string, () => Promise<void>>;
  /** The home page and bundles served at `/`; default widget/dist of this repository. */
  staticDir?: string;
  /** Abuse limits (SAYSO_LIMIT_*); none when absent. */
  limits?: Limits;
  /** HSTS and the dev-certificate exception; default: HSTS off. */
  security?: SecurityHeaderOptions;
  /** Express `trust proxy` (SAYSO_TRUST_PROXY): whose X-Forwarded-For/-Proto to believe. */
  trustProxy?: boolean | number | string;
}

/** The Express edge: validation, auth, error mapping and the OpenAPI document, over the domain services. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', deps.trustProxy ?? false);
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });

  app.use(observe(deps.metrics, deps.log));
  app.use(traceRequests());
  app.use(securityHeaders(deps.security ?? { hstsSeconds: 0, devCertificate: false }));
  app.use(cors(deps.corsOrigins, deps.keys));
  app.use(requireJson);
  app.use(express.json({ limit: '256kb' }));
  app.use(authenticate(deps.sessions));
  if (deps.limits) app.use(rateLimit(deps.limits));

  const router = express.Router();
  defineRoute(router, registry, {
    method: 'get', path: '/health', tag: 'System', auth: false, summary: 'Liveness and dependencies.',
    ok: { status: 200, schema: z.object({ status: z.string(), checks: z.record(z.string(), z.string()) }), description: 'All dependencies up.' },
    handle: async () => {
      const checks: Record<string, string> = {};
      await Promise.all(
        Object.entries(deps.health).map(async ([name, check]) => {
          checks[name] = await check().then(() => 'ok', (err: unknown) => `down: ${err instanceof Error ? err.message : String(err)}`);
        }),
      );
      const ok = Object.values(checks).every((c) => c === 'ok');
      return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'degraded', protocolVersion: PROTOCOL_VERSION, checks } };
    },
  });
  authRoutes(router, registry, deps);
  taskRoutes(router, registry, deps.tasks);
  journalRoutes(router, registry, deps.journal);
  habitRoutes(router, registry, deps.habits);
  if (deps.turns) turnRoutes(router, registry, deps.turns);
  googleRoutes(router, registry, { google: deps.google, sessions: deps.sessions, users: deps.users });
  keyRoutes(router, registry, deps);
  app.use(router);

  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Sayso gateway', version: '0.1.0', description: 'Tasks, journal and habits; live updates at /v1/live.' },
  });
  app.get('/openapi.json', (_req, res) => void res.json(document));
  app.get('/.well-known/jwks.json', (_req, res) => void res.json({ keys: [deps.sessions.publicJwk] }));
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.end(await deps.metrics.registry.metrics());
  });
  // After every API route, so a file can never shadow one.
  app.use(serveStatic(deps.staticDir));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}

/** Request id, one log line and metrics per request. Logs the route template, never bodies. */
function observe(metrics: Metrics, log: Logger): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    const requestId = req.get('x-request-id')?.slice(0, 100) || randomUUID();
    res.locals['requestId'] = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // Files of the home page share one label: metric labels must stay few.
      const route = (req.route?.path as string | undefined) ?? (res.statusCode === 404 ? 'unmatched' : req.path.startsWith('/v1/') ? req.path : 'static');
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ method: req.method, route }, seconds);
      log.debug({ requestId, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000), userId: res.locals['userId'] }, 'request');
    });
    next();
  };
}

/** Browsers may reuse a preflight answer this long (Chromium caps it at 2 hours). */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * Cross-origin calls only from listed origins (SAYSO_CORS_ORIGINS) and those of publishable keys;
 * same-origin needs nothing. Never with credentials: sessions travel as bearer tokens, not cookies.
 */
function cors(origins: readonly string[], keys: PublishableKeys): RequestHandler {
  const allowed = new Set(origins);
  return async (req, res, next) => {
    const origin = req.get('origin');
    // The answer depends on the Origin, allowed or not: caches must not hand one origin's to another.
    res.vary('Origin');
    // Any page may try the key exchange: it answers a refused origin with a message the widget
    // can show, rather than a CORS failure the page cannot read.
    const open = req.path === '/v1/auth/publishable';
    const ok = origin && (open || allowed.has(origin) || allowed.has('*') || (await keys.allows(origin).catch(() => false)));
    if (ok) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Idempotency-Key, If-Match, X-Sayso-Source, X-Request-Id');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PATCH, DELETE, OPTIONS');
      res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, Idempotent-Replayed, Retry-After');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
        return void res.status(204).end();
      }
    }
    next();
  };
}

const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (hasBody && ['POST', 'PATCH', 'PUT'].includes(req.method) && !req.is('application/json')) {
    return next(new AppError('unsupported_media_type', 'Send the body as JSON with the header Content-Type: application/json.'));
  }
  next();
};

/**
 * Notes who is calling. A bad token is kept in `res.locals.authError` for the routes that need a
 * session to throw, not thrown here: public routes (health, sign-in) must work with a stale header.
 */
function authenticate(sessions: Sessions): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    if (!header) return next();
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) {
      res.locals['authError'] = new AppError('unauthorized', 'Use the header `Authorization: Bearer <token>`.');
      return next();
    }
    try {
      res.locals['userId'] = (await sessions.verify(m[1]!)).userId;
    } catch (err) {
      res.locals['authError'] = err;
    }
    next();
  };
}
