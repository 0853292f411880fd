import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HashEmbedder } from '../src/providers/embed/fake.js';

/** What the stand-in saw of one `POST /v1/embeddings`. */
export interface SeenRequest {
  authorization: string | undefined;
  body: { model: string; input: string[] | string; dimensions?: number; encoding_format?: string };
}

export interface OpenAIStandIn {
  /** Pass to `new OpenAI({ baseURL })`. */
  baseURL: string;
  requests: SeenRequest[];
  /** Answers the next requests with these statuses (then succeeds again). */
  failNext(...statuses: Array<{ status: number; code: string }>): void;
  close(): Promise<void>;
}

/**
 * A local server speaking OpenAI's embeddings protocol: base64 (the SDK's default) or float
 * arrays, `dimensions`, OpenAI-shaped error bodies. Vectors are a hashed bag of words scaled
 * by 3, so they are deterministic, meaningful and deliberately not unit length.
 */
export async function startOpenAIStandIn(): Promise<OpenAIStandIn> {
  const requests: SeenRequest[] = [];
  const failures: Array<{ status: number; code: string }> = [];
  const embedders = new Map<number, HashEmbedder>();

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      void respond(req, res, raw);
    });
  });

  async function respond(req: http.IncomingMessage, res: http.ServerResponse, raw: string): Promise<void> {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${requests.length}`, ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/v1/embeddings') return send(404, { error: { message: 'Not found', type: 'invalid_request_error', code: null } });
    const body = JSON.parse(raw) as SeenRequest['body'];
    requests.push({ authorization: req.headers.authorization, body });
    const failure = failures.shift();
    if (failure) {
      const type = failure.status === 401 ? 'invalid_request_error' : failure.status === 429 ? 'requests' : 'server_error';
      return send(failure.status, { error: { message: `stand-in ${failure.code}`, type, param: null, code: failure.code } }, { 'retry-after-ms': '5' });
    }
    const dims = body.dimensions ?? 1536;
    const hash = embedders.get(dims) ?? new HashEmbedder(dims);
    embedders.set(dims, hash);
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const { vectors } = await hash.embed(inputs);
    const data = vectors.map((v, index) => {
      const scaled = v.map((x) => x * 3);
      const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(scaled).buffer).toString('base64') : scaled;
      return { object: 'embedding', index, embedding };
    });
    // Real responses are not guaranteed in order: reverse to prove the client sorts by index.
    send(200, { object: 'list', data: data.reverse(), model: body.model, usage: { prompt_tokens: 1, total_tokens: 1 } });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    failNext: (...statuses) => void failures.push(...statuses),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
