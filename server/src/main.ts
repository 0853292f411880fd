import { readConfig } from './config.js';
import { startGateway } from './gateway.js';
import { createLogger } from './log.js';
import { startErrorReporting } from './telemetry/errors.js';
import { startTracing } from './telemetry/tracing.js';

// `npm start`: the gateway on embedded defaults, or on Postgres and Redis when configured.
// HTTPS with a development certificate beside HTTP unless SAYSO_TLS says otherwise (embedding
// the gateway, as tests do, leaves TLS off).
const config = readConfig({ SAYSO_TLS: 'dev', ...process.env });
const log = createLogger(config.logLevel);
const errors = startErrorReporting({ dsn: config.telemetry.sentryDsn, environment: config.telemetry.sentryEnvironment, serviceName: 'sayso-gateway' });
const tracing = startTracing({ serviceName: 'sayso-gateway', tracesUrl: config.telemetry.tracesUrl });
try {
  const gateway = await startGateway(config, { log });
  void gateway.warmUp();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    gateway.close().then(
      // Send the spans and error reports still buffered before exiting.
      () => Promise.all([tracing.shutdown(), errors.close()]).finally(() => process.exit(0)),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const https = gateway.https
    ? `  HTTPS:   ${gateway.https.url}${gateway.https.caFile ? ` (development certificate: trust ${gateway.https.caFile} or accept the warning)` : ''}\n`
    : '';
  console.log(`\n  Sayso is running at ${gateway.url}\n${https}  Sign in: curl -X POST ${gateway.url}/v1/auth/local\n  API:     ${gateway.url}/openapi.json\n`);
} catch (err) {
  log.fatal({ err: err instanceof Error ? err.message : String(err) }, 'could not start');
  process.exit(1);
}
