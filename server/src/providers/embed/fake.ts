import type { Embedder, EmbedderCapabilities, Embeddings } from './port.js';
import { normalise } from './port.js';

/**
 * A hashed bag of words: lower-cased word tokens and word bigrams, each hashed (FNV-1a) into
 * one of `dimensions` buckets with a hashed sign, then L2-normalised. Deterministic and
 * instant, so tests use it; it is also a real, weak last-resort fallback: it matches shared
 * words, not meaning ("slept badly" and "poor night" share nothing).
 */
export class HashEmbedder implements Embedder {
  readonly id: string;
  readonly capabilities: EmbedderCapabilities;

  constructor(dimensions = 512) {
    this.id = `hash-bow-${dimensions}`;
    this.capabilities = { dimensions, maxBatch: 10_000, local: true };
  }

  async embed(texts: readonly string[]): Promise<Embeddings> {
    return { model: this.id, vectors: texts.map((t) => this.vector(t)) };
  }

  private vector(text: string): number[] {
    const v = new Array<number>(this.capabilities.dimensions).fill(0);
    const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
    // A text without words still needs a direction: give it one of its own.
    const features = words.length === 0 ? ['\u0000empty'] : [...words, ...words.slice(1).map((w, i) => `${words[i]} ${w}`)];
    for (const f of features) {
      const h = fnv1a(f);
      const bucket = h % v.length;
      v[bucket] = v[bucket]! + (h & 0x80000000 ? -1 : 1);
    }
    return normalise(v);
  }
}

/** 32-bit FNV-1a over UTF-16 code units: small, fast, and well spread for short keys. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
