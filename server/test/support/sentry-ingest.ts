import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One envelope item (an event, a session, a client report) as the stand-in received it. */
export interface EnvelopeItem {
  type: string;
  payload: Record<string, unknown>;
}

/**
 * A stand-in for Sentry's ingest: the SDK posts envelopes (newline-separated JSON: envelope header,
 * then item header and payload pairs) to /api/<project>/envelope/. The DSN to give the SDK is `dsn`.
 */
export async function startSentryIngest(): Promise<{ dsn: string; items: EnvelopeItem[]; raw: string[]; close(): Promise<void> }> {
  const items: EnvelopeItem[] = [];
  const raw: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !/^\/api\/1\/envelope\/?/.test(req.url ?? '')) return void res.writeHead(404).end();
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const text = body.toString();
      raw.push(text);
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      for (let i = 1; i + 1 < lines.length; i += 2) {
        const header = JSON.parse(lines[i]!) as { type: string };
        try {
          items.push({ type: header.type, payload: JSON.parse(lines[i + 1]!) as Record<string, unknown> });
        } catch {
          items.push({ type: header.type, payload: {} }); // binary attachment
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    dsn: `http://publickey@127.0.0.1:${port}/1`,
    items,
    raw,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
