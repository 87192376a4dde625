// Law 'power': L(x) = E + A*x^(-alpha) on any column the user names (option powerX; the step column when none is
// named), y = the loss column. Its bands, reports and findings are the ones every sweep law shares (bands.ts,
// reports.ts, sweepFindings.ts).
import { maxOf } from '../util/arrays';
import { finding, type Hint } from '../findings';
import { fitPower, powerLaw, powerPoints } from '../laws/powerLaw';
import { textAt, type Column, type RoleAssignment, type Table } from '../table/types';
import { formatCompact, formatQuantity, formatRange } from '../util/format';
import { EpochCount, EpochTrack, epochColumn, POWER_LAW } from './epochs';
import { lossSpikes, sizedCurveNames, sizesSplittingRuns, strayLossFinding } from './lossCurves';
import { cellPlaces } from './cellPlace';
import { plannedStepTargets } from './lossAnalysis';
import {
  BAND_METHOD,
  derivedIntervals,
  NEXT_POINT_BAND_METHOD,
  nextPointBand,
  NO_RUN_BAND_ALONG_RUN,
  predictWithBand,
  residualBootstrapSets,
  runEnds,
  noRunBand,
  runBandSetting,
  runScatter,
  type BandedPrediction,
} from './bands';
import { findColumn, unitNote } from './groups';
import { scoreFit } from './metrics';
import type { AnalysisOptions } from './options';
import { curveReport, emptyAnalysis, fitSummary, lineList, predictionTargets } from './reports';
import { fitFailed, invalidRows, tooFewPoints, type ShortGroup, type TooFewWords } from './sweepFindings';
import { isModelSize } from '../util/counts';
import type { Finding, LawAnalysis } from './types';
import { withheld } from './trust';
import { beyondReach, farReason, pastPhrase, reachOf, sideOf, type Reach } from './reach';

/**
 * `source`: the table's name among several fitted together (analyse.ts sourceNames), which names its curves and
 * groups them, so curves of several files are told apart on every surface and tied to their own fits.
 */
export function analysePower(
  table: Table,
  roles: RoleAssignment,
  options: AnalysisOptions,
  source?: string,
): LawAnalysis {
  const out = emptyAnalysis();
  const yIndex = roles.roles.loss;
  // Unnamed, x is the step: the one x every loss curve has, and what a fit of the power law to a run means.
  const xIndex = options.powerX ? findColumn(table, [options.powerX]) : roles.roles.step;
  if (xIndex === undefined || yIndex === undefined) {
    out.findings.push(missingColumn(table, options.powerX, xIndex === undefined, yIndex === undefined));
    return out;
  }
  const xs = table.columns[xIndex];
  const ys = table.columns[yIndex];
  const rows: number[] = [];
  const bad: number[] = [];
  const stepZero: number[] = [];
  const onSteps = xIndex === roles.roles.step;
  // Curves of several model sizes told apart by their size: a row without a usable one belongs to none.
  const sizes = roles.roles.run === undefined ? sizesSplittingRuns(table, roles) : undefined;
  const unsized: number[] = [];
  for (let r = 0; r < table.rowCount; r++) {
    if (notLogged(xs, r) || notLogged(ys, r)) continue;
    if (sizes && !isModelSize(sizes.values[r])) {
      unsized.push(r);
      continue;
    }
    const y = ys.values[r];
    const ok = xs.values[r] > 0 && y > 0 && Number.isFinite(xs.values[r]) && Number.isFinite(y);
    // A step-0 row (the loss before training, or a Keras epoch index) is no fault of the file: x^(-alpha) is undefined.
    if (!ok && onSteps && xs.values[r] === 0 && y > 0 && Number.isFinite(y)) stepZero.push(r);
    else (ok ? rows : bad).push(r);
  }
  if (stepZero.length)
    out.findings.push(
      finding('step-zero', 'info', {
        message: `${stepZero.length} row(s) at step 0 left out of the fit: the power law is undefined there (x^(-alpha) at x = 0).`,
        file: table.file,
        line: table.lines[stepZero[0]],
      }),
    );
  if (bad.length)
    out.findings.push(
      invalidRows(table, bad, `'${xs.name}' and '${ys.name}' must both be positive numbers`, 'power-invalid-row'),
    );
  if (sizes && unsized.length) {
    const rule = `'${sizes.name}' must be a model size, which tells this file's curves apart (it has no run column)`;
    out.findings.push(invalidRows(table, unsized, rule, 'power-invalid-row'));
  }
  const short: ShortGroup[] = [];
  const onCurve = roles.kind === 'loss-curve' || onSteps;
  for (const run of sweepOrRuns(runsOf(table, roles, rows, sizes), onSteps, table.rowCount)) {
    const label = [source, run.name].filter((part) => part !== undefined).join(' · ') || undefined;
    const curveName = label === undefined ? `${ys.name} vs ${xs.name}` : `${label}: ${ys.name} vs ${xs.name}`;
    const repeated = dataRepeated(table, roles, xIndex, run.all, curveName);
    if (repeated) out.findings.push(repeated);
    // A loss curve's rows, or the rows of one run of a run column, are one run's logged points; runs of one row each
    // pooled into a sweep are not.
    const alongRun = (onCurve || roles.roles.run !== undefined) && !run.pooled;
    const few = fitCurve(table, xs, ys, run.rows, { name: curveName, run: label, onSteps, alongRun }, options, out);
    if (few) short.push(few);
  }
  const few = tooFewPoints(table, short, tooFewWords(onCurve, xs.name));
  if (few) out.findings.push(few);
  return out;
}

