import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry for one process. Off unless an OTLP endpoint is configured: the API then hands out
 * no-op spans, and the turn code checks `tracingOn()` first so a turn allocates nothing for it.
 */

let on = false;

/** The tracer every Sayso span comes from; a no-op until `startTracing` registers a provider. */
export const tracer: Tracer = trace.getTracer('sayso');

/** True when spans are recorded and exported (an OTLP endpoint is configured). */
export function tracingOn(): boolean {
  return on;
}

export interface TracingOptions {
  /** `sayso-gateway` or `sayso-worker`. */
  serviceName: string;
  /** OTLP/HTTP traces URL (`…/v1/traces`); unset = tracing off. */
  tracesUrl?: string | undefined;
  /** Instead of OTLP/HTTP (tests). */
  exporter?: SpanExporter;
}

export interface Tracing {
  /** Exports what is buffered, then stops; the process is untraced afterwards. */
  shutdown(): Promise<void>;
  flush(): Promise<void>;
}

/**
 * Registers the global tracer provider (W3C trace context, async-hooks context) once per process.
 *
 * @example
 * const tracing = startTracing({ serviceName: 'sayso-gateway', tracesUrl: config.otlpTracesUrl });
 * process.on('SIGTERM', () => void tracing.shutdown());
 */
export function startTracing(options: TracingOptions): Tracing {
  const exporter = options.exporter ?? (options.tracesUrl ? new OTLPTraceExporter({ url: options.tracesUrl }) : undefined);
  if (!exporter) return { shutdown: async () => {}, flush: async () => {} };
  if (on) throw new Error('Tracing is already started in this process: call startTracing once, in main.ts or worker.ts.');
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  on = true;
  return {
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      if (!on) return;
      on = false;
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

