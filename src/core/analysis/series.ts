// The two forms of an Analysis's per-point series (see Series in types.ts): number[] as it is written out, typed
// arrays as the loss analysis computes them and the language server keeps them.
import { numbersOf } from '../util/arrays';
import type { Analysis, CurveReport, Series } from './types';

/**
 * The parallel per-point series every curve has (joinedLines, metricFiles and cellSteps, of their own lengths, and a
 * sweep's new-run band, are converted beside them).
 */
const POINT_KEYS: readonly Exclude<
  keyof CurveReport['points'],
  'joinedLines' | 'metricFiles' | 'cellSteps' | 'runLow' | 'runHigh'
>[] = ['x', 'observed', 'predicted', 'low', 'high', 'lines'];

/**
 * Applies `convert` to every per-point series of the analysis, in place. A series met twice (a schedule logged at
 * the points' steps shares their array) is converted once, so it stays one array.
 */
export function mapSeries(analysis: Analysis<Series>, convert: (values: Series) => Series): void {
  const done = new Map<Series, Series>();
  const once = (values: Series) => {
    let converted = done.get(values);
    if (!converted) done.set(values, (converted = convert(values)));
    return converted;
  };
  for (const curve of analysis.curves) {
    for (const key of POINT_KEYS) curve.points[key] = once(curve.points[key]);
    const { runLow, runHigh } = curve.points;
    if (runLow && runHigh) [curve.points.runLow, curve.points.runHigh] = [once(runLow), once(runHigh)];
    const joined = curve.points.joinedLines;
    if (joined) curve.points.joinedLines = { lines: once(joined.lines), rowLines: once(joined.rowLines) };
    const files = curve.points.metricFiles;
    if (files) curve.points.metricFiles = files.map((f) => ({ ...f, lines: once(f.lines), steps: once(f.steps) }));
    const cells = curve.points.cellSteps;
    if (cells)
      curve.points.cellSteps = { lines: once(cells.lines), columns: once(cells.columns), steps: once(cells.steps) };
    if (curve.schedule) curve.schedule = { steps: once(curve.schedule.steps), lr: once(curve.schedule.lr) };
  }
}

/**
 * The analysis with number[] series (for JSON, text and the sweeps' charts), converted in place so it is never held
 * twice.
 */
export function plainAnalysis(analysis: Analysis<Series>): Analysis {
  mapSeries(analysis, (values) => (Array.isArray(values) ? values : numbersOf(values)));
  // Every series is a number[] now.
  return analysis as Analysis;
}

/**
 * A number[] copy of the analysis for a message (Export Fit's request), leaving the analysis as it is: the server's
 * cached one keeps the typed arrays its chart model shares, and the copy is garbage once sent.
 */
export function plainCopy(analysis: Analysis<Series>): Analysis {
  // mapSeries replaces whole series, schedules and file lists: copying the objects that hold them is enough.
  return plainAnalysis({
    ...analysis,
    // Not the sums at the log's end (CurveReport.logEnd): the server's chart reads them, no message needs them.
    curves: analysis.curves.map(({ logEnd: _sums, ...curve }) => ({ ...curve, points: { ...curve.points } })),
  });
}
