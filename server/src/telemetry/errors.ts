import { trace } from '@opentelemetry/api';
import * as Sentry from '@sentry/node';
import { scrubMessage } from './scrub.js';

/**
 * Error reporting to Sentry (or any Sentry-compatible ingest) when SENTRY_DSN is set: unhandled
 * exceptions and rejections (the SDK's handlers), 5xx responses and failing pipeline stages
 * (`reportError`). Events carry the person's id, never request bodies, query strings, headers
 * with credentials, or quoted query parameters.
 */

let on = false;

export interface ErrorReportingOptions {
  dsn?: string | undefined;
  environment?: string | undefined;
  /** `sayso-gateway` or `sayso-worker`. */
  serviceName: string;
}

/** Starts Sentry once per process; without a DSN it does nothing and `reportError` is a no-op. */
export function startErrorReporting(options: ErrorReportingOptions): { close(): Promise<void> } {
  if (!options.dsn) return { close: async () => {} };
  Sentry.init({
    dsn: options.dsn,
    ...(options.environment ? { environment: options.environment } : {}),
    serverName: options.serviceName,
    initialScope: { tags: { service: options.serviceName } },
    // Nothing of the request but its method, path and a few headers; the person's id is added per event.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: { request: { allow: ['user-agent', 'content-type', 'content-length', 'x-request-id'] }, response: false },
      httpBodies: [],
      urlQueryParams: false,
      genAI: { inputs: false, outputs: false },
    },
    includeLocalVariables: false,
    // Our own OpenTelemetry provider traces; Sentry only reports errors.
    tracesSampleRate: 0,
    integrations: (defaults) => [
      ...defaults.filter((i) => i.name !== 'Http' && i.name !== 'Console'),
      Sentry.httpIntegration({ maxRequestBodySize: 'none', spans: false, sessions: false, tracePropagation: false }),
    ],
    beforeSend: (event) => scrubEvent(event),
    beforeBreadcrumb: (crumb) => (crumb.data?.['url'] ? { ...crumb, data: { ...crumb.data, url: withoutQuery(String(crumb.data['url'])) } } : crumb),
  });
  on = true;
  return {
    close: async () => {
      if (!on) return;
      on = false;
      await Sentry.close(2_000);
    },
  };
}

export interface ErrorAbout {
  userId?: string | undefined;
  requestId?: string | undefined;
  route?: string | undefined;
  stage?: string | undefined;
  turnId?: string | undefined;
}

/** Sends an error with who and where; nothing when Sentry is off. */
export function reportError(err: unknown, about: ErrorAbout): void {
  if (!on) return;
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(about)) if (v && k !== 'userId') tags[k] = v;
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  if (traceId) tags['trace_id'] = traceId;
  Sentry.captureException(err, { tags, ...(about.userId ? { user: { id: about.userId } } : {}) });
}

type SentryEvent = Parameters<NonNullable<Sentry.NodeOptions['beforeSend']>>[0];

/** Keeps ids and the error's shape; drops bodies, cookies, query strings, credentials, local variables. */
export function scrubEvent<E extends SentryEvent>(event: E): E {
  if (event.request) {
    const { method, url, headers } = event.request;
    event.request = {
      ...(method ? { method } : {}),
      ...(url ? { url: withoutQuery(url) } : {}),
      ...(headers ? { headers: pick(headers, ['user-agent', 'content-type', 'content-length', 'x-request-id', 'x-sayso-source']) } : {}),
    };
  }
  if (event.user) event.user = event.user.id !== undefined ? { id: event.user.id } : {};
  if (event.message) event.message = scrubMessage(event.message);
  for (const value of event.exception?.values ?? []) {
    if (value.value) value.value = scrubMessage(value.value);
    for (const frame of value.stacktrace?.frames ?? []) delete frame.vars;
  }
  return event;
}

function withoutQuery(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function pick(headers: Record<string, string>, keep: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => keep.includes(k.toLowerCase())));
}
