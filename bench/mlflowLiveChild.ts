// The measuring side of the MLflow live row (mlflowLive.ts): `node mlflowLiveChild.js <steps> <rounds>`, bundled as
// shipped. Writes an MLflow run of `steps` steps (loss and lr metric files), follows it as `watch` and the language
// server do (WholeTail: the run read again when a file changes, each metric file from where its last read ended),
// appends 100 lines to each metric file per round and times the update (the read; the fit is the live row's); the
// peer, a whole read of the grown run as every update was before. Prints a MlflowLiveOutcome as JSON on its last line.
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSource } from '../src/core/sources';
import { WholeTail } from '../src/core/live/wholeTail';
import { SCRATCH_DIR } from './paths';
import type { MlflowLiveOutcome } from './mlflowLive';

const APPENDED = 100;

function lines(key: string, from: number, to: number): string {
  let text = '';
  for (let step = from; step < to; step++) {
    const value = key === 'loss' ? 2.5 + 3 / Math.sqrt(step) : 3e-4 * (1 - step / (4 * to));
    text += `${1700000000000 + step} ${value.toPrecision(7)} ${step}\n`;
  }
  return text;
}

async function main(): Promise<void> {
  const [steps, rounds] = process.argv.slice(2).map(Number);
  const run = join(SCRATCH_DIR, 'mlruns', '0', 'd'.repeat(32));
  rmSync(join(SCRATCH_DIR, 'mlruns'), { recursive: true, force: true });
  mkdirSync(join(run, 'metrics'), { recursive: true });
  writeFileSync(join(run, 'meta.yaml'), 'run_name: live\nlifecycle_stage: active\n');
  for (const key of ['loss', 'lr']) writeFileSync(join(run, 'metrics', key), lines(key, 1, steps + 1));
  const tail = new WholeTail(run);
  let started = performance.now();
  await tail.update();
  const firstMs = performance.now() - started;
  const updateMs: number[] = [];
  const wholeMs: number[] = [];
  for (let round = 0, step = steps + 1; round < rounds; round++, step += APPENDED) {
    for (const key of ['loss', 'lr']) appendFileSync(join(run, 'metrics', key), lines(key, step, step + APPENDED));
    started = performance.now();
    const update = await tail.update();
    updateMs.push(performance.now() - started);
    if (update.change !== 'reread') throw new Error(`the update read nothing (${update.change})`);
    // The peer, alternated: the whole read every update made before.
    started = performance.now();
    await readSource(run);
    wholeMs.push(performance.now() - started);
  }
  const rows = tail.current().tables[0].rowCount;
  rmSync(join(SCRATCH_DIR, 'mlruns'), { recursive: true, force: true });
  const outcome: MlflowLiveOutcome = { steps, rows, firstMs, updateMs, wholeMs };
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}

void main();
