import { TokenBucket } from './limiter.js';
import { retryAfterSeconds, type Limits } from './limits.js';

/** Audio is charged to the shared budget in batches of about this much (~1 s of 16 kHz PCM). */
const AUDIO_BATCH_BYTES = 32_000;

/**
 * One voice socket's limits. Each check answers true (go ahead) or false (drop it); the client is
 * told through `tell` once per refusal spell, not once per dropped frame.
 *
 * Messages are counted per socket, synchronously, so their order never changes. Audio counts
 * against the person's budget shared by all gateways; asking Redis for every 20 ms frame would
 * cost more than the audio, so frames pass while their bytes are charged about once a second,
 * and a refusal stops the frames after it. A socket can overshoot by at most one batch.
 */
export class VoiceBudget {
  private readonly messages: TokenBucket | undefined;
  private messagesTold = false;
  private pendingBytes = 0;
  private charging = false;
  private audioRefusedUntil = 0;
  private audioTold = false;

  constructor(
    private readonly userId: string,
    private readonly limits: Limits,
    /** Sends the refusal to the client (a `rate_limited` error message). */
    private readonly tell: (message: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    const perMinute = limits.config.voiceMessagesPerMinute;
    this.messages = perMinute > 0 ? new TokenBucket({ limit: perMinute, windowMs: 60_000 }, now) : undefined;
  }

  /** One JSON message from the client. */
  message(): boolean {
    const d = this.messages?.take();
    if (!d || d.ok) {
      this.messagesTold = false;
      return true;
    }
    if (this.messagesTold) return false;
    this.messagesTold = true;
    const wait = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
    this.tell(`Too many messages on this voice connection: at most ${this.limits.config.voiceMessagesPerMinute} a minute. ` +
      `This one and any more in the next ${wait} second${wait === 1 ? '' : 's'} are dropped; send fewer (e.g. one ptt press and release per turn).`);
    return false;
  }

  /** `bytes` of microphone audio (16 kHz Int16, from either transport), before it reaches turn detection. */
  audio(bytes: number): boolean {
    if (this.limits.config.audioBytesPerMinute <= 0) return true;
    if (this.now() < this.audioRefusedUntil) return false;
    this.audioTold = false;
    this.pendingBytes += bytes;
    const batch = Math.min(AUDIO_BATCH_BYTES, Math.ceil(this.limits.config.audioBytesPerMinute / 8));
    if (this.pendingBytes >= batch && !this.charging) {
      const cost = this.pendingBytes;
      this.pendingBytes = 0;
      this.charging = true;
      void this.limits.audio(this.userId, cost).then((refusal) => {
        this.charging = false;
        if (!refusal) return;
        this.audioRefusedUntil = this.now() + retryAfterSeconds(refusal)! * 1000;
        if (!this.audioTold) {
          this.audioTold = true;
          this.tell(refusal.message);
        }
      });
    }
    return true;
  }
}
