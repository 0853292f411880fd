import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { lt, sql } from 'drizzle-orm';
import type { EventBus } from './bus/port.js';
import { openBus } from './bus/open-bus.js';
import type { Config } from './config.js';
import { Changes } from './domain/changes.js';
import { HabitService } from './domain/habits.js';
import { JournalService } from './domain/journal.js';
import { TaskService } from './domain/tasks.js';
import { Users } from './domain/users.js';
import { PublishableKeys } from './domain/publishable-keys.js';
import { createApp } from './http/app.js';
import { listenHttps } from './http/tls.js';
import type { RateLimiter } from './limits/limiter.js';
import { Limits, openLimiter } from './limits/limits.js';
import { LlmBudget } from './limits/llm-budget.js';
import { OfflineUnderstander } from './providers/llm/offline.js';
import { Sessions } from './http/sessions.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics, watchPipeline } from './metrics.js';
import { chooseEmbedder } from './providers/embed/choose.js';
import { chooseStt, chooseSummarizer, chooseTts, chooseUnderstander } from './providers/choose-voice.js';
import type { Understander } from './providers/llm/port.js';
import type { SpeechToText } from './providers/stt/port.js';
import type { TextToSpeech } from './providers/tts/port.js';
import { ReplyRouter } from './pipeline/replies.js';
import { STAGE_STREAMS, startStages, transient } from './pipeline/stages.js';
import { TurnStarter } from './pipeline/turns.js';
import { Turns } from './domain/turns.js';
import type { Embedder } from './providers/embed/port.js';
import { LiveHub } from './realtime/live-hub.js';
import { VoiceHub } from './realtime/voice/voice-hub.js';
import { VoiceBridge } from './pipeline/voice-bridge.js';
import { GoogleIntegration } from './integrations/google/google.js';
import type { VoiceHandlers } from './realtime/voice/voice-session.js';
import { openStore, type Store } from './store/open-store.js';
import { events, idempotencyKeys } from './store/schema.js';

export interface Gateway {
  /** Base URL, e.g. http://127.0.0.1:8787 */
  url: string;
  server: Server;
  /** The HTTPS listener (SAYSO_TLS), e.g. https://127.0.0.1:8443, and in dev mode the CA file to trust. */
  https: { url: string; server: Server; caFile?: string } | undefined;
  limits: Limits;
  store: Store;
  bus: EventBus;
  sessions: Sessions;
  users: Users;
  tasks: TaskService;
  journal: JournalService;
  habits: HabitService;
  live: LiveHub;
  voice: VoiceHub;
  /** Google sign-in and sync; undefined when SAYSO_GOOGLE_CLIENT_ID is unset. */
  google: GoogleIntegration | undefined;
  /** Loads the local speech engines now, so the first turn is not slow (`npm start` does this). */
  warmUp(): Promise<void>;
  starter: TurnStarter;
  replies: ReplyRouter;
  tts: TextToSpeech;
  log: Logger;
  close(): Promise<void>;
}

/** Parts a caller (a test, a bench) can hand in instead of having them opened from config. */
export interface GatewayParts {
  store?: Store;
  bus?: EventBus;
  embedder?: Embedder;
  stt?: SpeechToText;
  understander?: Understander;
  tts?: TextToSpeech;
  /** Voice-socket handlers instead of the pipeline bridge (transport tests record segments). */
  voiceHandlers?: VoiceHandlers;
  /** Rate-limit buckets; default Redis at REDIS_URL, else in process. */
  limiter?: RateLimiter;
  log?: Logger;
}

