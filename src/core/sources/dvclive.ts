// DVCLive: a `dvclive/` folder (the Live(dir=...) folder) is one run; its `plots/metrics/**/*.tsv` hold one metric
// each (columns `timestamp`, `step` and the metric), named by their path under plots/metrics (`train/loss`). Each TSV
// is read by the text reader (so a bad line is reported with its line and column, and the rest read), and the
// metrics are joined on step.
import { readdir, stat } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import { extensionOf } from '../table/detect';
import { ProblemLog } from '../table/problems';
import { readTable } from '../table/read';
import type { ParseProblem, Table, TableHints } from '../table/types';
import { filesUnder } from './fileTree';
import { hintsFromConfig, readYamlFile, reportHints } from './runHints';
import { StepTableBuilder } from './stepTable';
import { addColumnsByStep, withProblems } from './tableSeries';
import type { Probe, RunPart, Source, SourceOptions } from './types';
import { appendAll } from '../util/arrays';
import { epochColumn } from '../analysis/epochs';

const METRICS_DIR = join('plots', 'metrics');
const PARAMS_FILE = 'params.yaml';
/** Files DVCLive writes beside plots/: one of them (or the default folder name) tells a DVCLive folder. */
const DVCLIVE_FILES = ['metrics.json', 'dvc.yaml', 'params.yaml', 'report.html', 'report.md'];
/** Columns of a metric TSV that are not the metric. */
const NOT_METRICS = new Set(['timestamp', 'step']);
const MAX_DEPTH = 8;

export const dvcliveSource: Source = {
  format: 'dvclive',
  recognise(probe: Probe): boolean {
    if (!probe.isDirectory || !probe.entries.includes('plots')) return false;
    // A DVC project's root has plots and a dvc.yaml too, and holds runs below it: it is entered, not one run.
    if (probe.entries.includes('.dvc') || probe.entries.includes('dvc.lock')) return false;
    return probe.name === 'dvclive' || probe.entries.some((e) => DVCLIVE_FILES.includes(e));
  },
  async read(path: string, options: SourceOptions): Promise<Table[]> {
    const display = options.displayName ?? path;
    const log = new ProblemLog(display);
    // The run folder, or (forced) a plots/metrics folder itself.
    const nested = (await stat(join(path, METRICS_DIR)).catch(() => null))?.isDirectory() === true;
    const root = nested ? join(path, METRICS_DIR) : path;
    const rootDisplay = nested ? join(display, METRICS_DIR) : display;
    const builder = new StepTableBuilder(log);
    const parts: ParseProblem[] = [];
    let partCount = 0;
    let bytesRead = 0;
    for (const file of await filesUnder(root, log, MAX_DEPTH, (name) => extensionOf(name) === 'tsv')) {
      const tsv = await readTable(join(root, file), { ...options, displayName: join(rootDisplay, file) });
      appendAll(parts, tsv.problems);
      partCount += tsv.problemCount;
      bytesRead += tsv.bytesRead;
      addMetric(builder, tsv, metricName(file), log);
    }
    // DVCLive writes the params the script logged beside plots/: their schedule hints.
    const params = nested ? await readYamlFile(join(path, PARAMS_FILE), join(display, PARAMS_FILE), log, false) : null;
    const stated = params?.ok === true ? hintsFromConfig(params.config) : null;
    const hints =
      stated !== null && params?.ok === true && isTrainerArguments(params.config) ? offAxis(stated) : stated;
    if (hints !== null) reportHints(hints, PARAMS_FILE, log);
    const table = builder.finish({ format: 'dvclive', bytesRead });
    // Said after the metrics are joined (the builder's log is closed by then): a log of its own.
    const epochs = epochAxis(table);
    const said = new ProblemLog(display);
    if (epochs)
      said.addForFile('steps-are-epochs', 'warning', 1, 1, epochs.why, { file: join(rootDisplay, epochs.file) });
    const problems = [...said.sorted(), ...parts];
    return [withProblems(hints === null ? table : { ...table, hints }, problems, partCount + said.count)];
  },
};

/**
 * The DVCLive run a file is a metric TSV of (`<run>/plots/metrics/<name>.tsv`, the run a folder recognised as one),
 * with the metric's name as the run's table names it (`train/loss`): a part of its run, read with the run's other
 * metrics when the run folder is fitted, never a run of its own. Null for any other file.
 */
export async function dvcliveRunOf(path: string): Promise<RunPart | null> {
  const at = path.lastIndexOf(`${sep}${METRICS_DIR}${sep}`);
  if (extensionOf(path) !== 'tsv' || at < 0) return null;
  const run = path.slice(0, at);
  const entries = await readdir(run).catch(() => null);
  const probe = { path: run, name: basename(run), isDirectory: true, head: new Uint8Array(0), scanned: false };
  if (entries === null || !dvcliveSource.recognise({ ...probe, entries })) return null;
  return { run, format: 'dvclive', metric: metricName(path.slice(at + METRICS_DIR.length + 2)) };
}

/** A metric's name from its TSV's path under plots/metrics: `train/loss` on every platform. */
function metricName(file: string): string {
  return file
    .replace(/\.tsv$/, '')
    .split('\\')
    .join('/');
}

/** The metrics DVCLive's Keras and fast.ai callbacks log together at the end of each epoch (train_loss, val_loss). */
const PER_EPOCH = ['train/loss', 'eval/loss'].map((m) => `${m}.tsv`);

