/**
 * Plays reply audio (PCM16 chunks) gap-free in arrival order, and drops it all at once on
 * barge-in. Chunks are scheduled back to back on the context's clock.
 */
export class Player {
  #rate = 16_000;
  #next = 0;
  #sources = new Set<AudioBufferSourceNode>();

  constructor(private readonly ctx: AudioContext) {}

  start(sampleRate: number): void {
    this.#rate = sampleRate;
    void this.ctx.resume().catch(() => {});
  }

  push(pcm: Int16Array): void {
    if (pcm.length === 0) return;
    const buffer = this.ctx.createBuffer(1, pcm.length, this.#rate);
    const ch = buffer.getChannelData(0);
    for (let i = 0; i < pcm.length; i++) ch[i] = pcm[i]! / 32768;
    const src = this.ctx.createBufferSource();
    src.buffer = buffer;
    src.connect(this.ctx.destination);
    const at = Math.max(this.#next, this.ctx.currentTime + 0.02);
    src.start(at);
    this.#next = at + buffer.duration;
    this.#sources.add(src);
    src.onended = () => this.#sources.delete(src);
  }

  flush(): void {
    for (const s of this.#sources) {
      try {
        s.stop();
      } catch {
        // already stopped
      }
    }
    this.#sources.clear();
    this.#next = 0;
  }
}
