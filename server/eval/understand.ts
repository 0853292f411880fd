// npm run eval:understand -- [FILE.jsonl ...] [--errors]
//
// Scores the offline understanding engine and prints the figures of shared/eval/README.md and a
// per-source-intent confusion summary. With no file it scores the SLURP devel file and our own
// cases. The last line is one JSON object with the figures of the first file.

import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLines, report, scoreLines, type Figures } from './score.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const DEVEL_FILE = resolve(repoRoot, '../shared/eval/slurp-devel.jsonl');
const CASES_FILE = resolve(here, 'sayso-cases.jsonl');

const args = process.argv.slice(2);
const showErrors = args.includes('--errors');
const files = args.filter((a) => !a.startsWith('--'));
// npm runs scripts from the repo root; INIT_CWD is where the command was typed.
const cwd = process.env['INIT_CWD'] ?? process.cwd();
const targets = files.length ? files.map((f) => resolve(cwd, f)) : [DEVEL_FILE, CASES_FILE];

let first: Figures | undefined;
for (const file of targets) {
  if (!existsSync(file)) {
    console.error(`No eval file at ${file}. Pass a JSONL file: npm run eval:understand -- path/to/file.jsonl`);
    process.exit(2);
  }
  const started = performance.now();
  const result = scoreLines(readLines(file));
  console.log(report(file, result, showErrors));
  console.log(`(${Math.round(performance.now() - started)} ms)\n`);
  first ??= result.figures;
}
console.log(JSON.stringify(first));
