// The wire contract of /v1/voice. Text frames are JSON; binary frames are audio:
// client -> server 16 kHz mono Int16 LE PCM (WebSocket transport only), server -> client the
// reply as Int16 LE PCM at the rate announced in `reply-start`.

export const VOICE_PATH = '/v1/voice';
/** Sample rate of the PCM the client sends on the WebSocket transport, and of segments. */
export const VOICE_INPUT_SAMPLE_RATE = 16_000;
/** Largest binary frame accepted from a client (64 kB = 2 s of 16 kHz PCM16). */
export const VOICE_MAX_BINARY_BYTES = 64 * 1024;

import type { TurnOutcome } from './events.js';

export type VoiceMode = 'push-to-talk' | 'hands-free';

export interface VoiceTurnResult {
  /** What was heard (or typed). */
  text?: string;
  reply: string;
  outcome: TurnOutcome | { status: 'failed' };
  timings?: Record<string, number>;
}
export type VoiceTransportKind = 'webrtc' | 'websocket';
/**
 * `idle`: nothing under way (hands-free: waiting for speech); `listening`: capturing a turn;
 * `thinking`: a turn went to the pipeline, no reply yet; `speaking`: a reply is playing.
 */
export type VoiceState = 'idle' | 'listening' | 'thinking' | 'speaking';

export const VoiceCloseCode = {
  /** Token missing, invalid or expired: sign in again. */
  unauthorized: 4401,
  /** The client sent no `hello` in time. */
  noHello: 4400,
} as const;

export type VoiceErrorCode =
  | 'bad_message' // not JSON, unknown type, or a field of the wrong shape
  | 'bad_sdp' // the offer could not be applied
  | 'bad_audio' // a binary frame of odd length or over VOICE_MAX_BINARY_BYTES
  | 'wrong_transport' // e.g. an offer on a websocket-transport session
  | 'not_ready'; // a message that needs `hello` first

export type VoiceClientMessage =
  /** First message. `sampleRate`: the rate the client wants reply audio in (8000-48000); default: as produced. */
  | { type: 'hello'; mode: VoiceMode; transport: VoiceTransportKind; sampleRate?: number }
  /** WebRTC only: an SDP offer with one audio m-line (send or sendrecv). Answered with `answer`. */
  | { type: 'offer'; sdp: string }
  | { type: 'ptt'; pressed: boolean }
  | { type: 'mode'; mode: VoiceMode }
  /** A typed turn. */
  | { type: 'text'; text: string }
  /** Stop the current reply and drop the turn in flight. */
  | { type: 'cancel' };

export type VoiceServerMessage =
  /** Answer to `hello`: the session is set up. */
  | { type: 'ready'; sessionId: string; mode: VoiceMode; transport: VoiceTransportKind; inputSampleRate: typeof VOICE_INPUT_SAMPLE_RATE }
  | { type: 'answer'; sdp: string }
  | { type: 'state'; state: VoiceState; turnId?: string }
  | { type: 'transcript'; turnId: string; text: string; final: boolean }
  /** What the turn did and said, with its stage timings (ms); sent before the reply audio. */
  | { type: 'result'; turnId: string; result: VoiceTurnResult }
  /** Binary frames that follow, until `reply-end`, are this reply's PCM16 at `sampleRate`. */
  | { type: 'reply-start'; turnId: string; sampleRate: number }
  /** `interrupted`: the page must drop whatever it still has queued for this reply. */
  | { type: 'reply-end'; turnId: string; interrupted: boolean }
  | { type: 'error'; code: VoiceErrorCode; message: string };
