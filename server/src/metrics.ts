import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one gateway, served at /metrics. One registry per gateway (tests run several). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sayso_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'sayso_http_requests_total',
      help: 'HTTP requests by route template, method and status.',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'sayso_http_request_duration_seconds',
      help: 'HTTP request duration by route template.',
      labelNames: ['method', 'route'] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    liveConnections: new Gauge({
      name: 'sayso_live_connections',
      help: 'Open live-update WebSocket connections on this gateway.',
      registers: [registry],
    }),
    liveDelivered: new Counter({
      name: 'sayso_live_events_delivered_total',
      help: 'Events sent to live sockets (including resume backfill).',
      registers: [registry],
    }),
    turnStage: new Histogram({
      name: 'sayso_turn_stage_seconds',
      help: 'Duration of each voice-turn stage (vad, stt, understand, act, tts_first_byte, to_commit).',
      labelNames: ['stage'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    turns: new Counter({
      name: 'sayso_turns_total',
      help: 'Voice and typed turns started on this gateway, by outcome (done, none, failed, timeout).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    liveDropped: new Counter({
      name: 'sayso_live_slow_clients_dropped_total',
      help: 'Live sockets closed because they could not keep up (they resume on reconnect).',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** What the pipeline gauges read at each scrape (nothing is counted between scrapes). */
export interface PipelineSources {
  voiceSessions(): number;
  /** Per stage: entries delivered but not acked, and not yet delivered (null when unknown). */
  backlog(): Promise<Array<{ stage: string; pending: number; waiting: number | null }>>;
}

/** Gauges of voice sessions and of the turn stages' bus backlog, read when /metrics is scraped. */
export function watchPipeline(metrics: Metrics, sources: PipelineSources): void {
  new Gauge({
    name: 'sayso_voice_sessions',
    help: 'Open voice sockets on this gateway.',
    registers: [metrics.registry],
    collect() {
      this.set(sources.voiceSessions());
    },
  });
  new Gauge({
    name: 'sayso_pipeline_backlog',
    help: 'Turn messages per stage: pending = handed to a worker, not yet done; waiting = not yet handed out. Shared by every gateway on one bus.',
    labelNames: ['stage', 'state'] as const,
    registers: [metrics.registry],
    async collect() {
      const rows = await sources.backlog().catch(() => []);
      for (const { stage, pending, waiting } of rows) {
        this.set({ stage, state: 'pending' }, pending);
        if (waiting !== null) this.set({ stage, state: 'waiting' }, waiting);
      }
    },
  });
}
