// PCM <-> WAV for the pipeline's audio (16 kHz mono signed 16-bit little-endian) and a small
// resampler for audio that arrives at another rate (flite's kal voice speaks at 8 kHz).
import { SAMPLE_RATE } from './port.js';

/** A RIFF/WAVE file (PCM, 16-bit) around `pcm`. */
export function pcmToWav(pcm: Int16Array, sampleRate = SAMPLE_RATE, channels = 1): Buffer {
  const data = pcmToBuffer(pcm);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28); // byte rate
  header.writeUInt16LE(channels * 2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

export interface DecodedWav {
  /** Mono: channels are averaged. */
  pcm: Int16Array;
  sampleRate: number;
  channels: number;
}

/** Reads a 16-bit PCM WAV, walking its chunks (LIST and fact chunks are skipped). */
export function wavToPcm(wav: Uint8Array): DecodedWav {
  const buf = Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength);
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('Not a WAV file: expected a RIFF/WAVE header.');
  }
  let format: { channels: number; sampleRate: number; bits: number; tag: number } | undefined;
  for (let at = 12; at + 8 <= buf.length; ) {
    const id = buf.toString('ascii', at, at + 4);
    // Streamed WAVs (sox, flite to a pipe) may carry a placeholder size: clamp to the file.
    const size = Math.min(buf.readUInt32LE(at + 4), buf.length - at - 8);
    if (id === 'fmt ') {
      format = { tag: buf.readUInt16LE(at + 8), channels: buf.readUInt16LE(at + 10), sampleRate: buf.readUInt32LE(at + 12), bits: buf.readUInt16LE(at + 22) };
    } else if (id === 'data') {
      if (!format) throw new Error('WAV data comes before its fmt chunk.');
      if ((format.tag !== 1 && format.tag !== 0xfffe) || format.bits !== 16) {
        throw new Error(`Unsupported WAV: format ${format.tag}, ${format.bits}-bit; convert to 16-bit PCM (sox in.wav -b 16 out.wav).`);
      }
      const samples = pcmFromBuffer(buf.subarray(at + 8, at + 8 + size));
      return { pcm: downmix(samples, format.channels), sampleRate: format.sampleRate, channels: format.channels };
    }
    at += 8 + size + (size % 2); // chunks are padded to even sizes
  }
  throw new Error('WAV has no data chunk.');
}

/** Little-endian bytes of `pcm` (no copy on little-endian machines, which is all Node targets). */
export function pcmToBuffer(pcm: Int16Array): Buffer {
  return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}

/** Samples from s16le bytes; copies when the bytes are not 2-aligned (Buffer pool slices). */
export function pcmFromBuffer(bytes: Uint8Array): Int16Array {
  const n = Math.floor(bytes.byteLength / 2);
  if (bytes.byteOffset % 2 === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, n);
  const copy = new Uint8Array(n * 2);
  copy.set(bytes.subarray(0, n * 2));
  return new Int16Array(copy.buffer);
}

/** Resamples by linear interpolation, low-passing first when going down (a 3-tap average per
 * halving), which is plenty for speech recognition but not for music. */
export function resample(pcm: Int16Array, from: number, to = SAMPLE_RATE): Int16Array {
  if (from === to || pcm.length === 0) return pcm;
  let input = pcm;
  for (let rate = from; rate >= to * 2; rate /= 2) input = smooth(input);
  const out = new Int16Array(Math.max(1, Math.round((pcm.length * to) / from)));
  const step = from / to;
  for (let i = 0; i < out.length; i++) {
    const x = i * step;
    const j = Math.floor(x);
    const a = input[Math.min(j, input.length - 1)]!;
    const b = input[Math.min(j + 1, input.length - 1)]!;
    out[i] = Math.round(a + (b - a) * (x - j));
  }
  return out;
}

function smooth(pcm: Int16Array): Int16Array {
  const out = new Int16Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) {
    out[i] = Math.round((pcm[Math.max(0, i - 1)]! + 2 * pcm[i]! + pcm[Math.min(pcm.length - 1, i + 1)]!) / 4);
  }
  return out;
}

function downmix(samples: Int16Array, channels: number): Int16Array {
  if (channels <= 1) return samples;
  const out = new Int16Array(Math.floor(samples.length / channels));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += samples[i * channels + c]!;
    out[i] = Math.round(sum / channels);
  }
  return out;
}
