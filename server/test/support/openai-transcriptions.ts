import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeSTT } from '../../src/providers/stt/fake.js';
import { wavToPcm } from '../../src/providers/stt/wav.js';

/** What the stand-in saw of one `POST /v1/audio/transcriptions`. */
export interface SeenTranscription {
  authorization: string | undefined;
  contentType: string | undefined;
  /** The plain form fields: model, language, prompt, response_format... */
  fields: Record<string, string>;
  file: { name: string; type: string; bytes: Buffer } | undefined;
  /** The file's WAV header, or why it is not a valid WAV. */
  wav: { sampleRate: number; channels: number; samples: number } | { error: string } | undefined;
}

export interface TranscriptionsStandIn {
  /** Pass to `new OpenAI({ baseURL })`. */
  baseURL: string;
  requests: SeenTranscription[];
  /** Answers the next requests with these statuses (then succeeds again). */
  failNext(...statuses: Array<{ status: number; code: string }>): void;
  /** Delays every answer (to test aborts). */
  delayMs: number;
  close(): Promise<void>;
}

/**
 * A local server speaking OpenAI's transcription protocol: multipart upload in, `{ text }` out,
 * OpenAI-shaped errors (including `audio_too_short` under 0.1 s). It "recognises" audio made by
 * `FakeSTT.speak()` as the text written into it, and anything else as ''.
 */
export async function startTranscriptionsStandIn(): Promise<TranscriptionsStandIn> {
  const requests: SeenTranscription[] = [];
  const failures: Array<{ status: number; code: string }> = [];
  const state = { delayMs: 0 };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => void respond(req, res, Buffer.concat(chunks)).catch((err: unknown) => send(res, 500, { error: { message: String(err), type: 'server_error', code: null } })), state.delayMs);
    });
  });

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${requests.length}`, ...headers });
    res.end(JSON.stringify(body));
  };

  async function respond(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): Promise<void> {
    if (req.method !== 'POST' || req.url !== '/v1/audio/transcriptions') {
      return send(res, 404, { error: { message: 'Not found', type: 'invalid_request_error', code: null } });
    }
    // undici parses multipart/form-data exactly as a browser would.
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
    const fields: Record<string, string> = {};
    let file: SeenTranscription['file'];
    for (const [name, value] of form) {
      if (typeof value === 'string') fields[name] = value;
      else if (name === 'file') file = { name: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) };
    }
    let wav: SeenTranscription['wav'];
    let pcm: Int16Array | undefined;
    if (file) {
      try {
        const decoded = wavToPcm(file.bytes);
        pcm = decoded.pcm;
        wav = { sampleRate: decoded.sampleRate, channels: decoded.channels, samples: decoded.pcm.length };
      } catch (err) {
        wav = { error: (err as Error).message };
      }
    }
    requests.push({ authorization: req.headers.authorization, contentType: req.headers['content-type'], fields, file, wav });

    const failure = failures.shift();
    if (failure) {
      const type = failure.status === 401 ? 'invalid_request_error' : failure.status === 429 ? 'requests' : 'server_error';
      return send(res, failure.status, { error: { message: `stand-in ${failure.code}`, type, param: null, code: failure.code } }, { 'retry-after-ms': '5' });
    }
    if (!fields['model'] || !file) {
      return send(res, 400, { error: { message: 'model and file are required', type: 'invalid_request_error', param: null, code: null } });
    }
    if (!pcm) return send(res, 400, { error: { message: 'Invalid file format.', type: 'invalid_request_error', param: 'file', code: 'invalid_value' } });
    if (pcm.length < 1600) {
      return send(res, 400, {
        error: { message: 'Audio file is too short. Minimum audio length is 0.1 seconds.', type: 'invalid_request_error', param: 'file', code: 'audio_too_short' },
      });
    }
    send(res, 200, { text: FakeSTT.heard(pcm) ?? '', usage: { type: 'duration', seconds: Math.ceil(pcm.length / 16_000) } });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    failNext: (...statuses) => void failures.push(...statuses),
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