/**
 * What the power law lacks, and the remedy for what it was fitted to: a loss curve (its step, or another column of a
 * run's log) gets points from logging more often or training longer, a sweep over x from runs at other values of x.
 */
function tooFewWords(onLossCurve: boolean, x: string): TooFewWords {
  return {
    why: 'The power law has 3 coefficients and needs at least 3 points',
    remedy: onLossCurve
      ? 'Log the loss more often, or train for longer: a loss curve gets its points from its logged steps.'
      : `Add runs at more values of '${x}'.`,
    plural: 'curves',
  };
}

/**
 * A table of runs of one row each (a W&B runs table of final values, `--power-x train_samples`) is one sweep over x,
 * not curves of one point each that no law can be fitted to ("Log the loss more often"). On the step axis the runs
 * stay apart: their final losses at their last steps are no curve (the loss-curve laws say why).
 */
function sweepOrRuns<R extends { name?: string; rows: number[]; all: number[] }>(
  runs: R[],
  onSteps: boolean,
  rowCount: number,
): { name?: string; rows: number[]; all: number[]; pooled?: true }[] {
  if (onSteps || runs.length < 2 || runs.some((r) => r.rows.length > 1)) return runs;
  const rows = runs.flatMap((r) => r.rows).sort((a, b) => a - b);
  return [{ rows, all: Array.from({ length: rowCount }, (_, r) => r), pooled: true }];
}

/**
 * The rows of each run, when the table has a run column (a W&B chart export of eight runs reshaped to one row per
 * run and step), or, without one, loss curves of several model sizes (told apart as the loss-curve laws tell them,
 * `N=25M`): each is a curve of its own, or eight models' losses were pooled into one law and one prediction.
 * `rows` are a run's usable rows, `all` every row of it (its epochs are counted over them).
 */
function runsOf(
  table: Table,
  roles: RoleAssignment,
  usable: readonly number[],
  sizes: Column | undefined,
): { name?: string; rows: number[]; all: number[] }[] {
  const runCol = roles.roles.run === undefined ? undefined : table.columns[roles.roles.run];
  const sizeName = sizes && sizedCurveNames(sizes);
  const nameOf = runCol
    ? (r: number) => textAt(runCol, r) ?? formatCompact(runCol.values[r])
    : sizes && sizeName && ((r: number) => (isModelSize(sizes.values[r]) ? sizeName(r) : undefined));
  if (nameOf === undefined) return [{ rows: [...usable], all: Array.from({ length: table.rowCount }, (_, r) => r) }];
  const runs = new Map<string, { name: string; rows: number[]; all: number[] }>();
  // A row of no run (a size that is no model size, said by the caller) is in none.
  const runFor = (r: number) => {
    const name = nameOf(r);
    if (name === undefined) return undefined;
    let run = runs.get(name);
    if (run === undefined) runs.set(name, (run = { name, rows: [], all: [] }));
    return run;
  };
  for (let r = 0; r < table.rowCount; r++) runFor(r)?.all.push(r);
  for (const r of usable) runFor(r)?.rows.push(r);
  return [...runs.values()];
}

/**
 * One curve's power law: its fit, report and predictions, or why it has none (a failed fit's finding, or the curve
 * returned as too short: the short curves of a file are said in one finding). A run's fit, curve and predictions carry
 * its name (and its file's, among several) as their group, which ties each fit's verdict (trust.ts), lens and chart
 * line to its own curve's predictions. `alongRun`: the points are one run's logged points (a loss curve's, a run's), so
 * the band is where its next logged point falls (nextPointBand), not a law band and a new run's.
 */
