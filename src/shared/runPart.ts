// How a metric file's run (and its metric) is named wherever it is shown (the status item, the lens, the server's
// messages, the Select Columns picker): one rule.
import { shortRunId } from '../core/util/format';
import type { RunNamed, RunPartOf } from './protocol';

/**
 * The run a metric file is a part of, as shown: a DVCLive run's folder name; an MLflow run id cut to MLflow's short
 * form (its 32 digits ran the status hover past a 1400-px window and the lens past a narrow editor).
 */
export function shownRun(part: RunNamed): string {
  return part.format === 'mlflow' && part.run.length > shortRunId(part.run).length
    ? `${shortRunId(part.run)}…`
    : part.run;
}

/** A run folder as a title names it: "MLflow run 0f3a9c1e…", "DVCLive run dvclive" (the Select Columns picker's). */
export function runTitle(run: RunNamed): string {
  return `${run.format === 'dvclive' ? 'DVCLive' : 'MLflow'} run ${shownRun(run)}`;
}

/**
 * The characters a metric file's label gives its metric's and its run's names together: the status item's hover is
 * one line that never wraps, and in a 1400-px window its item has room for about 66 characters ("DVCLive metric
 * 'train/loss' of run dvclive · 1 fit" is 64); a DVCLive metric nested in folders (120 characters) ran past its edge.
 */
const NAMES_CHARS = 18;
/** A metric name is never cut shorter than this: enough to tell its start and its leaf's end. */
const MIN_METRIC_CHARS = 10;

/**
 * A metric file's metric as its label shows it (its run's name beside it): a long one cut in its middle, its start
 * and its end (the leaf) kept.
 */
export function shownMetric(part: Pick<RunPartOf, 'format' | 'run' | 'metric'>): string {
  const { metric } = part;
  const room = Math.max(MIN_METRIC_CHARS, NAMES_CHARS - shownRun(part).length);
  if (metric.length <= room) return metric;
  const head = Math.floor((room - 1) / 3);
  return `${metric.slice(0, head)}…${metric.slice(metric.length - (room - 1 - head))}`;
}

/**
 * What a metric file of a run is: "DVCLive metric 'train/loss' of run dvclive", "MLflow metric 'loss' of run 0f3a9c1e…"
 * (a long metric name and an MLflow run id shortened: the whole ones go to the item's link's tooltip).
 */
export function partLabel(part: RunPartOf): string {
  return `${part.format === 'dvclive' ? 'DVCLive' : 'MLflow'} metric '${shownMetric(part)}' of run ${shownRun(part)}`;
}
