// Reply audio goes to the page as PCM16 frames on the voice WebSocket, not as a WebRTC track.
// Measured here (bench/voice-transport.ts: headless Chromium, loopback, 5 runs each):
//   - PCM over the WebSocket + WebAudio: playReply -> first sample scheduled ~23 ms (p50; 20 ms of
//     it is the page's own scheduling margin), + ~40 ms device latency either way.
//   - WebRTC track, werift -> Chromium: first packet sent -> audio in the page ~85 ms (p50), Chrome's
//     jitter buffer holding ~50-60 ms. Measured with PCMU, since the track would need an Opus
//     ENCODER on the gateway and none is installed (opusscript and @evan/opus are WASM builds on
//     npm that should run here, not tried); Opus would add its encode time and look-ahead on top.
// Besides latency: PCM needs no encoder (no CPU beyond framing; within noise in the bench), barge-in
// is a flush the page does on `reply-end {interrupted}`, and one path serves both mic transports.
// The cost is bandwidth (256 kbit/s at 16 kHz against ~32 for Opus), which matters on mobile data;
// a client can ask for 16 kHz in `hello.sampleRate`. Chrome's echo canceller also hears WebAudio
// output in recent versions, but hands-free without it is untested here.

/** How far ahead of real time the reply is sent: enough to ride out jitter, small enough to stop at once. */
export const REPLY_LEAD_MS = 200;
/** Largest frame sent: 50 ms at 48 kHz = 4.8 kB, so an interrupt never waits behind a big frame. */
const MAX_FRAME_MS = 50;

export interface ReplyOutcome {
  firstByteMs: number | null;
  interrupted: boolean;
}

/**
 * Sends `audio` through `send`, resampled to `outRate`, paced at real time plus a lead, and
 * resolves when the page should have finished playing it (or at once when `signal` aborts).
 */
export async function streamReply(opts: {
  audio: AsyncIterable<Int16Array>;
  inRate: number;
  outRate: number;
  signal: AbortSignal;
  send: (pcm: Int16Array) => void;
  startedAt: number;
  leadMs?: number;
}): Promise<ReplyOutcome> {
  const { signal, outRate, send } = opts;
  const lead = opts.leadMs ?? REPLY_LEAD_MS;
  const resample = opts.inRate === outRate ? (x: Int16Array) => x : linearResampler(opts.inRate, outRate);
  const maxFrame = Math.round((outRate * MAX_FRAME_MS) / 1000);
  const aborted = abortPromise(signal);
  const it = opts.audio[Symbol.asyncIterator]();
  let firstByteMs: number | null = null;
  let playStart = 0;
  let sent = 0; // samples at outRate
  const aheadMs = () => (sent * 1000) / outRate - (Date.now() - playStart);
  try {
    for (;;) {
      const next = await Promise.race([it.next(), aborted]);
      if (next === 'aborted') return { firstByteMs, interrupted: true };
      if (next.done) break;
      const pcm = resample(next.value);
      for (let off = 0; off < pcm.length; off += maxFrame) {
        if (firstByteMs === null) {
          playStart = Date.now();
          firstByteMs = playStart - opts.startedAt;
        }
        const wait = aheadMs() - lead;
        if (wait > 0 && (await Promise.race([sleep(wait), aborted])) === 'aborted') return { firstByteMs, interrupted: true };
        send(pcm.subarray(off, off + maxFrame));
        sent += Math.min(maxFrame, pcm.length - off);
      }
    }
    // Stay "speaking" until the page has played what it holds, so barge-in still works meanwhile.
    const left = firstByteMs === null ? 0 : aheadMs();
    if (left > 0 && (await Promise.race([sleep(left), aborted])) === 'aborted') return { firstByteMs, interrupted: true };
    return { firstByteMs, interrupted: false };
  } finally {
    // Stop the producer (TTS) too; do not wait for it.
    if (signal.aborted) void Promise.resolve(it.return?.()).catch(() => {});
  }
}

/**
 * Linear interpolation across chunk boundaries. Good enough for speech going up, or down by
 * small ratios (24 -> 16 kHz); a TTS asked for the client's rate needs none of it.
 */
export function linearResampler(inRate: number, outRate: number): (chunk: Int16Array) => Int16Array {
  const step = inRate / outRate;
  let pos = 0; // position of the next output sample, in input samples, relative to `prev`
  let prev: number | undefined; // last sample of the previous chunk
  return (chunk) => {
    if (chunk.length === 0) return chunk;
    const src = prev === undefined ? chunk : prepend(prev, chunk);
    const out: number[] = [];
    for (; pos + 1 < src.length; pos += step) {
      const i = Math.floor(pos);
      const frac = pos - i;
      out.push(Math.round(src[i]! * (1 - frac) + src[i + 1]! * frac));
    }
    pos -= src.length - 1;
    prev = src[src.length - 1];
    return Int16Array.from(out);
  };
}

function prepend(x: number, chunk: Int16Array): Int16Array {
  const out = new Int16Array(chunk.length + 1);
  out[0] = x;
  out.set(chunk, 1);
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function abortPromise(signal: AbortSignal): Promise<'aborted'> {
  if (signal.aborted) return Promise.resolve('aborted');
  return new Promise((r) => signal.addEventListener('abort', () => r('aborted'), { once: true }));
}