function fitCurve(
  table: Table,
  xs: Column,
  ys: Column,
  usable: number[],
  curve: { name: string; run?: string; onSteps: boolean; alongRun: boolean },
  options: AnalysisOptions,
  out: LawAnalysis,
): ShortGroup | undefined {
  const curveName = curve.name;
  const group = curve.run === undefined ? undefined : { label: curve.run, fields: { run: curve.run } };
  const rows = withoutStrayLosses(
    table,
    xs,
    ys,
    usable.sort((a, b) => xs.values[a] - xs.values[b]),
    curve,
    out,
  );
  if (rows.length < 3) return { name: curveName, count: rows.length, lines: rows.map((r) => table.lines[r]) };
  const x = rows.map((r) => xs.values[r]);
  const y = rows.map((r) => ys.values[r]);
  const fitted = fitPower(powerLaw, x, y, options.lossDelta);
  if (!fitted) {
    out.findings.push(fitFailed(table, curveName, table.lines[rows[0]]));
    return undefined;
  }
  const observed = Float64Array.from(y);
  const sets = residualBootstrapSets(powerLaw, fitted.points, observed, fitted.fit, {
    samples: options.bootstrapSamples,
    seed: options.seed,
    delta: options.lossDelta,
    gaussNewton: true,
    blocks: curve.alongRun,
  });
  const scatter = runScatter(powerLaw, fitted.points, observed, fitted.fit.params, options.seed);
  const nextPoint = curve.alongRun && scatter.residuals !== undefined;
  const banded = (b: BandedPrediction) => (nextPoint ? nextPointBand(b) : b);
  const atPoints = banded(predictWithBand(powerLaw, fitted.fit.params, sets, fitted.points, scatter));
  const xUnit = unitNote(xs, 'x');
  out.fits.push({
    law: 'power',
    ...(curve.run !== undefined && { group: curve.run }),
    formula: `${ys.name} = E + A * ${xs.name}^(-alpha)`,
    params: { ...fitted.coefficients },
    units: { E: `${ys.name} units`, A: `${ys.name} units · (${xs.name})^alpha`, alpha: '1' },
    normalized: {
      params: { E: fitted.fit.params[0], A: fitted.fit.params[1], alpha: fitted.fit.params[2] },
      note: `fitted on x / x_ref with x_ref = ${formatCompact(fitted.xRef)} (geometric mean of x); A = A~ * x_ref^alpha`,
    },
    intervals: derivedIntervals(
      sets,
      (p) => ({ E: p[0], A: p[1] * Math.pow(fitted.xRef, p[2]), alpha: p[2] }),
      fitted.fit.params,
    ),
    ...fitSummary(fitted.fit, powerLaw),
    fittedOn: [curveName],
    points: rows.length,
    settings: {
      huberDelta: options.lossDelta,
      x: xs.name,
      y: ys.name,
      xUnit,
      fittedRows: lineList(rows.map((r) => table.lines[r])),
      band: sets.length ? (nextPoint ? NEXT_POINT_BAND_METHOD : BAND_METHOD) : 'none',
      ...(!nextPoint && runBandSetting(sets, scatter)),
    },
    quality: scoreFit(y, atPoints.value),
    ...(nextPoint ? { nextPointBand: true, noRunBand: NO_RUN_BAND_ALONG_RUN } : noRunBand(scatter)),
  });
  out.curves.push(
    curveReport({
      table,
      name: curveName,
      xName: xs.name,
      metric: 'loss',
      law: 'power',
      x,
      observed: y,
      lines: rows.map((r) => table.lines[r]),
      fitted: atPoints,
      group,
    }),
  );
  const targets = targetsOf(maxOf(x), curve.onSteps ? table.hints?.maxSteps : undefined, curve.onSteps, options);
  const at = banded(
    predictWithBand(
      powerLaw,
      fitted.fit.params,
      sets,
      powerPoints(
        targets.map((t) => t.x),
        fitted.xRef,
      ),
      scatter,
    ),
  );
  // Targets beyond the reach on either side are withheld (reach.ts): a configured step may lie below the data.
  const reach = reachOf(x);
  const far = targets.filter((t) => beyondReach(reach, t.x));
  if (far.length) out.findings.push(rangeShort(table, curveName, xs.name, reach, far[0].x, table.lines[rows[0]]));
  targets.forEach((t, i) => {
    const base = {
      metric: 'loss' as const,
      curve: curveName,
      // A run's predictions carry its group as its fit and curve do: the chart draws each run's targets on its law.
      ...(curve.run !== undefined && { group: curve.run }),
      x: t.x,
      xName: xs.name,
      reason: t.reason,
    };
    out.predictions.push(
      beyondReach(reach, t.x)
        ? withheld(base, 'fit-unsupported', farReason(xs.name, reach, t.x))
        : { ...base, status: 'ok', value: at.value[i], low: at.low[i], high: at.high[i], ...runEnds(at, i) },
    );
  });
}

