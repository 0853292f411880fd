import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { tracer, tracingOn } from './tracing.js';

/**
 * A server span per HTTP request, named by method and route template (`POST /v1/tasks`), continuing
 * the caller's trace when it sends `traceparent`. Only the template, never the path or query: paths
 * hold ids and `/v1/journal/search?q=` holds what the person searched for.
 */
export function traceRequests(): RequestHandler {
  return (req, res, next) => {
    if (!tracingOn()) return next();
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent);
    const active = trace.setSpan(parent, span);
    // Body parsing resumes in the socket's async context: bind the request's and response's
    // listeners so handlers after it still see this span.
    context.bind(active, req);
    context.bind(active, res);
    res.once('close', () => {
      const route = (req.route?.path as string | undefined) ?? (res.statusCode === 404 ? 'unmatched' : undefined);
      if (route) span.updateName(`${req.method} ${route}`);
      span.setAttributes({
        'http.response.status_code': res.statusCode,
        ...(route ? { 'http.route': route } : {}),
        ...(typeof res.locals['userId'] === 'string' ? { 'enduser.id': res.locals['userId'] } : {}),
      });
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(active, next);
  };
}