/** The composition root: opens the store and bus from config, wires services, HTTP and live updates. */
export async function startGateway(config: Config, parts: GatewayParts = {}): Promise<Gateway> {
  const log = parts.log ?? createLogger(config.logLevel);
  const store =
    parts.store ??
    (await openStore(config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl, poolSize: config.dbPoolSize } : { kind: 'embedded', dataDir: config.dataDir }));
  const bus = parts.bus ?? openBus({ ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}), prefix: config.busPrefix });
  const embedding = parts.embedder ? { embedder: parts.embedder, why: 'given by the caller' } : chooseEmbedder(config);
  const given = <T>(engine: T) => ({ engine, why: 'given by the caller' });
  const stt = parts.stt ? given(parts.stt) : chooseStt(config);
  const understander = parts.understander ? given(parts.understander) : chooseUnderstander(config, log);
  const tts = parts.tts ? given(parts.tts) : chooseTts(config);
  log.info(
    {
      store: store.kind === 'embedded' ? `embedded PGlite at ${config.dataDir}` : 'Postgres at DATABASE_URL',
      bus: config.redisUrl && !parts.bus ? 'Redis Streams at REDIS_URL' : parts.bus ? 'given by the caller' : 'in-process (set REDIS_URL to share with other gateways)',
      embedder: `${embedding.embedder.id} (${embedding.why})`,
      stt: `${stt.engine.id} (${stt.why})`,
      understanding: `${understander.engine.id} (${understander.why})`,
      tts: `${tts.engine.id} (${tts.why})`,
      pipeline: config.pipeline === 'inline' ? 'stages run in this process' : 'off here: run `npm run worker`',
    },
    'engines',
  );

  const { db } = store;
  const metrics = createMetrics();
  const users = new Users(db);
  const sessions = await Sessions.open(db, { privateKeyPem: config.jwtPrivateKey, ttlHours: config.sessionTtlHours });
  const changes = new Changes(db, bus, log);
  const tasks = new TaskService(db, changes, users);
  const journal = new JournalService(db, changes, users, embedding.embedder, log);
  const habits = new HabitService(db, changes, users);
  const starter = new TurnStarter(bus, (outcome) => metrics.turns.inc({ outcome }));
  const replies = new ReplyRouter(bus, log);
  await replies.start();
  const summarize = chooseSummarizer(config);
  const limits = new Limits(parts.limiter ?? (await openLimiter({ redisUrl: config.redisUrl, prefix: config.busPrefix })), config.limits, log);
  const llmBudget = new LlmBudget(limits, understander.engine, new OfflineUnderstander(), log);
  const stages =
    config.pipeline === 'inline'
      ? startStages(
          { bus, db, users, changes, tasks, journal, habits, turns: new Turns(db), ...(summarize ? { summarize } : {}), stt: stt.engine, understander: understander.engine, llmBudget, log, observe: (stage, ms) => metrics.turnStage.observe({ stage }, ms / 1000) },
          { consumer: `${hostname()}-${process.pid}`, claimIdleMs: config.stageClaimMs },
        )
      : undefined;

  const google = config.google
    ? await GoogleIntegration.start({ config: config.google, db, bus, users, changes, tasks, habits, log, consumer: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`, allowedOrigins: config.corsOrigins })
    : undefined;
  const app = createApp({
    tasks, journal, habits, users, sessions, metrics, log, google,
    turns: { starter, replies, users, turns: new Turns(db) },
    local: { enabled: config.localSignIn, password: config.localPassword },
    corsOrigins: config.corsOrigins,
    limits,
    trustProxy: config.trustProxy,
    security: { hstsSeconds: config.hstsSeconds, devCertificate: config.tls.mode === 'dev' },
    keys: new PublishableKeys(db),
    keySessionMinutes: config.keySessionMinutes,
    health: {
      database: async () => void (await db.execute(sql`select 1`)),
      bus: async () => void (await bus.lastId('live')),
    },
  });
  const server = createServer(app);
  const live = new LiveHub({ db, bus, users, sessions, metrics, log, maxBufferedBytes: config.liveMaxBufferedBytes, maxSocketsPerPerson: config.socketLimits.live });
  await live.start(server);
  const observe = (stage: string, ms: number) => metrics.turnStage.observe({ stage }, ms / 1000);
  let voice: VoiceHub | undefined;
  const bridge = new VoiceBridge({
    starter, replies, tts: tts.engine, users, log, observe,
    stt: stt.engine,
    showTranscript: (userId, turnId, text, final) => transient({ users, changes }, userId, { type: 'voice_transcript', data: { turnId, text, final } }),
    session: (id) => voice?.get(id),
  });
  voice = new VoiceHub({ sessions, log, handlers: parts.voiceHandlers ?? bridge, limits, maxSocketsPerPerson: config.socketLimits.voice });
  await voice.start(server);
  watchPipeline(metrics, {
    voiceSessions: () => voice?.size ?? 0,
    backlog: () => Promise.all(STAGE_STREAMS.map(async ([stage, stream]) => ({ stage, ...(await bus.backlog(stream, `stage.${stage}`)) }))),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  // HTTPS beside HTTP (SAYSO_TLS): the same app, and the live and voice sockets as wss.
  const https = config.tls.mode === 'off' ? undefined : await listenHttps(app, config.tls, config.host, log);
  if (https) {
    live.attach(https.server);
    voice.attach(https.server);
  }

  // Load local models now rather than on the first turn or journal entry someone makes.
  if (embedding.embedder.capabilities.local) {
    embedding.embedder.embed(['warm up']).catch((err: unknown) => log.warn({ err: String(err) }, 'embedder warm-up failed'));
  }
  const maintenance = startMaintenance({ store, journal, log, retentionDays: config.eventRetentionDays });
  log.info({ url, ...(https ? { https: https.url } : {}) }, 'gateway listening');

  let closing: Promise<void> | undefined;
  return {
    url, server, https, limits, store, bus, sessions, users, tasks, journal, habits, live, voice, starter, google,
    warmUp: async () => {
      await Promise.all(
        ([['speech-to-text', stt.engine], ['text-to-speech', tts.engine]] as const).map(async ([name, engine]) => {
          const warm = engine as { warmUp?: () => Promise<void>; warm?: () => Promise<void> };
          await (warm.warmUp ?? warm.warm)?.call(engine).catch((err: unknown) =>
            log.warn({ err: err instanceof Error ? err.message : String(err) }, `${name} warm-up failed: local voice turns will fail until it is fixed`),
          );
        }),
      );
    }, replies, tts: tts.engine, log,
    close: () =>
      (closing ??= (async () => {
        maintenance.stop();
        await google?.stop();
        bridge.stop();
        await voice.stop();
        await live.stop();
        await stages?.stop();
        await replies.stop();
        for (const s of [server, https?.server]) {
          if (!s) continue;
          s.closeAllConnections();
          await new Promise<void>((resolve) => s.close(() => resolve()));
        }
        if (!parts.limiter) await limits.close();
        // Engines this gateway made (not given by a caller) hold processes and workers: end them.
        for (const made of [parts.stt ? null : stt.engine, parts.tts ? null : tts.engine]) {
          await (made as { close?: () => Promise<void> } | null)?.close?.();
        }
        if (!parts.bus) await bus.close();
        if (!parts.store) await store.close();
      })()),
  };
}

/** Housekeeping every gateway runs (safe to run on several): prune old history, embed what is missing. */
function startMaintenance(deps: { store: Store; journal: JournalService; log: Logger; retentionDays: number }) {
  const run = async () => {
    try {
      const cutoff = new Date(Date.now() - deps.retentionDays * 86_400_000);
      await deps.store.db.delete(events).where(lt(events.createdAt, cutoff));
      await deps.store.db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, new Date(Date.now() - 86_400_000)));
      while ((await deps.journal.embedMissing()) > 0);
    } catch (err) {
      deps.log.warn({ err: String(err) }, 'maintenance failed; will retry');
    }
  };
  const first = setTimeout(run, 5_000);
  const timer = setInterval(run, 60_000);
  first.unref();
  timer.unref();
  return { stop: () => (clearTimeout(first), clearInterval(timer)) };
}
