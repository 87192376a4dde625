// The measuring side of the live folder row (folderLive.ts): `node folderLiveChild.js <runs> <rows> <rounds>`, bundled
// as shipped. Writes a folder of `runs` CSV runs of `rows` rows each, follows it as `watch` and the language server do
// (tailFor: a tail per run), appends 100 rows to one run per round and times the update (the read; the fit is the live
// row's); the peer, a whole read of the grown folder as every update was before. Prints a FolderLiveOutcome as JSON.
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSource } from '../src/core/sources';
import { tailFor } from '../src/core/live/tails';
import { SCRATCH_DIR } from './paths';
import type { FolderLiveOutcome } from './folderLive';

const APPENDED = 100;

function rows(from: number, to: number): string {
  let text = '';
  for (let step = from; step < to; step++)
    text += `${step},${(3e-4 * (1 - step / (4 * to))).toPrecision(7)},${(2.5 + 3 / Math.sqrt(step)).toPrecision(7)}\n`;
  return text;
}

async function main(): Promise<void> {
  const [runs, length, rounds] = process.argv.slice(2).map(Number);
  const folder = join(SCRATCH_DIR, 'folder-live');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const file = (i: number) => join(folder, `run-${String(i).padStart(2, '0')}.csv`);
  for (let i = 0; i < runs; i++) writeFileSync(file(i), `step,lr,loss\n${rows(1, length + 1)}`);
  const tail = await tailFor(folder);
  let started = performance.now();
  await tail.update();
  const firstMs = performance.now() - started;
  const updateMs: number[] = [];
  const wholeMs: number[] = [];
  for (let round = 0, step = length + 1; round < rounds; round++, step += APPENDED) {
    appendFileSync(file(round % runs), rows(step, step + APPENDED));
    started = performance.now();
    const update = await tail.update();
    tail.current();
    updateMs.push(performance.now() - started);
    if (update.change === 'unchanged') throw new Error('the update read nothing');
    // The peer, alternated: the whole read every update made before.
    started = performance.now();
    await readSource(folder);
    wholeMs.push(performance.now() - started);
  }
  const tables = tail.current().tables;
  rmSync(folder, { recursive: true, force: true });
  const outcome: FolderLiveOutcome = {
    runs: tables.length,
    rows: tables.reduce((n, t) => n + t.rowCount, 0),
    firstMs,
    updateMs,
    wholeMs,
  };
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}

void main();
