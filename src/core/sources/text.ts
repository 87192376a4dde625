// CSV, TSV and JSONL, and the TensorBoard and W&B CSV exports: the streaming table reader of src/core/table.
import { binaryReason, extensionOf } from '../table/detect';
import { readTable } from '../table/read';
import type { Probe, Source } from './types';

/** Extensions a folder scan takes for text tables (a file named by the user is always tried). */
const TABLE_EXTENSIONS = new Set(['csv', 'tsv', 'jsonl', 'ndjson']);

export const textSource: Source = {
  format: 'csv',
  recognise(probe: Probe): boolean {
    if (probe.isDirectory) return false;
    if (!probe.scanned) return true;
    // In a folder, a run file is a table by its name and its content both: configs, checkpoints and notes are not.
    return (
      TABLE_EXTENSIONS.has(extensionOf(probe.name)) &&
      binaryReason(probe.head, 0, probe.head.length, probe.name) === null
    );
  },
  async read(path, options) {
    return [await readTable(path, options)];
  },
};