function rangeShort(table: Table, curve: string, xName: string, reach: Reach, at: number, line: number): Finding {
  return finding('power-range-short', 'warning', {
    message: `The power law of "${curve}" is asked to predict further ${sideOf(reach, at)} its data than they reach: ${pastPhrase(xName, reach, at)}. Over a short range the data show too little curvature to tell E, A and alpha apart (refits agree only because they start at the fit), so predictions outside ${formatQuantity(xName, formatRange(formatCompact(reach.floor), formatCompact(reach.limit)))} (one span of the data either side of it) are withheld. Fit over a longer range of ${xName}, or predict nearer.`,
    file: table.file,
    line,
    curve,
  });
}

/**
 * The rows (in x order) without stray losses, each said as the loss-curve laws say them (lossSpikes): one 1e-320
 * among losses of 3 gave no finite objective from any start, and the whole curve was "not fitted" with no row named.
 */
function withoutStrayLosses(
  table: Table,
  xs: Column,
  ys: Column,
  rows: number[],
  curve: { name: string; onSteps: boolean },
  out: LawAnalysis,
): number[] {
  const stray = lossSpikes(Float64Array.from(rows, (r) => ys.values[r]));
  if (stray.length === 0) return rows;
  const x = rows.map((r) => xs.values[r]);
  const y = rows.map((r) => ys.values[r]);
  const place = cellPlaces(table).at(table.columns.indexOf(ys), rows[stray[0]]);
  out.findings.push(strayLossFinding(curve.name, stray, x, y, place, curve.onSteps ? undefined : `'${xs.name}'`));
  const left = new Set(stray);
  return rows.filter((_, i) => !left.has(i));
}

/**
 * Where a curve is predicted. Against its step, at the steps the loss-curve laws would predict (the configured
 * `--predict-step`s, else the end the run's configuration plans) in place of the multiples of its last step (twice
 * it by default, which is also their fallback); always at each `--predict-at`.
 */
function targetsOf(
  maxX: number,
  plannedSteps: number | undefined,
  onSteps: boolean,
  options: AnalysisOptions,
): ReturnType<typeof predictionTargets> {
  const general = predictionTargets(maxX, options);
  const steps = onSteps ? plannedStepTargets(maxX, plannedSteps, options) : [];
  if (!steps.length) return general;
  return [
    ...steps.map((t) => ({ x: t.step, reason: t.reason })),
    ...general.filter((t) => t.dataMultiplier === undefined),
  ];
}

/**
 * A loss curve fitted against its step (what the lr-missing error suggests for a log without an LR) that passes its
 * first epoch: said as the loss-curve laws say it (epochs.ts), or the power law's prediction of a ten-epoch run's
 * flattening validation loss came without a word.
 */
function dataRepeated(
  table: Table,
  roles: RoleAssignment,
  xIndex: number,
  rows: readonly number[],
  curve: string,
): Finding | undefined {
  if (xIndex !== roles.roles.step) return undefined;
  const epochs = epochColumn(table, xIndex);
  if (!epochs) return undefined;
  const steps = table.columns[xIndex].values;
  const count = new EpochCount();
  const track = new EpochTrack();
  // Every row of the run with a step and an epoch, as the loss-curve path counts them: a second pass starts on a
  // training row.
  for (const r of rows) {
    if (Number.isNaN(epochs[r]) || !Number.isFinite(steps[r])) continue;
    count.note(epochs[r]);
    track.push(steps[r], epochs[r], table.lines[r]);
  }
  return track.finding(curve, table.file, count, POWER_LAW);
}

/**
 * An empty cell: the value was not logged on this row (Lightning's training rows have no val_loss, a trainer state's
 * training entries no eval_loss). Such a row is no point of the law and nothing wrong, so it is passed over unsaid.
 */
function notLogged(column: Column, row: number): boolean {
  return Number.isNaN(column.values[row]) && textAt(column, row) === undefined;
}

/** What the power law lacks (the x column, the loss, or both), and only the fixes for what is missing. */
function missingColumn(table: Table, powerX: string | undefined, noX: boolean, noLoss: boolean): Finding {
  const missing = [
    noX && `the x column${powerX ? ` '${powerX}' (not found)` : ' (none was named, and the file has no step column)'}`,
    noLoss && 'a loss column',
  ]
    .filter(Boolean)
    .join(' and ');
  const hints: Hint[] = [];
  if (noX) hints.push({ kind: 'set-option', option: 'powerX' });
  if (noLoss) hints.push({ kind: 'map-role', roles: ['loss'] });
  return finding('power-missing-column', 'error', {
    message: `The power law L(x) = E + A*x^(-alpha) needs ${missing}. Columns in this file: ${table.columns.map((c) => c.name).join(', ') || 'none'}.`,
    file: table.file,
    line: table.headerLine || 1,
    hints,
  });
}
