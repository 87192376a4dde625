// One run at a glance, for a list of every run in a workspace (the Runs view): where it stands (last step, last
// loss), what its own law predicts at the end of its schedule or at the target step, and why there is no prediction
// when there is none. Each run is read and fitted alone, with few bootstrap replicates: a list of a thousand runs
// must fill in seconds; the run's chart has the full analysis.
import { readSources, type SourceOptions } from '../sources';
import type { FileFormat } from '../table/types';
import { analyseTables } from './analyse';
import type { AnalysisOptions } from './options';
import { hasValue } from './trust';
import { fitLawName } from './lawNames';
import type { Analysis, AnalysisKind, LawDeparture, LawId, Series } from './types';

export interface RunOverview {
  /** The run's file or folder. */
  path: string;
  format?: FileFormat;
  rows: number;
  lastStep?: number;
  lastLoss?: number;
  /** `lawName`: the law as every surface names it (an automatic choice's mean of two laws says so). */
  prediction?: { step: number; value: number; low: number; high: number; law: LawId; lawName?: string; why: string };
  /** Why nothing is predicted (cannot be fitted, or a law the tool does not trust), or the first warning. */
  problem?: string;
  /** Where the run's latest points left its law; above it, `prediction` is absent (no optimistic number). */
  departure?: LawDeparture;
  /**
   * What the file holds when it is no training run (a downstream or (N, D) sweep: no loss curve, its own law fitted):
   * the view says so, not that it cannot be fitted.
   */
  sweep?: Exclude<AnalysisKind, 'loss-curve' | 'unknown'>;
  warnings: number;
  errors: number;
}

/** Bootstrap replicates of a run's band in the overview (the run's own analysis uses the setting). */
const OVERVIEW_BOOTSTRAP = 20;

/** The overview of the run at `path` (a file or a run folder), named `name`. Never throws: problems are values. */
export async function overviewOfRun(
  path: string,
  name: string,
  options: Partial<AnalysisOptions>,
  read: SourceOptions = {},
): Promise<RunOverview> {
  const { tables, problems } = await readSources([path], read);
  for (const table of tables) table.run ??= name;
  const quick: Partial<AnalysisOptions> = {
    ...options,
    // The automatic choice fits and backtests both laws (seconds per run); the overview fits the LR-annealing law
    // alone, and says so in its tooltip; the run's own fit (Show Chart, the lens) says what the choice made.
    law: options.law === undefined || options.law === 'auto' ? 'lr-annealing' : options.law,
    bootstrapSamples: Math.min(options.bootstrapSamples ?? OVERVIEW_BOOTSTRAP, OVERVIEW_BOOTSTRAP),
  };
  let analysis = analyseTables(tables, quick);
  // A downstream or (N, D) sweep has no loss curve for that law ("the lr-annealing law fits loss curves", said as
  // "cannot be fitted"): fitted by its own law, as its lens is, it is shown as the sweep it is.
  if (quick.law !== options.law && !analysis.curves.some((c) => c.metric === 'loss'))
    analysis = analyseTables(tables, { ...quick, law: 'auto' });
  const overview = overviewOfAnalysis(path, analysis);
  overview.errors += problems.filter((p) => p.severity === 'error').length;
  return overview;
}

/** The overview of a run's analysis, however it was made (a Runs worker's quick fit, or the follower of a live run). */
export function overviewOfAnalysis(path: string, analysis: Analysis<Series>): RunOverview {
  const file = analysis.files[0];
  const curve = analysis.curves.find((c) => c.metric === 'loss');
  const count = (severity: string) => analysis.findings.filter((f) => f.severity === severity).length;
  const overview: RunOverview = {
    path,
    format: file?.format,
    rows: analysis.files.reduce((sum, f) => sum + f.rows, 0),
    warnings: count('warning'),
    errors: count('error'),
  };
  if (curve && curve.points.x.length > 0) {
    const last = curve.points.x.length - 1;
    overview.lastStep = curve.points.x[last];
    overview.lastLoss = curve.points.observed[last];
  }
  if (curve?.departure) overview.departure = curve.departure;
  if (!curve && analysis.kind !== 'loss-curve' && analysis.kind !== 'unknown' && analysis.fits.length > 0)
    overview.sweep = analysis.kind;
  const fit = analysis.fits[0];
  const prediction = analysis.predictions.filter(hasValue).find((p) => p.metric === 'loss' && Number.isFinite(p.value));
  if (fit && prediction)
    overview.prediction = {
      step: prediction.x,
      value: prediction.value,
      low: prediction.low,
      high: prediction.high,
      law: fit.law,
      lawName: fitLawName(fit),
      why: prediction.reason,
    };
  const first =
    analysis.findings.find((f) => f.severity === 'error') ?? analysis.findings.find((f) => f.severity === 'warning');
  // A prediction withheld (the fit is not supported by the data) says why, before any other finding.
  const withheld = analysis.predictions.find((p) => p.metric === 'loss' && !hasValue(p));
  if (!overview.prediction)
    overview.problem =
      (withheld && !hasValue(withheld) ? withheld.statusReason : undefined) ??
      first?.message ??
      (curve ? 'no law could be fitted' : 'no loss curve in this run');
  else if (first) overview.problem = first.message;
  return overview;
}
