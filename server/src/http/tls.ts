import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import type { Logger } from '../log.js';

export type TlsConfig =
  | { mode: 'off' }
  /** A certificate for localhost made (once) in the data directory. */
  | { mode: 'dev'; port: number; dir: string }
  /** Your own PEM files (SAYSO_TLS_CERT, SAYSO_TLS_KEY). */
  | { mode: 'files'; port: number; certFile: string; keyFile: string };

export interface TlsMaterial {
  cert: string;
  key: string;
  /** For `mode: 'dev'`: the CA to trust (in a browser, or `ca:` in Node) instead of clicking through. */
  caFile?: string;
  /** True when the certificate was made now rather than read from disk. */
  created: boolean;
}

/** A development certificate is made again when it has less than this left. */
const RENEW_BEFORE_MS = 30 * 86_400_000;
const VALID_MS = 365 * 86_400_000;

/**
 * The certificate and key for the HTTPS listener.
 *
 * In `dev` mode the first start makes a one-off CA and a localhost certificate signed by it, keeps
 * both certificates in `<data dir>/tls/`, and throws the CA's key away: trusting `dev-ca.pem`
 * then trusts this one certificate and nothing else anyone could sign. Later starts reuse them.
 */
export async function loadTls(config: Exclude<TlsConfig, { mode: 'off' }>): Promise<TlsMaterial> {
  if (config.mode === 'files') {
    const [cert, key] = await Promise.all([readPem(config.certFile, 'SAYSO_TLS_CERT'), readPem(config.keyFile, 'SAYSO_TLS_KEY')]);
    return { cert, key, created: false };
  }
  const files = { cert: path.join(config.dir, 'dev-cert.pem'), key: path.join(config.dir, 'dev-key.pem'), ca: path.join(config.dir, 'dev-ca.pem') };
  const existing = await Promise.all([readFile(files.cert, 'utf8'), readFile(files.key, 'utf8')]).catch(() => undefined);
  if (existing && stillGood(existing[0])) return { cert: existing[0], key: existing[1], caFile: files.ca, created: false };

  const made = await makeDevCertificate();
  await mkdir(config.dir, { recursive: true, mode: 0o700 });
  // Write then rename: a second process starting at the same moment never reads half a file.
  for (const [file, text, mode] of [[files.ca, made.ca, 0o644], [files.key, made.key, 0o600], [files.cert, made.cert, 0o644]] as const) {
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, text, { mode });
    await rename(tmp, file);
  }
  return { cert: made.cert, key: made.key, caFile: files.ca, created: true };
}

async function readPem(file: string, variable: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`${variable}=${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}). Point it at a PEM file, or unset SAYSO_TLS_CERT and SAYSO_TLS_KEY for a development certificate.`);
  }
}

function stillGood(pem: string): boolean {
  try {
    return new Date(new X509Certificate(pem).validTo).getTime() - Date.now() > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

async function makeDevCertificate(): Promise<{ ca: string; cert: string; key: string }> {
  const notAfterDate = new Date(Date.now() + VALID_MS);
  const ca = await generate([{ name: 'commonName', value: `Sayso development CA (${hostname()})` }], {
    keyType: 'ec', algorithm: 'sha256', notAfterDate,
    extensions: [{ name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }],
  });
  const leaf = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec', algorithm: 'sha256', notAfterDate, ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 2, value: hostname() }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  return { ca: ca.cert, cert: leaf.cert, key: leaf.private };
}

export interface HttpsListener {
  server: HttpsServer;
  url: string;
  /** The development CA to trust, in `dev` mode. */
  caFile?: string;
}

/**
 * HTTPS for `app` beside the HTTP listener, on `config.port`. A development certificate that
 * cannot be served (port taken) only costs the HTTPS listener, with a warning: plain HTTP on
 * localhost is enough for the microphone. Your own certificate failing stops the gateway.
 */
export async function listenHttps(
  app: RequestListener, config: Exclude<TlsConfig, { mode: 'off' }>, host: string, log: Logger,
): Promise<HttpsListener | undefined> {
  try {
    const tls = await loadTls(config);
    const server = createHttpsServer({ cert: tls.cert, key: tls.key }, app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const shown = host.includes(':') ? `[${host}]` : host;
    if (tls.created) log.info({ caFile: tls.caFile }, 'made a development certificate for localhost');
    return { server, url: `https://${shown}:${port}`, ...(tls.caFile ? { caFile: tls.caFile } : {}) };
  } catch (err) {
    if (config.mode === 'files') throw err;
    log.warn({ err: err instanceof Error ? err.message : String(err), port: config.port }, 'HTTPS with the development certificate did not start: HTTP only (set SAYSO_TLS_PORT to a free port, or SAYSO_TLS=off)');
    return undefined;
  }
}
