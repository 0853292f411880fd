import path from 'node:path';
import { z } from 'zod';
import type { TlsConfig } from './http/tls.js';
import { DEFAULT_LIMITS, type LimitsConfig } from './limits/limits.js';

// Every setting, read once at start. The README's configuration table lists the same names.

const bool = (fallback: boolean) =>
  z
    .enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? fallback : ['1', 'true', 'on', 'yes'].includes(v)));

/** A per-minute budget (SAYSO_LIMIT_*): a whole number, 0 = no limit. */
const limit = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

const Env = z.object({
  SAYSO_HOST: z.string().default('127.0.0.1'),
  SAYSO_PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  SAYSO_DATA_DIR: z.string().default('.data'),
  DATABASE_URL: optionalString,
  SAYSO_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: optionalString,
  SAYSO_BUS_PREFIX: z.string().default('sayso:'),
  SAYSO_JWT_PRIVATE_KEY: optionalString,
  SAYSO_SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 365).default(24 * 30),
  SAYSO_KEY_SESSION_MINUTES: z.coerce.number().min(0.05).max(24 * 60).default(120),
  SAYSO_LOCAL_SIGNIN: bool(true),
  SAYSO_LOCAL_PASSWORD: optionalString,
  SAYSO_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
  SAYSO_LIVE_MAX_BUFFER_BYTES: z.coerce.number().int().min(1024).default(1 << 20),
  SAYSO_EVENT_RETENTION_DAYS: z.coerce.number().positive().default(30),
  SAYSO_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalString,
  OTEL_SDK_DISABLED: bool(false),
  SENTRY_DSN: optionalString,
  SENTRY_ENVIRONMENT: optionalString,
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString,
  SAYSO_EMBED_MODEL: z.string().default('text-embedding-3-small'),
  SAYSO_EMBEDDER: z.enum(['auto', 'openai', 'local', 'hash']).default('auto'),
  SAYSO_PIPELINE: z.enum(['inline', 'off']).default('inline'),
  SAYSO_STAGE_CLAIM_MS: z.coerce.number().int().min(100).default(30_000),
  SAYSO_LLM_MODEL: z.string().default('gpt-4o-mini'),
  SAYSO_STT_MODEL: z.string().default('whisper-1'),
  SAYSO_UNDERSTANDER: z.enum(['auto', 'openai', 'offline']).default('auto'),
  SAYSO_STT: z.enum(['auto', 'openai', 'local']).default('auto'),
  SAYSO_TTS: z.enum(['auto', 'elevenlabs', 'local']).default('auto'),
  ELEVENLABS_API_KEY: optionalString,
  ELEVENLABS_BASE_URL: optionalString,
  SAYSO_ELEVENLABS_VOICE: z.string().default('21m00Tcm4TlvDq8ikWAM'),
  SAYSO_GOOGLE_CLIENT_ID: optionalString,
  SAYSO_GOOGLE_CLIENT_SECRET: optionalString,
  SAYSO_GOOGLE_REDIRECT_URL: optionalString,
  SAYSO_GOOGLE_TOKEN_KEY: optionalString,
  SAYSO_GOOGLE_WEBHOOK_URL: optionalString,
  SAYSO_GOOGLE_POLL_SECONDS: z.coerce.number().min(1).max(86_400).default(60),
  SAYSO_GOOGLE_BASE_URL: optionalString,
  SAYSO_TLS: z.enum(['dev', 'off']).optional(),
  SAYSO_TLS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SAYSO_TLS_CERT: optionalString,
  SAYSO_TLS_KEY: optionalString,
  SAYSO_TRUST_PROXY: z.string().default('off'),
  SAYSO_HSTS_SECONDS: z.coerce.number().int().min(0).default(180 * 86_400),
  SAYSO_LIMIT_REST_PER_MINUTE: limit(DEFAULT_LIMITS.restPerMinute),
  SAYSO_LIMIT_SIGNIN_PER_MINUTE: limit(DEFAULT_LIMITS.signInPerMinute),
  SAYSO_LIMIT_KEY_SESSIONS_PER_MINUTE: limit(DEFAULT_LIMITS.keySessionsPerMinute),
  SAYSO_LIMIT_VOICE_MESSAGES_PER_MINUTE: limit(DEFAULT_LIMITS.voiceMessagesPerMinute),
  SAYSO_LIMIT_AUDIO_BYTES_PER_MINUTE: limit(DEFAULT_LIMITS.audioBytesPerMinute),
  SAYSO_LIMIT_LLM_PER_MINUTE: limit(DEFAULT_LIMITS.llmPerMinute),
  SAYSO_LIMIT_LIVE_SOCKETS: z.coerce.number().int().min(0).default(100),
  SAYSO_LIMIT_VOICE_SOCKETS: z.coerce.number().int().min(0).default(20),
});

