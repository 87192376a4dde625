// How a metric file's run is named wherever it is shown (the status item, the lens, the server's messages): one rule.
import { shortRunId } from '../core/util/format';
import type { RunNamed } from './protocol';

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
