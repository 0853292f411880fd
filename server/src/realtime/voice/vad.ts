import createFvad, { type FvadModule } from '@echogarden/fvad-wasm';

/** fvad takes 10, 20 or 30 ms frames; 20 ms matches Chrome's Opus packets. */
export const VAD_FRAME_SAMPLES = 320;

let shared: Promise<FvadModule> | undefined;

/** Loads the WASM module once per process; every session's detector lives in it. */
export function loadVad(): Promise<FvadModule> {
  return (shared ??= createFvad());
}

/** One WebRTC VAD instance (mode 3, 16 kHz, 20 ms frames). Call `free()` when done. */
export class Vad {
  private handle: number;
  private readonly ptr: number;

  private constructor(private readonly m: FvadModule) {
    this.handle = m._fvad_new();
    if (!this.handle) throw new Error('fvad_new failed: out of WASM memory');
    m._fvad_set_mode(this.handle, 3);
    m._fvad_set_sample_rate(this.handle, 16_000);
    this.ptr = m._malloc(VAD_FRAME_SAMPLES * 2);
  }

  static async create(): Promise<Vad> {
    return new Vad(await loadVad());
  }

  /** `frame` must hold VAD_FRAME_SAMPLES samples. */
  isSpeech(frame: Int16Array): boolean {
    if (!this.handle) return false;
    // Views on HEAP16 go stale if the WASM memory grows, so take a fresh one each time.
    this.m.HEAP16.set(frame, this.ptr >> 1);
    return this.m._fvad_process(this.handle, this.ptr, VAD_FRAME_SAMPLES) === 1;
  }

  free(): void {
    if (!this.handle) return;
    this.m._fvad_free(this.handle);
    this.m._free(this.ptr);
    this.handle = 0;
  }
}
