// The two local engines ship without type declarations; these are the parts engine-worker.ts uses.

declare module '@echogarden/espeak-ng-emscripten' {
  interface EspeakWorker {
    set_voice(name: string): void;
    set_rate(wordsPerMinute: number): void;
    /** Synchronous; calls `onAudio` several times with consecutive chunks (22,050 Hz Int16). */
    synthesize(text: string, onAudio: (samples: Int16Array | undefined, events: unknown[]) => void): void;
  }
  interface EspeakModule {
    eSpeakNGWorker: new () => EspeakWorker;
  }
  const initialise: () => Promise<EspeakModule>;
  export default initialise;
}