/** What a loss law fitted on an epoch axis is, and how to log optimizer steps instead: the end of each reason. */
const ON_EPOCHS =
  'A loss law fitted on it is then fitted on epochs (the annealing momentum λ and a warmup act per epoch), and its ' +
  'target steps are epochs. Log with live.step set to the optimizer step for a curve on optimizer steps.';

/**
 * Why a run's step axis likely counts epochs, and the metric file that shows it; null otherwise. The steps are left as
 * logged: DVCLive's step counts next_step() calls, whatever a script makes them once per (FORMATS.md says no more).
 */
function epochAxis(table: Table): { why: string; file: string } | null {
  return callbackEpochs(table) ?? epochMetricSteps(table);
}

/**
 * DVCLive's Keras and fast.ai callbacks call next_step() once per epoch (0, 1, 2, …), after logging train/loss and
 * eval/loss together. A training loss with an evaluation at every one of those steps is that per-epoch loop (Hugging
 * Face's callback logs them at separate calls; Lightning's logger sets the step to the optimizer step).
 */
function callbackEpochs(table: Table): { why: string; file: string } | null {
  const column = (name: string) => table.columns.find((c) => c.name === name)?.values;
  const [step, train, evaluation] = [column('step'), column('train/loss'), column('eval/loss')];
  if (!step || !train || !evaluation || table.rowCount < 2) return null;
  for (let i = 0; i < table.rowCount; i++)
    if (step[i] !== i || Number.isNaN(train[i]) || Number.isNaN(evaluation[i])) return null;
  const why =
    `"train/loss" and "eval/loss" are logged together at every step 0 to ${table.rowCount - 1}, as DVCLive's Keras ` +
    "and fast.ai callbacks do once per epoch (its step counts next_step() calls): this run's step axis likely counts " +
    `epochs, not optimizer steps. ${ON_EPOCHS}`;
  return { why, file: PER_EPOCH[0] };
}

/**
 * A script's own loop calling next_step() once per epoch, with the epoch logged as a metric (`epoch`, `train/epoch`):
 * the epoch is the step (or one more) at every step it is logged at, two or more. Hugging Face's callback logs a
 * fractional epoch at optimizer-step log calls, which is neither.
 */
function epochMetricSteps(table: Table): { why: string; file: string } | null {
  const stepCol = table.columns.findIndex((c) => c.name === 'step');
  const epochs = stepCol < 0 ? undefined : epochColumn(table, stepCol);
  if (!epochs) return null;
  const step = table.columns[stepCol].values;
  let [rows, shift] = [0, NaN];
  for (let i = 0; i < table.rowCount; i++) {
    if (Number.isNaN(epochs[i])) continue;
    shift = rows++ === 0 ? epochs[i] - step[i] : shift;
    if (epochs[i] - step[i] !== shift || (shift !== 0 && shift !== 1)) return null;
  }
  if (rows < 2) return null;
  const name = table.columns.find((c) => c.values === epochs)?.name ?? 'epoch';
  const why =
    `"${name}" is logged as ${shift === 0 ? 'the step' : 'the step plus one'} at every one of its ${rows} steps: the ` +
    `script calls DVCLive's next_step() once per epoch, so this run's step axis counts epochs, not optimizer steps. ${ON_EPOCHS}`;
  return { why, file: `${name}.tsv` };
}

/**
 * Hugging Face's TrainingArguments, as its DVCLive callback logs them to params.yaml. That callback calls
 * `next_step()` once per log call (a training log every `logging_steps`, and each evaluation), so the run's step
 * axis counts log calls while `max_steps` and `warmup_steps` count optimizer steps.
 */
function isTrainerArguments(config: unknown): boolean {
  return typeof config === 'object' && config !== null && 'logging_steps' in config && 'logging_strategy' in config;
}

/** Hints whose step counts are on another axis: shown to the user as settings, never used as steps of this run. */
function offAxis(hints: TableHints): TableHints {
  const counts = [
    ...(hints.maxSteps !== undefined ? [`max_steps: ${hints.maxSteps}`] : []),
    ...(hints.warmupSteps !== undefined ? [`warmup_steps: ${hints.warmupSteps}`] : []),
  ];
  if (counts.length === 0) return hints;
  const why =
    `${counts.join(', ')} (optimizer steps of the Hugging Face Trainer; this run's DVCLive steps count its log ` +
    'calls, so they are not used as steps of this run)';
  return { notes: [...hints.notes, why] };
}

/** A metric TSV's value column(s) as series: the metric under its path name (`path/column` if it holds several). */
function addMetric(builder: StepTableBuilder, tsv: Table, name: string, log: ProblemLog): void {
  const step = tsv.columns.findIndex((c) => c.name.trim().toLowerCase() === 'step');
  if (step < 0) {
    // An empty or unreadable file was already reported by the reader; a table without steps is said here, at its
    // header in that file (not at the run folder).
    if (tsv.columns.length > 0)
      log.addForFile(
        'metric-line-invalid',
        'warning',
        1,
        1,
        `no "step" column (columns: ${tsv.columns.map((c) => c.name).join(', ')}); the metric is left out`,
        { file: tsv.file },
      );
    return;
  }
  const values = tsv.columns
    .map((c, index) => ({ index, name: c.name }))
    .filter((c) => !NOT_METRICS.has(c.name.trim().toLowerCase()));
  const series = values.map((c) => ({ index: c.index, name: values.length === 1 ? name : `${name}/${c.name}` }));
  // Each metric's cells are fields of its own file's lines.
  addColumnsByStep(builder, tsv, step, series, log, (field) => ({
    file: tsv.file,
    field,
    delimiter: tsv.delimiter ?? '\t',
  }));
}
