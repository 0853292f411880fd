import { describe, expect, it } from 'vitest';
import { pcmFromBuffer, pcmToWav, resample, wavToPcm } from '../src/providers/stt/wav.js';
import { parseTemplate, sampleSentences, toArpa, vocabulary } from '../src/providers/stt/language-model.js';
import { COMMAND_RULES } from '../src/providers/stt/command-corpus.js';

describe('WAV helpers', () => {
  const tone = Int16Array.from({ length: 1600 }, (_, i) => Math.round(8000 * Math.sin(i / 5)));

  it('writes a 16 kHz mono 16-bit WAV that reads back to the same samples', () => {
    const wav = pcmToWav(tone);
    expect(wav.length).toBe(44 + tone.length * 2);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(16_000);
    const back = wavToPcm(wav);
    expect(back).toMatchObject({ sampleRate: 16_000, channels: 1 });
    expect(Array.from(back.pcm)).toEqual(Array.from(tone));
  });

  it('averages stereo to mono and rejects what is not a WAV', () => {
    const stereo = pcmToWav(Int16Array.from([100, 300, -100, -300]), 16_000, 2);
    expect(Array.from(wavToPcm(stereo).pcm)).toEqual([200, -200]);
    expect(() => wavToPcm(Buffer.from('not audio at all'))).toThrow(/RIFF/);
  });

  it('reads samples from an odd-aligned Buffer slice', () => {
    const bytes = Buffer.alloc(7);
    bytes.writeInt16LE(-2, 1);
    bytes.writeInt16LE(513, 3);
    expect(Array.from(pcmFromBuffer(bytes.subarray(1, 5)))).toEqual([-2, 513]);
  });

  it('resamples 8 kHz to 16 kHz and back, keeping the length in time', () => {
    const up = resample(tone, 8000, 16_000);
    expect(up.length).toBe(tone.length * 2);
    expect(resample(up, 16_000, 8000).length).toBe(tone.length);
    expect(resample(tone, 16_000, 16_000)).toBe(tone);
  });
});

describe('command language model', () => {
  it('parses templates and samples sentences made only of template words', () => {
    expect(parseTemplate('add [a task] (milk | <thing>)').map((n) => n.kind)).toEqual(['word', 'alt', 'alt']);
    const words = vocabulary();
    const sentences = sampleSentences(COMMAND_RULES, 200);
    expect(new Set(sentences).size).toBeGreaterThan(100);
    for (const s of sentences) for (const w of s.split(' ')) expect(words.has(w)).toBe(true);
  });

  it('writes ARPA whose declared n-gram counts match its sections', () => {
    const arpa = toArpa(['add milk', 'add bread tomorrow', 'add milk tomorrow']);
    for (const n of [1, 2, 3]) {
      const declared = Number(arpa.match(new RegExp(`ngram ${n}=(\\d+)`))![1]);
      const section = arpa.split(`\\${n}-grams:\n`)[1]!.split('\n\n')[0]!.split('\n');
      expect(section).toHaveLength(declared);
    }
    expect(arpa).toMatch(/\\end\\\n$/);
  });
});
