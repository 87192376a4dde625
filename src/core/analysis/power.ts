// Law 'power': L(x) = E + A*x^(-alpha) on any column the user names (option powerX), y = the loss column.
// Also home of the band method every single-x sweep law shares (downstream BLEU and CE use it too): a residual
// bootstrap on log residuals, so a band is computed one way wherever it is shown.
import { maxOf, minOf } from '../util/arrays';
import { bootstrapParams, percentileIntervals, type Replicate } from '../fit/bootstrap';
import type { RobustFit } from '../fit/robust';
import type { Law } from '../laws/law';
import { fitPower, powerLaw, powerPoints } from '../laws/powerLaw';
import type { RoleAssignment, Table } from '../table/types';
import { quantile, type Random } from '../util/random';
import { formatCompact } from '../util/format';
import { findColumn, unitNote } from './groups';
import { scorePredictions } from './metrics';
import type { AnalysisOptions } from './options';
import type { CurveReport, Finding, FitResult, LawAnalysis, SeriesPoints } from './types';

export const BAND_METHOD =
  'residual bootstrap: refits on the fitted predictions times resampled log residuals (inflated by sqrt(n/(n-p))), 95 % percentile band of the fitted law (parameter uncertainty; no extra noise)';

/**
 * Residual-bootstrap replicates on log residuals: y*_i = pred_i * exp(s * r_J), J drawn with replacement,
 * s = sqrt(n / (n - p)) undoing the shrinkage of in-sample residuals. Rows stay put, so even 4-point groups keep
 * distinct D_p in every replicate (a case bootstrap would often draw fewer distinct points than parameters).
 * Returns null when n <= p: the fit is exact and the residuals say nothing about the noise.
 */
export function logResidualDraw<Data>(
  law: Law<Data>,
  data: Data,
  observed: Float64Array,
  params: Float64Array,
): ((random: Random) => Replicate<Data> | null) | null {
  const n = observed.length;
  const p = law.parameterNames.length;
  if (n <= p) return null;
  const pred = new Float64Array(n);
  law.predict(params, data, pred);
  const residuals = Float64Array.from(observed, (y, i) => Math.log(y) - Math.log(pred[i]));
  const inflate = Math.sqrt(n / (n - p));
  return (random) => ({
    data,
    observed: Float64Array.from(pred, (v) => v * Math.exp(inflate * residuals[Math.floor(random() * n)])),
  });
}

/** Bootstrap parameter sets of a fitted single-x law (empty when bands are disabled or impossible). */
export function residualBootstrapSets<Data>(
  law: Law<Data>,
  data: Data,
  observed: Float64Array,
  fit: RobustFit,
  options: { samples: number; seed: number; delta: number },
): Float64Array[] {
  const draw = options.samples > 0 ? logResidualDraw(law, data, observed, fit.params) : null;
  if (!draw) return [];
  return bootstrapParams(law, fit.params, draw, {
    samples: options.samples,
    seed: options.seed,
    delta: options.delta,
    maxIterations: 300,
  });
}