export type Config = ReturnType<typeof readConfig>;

/** Reads and checks the environment; throws one error naming every bad variable and what it takes. */
export function readConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}. Fix these environment variables and start again.`);
  }
  const e = parsed.data;
  return {
    host: e.SAYSO_HOST,
    port: e.SAYSO_PORT,
    dataDir: path.resolve(e.SAYSO_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    dbPoolSize: e.SAYSO_DB_POOL_SIZE,
    redisUrl: e.REDIS_URL,
    busPrefix: e.SAYSO_BUS_PREFIX,
    jwtPrivateKey: e.SAYSO_JWT_PRIVATE_KEY,
    sessionTtlHours: e.SAYSO_SESSION_TTL_HOURS,
    keySessionMinutes: e.SAYSO_KEY_SESSION_MINUTES,
    /** Sockets one person may hold open on one gateway (0 = no limit). */
    socketLimits: { live: e.SAYSO_LIMIT_LIVE_SOCKETS, voice: e.SAYSO_LIMIT_VOICE_SOCKETS },
    localSignIn: e.SAYSO_LOCAL_SIGNIN,
    localPassword: e.SAYSO_LOCAL_PASSWORD,
    corsOrigins: e.SAYSO_CORS_ORIGINS,
    liveMaxBufferedBytes: e.SAYSO_LIVE_MAX_BUFFER_BYTES,
    eventRetentionDays: e.SAYSO_EVENT_RETENTION_DAYS,
    logLevel: e.SAYSO_LOG_LEVEL,
    telemetry: {
      /** OTLP/HTTP traces URL: the signal's own variable as is, or the base endpoint + /v1/traces; unset = tracing off. */
      tracesUrl: e.OTEL_SDK_DISABLED ? undefined : (e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (e.OTEL_EXPORTER_OTLP_ENDPOINT && `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`)),
      sentryDsn: e.SENTRY_DSN,
      sentryEnvironment: e.SENTRY_ENVIRONMENT,
    },
    openaiApiKey: e.OPENAI_API_KEY,
    openaiBaseUrl: e.OPENAI_BASE_URL,
    embedModel: e.SAYSO_EMBED_MODEL,
    embedder: e.SAYSO_EMBEDDER,
    pipeline: e.SAYSO_PIPELINE,
    stageClaimMs: e.SAYSO_STAGE_CLAIM_MS,
    llmModel: e.SAYSO_LLM_MODEL,
    sttModel: e.SAYSO_STT_MODEL,
    understander: e.SAYSO_UNDERSTANDER,
    stt: e.SAYSO_STT,
    tts: e.SAYSO_TTS,
    elevenLabsApiKey: e.ELEVENLABS_API_KEY,
    elevenLabsBaseUrl: e.ELEVENLABS_BASE_URL,
    elevenLabsVoice: e.SAYSO_ELEVENLABS_VOICE,
    google: googleConfig(e),
    tls: tlsConfig(e),
    trustProxy: trustProxy(e.SAYSO_TRUST_PROXY),
    hstsSeconds: e.SAYSO_HSTS_SECONDS,
    limits: {
      restPerMinute: e.SAYSO_LIMIT_REST_PER_MINUTE,
      signInPerMinute: e.SAYSO_LIMIT_SIGNIN_PER_MINUTE,
      keySessionsPerMinute: e.SAYSO_LIMIT_KEY_SESSIONS_PER_MINUTE,
      voiceMessagesPerMinute: e.SAYSO_LIMIT_VOICE_MESSAGES_PER_MINUTE,
      audioBytesPerMinute: e.SAYSO_LIMIT_AUDIO_BYTES_PER_MINUTE,
      llmPerMinute: e.SAYSO_LIMIT_LLM_PER_MINUTE,
    } satisfies LimitsConfig,
  };
}

/** Google sign-in and sync settings; undefined (Google off) when no client id is set. */
function googleConfig(e: z.infer<typeof Env>) {
  if (!e.SAYSO_GOOGLE_CLIENT_ID) return undefined;
  if (!e.SAYSO_GOOGLE_CLIENT_SECRET) {
    throw new Error('Invalid configuration: SAYSO_GOOGLE_CLIENT_ID is set but SAYSO_GOOGLE_CLIENT_SECRET is not. Set both (from the Google Cloud OAuth client), or neither.');
  }
  const host = e.SAYSO_HOST === '0.0.0.0' ? '127.0.0.1' : e.SAYSO_HOST;
  return {
    clientId: e.SAYSO_GOOGLE_CLIENT_ID,
    clientSecret: e.SAYSO_GOOGLE_CLIENT_SECRET,
    redirectUrl: e.SAYSO_GOOGLE_REDIRECT_URL ?? `http://${host}:${e.SAYSO_PORT}/v1/google/callback`,
    tokenKey: e.SAYSO_GOOGLE_TOKEN_KEY,
    /** Public HTTPS base URL Google Calendar can post change notifications to; unset = polling only. */
    webhookUrl: e.SAYSO_GOOGLE_WEBHOOK_URL?.replace(/\/+$/, ''),
    pollSeconds: e.SAYSO_GOOGLE_POLL_SECONDS,
    /** One base URL for every Google endpoint: a local stand-in in tests. */
    baseUrl: e.SAYSO_GOOGLE_BASE_URL?.replace(/\/+$/, ''),
  };
}

