/**
 * Word error rate of local speech recognition (pocketsphinx) per language model, on speech
 * synthesised with Debian flite (voices slt, rms, kal; sox to 16 kHz), and warm decode latency.
 *
 * 40 commands (the last 10 phrased in ways the command templates do not generate) and 15 journal
 * dictations, none of them in the command corpus. Needs flite, sox, python3-pocketsphinx.
 *
 *   npx tsx bench/stt-wer.ts
 *   STT_VOICES=slt STT_MODELS=mixed,general:accurate npx tsx bench/stt-wer.ts   # a subset
 *
 * Models: general, grammar, commands, mixed (see server/src/providers/stt/local.ts), each with
 * `:accurate` for pocketsphinx's default search (default here: the provider's `fast`); `cli` is a
 * persistent `pocketsphinx_continuous` process with the general model, the design not chosen.
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { PocketSphinxSTT, type LocalLanguageModel } from '../server/src/providers/stt/local.js';
import { pcmToBuffer } from '../server/src/providers/stt/wav.js';
import { join16, silence, synthesize, type FliteVoice } from '../server/test/support/speech.js';

export const COMMANDS = [
  'add a task call the dentist tomorrow', 'remind me to buy milk tonight', 'schedule a meeting with sarah on friday at three pm',
  'mark the laundry as done', 'what is on my calendar today', 'move my dentist appointment to next monday',
  'add water the plants to my list', 'start a new journal entry', 'log my workout', 'cancel the team meeting on thursday',
  'show my tasks for this week', 'create a habit to read every evening', 'remind me to call mom at six',
  'delete the grocery task', 'what do i have tomorrow morning', 'add pay the electricity bill by friday',
  'set a reminder for the doctor appointment at nine am', 'i finished my workout', 'snooze that for one hour',
  'book lunch with david next tuesday at noon', 'add email the report to my work list', 'complete the task send the invoice',
  'how many tasks are left today', 'schedule a call with the bank on wednesday morning', 'add a habit drink eight glasses of water',
  'mark meditation done for today', 'reschedule the gym session to saturday', 'remind me to renew my passport next month',
  'what is my streak for reading', 'clear all completed tasks',
  // Phrasings the templates do not produce:
  'put bread on the shopping list', 'i want to call the plumber about the leak', 'did i already water the plants today',
  'when is my next dentist appointment', 'change the team meeting to four pm', 'i skipped my run this morning',
  'add a task to renew the car insurance before the end of the month', 'please remind me about the school play on friday evening',
  'how did i sleep last week', 'tell me what i have to do today',
];
const UNSEEN_FROM = 30;

export const JOURNAL = [
  'today i felt tired after a long day at work but the walk in the park helped',
  'i had a great conversation with my sister about our plans for the summer',
  'slept badly last night and woke up with a headache', 'the meeting went better than i expected and the team liked my idea',
  'i cooked pasta for dinner and watched a movie with friends', 'feeling anxious about the deadline next week but i made good progress',
  'we went to the beach in the morning and the water was cold', 'i read three chapters of my book before going to bed',
  'work was stressful today because the server went down twice', 'i am grateful for my family and for the quiet evening at home',
  'my knee hurts after running so i will rest for a few days', 'had coffee with an old friend and we talked for hours',
  'the kids were happy because it snowed all afternoon', 'i need to spend less time on my phone and more time outside',
  'finally finished the painting i started last month',
];

/** Word error rate in percent: word-level edit distance over reference length. */
export function wer(pairs: Array<[ref: string, hyp: string]>): number {
  let edits = 0;
  let words = 0;
  for (const [ref, hyp] of pairs) {
    const r = ref.split(' ').filter(Boolean);
    const h = hyp.toLowerCase().replace(/\(\d+\)/g, '').replace(/[^a-z' ]/g, ' ').split(/\s+/).filter(Boolean);
    let prev = Array.from({ length: h.length + 1 }, (_, j) => j);
    for (let i = 1; i <= r.length; i++) {
      const row = [i];
      for (let j = 1; j <= h.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (r[i - 1] === h[j - 1] ? 0 : 1));
      prev = row;
    }
    edits += prev[h.length]!;
    words += r.length;
  }
  return (100 * edits) / Math.max(1, words);
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

export async function benchSttWer(): Promise<string[]> {
  const voices = (process.env['STT_VOICES'] ?? 'slt,rms,kal').split(',') as FliteVoice[];
  const models = (process.env['STT_MODELS'] ?? 'general:accurate,cli,grammar,commands,mixed:accurate,mixed').split(',');
  const lines: string[] = [];
  const say = (line: string) => (lines.push(line), console.error(line));
  const audio = new Map<string, Int16Array>();
  for (const voice of voices) {
    for (const text of [...COMMANDS, ...JOURNAL]) audio.set(`${voice}|${text}`, await synthesize(text, voice));
  }
  const speechSeconds = [...audio.values()].reduce((s, a) => s + a.length, 0) / 16_000 / voices.length;
  say(`stt corpus: ${COMMANDS.length} commands (${COMMANDS.length - UNSEEN_FROM} in unseen phrasings) + ${JOURNAL.length} journal dictations, ` +
    `${speechSeconds.toFixed(0)} s of speech per voice, flite voices ${voices.join(', ')}`);

  for (const model of models) {
    const [name, search] = model.split(':') as [string, 'fast' | 'accurate' | undefined];
    const decode = name === 'cli' ? await cliDecoder() : await warmDecoder(name as LocalLanguageModel, search ?? 'fast');
    const latencies: number[] = [];
    const rtf: number[] = [];
    const perVoice: string[] = [];
    const all = { seen: [] as Array<[string, string]>, unseen: [] as Array<[string, string]>, journal: [] as Array<[string, string]> };
    for (const voice of voices) {
      const mine = { seen: [] as Array<[string, string]>, unseen: [] as Array<[string, string]>, journal: [] as Array<[string, string]> };
      for (const [i, text] of [...COMMANDS, ...JOURNAL].entries()) {
        const pcm = audio.get(`${voice}|${text}`)!;
        const started = performance.now();
        const { text: hyp, ms = performance.now() - started } = await decode(pcm);
        latencies.push(ms);
        rtf.push(ms / ((pcm.length / 16_000) * 1000));
        const set = i < UNSEEN_FROM ? 'seen' : i < COMMANDS.length ? 'unseen' : 'journal';
        mine[set].push([text, hyp]);
        all[set].push([text, hyp]);
      }
      perVoice.push(`${voice} ${wer([...mine.seen, ...mine.unseen]).toFixed(1)}/${wer(mine.journal).toFixed(1)}`);
    }
    await decode.close();
    say(`stt WER ${model.padEnd(16)}: commands ${wer([...all.seen, ...all.unseen]).toFixed(1)}% ` +
      `(template-like ${wer(all.seen).toFixed(1)}%, unseen phrasing ${wer(all.unseen).toFixed(1)}%), journal ${wer(all.journal).toFixed(1)}% ` +
      `| per voice cmd/journal: ${perVoice.join(', ')}`);
    say(`stt latency ${model.padEnd(16)}: warm decode p50 ${pct(latencies, 50).toFixed(0)} ms, p95 ${pct(latencies, 95).toFixed(0)} ms per utterance ` +
      `(${pct(rtf, 50).toFixed(2)} x real time), first call incl. start ${decode.firstMs.toFixed(0)} ms`);
  }
  return lines;
}

/** `ms`: the decode's own latency where waiting adds more (the CLI's quiet-time cut-off). */
type Decoder = ((pcm: Int16Array) => Promise<{ text: string; ms?: number }>) & { close(): Promise<void>; firstMs: number };

async function warmDecoder(model: LocalLanguageModel, search: 'fast' | 'accurate'): Promise<Decoder> {
  const stt = new PocketSphinxSTT({ languageModel: model, search });
  const started = performance.now();
  await stt.warmUp();
  const decode = (async (pcm: Int16Array) => ({ text: (await stt.transcribe(pcm)).text })) as Decoder;
  decode.firstMs = performance.now() - started;
  decode.close = () => stt.close();
  return decode;
}

/**
 * The alternative design: one `pocketsphinx_continuous -infile /dev/stdin` fed raw audio, each
 * utterance followed by silence; its own voice activity detection splits the stream and it prints
 * one line per detected utterance. Lines are matched to utterances by arrival, with a quiet-time
 * cut-off, as a production version would have to.
 */
async function cliDecoder(): Promise<Decoder> {
  // Node gives a child a socket, not a pipe, as stdin, and fopen('/dev/stdin') fails on a socket:
  // put a real pipe in between.
  const child = spawn('sh', ['-c', 'cat | pocketsphinx_continuous -infile /dev/stdin -logfn /dev/null'], { stdio: ['pipe', 'pipe', 'ignore'] });
  let buffer = '';
  let lines: string[] = [];
  child.stdout.on('data', (c: Buffer) => {
    buffer += c.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l.trim()));
  });
  let calls = 0;
  const decode = (async (pcm: Int16Array) => {
    lines = [];
    // 0.8 s of silence ends the utterance for its VAD; reads happen in 2048-sample blocks.
    child.stdin.write(pcmToBuffer(join16(pcm, silence(0.8))));
    const t0 = performance.now();
    let quietSince = performance.now();
    let seen = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, 20));
      if (lines.length !== seen) (seen = lines.length), (quietSince = performance.now());
      // One line may be followed by more when its VAD split the utterance: wait for quiet.
      if ((seen > 0 && performance.now() - quietSince > 300) || performance.now() - t0 > 10_000) break;
    }
    const ms = quietSince - t0; // until its last line, not counting the wait for quiet
    if (calls++ === 0) decode.firstMs = ms;
    return { text: lines.join(' '), ms };
  }) as Decoder;
  decode.firstMs = 0;
  decode.close = async () => void (child.stdin.end(), await new Promise((r) => child.once('exit', r)));
  return decode;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const line of await benchSttWer()) console.log(line);
}