/** Point prediction and 95 % percentile band at each point of `data`; NaN bands without bootstrap sets. */
export function predictWithBand<Data>(
  law: Law<Data>,
  params: Float64Array,
  sets: Float64Array[],
  data: Data,
): { value: number[]; low: number[]; high: number[] } {
  const n = law.size(data);
  const value = new Float64Array(n);
  law.predict(params, data, value);
  const draws = Array.from({ length: n }, () => [] as number[]);
  const buffer = new Float64Array(n);
  for (const set of sets) {
    law.predict(set, data, buffer);
    for (let i = 0; i < n; i++) if (Number.isFinite(buffer[i])) draws[i].push(buffer[i]);
  }
  const low: number[] = [];
  const high: number[] = [];
  draws.forEach((d, i) => {
    if (d.length < 2) {
      low.push(NaN);
      high.push(NaN);
      return;
    }
    const sorted = Float64Array.from(d).sort();
    // The band always contains the point prediction, even when the bootstrap distribution is skewed past it.
    low.push(Math.min(quantile(sorted, 0.025), value[i]));
    high.push(Math.max(quantile(sorted, 0.975), value[i]));
  });
  return { value: Array.from(value), low, high };
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

/** Intervals of derived coefficients: each bootstrap set mapped through `convert` first. */
export function derivedIntervals(
  sets: Float64Array[],
  convert: (params: Float64Array) => Record<string, number>,
): Record<string, [number, number]> | undefined {
  if (sets.length < 2) return undefined;
  const converted = sets.map(convert);
  const names = Object.keys(converted[0]);
  return percentileIntervals(
    converted.map((c) => Float64Array.from(names, (k) => c[k])),
    names,
  );
}

export function emptyAnalysis(): LawAnalysis {
  return { curves: [], fits: [], predictions: [], findings: [] };
}

export function analysePower(table: Table, roles: RoleAssignment, options: AnalysisOptions): LawAnalysis {
  const out = emptyAnalysis();
  const yIndex = roles.roles.loss;
  const xIndex = options.powerX ? findColumn(table, [options.powerX]) : undefined;
  const names = table.columns.map((c) => c.name).join(', ');
  if (xIndex === undefined || yIndex === undefined) {
    const missing =
      xIndex === undefined
        ? `the x column${options.powerX ? ` '${options.powerX}' (not found)` : ' (option powerX is not set)'}`
        : 'a loss column';
    out.findings.push({
      code: 'power-missing-column',
      severity: 'error',
      message: `The power law L(x) = E + A*x^(-alpha) needs ${missing}. Columns in this file: ${names}. Name x with option powerX (CLI --power-x NAME) and the loss with --columns loss=NAME.`,
      file: table.file,
      line: table.headerLine || 1,
    });
    return out;
  }
  const xs = table.columns[xIndex];
  const ys = table.columns[yIndex];
  const rows: number[] = [];
  const bad: number[] = [];
  for (let r = 0; r < table.rowCount; r++) {
    const ok = xs.values[r] > 0 && ys.values[r] > 0 && Number.isFinite(xs.values[r]) && Number.isFinite(ys.values[r]);
    (ok ? rows : bad).push(r);
  }
  if (bad.length)
    out.findings.push(
      invalidRows(table, bad, `'${xs.name}' and '${ys.name}' must both be positive numbers`, 'power-invalid-row'),
    );
  rows.sort((a, b) => xs.values[a] - xs.values[b]);
  const curveName = `${ys.name} vs ${xs.name}`;
  if (rows.length < 3) {
    out.findings.push(
      tooFewPoints(
        table,
        curveName,
        rows.length,
        rows.map((r) => table.lines[r]),
        'The power law has 3 coefficients',
      ),
    );
    return out;
  }
  const x = rows.map((r) => xs.values[r]);
  const y = rows.map((r) => ys.values[r]);
  const fitted = fitPower(powerLaw, x, y, options.lossDelta);
  if (!fitted) {
    out.findings.push(fitFailed(table, curveName, table.lines[rows[0]]));
    return out;
  }
  const observed = Float64Array.from(y);
  const sets = residualBootstrapSets(powerLaw, fitted.points, observed, fitted.fit, {
    samples: options.bootstrapSamples,
    seed: options.seed,
    delta: options.lossDelta,
  });
  const atPoints = predictWithBand(powerLaw, fitted.fit.params, sets, fitted.points);
  const xUnit = unitNote(xs, 'x');
  out.fits.push({
    law: 'power',
    formula: `${ys.name} = E + A * ${xs.name}^(-alpha)`,
    params: { ...fitted.coefficients },
    units: { E: `${ys.name} units`, A: `${ys.name} units · (${xs.name})^alpha`, alpha: '1' },
    normalized: {
      params: { E: fitted.fit.params[0], A: fitted.fit.params[1], alpha: fitted.fit.params[2] },
      note: `fitted on x / x_ref with x_ref = ${formatCompact(fitted.xRef)} (geometric mean of x); A = A~ * x_ref^alpha`,
    },
    intervals: derivedIntervals(sets, (p) => ({ E: p[0], A: p[1] * Math.pow(fitted.xRef, p[2]), alpha: p[2] })),
    ...fitSummary(fitted.fit),
    fittedOn: [curveName],
    points: rows.length,
    settings: {
      huberDelta: options.lossDelta,
      x: xs.name,
      y: ys.name,
      xUnit,
      fittedRows: lineList(rows.map((r) => table.lines[r])),
      band: sets.length ? BAND_METHOD : 'none',
    },
    quality: scorePredictions(y, atPoints.value),
  });
  out.curves.push(
    curveReport(
      table,
      curveName,
      xs.name,
      'loss',
      'power',
      x,
      y,
      atPoints,
      rows.map((r) => table.lines[r]),
    ),
  );
  const targets = predictionTargets(maxOf(x), options);
  const at = predictWithBand(
    powerLaw,
    fitted.fit.params,
    sets,
    powerPoints(
      targets.map((t) => t.x),
      fitted.xRef,
    ),
  );
  targets.forEach((t, i) =>
    out.predictions.push({
      metric: 'loss',
      curve: curveName,
      x: t.x,
      xName: xs.name,
      value: at.value[i],
      low: at.low[i],
      high: at.high[i],
      reason: t.reason,
    }),
  );
  return out;
}

/** The solver bookkeeping every FitResult carries. */
export function fitSummary(
  fit: RobustFit,
): Pick<FitResult, 'objective' | 'converged' | 'stopReason' | 'iterations' | 'startsTried'> {
  return {
    objective: fit.objective,
    converged: fit.converged,
    stopReason: fit.reason,
    iterations: fit.iterations,
    startsTried: fit.startsTried,
  };
}

/** "3, 4, 5" or "3–40 (38 rows)" for settings and messages. */
export function lineList(lines: number[]): string {
  if (lines.length <= 6) return lines.join(', ');
  return `${lines[0]}–${lines[lines.length - 1]} (${lines.length} rows)`;
}

export function curveReport(
  table: Table,
  name: string,
  xName: string,
  metric: CurveReport['metric'],
  law: CurveReport['law'],
  x: number[],
  observed: number[],
  fitted: { value: number[]; low: number[]; high: number[] } | null,
  lines: number[],
  group?: { label: string; fields: Record<string, string | number> },
): CurveReport {
  const points: SeriesPoints = {
    x,
    observed,
    predicted: fitted ? fitted.value : [],
    low: fitted ? fitted.low : [],
    high: fitted ? fitted.high : [],
    lines,
  };
  return {
    name,
    file: table.file,
    role: fitted ? 'fit' : 'unfitted',
    law: fitted ? law : undefined,
    xName,
    metric,
    points,
    metrics: fitted ? scorePredictions(observed, fitted.value) : undefined,
    firstLine: lines.length ? minOf(lines) : table.headerLine || 1,
    group: group?.label,
    groupFields: group?.fields,
  };
}

export function tooFewPoints(table: Table, group: string, count: number, lines: number[], why: string): Finding {
  return {
    code: 'too-few-points',
    severity: 'info',
    message: `${group}: only ${count} usable point(s), so no law was fitted. ${why}; the paper's guideline is to fit once there are at least 3 points. Add runs at more sizes to this group.`,
    file: table.file,
    line: lines[0] ?? (table.headerLine || 1),
    group,
    related: lines.slice(1).map((line) => ({ file: table.file, line, message: 'point of this group' })),
  };
}

export function fitFailed(table: Table, group: string, line: number): Finding {
  return {
    code: 'fit-failed',
    severity: 'warning',
    message: `${group}: the law could not be fitted (no starting point reached a finite objective). Check the rows for values the law cannot produce (e.g. a metric that does not change with x).`,
    file: table.file,
    line,
    group,
  };
}

export function invalidRows(table: Table, rows: number[], rule: string, code: string): Finding {
  return {
    code,
    severity: 'warning',
    message: `${rows.length} row(s) skipped: ${rule} (first at line ${table.lines[rows[0]]}). Fix or remove them to include them in the fit.`,
    file: table.file,
    line: table.lines[rows[0]],
    related: rows.slice(1, 20).map((r) => ({ file: table.file, line: table.lines[r], message: 'also skipped' })),
  };
}
