import type { VoiceErrorKind } from './types.js';

/** An open microphone with a level meter. */
export interface Mic {
  stream: MediaStream;
  track: MediaStreamTrack;
  /** RMS level of the last ~20 ms, scaled to 0..1. */
  level(): number;
  stop(): void;
}

/** A failure the person can act on, with the words to show them. */
export class VoiceFailure extends Error {
  override name = 'VoiceFailure';
  constructor(readonly kind: VoiceErrorKind, message: string) {
    super(message);
  }
}

/** Opens the mic; maps the browser's errors to what the person should do. */
export async function openMic(ctx: AudioContext, constraints: MediaTrackConstraints): Promise<Mic> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new VoiceFailure(
      'unsupported',
      window.isSecureContext
        ? 'This browser cannot record audio. Use a recent Chrome, Edge, Firefox or Safari, or type instead.'
        : 'The microphone only works on secure pages (https:// or localhost). Open this page over https, or type instead.',
    );
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, ...constraints } });
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      throw new VoiceFailure('mic_denied', 'Microphone access is blocked. Allow it with the icon in the address bar, then try again; or type instead.');
    }
    throw new VoiceFailure('mic_unavailable', 'No microphone could be opened. Check one is connected and not used by another app, then try again.');
  }
  const track = stream.getAudioTracks()[0]!;
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 512;
  const source = ctx.createMediaStreamSource(stream);
  source.connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  return {
    stream,
    track,
    level() {
      if (!track.enabled) return 0;
      analyser.getFloatTimeDomainData(buf);
      let sum = 0;
      for (const v of buf) sum += v * v;
      // Speech RMS sits around 0.02-0.2: a square root spreads that over the meter.
      return Math.min(1, Math.sqrt(Math.sqrt(sum / buf.length)) * 1.6);
    },
    stop() {
      source.disconnect();
      for (const t of stream.getTracks()) t.stop();
    },
  };
}
