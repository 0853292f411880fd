// Rewrites `from '@sayso/protocol'` in the emitted SDK declarations to the protocol declarations
// emitted beside them, so sdk/dist's types need no @sayso/protocol package either.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const types = fileURLToPath(new URL('../dist/types/', import.meta.url));
const sdkTypes = join(types, 'sdk/src');
const protocolIndex = join(types, 'protocol/src/index.js');

let rewritten = 0;
for (const name of await readdir(sdkTypes, { recursive: true })) {
  if (!name.endsWith('.d.ts')) continue;
  const file = join(sdkTypes, name);
  const text = await readFile(file, 'utf8');
  let target = relative(dirname(file), protocolIndex).replaceAll('\\', '/');
  if (!target.startsWith('.')) target = `./${target}`;
  const next = text.replaceAll(/(from |import\()'@sayso\/protocol'/g, `$1'${target}'`);
  if (next !== text) {
    await writeFile(file, next);
    rewritten++;
  }
}
console.log(`sdk types: pointed ${rewritten} declaration files at the bundled protocol types`);
