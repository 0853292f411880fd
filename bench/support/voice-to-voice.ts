import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import type { TurnTimings } from '../../server/src/pipeline/messages.js';
import { OfflineUnderstander } from '../../server/src/providers/llm/offline.js';
import { PocketSphinxSTT } from '../../server/src/providers/stt/local.js';
import { LocalTTS } from '../../server/src/providers/tts/local.js';
import type { VoiceServerMessage } from '../../server/src/realtime/voice/messages.js';
import { speechWav, type SpeechWav } from '../../server/test/support/browser.js';
import { ms, percentile } from '../stats.js';
import { startPipelineRig } from './pipeline-rig.js';

const VOICE_COMMANDS = [
  'add call the dentist tomorrow at nine',
  'remind me to buy milk tonight',
  'put bread on the shopping list',
  'schedule lunch with sarah on friday at noon',
  'journal today was a good day at work',
  'what is on my list today',
  'start a habit of reading',
  'mark call the dentist as done',
];

const FRAME_MS = 20;
const FRAME_BYTES = (16_000 * 2 * FRAME_MS) / 1000;

/** One spoken turn as the client saw it; times are `performance.now()` ms. */
interface SpokenTurn {
  speechEnd: number;
  result: { at: number; timings: TurnTimings; text: string } | undefined;
  firstAudio: number | undefined;
}

/**
 * A Node client of /v1/voice on the WebSocket transport, hands-free: streams a WAV in 20 ms
 * frames paced by a timer as a microphone would deliver them, and notes when the result and the
 * first binary reply frame arrive.
 */
class VoiceClient {
  private readonly ws: WebSocket;
  private turn: SpokenTurn | undefined;
  private replyEnded: (() => void) | undefined;

  constructor(baseUrl: string, token: string) {
    this.ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/voice?token=${token}`);
    this.ws.on('message', (data, isBinary) => {
      const at = performance.now();
      const turn = this.turn;
      if (isBinary) {
        if (turn && turn.firstAudio === undefined) turn.firstAudio = at;
        return;
      }
      const msg = JSON.parse(String(data)) as VoiceServerMessage;
      if (msg.type === 'result' && turn && !turn.result) {
        const r = msg.result as { timings?: TurnTimings; text?: string };
        turn.result = { at, timings: r.timings ?? {}, text: r.text ?? '' };
      }
      if (msg.type === 'reply-end') this.replyEnded?.();
    });
  }

  async hello(): Promise<void> {
    await new Promise<void>((resolve, reject) => (this.ws.once('open', () => resolve()), this.ws.once('error', reject)));
    const ready = new Promise<void>((resolve) => {
      const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
        if (!isBinary && (JSON.parse(String(data)) as VoiceServerMessage).type === 'ready') resolve(), this.ws.off('message', onMessage);
      };
      this.ws.on('message', onMessage);
    });
    this.ws.send(JSON.stringify({ type: 'hello', mode: 'hands-free', transport: 'websocket' }));
    await ready;
  }

  /** Streams `wav` in real time; resolves once its reply has finished playing (or after `timeoutMs`). */
  async say(wav: SpeechWav, timeoutMs = 20_000): Promise<SpokenTurn> {
    const bytes = Buffer.from(wav.pcm.buffer, wav.pcm.byteOffset, wav.pcm.byteLength);
    const played = new Promise<void>((resolve) => (this.replyEnded = resolve));
    const t0 = performance.now();
    // A frame leaves when its last sample would have been captured: the mic clock is t0.
    const turn: SpokenTurn = { speechEnd: t0 + wav.spoken[0]!.endMs, result: undefined, firstAudio: undefined };
    this.turn = turn;
    for (let k = 0; k * FRAME_BYTES < bytes.length; k++) {
      const due = t0 + (k + 1) * FRAME_MS;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      this.ws.send(bytes.subarray(k * FRAME_BYTES, (k + 1) * FRAME_BYTES));
    }
    await Promise.race([played, sleep(timeoutMs)]);
    this.replyEnded = undefined;
    return turn;
  }

  close(): void {
    this.ws.terminate();
  }
}

/**
 * c. Voice-to-voice on local engines (pocketsphinx, offline understanding, flite TTS) through
 * /v1/voice: from the end of the speech in the file to the first reply audio frame at the client.
 */
export async function benchVoiceToVoice(): Promise<string[]> {
  const wavs: SpeechWav[] = [];
  for (const text of VOICE_COMMANDS) wavs.push(await speechWav(text));
  const stt = new PocketSphinxSTT();
  const tts = new LocalTTS();
  const rig = await startPipelineRig({ stt, understander: new OfflineUnderstander(), tts });
  const turns: SpokenTurn[] = [];
  try {
    await rig.gw.warmUp();
    const client = new VoiceClient(rig.gw.url, rig.token);
    await client.hello();
    await client.say(await speechWav('what is on my list today')); // warm up: first decode, first clause
    for (const wav of wavs) turns.push(await client.say(wav));
    client.close();
  } finally {
    await rig.close();
    await stt.close();
    await tts.close();
  }
  const heard = turns.filter((t) => t.firstAudio !== undefined && t.result);
  const p50 = (xs: number[]) => ms(percentile([...xs].sort((a, b) => a - b), 0.5));
  const timing = (k: keyof TurnTimings) => p50(heard.map((t) => t.result!.timings[k] ?? Number.NaN));
  const endToEnd = heard.map((t) => t.firstAudio! - t.speechEnd);
  // toCommit runs from the VAD's own end estimate (its last loud frame), so this is that estimate's lag behind the true end (+ the reply hop).
  const vadLag = heard.map((t) => t.result!.at - t.speechEnd - (t.result!.timings.toCommit ?? 0));
  return [
    `voice-to-voice with local engines (end of speech -> first reply audio at the client): p50 ${p50(endToEnd)}, ` +
      `max ${ms(Math.max(...endToEnd))} (n=${heard.length}/${wavs.length}; pocketsphinx + offline understanding + flite over /v1/voice, WebSocket transport, 20 ms frames in real time)`,
    `  stage p50: vad hang-over ${timing('vad')}, stt ${timing('stt')}, understand ${timing('understand')}, act ${timing('act')}, ` +
      `result -> first reply audio (tts first byte) ${p50(heard.map((t) => t.firstAudio! - t.result!.at))}; ` +
      `end of speech -> result ${p50(heard.map((t) => t.result!.at - t.speechEnd))}, VAD end estimate after the true end ${p50(vadLag)}`,
    `  transcripts: ${heard.map((t) => JSON.stringify(t.result!.text)).join(', ')}`,
  ];
}
