// The parts of a LawAnalysis every sweep law (downstream, compute, power) builds the same way: curve reports, the
// solver bookkeeping of a fit, row lists for settings, and the x values to predict at.
import { parametersAtBounds } from '../fit/bounds';
import type { RobustFit } from '../fit/robust';
import type { Law } from '../laws/law';
import type { JoinedLines, Table } from '../table/types';
import { minOf } from '../util/arrays';
import { formatRange } from '../util/format';
import type { BandedPrediction } from './bands';
import { scorePredictions } from './metrics';
import type { AnalysisOptions } from './options';
import type { CurveReport, FitResult, LawAnalysis, SeriesPoints } from './types';

export function emptyAnalysis(): LawAnalysis {
  return { curves: [], fits: [], predictions: [], findings: [] };
}

/** The solver bookkeeping every FitResult carries, with the parameters of `law` its box held (the fit verdict's). */
export function fitSummary(
  fit: RobustFit,
  law: Pick<Law<unknown>, 'parameterNames' | 'lower' | 'upper'>,
): Pick<FitResult, 'objective' | 'converged' | 'stopReason' | 'iterations' | 'startsTried' | 'atBounds'> {
  return {
    atBounds: parametersAtBounds(law, fit.params).map((hit) => hit.name),
    objective: fit.objective,
    converged: fit.converged,
    stopReason: fit.reason,
    iterations: fit.iterations,
    startsTried: fit.startsTried,
  };
}

/**
 * "3, 4, 5" or "3–40 (38 rows)" for settings and messages, in file order: a sweep's rows come in x order, and a file
 * written from its largest x down read "11–2 (10 rows)".
 */
export function lineList(lines: number[]): string {
  const sorted = [...lines].sort((a, b) => a - b);
  if (sorted.length <= 6) return sorted.join(', ');
  return `${formatRange(String(sorted[0]), String(sorted[sorted.length - 1]))} (${sorted.length} rows)`;
}

/** Where to predict: k times the largest x for each multiplier, and each configured x. */
export function predictionTargets(
  maxX: number,
  options: AnalysisOptions,
): { x: number; reason: string; dataMultiplier?: number }[] {
  return [
    ...options.dataMultipliers.map((k) => ({ x: k * maxX, reason: `data-multiplier ×${k}`, dataMultiplier: k })),
    ...options.predictAt.filter((x) => x > 0).map((x) => ({ x, reason: 'configured' })),
  ];
}

/** One observed series of a sweep and what the law says at its points. */
export interface CurveSpec {
  /** The table the points come from (its file, and its header line when there are no points). */
  table: Table;
  name: string;
  xName: string;
  metric: CurveReport['metric'];
  law: CurveReport['law'];
  x: number[];
  observed: number[];
  /** Source line of each point. */
  lines: number[];
  /** The law's prediction and band at each point; null when no law was fitted to this series. */
  fitted: BandedPrediction | null;
  /** Indices of the points the fit left out (CurveReport.notFitted), when it left some out. */
  notFitted?: number[];
  group?: { label: string; fields: Record<string, string | number> };
}

export function curveReport(spec: CurveSpec): CurveReport {
  const { table, fitted, lines, observed, group } = spec;
  const notFitted = spec.notFitted?.length ? spec.notFitted : undefined;
  const points: SeriesPoints = {
    x: spec.x,
    observed,
    predicted: fitted ? fitted.value : [],
    low: fitted ? fitted.low : [],
    high: fitted ? fitted.high : [],
    ...(fitted?.runLow && fitted.runHigh && { runLow: fitted.runLow, runHigh: fitted.runHigh }),
    lines,
    ...(table.joinedLines && { joinedLines: plainJoinedLines(table.joinedLines) }),
  };
  return {
    name: spec.name,
    file: table.file,
    role: fitted ? 'fit' : 'unfitted',
    law: fitted ? spec.law : undefined,
    xName: spec.xName,
    metric: spec.metric,
    points,
    ...(fitted && notFitted && { notFitted }),
    metrics: fitted ? inSample(observed, fitted.value, notFitted) : undefined,
    firstLine: lines.length ? minOf(lines) : table.headerLine || 1,
    group: group?.label,
    groupFields: group?.fields,
  };
}

/** A table's joined lines as a report's number[] series. */
function plainJoinedLines({ lines, rowLines }: JoinedLines): JoinedLines<number[]> {
  return { lines: Array.from(lines), rowLines: Array.from(rowLines) };
}

/** In-sample metrics: on the points the fit used only (a law is not scored where it was not fitted or broke). */
function inSample(observed: number[], predicted: number[], notFitted: number[] | undefined) {
  if (!notFitted) return scorePredictions(observed, predicted);
  const left = new Set(notFitted);
  const kept = observed.flatMap((_, i) => (left.has(i) ? [] : [i]));
  return scorePredictions(
    kept.map((i) => observed[i]),
    kept.map((i) => predicted[i]),
  );
}
