// One read of a TensorBoard event file (our source: two threads for a large file, or `tensorboard-one`: one thread) or
// of the same data as JSONL (our text reader), in a fresh process so its peak RSS is its own. Bundled by bench/run.ts and run as `node tensorboardChild.js <mode> <file>`; prints one
// JSON line. Only the read is timed; the loss column's sum lets the run check both reads got the same numbers.
import { readSources } from '../src/core/sources';
import { readTable } from '../src/core/table';
import type { Table } from '../src/core/table/types';

export type TensorboardMode = 'baseline' | 'tensorboard' | 'tensorboard-one' | 'jsonl';

export interface TensorboardOutcome {
  mode: TensorboardMode;
  ms: number;
  /** CPU time of the read (user + system, every thread of the process), which a busy machine inflates less. */
  cpuMs: number;
  rows: number;
  scalars: number;
  lossSum: number;
  maxRssMB: number;
}

async function read(mode: TensorboardMode, file: string): Promise<Table | null> {
  if (mode === 'baseline') return null;
  if (mode === 'jsonl') return readTable(file);
  const { tables } = await readSources([file], { parallel: mode === 'tensorboard' ? 'auto' : false });
  return tables[0];
}

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2) as [TensorboardMode, string];
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
  };
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}

void main();