/** HTTPS beside HTTP: off, a development certificate in the data dir, or your own PEM files. */
function tlsConfig(e: z.infer<typeof Env>): TlsConfig {
  if (Boolean(e.SAYSO_TLS_CERT) !== Boolean(e.SAYSO_TLS_KEY)) {
    throw new Error('Invalid configuration: set both SAYSO_TLS_CERT and SAYSO_TLS_KEY (PEM files), or neither.');
  }
  // With SAYSO_PORT=0 (any free port) the HTTPS port is any free port too, so several gateways can start at once.
  const port = e.SAYSO_TLS_PORT ?? (e.SAYSO_PORT === 0 ? 0 : 8443);
  if (e.SAYSO_TLS === 'off') return { mode: 'off' };
  if (e.SAYSO_TLS_CERT && e.SAYSO_TLS_KEY) return { mode: 'files', port, certFile: path.resolve(e.SAYSO_TLS_CERT), keyFile: path.resolve(e.SAYSO_TLS_KEY) };
  if (e.SAYSO_TLS === 'dev') return { mode: 'dev', port, dir: path.join(path.resolve(e.SAYSO_DATA_DIR), 'tls') };
  return { mode: 'off' };
}

/** Express's `trust proxy`: off, on (any proxy), a hop count, or addresses and subnets (`loopback, 10.0.0.0/8`). */
function trustProxy(raw: string): boolean | number | string {
  const v = raw.trim().toLowerCase();
  if (['', 'off', 'false', '0', 'no'].includes(v)) return false;
  if (['on', 'true', 'yes'].includes(v)) return true;
  if (/^\d+$/.test(v)) return Number(v);
  return raw.trim();
}
