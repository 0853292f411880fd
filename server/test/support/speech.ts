// Test speech, synthesised at run time with Debian flite and resampled to 16 kHz mono PCM16
// with sox: nothing binary is checked in. Cached in the temp folder, as synthesis is the slow part.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcmFromBuffer } from '../../src/providers/stt/wav.js';

export type FliteVoice = 'slt' | 'rms' | 'kal' | 'awb';

const CACHE = join(tmpdir(), 'sayso-test-speech');
const INSTALL = 'apt-get install flite sox python3-pocketsphinx pocketsphinx-en-us';

/** `text` spoken by a flite voice, as 16 kHz mono signed 16-bit PCM. */
export async function synthesize(text: string, voice: FliteVoice = 'slt'): Promise<Int16Array> {
  const key = createHash('sha1').update(`${voice}\n${text}`).digest('hex').slice(0, 16);
  const raw = join(CACHE, `${voice}-${key}.s16`);
  try {
    return pcmFromBuffer(await readFile(raw));
  } catch {
    // not cached yet
  }
  await mkdir(CACHE, { recursive: true });
  const wav = join(CACHE, `${voice}-${key}.${process.pid}.wav`);
  await run('flite', ['-voice', voice, '-t', text, '-o', wav]);
  // kal speaks at 8 kHz; slt, rms and awb at 16 kHz. sox makes every voice the pipeline's format.
  const part = `${raw}.${process.pid}`;
  await run('sox', [wav, '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'raw', part]);
  await rename(part, raw);
  await rm(wav, { force: true });
  return pcmFromBuffer(await readFile(raw));
}

/** `seconds` of silence (pocketsphinx likes a little before and after speech). */
export function silence(seconds: number): Int16Array {
  return new Int16Array(Math.round(seconds * 16_000));
}

/** Joins pieces of audio. */
export function join16(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), (at += p.length);
  return out;
}

/**
 * Fails with what to install when a local speech tool is missing. Tests call this rather than
 * skipping: CI installs the tools, and a silent skip would hide that it stopped doing so.
 */
export async function requireSpeechTools(python = '/usr/bin/python3'): Promise<void> {
  const problems: string[] = [];
  for (const [cmd, args] of [['flite', ['-lv']], ['sox', ['--version']]] as const) {
    await run(cmd, [...args]).catch(() => problems.push(`${cmd} is missing`));
  }
  await run(python, ['-c', 'import pocketsphinx']).catch(() => problems.push(`${python} cannot import pocketsphinx`));
  await access('/usr/share/pocketsphinx/model/en-us/en-us.lm.bin').catch(() => problems.push('the en-us model is missing'));
  if (problems.length > 0) throw new Error(`Local speech tests need flite, sox and pocketsphinx: ${problems.join(', ')}. Install them: ${INSTALL}`);
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 20_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} failed: ${stderr || err.message}. Install: ${INSTALL}`));
      else resolve(stdout);
    });
  });
}
