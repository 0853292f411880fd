import type { TurnOutcome, VoiceMode, VoiceTransportKind, VoiceTurnResult } from '@sayso/protocol';

/**
 * Where a voice session is. `disconnected` before `connect()` and after `close()`; `connecting`
 * while the socket, the mic and WebRTC come up; then the server's turn states; `error` when the
 * session cannot go on (see the `error` event, then `connect()` again).
 */
export type VoiceSessionState = 'disconnected' | 'connecting' | 'idle' | 'listening' | 'thinking' | 'speaking' | 'error';

/** Why a voice session stopped or could not start, with what to tell the person. */
export type VoiceErrorKind =
  | 'mic_denied' // the person (or the page's policy) refused the microphone
  | 'mic_unavailable' // no microphone, or it is in use
  | 'unsupported' // this browser lacks WebSocket, getUserMedia or AudioWorklet
  | 'unauthorized' // the session token was refused: sign in again
  | 'connection' // the gateway could not be reached or the connection dropped
  | 'server'; // the gateway reported an error (bad message, bad SDP...)

/**
 * A function of the host page that Sayso may call during a turn. Its result flows back into
 * the turn: the understanding engine sees it and acts on it.
 *
 * @example
 * session.registerTool({
 *   name: 'current_article',
 *   description: 'Title and link of the article the person is reading',
 *   refersTo: ['this article', 'this page'],
 *   handler: () => ({ title: document.title, url: location.href }),
 * });
 */
export interface ClientTool {
  /** `[a-z][a-z0-9_]*`, at most 64 characters. */
  name: string;
  /** What it returns, at most 500 characters. */
  description: string;
  /**
   * Phrases this tool stands for in an utterance ("this article"). When the person says one,
   * Sayso calls the tool and understands the request with the result in the phrase's place.
   */
  refersTo: string[];
  /**
   * Runs in the page; `args.phrase` is the phrase that was said. Return a string, or an object
   * with a `title` (used in the phrase's place) and optionally a `url` (kept as the task's notes).
   * At most 16 kB as JSON; answered within 5 s.
   */
  handler: (args: { phrase: string }) => unknown | Promise<unknown>;
}

export interface VoiceConnectOptions {
  /** Open the microphone. Default true; false gives a text-only session (`sendText`), e.g. in Node. */
  mic?: boolean;
}

export interface VoiceSessionOptions {
  /** `hands-free` (speak any time) or `push-to-talk` (`press()`/`release()`). Default `push-to-talk`. */
  mode?: VoiceMode;
  /** Default `webrtc`, falling back to `websocket` when WebRTC fails to connect. */
  transport?: VoiceTransportKind;
  /** Play spoken replies. Default true. */
  speakReplies?: boolean;
  /**
   * URL of the capture worklet module (`pcm-worklet.js`, shipped in the SDK's dist). Needed only
   * for the WebSocket transport. Default: next to the SDK module (`new URL('./pcm-worklet.js', import.meta.url)`).
   */
  workletUrl?: string | URL;
  /** Client tools available from the start. More with `registerTool()`. */
  tools?: ClientTool[];
  /** Mic constraints. Defaults turn echo cancellation on in hands-free mode. */
  audio?: MediaTrackConstraints;
}

/** Events of a `VoiceSession`, by name. */
export interface VoiceSessionEvents {
  state: { state: VoiceSessionState; turnId?: string };
  /** Interim (`final: false`) and final transcripts of the turn being spoken. */
  transcript: { turnId: string; text: string; final: boolean };
  /** What a turn did and said. `outcome.item` is what to show as a chip (and undo). */
  result: { turnId: string; text: string; reply: string; outcome: TurnOutcome | { status: 'failed' }; timings: Record<string, number> };
  /** Mic input level 0..1, about 20 times a second while connected. */
  level: { level: number };
  /** A spoken reply started or ended. */
  reply: { turnId: string; phase: 'start' | 'end'; interrupted?: boolean };
  /** Sayso called a client tool. */
  tool: { turnId: string; name: string; args: Record<string, unknown>; ok: boolean };
  error: { kind: VoiceErrorKind; message: string };
}

export type { VoiceTurnResult };
