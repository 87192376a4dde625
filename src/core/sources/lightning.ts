// PyTorch Lightning's CSVLogger: `<save_dir>/<name>/version_N/metrics.csv` and `hparams.yaml` beside it. The CSV is
// read by the text reader; its rows are one per logging call, so training and validation values of one step sit on
// separate rows with the other cells empty. Those rows are merged on step (an empty cell is "not logged", the later
// value of a step wins), `epoch` stays a column, and the `lr-<Optimizer>` columns of LearningRateMonitor are found by
// the role aliases. hparams.yaml gives the schedule hints it holds. A version_N folder is one run (a resumed run is a
// new version_N, so a run of its own).
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseNumberCell } from '../table/number';
import { ProblemLog } from '../table/problems';
import type { Table, TableHints } from '../table/types';
import { hintsFromConfig, readYamlFile, reportHints } from './runHints';
import { readFolderTable } from './regularFile';
import { StepTableBuilder } from './stepTable';
import { addColumnsByStep, withProblems } from './tableSeries';
import { PROBE_BYTES, type Probe, type Source, type SourceOptions } from './types';

const METRICS_FILE = 'metrics.csv';
const HPARAMS_FILE = 'hparams.yaml';
const VERSION_FOLDER = /^version_\d+$/;

/**
 * Lightning's shape in the first bytes: a header of comma-separated names, none empty, with `step` or `epoch` among
 * them (CSVLogger always writes `step`; `epoch` is logged by the trainer), and rows of numbers and empty cells only
 * (it logs scalars; a table with a text column, a run name say, is another tool's and is read as a plain CSV).
 */
export function looksLikeLightning(head: Uint8Array): boolean {
  let text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  if (lines.length < 2 && head.length >= PROBE_BYTES) return false; // a first line longer than the probe: no header
  const names = lines[0].split(',').map((n) => n.trim());
  if (names.length < 2 || names.some((n) => n === '') || !names.some((n) => n === 'step' || n === 'epoch'))
    return false;
  // The complete rows in the probe (the last line may be cut short).
  return lines
    .slice(1, -1)
    .every((line) => line.split(',').every((cell) => cell.trim() === '' || parseNumberCell(cell) !== null));
}

export const lightningSource: Source = {
  format: 'lightning',
  recognise(probe: Probe): boolean {
    if (probe.isDirectory) return VERSION_FOLDER.test(probe.name) && probe.entries.includes(METRICS_FILE);
    return probe.name === METRICS_FILE && looksLikeLightning(probe.head);
  },
  async read(path: string, options: SourceOptions): Promise<Table[]> {
    const isFolder = (await stat(path).catch(() => null))?.isDirectory() === true;
    const display = options.displayName ?? path;
    if (isFolder) return [await readMetrics(join(path, METRICS_FILE), path, join(display, METRICS_FILE), options)];
    // A metrics.csv named by the user: its version_N folder names the run (in a folder scan the scan names it).
    const folder = basename(dirname(path));
    const run = VERSION_FOLDER.test(folder) ? folder : undefined;
    return [{ ...(await readMetrics(path, dirname(path), display, options)), ...(run !== undefined && { run }) }];
  },
};

/** metrics.csv merged on step, with the hints of the hparams.yaml in `folder`. */
async function readMetrics(csv: string, folder: string, display: string, options: SourceOptions): Promise<Table> {
  const read = await readFolderTable(csv, { ...options, displayName: display }, 'lightning');
  const log = new ProblemLog(display);
  const hints = await readHints(folder, dirname(display), log);
  const step = read.columns.findIndex((c) => c.name.trim().toLowerCase() === 'step');
  // Nothing to merge (an empty file, a header alone, no step column), or a text column that merging would lose (a file
  // forced to be read as Lightning's): the reader's table says what it holds.
  if (step < 0 || read.rowCount === 0 || read.columns.some((c) => c.textCount > c.numericCount)) {
    const table = withProblems({ ...read, format: 'lightning' }, log.sorted(), log.count);
    return hints === null ? table : { ...table, hints };
  }
  const builder = new StepTableBuilder(log);
  const series = read.columns.map((c, index) => ({ index, name: c.name })).filter((c) => c.index !== step);
  // A cell of a merged row lies on the line of the record that logged it, at its header field.
  const delimiter = read.delimiter ?? ',';
  const cells = (field: number) => ({ field, delimiter });
  addColumnsByStep(builder, read, step, series, log, cells);
  const merged = builder.finish({
    format: 'lightning',
    bytesRead: read.bytesRead,
    stepName: read.columns[step].name,
    stepCells: cells(step),
  });
  const table: Table = { ...merged, delimiter: read.delimiter, headerLine: read.headerLine };
  return withProblems(hints === null ? table : { ...table, hints }, read.problems, read.problemCount);
}

/** The hints of `folder`/hparams.yaml, shown on the log; null when there is none or it says nothing of the schedule. */
async function readHints(folder: string, displayFolder: string, log: ProblemLog): Promise<TableHints | null> {
  const read = await readYamlFile(join(folder, HPARAMS_FILE), join(displayFolder, HPARAMS_FILE), log, false);
  if (!read.ok) return null;
  const hints = hintsFromConfig(read.config);
  if (hints !== null) reportHints(hints, HPARAMS_FILE, log);
  return hints;
}
