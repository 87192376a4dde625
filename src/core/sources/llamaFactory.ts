// LLaMA-Factory's trainer_log.jsonl: JSON Lines (the text reader reads them) whose records carry `current_steps` and
// `total_steps`, recognised by those keys on the first line. total_steps is where the run's schedule ends.
import { extensionOf } from '../table/detect';
import { readTable, withProblem } from '../table/read';
import type { Table } from '../table/types';
import { firstLineKeys } from './json/shape';
import { positiveInteger } from './runHints';
import type { Probe, Source } from './types';

export const llamaFactorySource: Source = {
  format: 'llama-factory',
  recognise(probe: Probe): boolean {
    if (probe.isDirectory || (probe.scanned && extensionOf(probe.name) !== 'jsonl')) return false;
    const keys = firstLineKeys(probe.head);
    return keys !== null && keys.includes('current_steps') && keys.includes('total_steps');
  },
  async read(path, options) {
    return [withScheduleEnd(await readTable(path, options))];
  },
};

/** The table as LLaMA-Factory's, with the last total_steps logged as where the schedule ends (also a followed log's). */
export function withScheduleEnd(read: Table): Table {
  const table: Table = { ...read, format: 'llama-factory' };
  const total = table.columns.find((c) => c.name === 'total_steps');
  let last = NaN;
  for (let r = (total?.values.length ?? 0) - 1; r >= 0 && Number.isNaN(last); r--) last = total!.values[r];
  const maxSteps = positiveInteger(last);
  if (maxSteps === undefined) return table;
  const note = `the schedule ends at step ${maxSteps} (total_steps)`;
  return withProblem(
    { ...table, hints: { maxSteps, notes: [note] } },
    { code: 'run-hints', severity: 'info', line: 1, column: 1, message: `trainer_log.jsonl: ${note}` },
  );
}
