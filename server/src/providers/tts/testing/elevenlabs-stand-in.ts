import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stand-in saw of one `POST /v1/text-to-speech/{voice_id}/stream`. */
export interface SeenRequest {
  voiceId: string;
  outputFormat: string | null;
  apiKey: string | undefined;
  body: { text?: string; model_id?: string; [key: string]: unknown };
}

export interface ElevenLabsStandIn {
  /** Pass as `baseUrl`. */
  baseUrl: string;
  apiKey: string;
  requests: SeenRequest[];
  /** How replies are sent: `chunks` writes of `chunkBytes` (odd, to split samples) every `delayMs`, after `headerDelayMs`. */
  audio: { chunks: number; chunkBytes: number; delayMs: number; headerDelayMs: number };
  /** The next request gets this status and `{ detail: { status, message } }`. */
  failNext(status: number, detailStatus: string): void;
  /** Per reply, in order: whether it was sent to the end. */
  replies: Array<Promise<{ completed: boolean }>>;
  /**
   * Per reply, in order: how many audio chunks it has written so far, so a test can tell what
   * happened before what without clocks. Replace the array (`sent = []`) to start afresh.
   */
  sent: number[];
  /** The PCM the stand-in sends for `bytes` bytes, as Int16 samples (a 440 Hz tone at 16 kHz). */
  expectedSamples(bytes: number): Int16Array;
  close(): Promise<void>;
}

/**
 * A local stand-in for ElevenLabs' streaming text-to-speech endpoint: HTTP chunked raw PCM,
 * errors shaped like the real API's. Tests drive the real SDK against it through `baseUrl`.
 */
export async function startElevenLabsStandIn(apiKey = 'xi-test-key'): Promise<ElevenLabsStandIn> {
  const samples = (count: number) => {
    const pcm = new Int16Array(count);
    for (let i = 0; i < count; i++) pcm[i] = Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / 16_000));
    return pcm;
  };
  let failure: { status: number; detailStatus: string } | undefined;
  const standIn: ElevenLabsStandIn = {
    baseUrl: '',
    apiKey,
    requests: [],
    audio: { chunks: 5, chunkBytes: 3201, delayMs: 40, headerDelayMs: 0 },
    failNext: (status, detailStatus) => void (failure = { status, detailStatus }),
    replies: [],
    sent: [],
    expectedSamples: (bytes) => samples(Math.floor(bytes / 2)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const match = /^\/v1\/text-to-speech\/([^/]+)\/stream$/.exec(url.pathname);
    if (req.method !== 'POST' || !match) return void res.writeHead(404).end();
    const body = JSON.parse((await readBody(req)) || '{}') as SeenRequest['body'];
    const key = req.headers['xi-api-key'];
    standIn.requests.push({ voiceId: decodeURIComponent(match[1]!), outputFormat: url.searchParams.get('output_format'), apiKey: typeof key === 'string' ? key : undefined, body });

    const error = (status: number, detailStatus: string) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: { status: detailStatus, message: `stand-in ${detailStatus}` } }));
    if (key !== apiKey) return error(401, 'invalid_api_key');
    if (failure) {
      const { status, detailStatus } = failure;
      failure = undefined;
      return error(status, detailStatus);
    }
    if (typeof body.text !== 'string' || !body.text) return error(422, 'invalid_text');

    let finished!: (result: { completed: boolean }) => void;
    standIn.replies.push(new Promise((resolve) => (finished = resolve)));
    const sent = standIn.sent; // this test's array, even if the next test replaces it
    const reply = sent.push(0) - 1;
    const { chunks, chunkBytes, delayMs, headerDelayMs } = standIn.audio;
    const audio = Buffer.from(samples(Math.ceil((chunks * chunkBytes) / 2)).buffer);
    let gone = false;
    res.on('close', () => {
      gone = true;
      finished({ completed: res.writableFinished });
    });
    await sleep(headerDelayMs);
    if (gone) return;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'request-id': 'req-stand-in' });
    for (let i = 0; i < chunks && !gone; i++) {
      res.write(audio.subarray(i * chunkBytes, (i + 1) * chunkBytes));
      sent[reply]! += 1;
      if (i + 1 < chunks) await sleep(delayMs);
    }
    if (!gone) res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return standIn;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
