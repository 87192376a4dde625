// Weights & Biases on disk. The legacy wandb-history.jsonl (before 2020: one JSON object per logged step, `_step`,
// `_runtime`, `_timestamp` and the keys logged) is JSON Lines, read by the text reader and reported as its own format.
// A current run folder (wandb/run-<date>-<id>/) keeps its history only in the binary run-<id>.wandb, a LevelDB-log
// framing of protobuf records whose schema changes between releases: not read, but said, with the export to use.
import { join } from 'node:path';
import { extensionOf } from '../table/detect';
import { ProblemLog } from '../table/problems';
import { readTable } from '../table/read';
import { firstLineKeys } from './json/shape';
import { TableBuilder } from '../table/tableBuilder';
import { readFolderTable } from './regularFile';
import type { Table } from '../table/types';
import type { Probe, Source } from './types';

const HISTORY = 'wandb-history.jsonl';
const RUN_FOLDER = /^(offline-)?run-\d{8}_\d{6}-[a-z0-9]+$/i;
/** The first bytes of a .wandb file (the W&B datastore's header). */
const WANDB_MAGIC = [0x3a, 0x57, 0x26, 0x42]; // ":W&B"

export const wandbHistorySource: Source = {
  format: 'wandb-history',
  recognise(probe: Probe): boolean {
    if (probe.isDirectory || (probe.scanned && extensionOf(probe.name) !== 'jsonl')) return false;
    const keys = firstLineKeys(probe.head);
    return keys !== null && keys.includes('_step') && (keys.includes('_runtime') || keys.includes('_timestamp'));
  },
  async read(path, options) {
    return [asWandbHistory(await readTable(path, options))];
  },
};

/** A JSON Lines table read from a legacy history file, reported as its own format (also a followed log's). */
export function asWandbHistory(table: Table): Table {
  return { ...table, format: 'wandb-history' };
}

export const wandbRunSource: Source = {
  format: 'wandb',
  recognise(probe: Probe): boolean {
    if (probe.isDirectory)
      return RUN_FOLDER.test(probe.name) && probe.entries.some((e) => e.endsWith('.wandb') || e === HISTORY);
    return extensionOf(probe.name) === 'wandb' && WANDB_MAGIC.every((b, i) => probe.head[i] === b);
  },
  async read(path, options) {
    if (!path.endsWith('.wandb')) {
      // A legacy run folder holds its history as JSON Lines: that is read.
      const legacy = await readFolderTable(join(path, HISTORY), options, 'wandb-history');
      if (!legacy.problems.some((p) => p.code === 'file-unreadable')) return [asWandbHistory(legacy)];
    }
    const file = options.displayName ?? path;
    const problems = new ProblemLog(file);
    problems.addForFile(
      'wandb-binary',
      'error',
      1,
      1,
      `${file} is a Weights & Biases run whose history is only in its binary .wandb file, whose format changes ` +
        "between W&B releases, so it is not read: export the run's history as CSV (the run's page, a chart's " +
        '"Download CSV", or run.history().to_csv() with the W&B API) and open that',
    );
    return [new TableBuilder(problems).finish({ format: 'wandb', headerLine: 0, bytesRead: 0 })];
  },
};
