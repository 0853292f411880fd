import { hostname } from 'node:os';
import { openBus } from './bus/open-bus.js';
import { readConfig } from './config.js';
import { Changes } from './domain/changes.js';
import { HabitService } from './domain/habits.js';
import { JournalService } from './domain/journal.js';
import { TaskService } from './domain/tasks.js';
import { Turns } from './domain/turns.js';
import { Users } from './domain/users.js';
import { createLogger } from './log.js';
import { startErrorReporting } from './telemetry/errors.js';
import { startTracing } from './telemetry/tracing.js';
import { startStages, ALL_STAGES, type StageName } from './pipeline/stages.js';
import { chooseEmbedder } from './providers/embed/choose.js';
import { chooseStt, chooseSummarizer, chooseUnderstander } from './providers/choose-voice.js';
import { openStore } from './store/open-store.js';
import { Limits, openLimiter } from './limits/limits.js';
import { LlmBudget } from './limits/llm-budget.js';
import { OfflineUnderstander } from './providers/llm/offline.js';

// `npm run worker`: pipeline stages in their own process, joining the gateways' consumer groups
// on Redis. Run as many as you like; a crashed worker's pending turns are claimed by another.
const config = readConfig();
const log = createLogger(config.logLevel, 'sayso-worker');
if (!config.redisUrl || !config.databaseUrl) {
  log.fatal(
    'A worker shares turns with the gateways through Redis and Postgres: set REDIS_URL and DATABASE_URL to the values the gateways use. ' +
      '(On embedded defaults the gateway runs the stages itself; no worker is needed.)',
  );
  process.exit(1);
}
const errors = startErrorReporting({ dsn: config.telemetry.sentryDsn, environment: config.telemetry.sentryEnvironment, serviceName: 'sayso-worker' });
const tracing = startTracing({ serviceName: 'sayso-worker', tracesUrl: config.telemetry.tracesUrl });
const stages = (process.env['SAYSO_WORKER_STAGES'] ?? ALL_STAGES.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is StageName => (ALL_STAGES as readonly string[]).includes(s));

const store = await openStore({ kind: 'postgres', url: config.databaseUrl, poolSize: config.dbPoolSize });
const bus = openBus({ redisUrl: config.redisUrl, prefix: config.busPrefix });
const users = new Users(store.db);
const changes = new Changes(store.db, bus, log);
const stt = chooseStt(config);
const understander = chooseUnderstander(config, log);
const embedder = chooseEmbedder(config);
const summarize = chooseSummarizer(config);
const consumer = `${hostname()}-${process.pid}`;
// Model calls spend from the same per-person budget as the gateways' (one Redis).
const limits = new Limits(await openLimiter({ redisUrl: config.redisUrl, prefix: config.busPrefix }), config.limits, log);
const running = startStages(
  {
    bus,
    db: store.db,
    users,
    changes,
    tasks: new TaskService(store.db, changes, users),
    journal: new JournalService(store.db, changes, users, embedder.embedder, log),
    habits: new HabitService(store.db, changes, users),
    turns: new Turns(store.db),
    ...(summarize ? { summarize } : {}),
    stt: stt.engine,
    understander: understander.engine,
    llmBudget: new LlmBudget(limits, understander.engine, new OfflineUnderstander(), log),
    log,
  },
  { consumer, stages, claimIdleMs: config.stageClaimMs },
);
void (stt.engine as { warmUp?: () => Promise<void> }).warmUp?.().catch((err: unknown) => log.warn({ err: String(err) }, 'speech-to-text warm-up failed'));
log.info({ consumer, stages, stt: stt.engine.id, understanding: understander.engine.id }, 'worker running');
console.log(`Sayso worker ${consumer} running stages: ${stages.join(', ')}`);

const stop = async (signal: string) => {
  log.info({ signal }, 'worker stopping');
  await running.stop();
  await (stt.engine as { close?: () => Promise<void> }).close?.();
  await bus.close();
  await limits.close();
  await store.close();
  await Promise.all([tracing.shutdown(), errors.close()]);
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
