// One read of a TensorBoard event file (our source as users get it, `tensorboard`: two threads for a large file when a
// core is idle; `tensorboard-one`: one thread; `tensorboard-two`: two threads whatever the load) or of the same data as
// JSONL (our text reader), in a fresh process so its peak RSS is its own. Bundled by bench/run.ts and run as `node tensorboardChild.js <mode> <file>`; prints one
// JSON line. Only the read is timed; the loss column's sum lets the run check both reads got the same numbers.
import { statSync } from 'node:fs';
import { readSources } from '../src/core/sources';
import { coreIsFree } from '../src/core/sources/tensorboard/split';
import { wantsSplit } from '../src/core/table/parallel';
import { readTable } from '../src/core/table';
import type { Table } from '../src/core/table/types';

export type TensorboardMode = 'baseline' | 'tensorboard' | 'tensorboard-one' | 'tensorboard-two' | 'jsonl';

const PARALLEL = { tensorboard: 'auto', 'tensorboard-one': false, 'tensorboard-two': true } as const;

export interface TensorboardOutcome {
  mode: TensorboardMode;
  ms: number;
  /** CPU time of the read (user + system, every thread of the process), which a busy machine inflates less. */
  cpuMs: number;
  rows: number;
  scalars: number;
  lossSum: number;
  maxRssMB: number;
  /** Whether the automatic choice reads this file in two threads now: large enough, and a core idle. */
  autoInTwo: boolean;
}

async function read(mode: TensorboardMode, file: string): Promise<Table | null> {
  if (mode === 'baseline') return null;
  if (mode === 'jsonl') return readTable(file);
  const { tables } = await readSources([file], { parallel: PARALLEL[mode] });
  return tables[0];
}

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2) as [TensorboardMode, string];
  const autoInTwo = wantsSplit('auto', statSync(file).size) && coreIsFree();
  const started = performance.now();
  const cpu = process.cpuUsage();
  const table = await read(mode, file);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  let lossSum = 0;
  let scalars = 0;
  if (table !== null) {
    const loss = table.columns.find((c) => c.name === 'train/loss')!.values;
    for (let i = 0; i < table.rowCount; i++) lossSum += loss[i];
    for (const c of table.columns.slice(1)) scalars += c.numericCount;
  }
  const outcome: TensorboardOutcome = {
    mode,
    ms,
    cpuMs: (used.user + used.system) / 1000,
    rows: table?.rowCount ?? 0,
    scalars,
    lossSum,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    autoInTwo,
  };
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}

void main();
