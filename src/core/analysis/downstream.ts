// Downstream sweeps (docs/laws-downstream.md): BLEU and cross-entropy versus pretraining tokens D_p, one law per
// (pretraining mix, D_f) group. Fits both laws, predicts at larger D_p with bands, and says whether BLEU follows the
// law, i.e. whether the pretraining data is aligned with the task (breaks.ts). Which rows are usable is decided in
// downstreamRows.ts, how rows are grouped in downstreamGroups.ts.
import { maxOf } from '../util/arrays';
import { beyondReach, farReason, pastPhrase, reachOf, sideOf, type Reach } from './reach';
import { bleuCoefficients, bleuLaw, bleuPoints, bleuStarts, fitBleu, type BleuFit } from '../laws/bleu';
import { downstreamCeLaw, fitDownstreamCe, downstreamCePoints } from '../laws/downstreamCe';
import type { RoleAssignment, Table } from '../table/types';
import { ceBleuDivergence, detectBleuBreaks, pretrainingNoGain, type BreakContext, type SweepPoint } from './breaks';
import { formatCompact, formatRange } from '../util/format';
import { mixedUnitFindings, unitNote } from './groups';
import { scoreFit } from './metrics';
import type { AnalysisOptions } from './options';
import {
  BAND_METHOD,
  derivedIntervals,
  mapBand,
  noRunBand,
  predictSweepWithBand,
  predictWithBand,
  residualBootstrapSets,
  runBandSetting,
  runEnds,
  runScatter,
  type BandedPrediction,
  type RunScatter,
} from './bands';
import { curveReport, emptyAnalysis, fitSummary, lineList, predictionTargets, type CurveSpec } from './reports';
import { fitFailed, tooFewPoints, type ShortGroup, type TooFewWords } from './sweepFindings';
import { baselineCell, bleuScaleFindings, missingColumns, validRows, type SweepColumns } from './downstreamRows';
import { groupRows, mergeDuplicates, type Group } from './downstreamGroups';
import type { Finding, FitResult, LawAnalysis } from './types';
import { finding } from '../findings';
import { lawBrokeReason, withheld } from './trust';
import { appendAll } from '../util/arrays';

export function analyseDownstream(table: Table, roles: RoleAssignment, options: AnalysisOptions): LawAnalysis {
  const out = emptyAnalysis();
  const col = (i: number | undefined) => (i === undefined ? undefined : table.columns[i]);
  const cols: Partial<SweepColumns> = {
    dp: col(roles.roles.pretrainData),
    group: col(roles.roles.group),
    df: col(roles.roles.finetuneData),
    bleu: col(roles.roles.bleu),
    ce: col(roles.roles.ce),
  };
  if (!cols.dp || (!cols.bleu && !cols.ce)) {
    out.findings.push(missingColumns(table, cols));
    return out;
  }
  const columns = cols as SweepColumns;
  const isBaseline = (row: number) => baselineCell(columns.dp, row);
  appendAll(out.findings, mixedUnitFindings(table, roles.roles.pretrainData!, isBaseline));
  if (roles.roles.finetuneData !== undefined)
    appendAll(out.findings, mixedUnitFindings(table, roles.roles.finetuneData));
  const rows = validRows(table, columns, out.findings);
  appendAll(out.findings, bleuScaleFindings(table, columns, rows));
  // Groups short of points for the same law are said in one finding, each named with its points.
  const short = new Map<string, ShortGroup[]>();
  for (const group of groupRows(columns, rows)) {
    const few = analyseGroup(table, columns, group, options, out);
    if (few) short.set(few.law, [...(short.get(few.law) ?? []), few.group]);
  }
  for (const [law, groups] of short) {
    const few = tooFewPoints(table, groups, { ...TOO_FEW, law });
    if (few) out.findings.push(few);
  }
  return out;
}

/** What a downstream law short of points lacks, and what adds them. */
const TOO_FEW: TooFewWords = {
  why: "Each law has 3 coefficients; the paper's guideline is to fit once there are at least 3 points",
  remedy: 'Add runs at more pretraining amounts (D_p).',
};

/** A group's laws into `out`; a group short of points for a law is returned (its name, points and that law). */
function analyseGroup(
  table: Table,
  cols: SweepColumns,
  group: Group,
  options: AnalysisOptions,
  out: LawAnalysis,
): { group: ShortGroup; law: string } | undefined {
  const pretrained = mergeDuplicates(
    table,
    group,
    group.rows.filter((r) => !r.baseline),
    'pretrained rows',
    out.findings,
  );
  const base = mergeDuplicates(
    table,
    group,
    group.rows.filter((r) => r.baseline),
    'baseline rows',
    out.findings,
  );
  const ctx: BreakContext = {
    file: table.file,
    group: group.label,
    tolerance: options.breakTolerance,
    fitFirst: options.fitFirst,
  };
  // Only the metrics short of points: a group whose CE has 8 points and BLEU none fits its CE law, and the finding
  // said "only 8 usable points, so no law was fitted".
  const short = (['bleu', 'ce'] as const).filter((m) => cols[m] && pretrained[m].length < 3);
  let few: { group: ShortGroup; law: string } | undefined;
  if (short.length) {
    const lines = group.rows.filter((r) => !r.baseline).map((r) => r.line);
    const distinct = new Set(short.flatMap((m) => pretrained[m].map((p) => p.dp))).size;
    const names = short.map((m) => (m === 'bleu' ? 'BLEU' : 'CE'));
    const detail = `${short.map((m, i) => `${names[i]} has ${pretrained[m].length}`).join(', ')} point(s) with D_p > 0`;
    few = {
      group: { name: group.label, count: distinct, lines, detail },
      law: short.length === 2 ? 'law' : `${names[0]} law`,
    };
  }
  const dpUnit = unitNote(cols.dp, 'tokens');
  const firstCurve = out.curves.length;
  if (cols.bleu && pretrained.bleu.length) analyseBleu(table, group, pretrained.bleu, ctx, dpUnit, options, out);
  if (cols.ce && pretrained.ce.length) analyseCe(table, group, pretrained.ce, dpUnit, options, out);
  attachBaseline(out.curves.slice(firstCurve), base);
  appendAll(out.findings, ceBleuDivergence(pretrained.bleu, pretrained.ce, ctx));
  if (base.bleu.length)
    appendAll(out.findings, pretrainingNoGain(pretrained.bleu, base.bleu[0], { ...ctx, finetune: group.finetune }));
  return few;
}

/** The chart draws the baseline beside the law it is excluded from, so each curve carries its group's. */
function attachBaseline(curves: LawAnalysis['curves'], base: { bleu: SweepPoint[]; ce: SweepPoint[] }): void {
  for (const c of curves) {
    const point = c.metric === 'bleu' ? base.bleu[0] : base.ce[0];
    if (point) c.baseline = { value: point.value, line: point.line };
  }
}

/** A group's points of one metric as a curve report's series, named `GROUP · BLEU`; the caller adds the fit. */
function sweepSeries(
  table: Table,
  group: Group,
  points: SweepPoint[],
  metric: 'bleu' | 'ce',
): Omit<CurveSpec, 'fitted'> {
  return {
    table,
    name: `${group.label} · ${metric === 'bleu' ? 'BLEU' : 'CE'}`,
    xName: 'D_p',
    metric,
    law: metric === 'bleu' ? 'bleu' : 'downstream-ce',
    x: points.map((p) => p.dp),
    observed: points.map((p) => p.value),
    lines: points.map((p) => p.line),
    group,
  };
}

function analyseBleu(
  table: Table,
  group: Group,
  points: SweepPoint[],
  ctx: BreakContext,
  dpUnit: string,
  options: AnalysisOptions,
  out: LawAnalysis,
): void {
  const breaks =
    points.length >= 2 ? detectBleuBreaks(points, ctx) : { findings: [] as Finding[], breakIndex: undefined };
  appendAll(out.findings, breaks.findings);
  // Fit the stretch that follows the law: everything, or the points before the first break / drop.
  const range = points.slice(0, breaks.breakIndex ?? points.length).filter((p) => p.value > 0);
  const series = sweepSeries(table, group, points, 'bleu');
  const { name, x } = series;
  const fitted =
    range.length >= 3
      ? fitBleu(
          range.map((p) => p.dp),
          range.map((p) => p.value),
          { delta: options.bleuDelta },
        )
      : null;
  if (range.length >= 3 && !fitted) out.findings.push(fitFailed(table, name, range[0].line));
  if (!fitted) {
    out.curves.push(curveReport({ ...series, fitted: null }));
    return;
  }
  const fitObserved = Float64Array.from(range, (p) => p.value);
  // Each refit also starts from the best start of the law's grid on its replicate: over a narrow D_p range alpha and
  // beta trade off along a flat valley, and refits started only at the fit stopped by it (D_p 1B-4B, 10 points,
  // 0.05 % noise: 30 % of the bands half a span past held the truth, the worst missed it by 2 widths; now 93 %).
  // One grid start did as well as four, at twice the refits' time rather than five times.
  const sets = residualBootstrapSets(bleuLaw, fitted.points, fitObserved, fitted.fit, {
    samples: options.bootstrapSamples,
    seed: options.seed,
    delta: options.bleuDelta,
    startsOf: (data, observed) => bleuStarts(data, observed, 1),
  });
  const scatter = runScatter(bleuLaw, fitted.points, fitObserved, fitted.fit.params, options.seed);
  const at = (dps: number[]) =>
    predictSweepWithBand(bleuLaw, fitted.fit.params, sets, dps, (d) => bleuPoints(d, fitted.frame), scatter);
  const brokenAt = breaks.breakIndex === undefined ? undefined : points[breaks.breakIndex];
  const inRange = new Set(range);
  const notFitted = points.flatMap((p, i) => (inRange.has(p) ? [] : [i]));
  out.curves.push(curveReport({ ...series, fitted: lawUpTo(at(x), breaks.breakIndex), notFitted }));
  out.fits.push(bleuFitResult(group, fitted, { sets, scatter }, range, points.length, dpUnit, options));
  const reach = { fitted: range.map((p) => p.dp), where: { file: table.file, line: range[0].line } };
  pushPredictions('bleu', group, maxOf(x), reach, at, options, out, brokenAt && lawBrokeReason(brokenAt));
}

/** The law's values at a group's points, none from its break on: a law that broke does not hold there. */
function lawUpTo(band: BandedPrediction, breakIndex: number | undefined): BandedPrediction {
  if (breakIndex === undefined) return band;
  return mapBand(band, (values) => values.map((v, i) => (i < breakIndex ? v : NaN)));
}

function bleuFitResult(
  group: Group,
  fitted: BleuFit,
  { sets, scatter }: { sets: Float64Array[]; scatter: RunScatter },
  range: SweepPoint[],
  total: number,
  dpUnit: string,
  options: AnalysisOptions,
): FitResult {
  const k = fitted.coefficients;
  const fitPred = predictWithBand(bleuLaw, fitted.fit.params, [], fitted.points).value;
  return {
    law: 'bleu',
    group: group.label,
    groupFields: group.fields,
    formula: 'BLEU = (ln(A * D_p^alpha))^beta',
    params: { A: k.A, lnA: k.logA, alpha: k.alpha, beta: k.beta },
    units: {
      A: `(D_p unit)^(-alpha); D_p in ${dpUnit}`,
      lnA: 'natural log of A',
      alpha: '1 (exponent on D_p; scales with the log base)',
      beta: '1 (the same in every log base and D_p unit)',
    },
    normalized: {
      params: { c: fitted.fit.params[0], alpha: fitted.fit.params[1], beta: fitted.fit.params[2] },
      note: `solver form (c + alpha*ln(D_p/D_ref))^beta with D_ref = ${formatCompact(fitted.frame.dRef)} tokens (geometric mean of the fitted D_p); ln A = c - alpha*ln D_ref`,
    },
    intervals: derivedIntervals(
      sets,
      (p) => {
        const c = bleuCoefficients(p, fitted.frame);
        return { A: c.A, lnA: c.logA, alpha: c.alpha, beta: c.beta };
      },
      fitted.fit.params,
    ),
    ...fitSummary(fitted.fit, bleuLaw),
    fittedOn: [group.label],
    points: range.length,
    settings: {
      logBase: 'e',
      DpUnit: dpUnit,
      huberDelta: options.bleuDelta,
      fittedRows: lineList(range.map((p) => p.line)),
      fittedRange: `D_p ${formatRange(formatCompact(range[0].dp), formatCompact(range[range.length - 1].dp))} (${range.length} of ${total} points${range.length < total ? '; later points left the law and were not fitted' : ''})`,
      baselineExcluded: true,
      breakTolerance: options.breakTolerance,
      fitFirst: options.fitFirst,
      band: sets.length ? BAND_METHOD : 'none (bootstrap disabled or too few points)',
      ...runBandSetting(sets, scatter),
    },
    quality: scoreFit(
      range.map((p) => p.value),
      fitPred,
    ),
    ...noRunBand(scatter),
  };
}

function analyseCe(
  table: Table,
  group: Group,
  points: SweepPoint[],
  dpUnit: string,
  options: AnalysisOptions,
  out: LawAnalysis,
): void {
  const series = sweepSeries(table, group, points, 'ce');
  const { name, x, observed, lines } = series;
  const fitted = points.length >= 3 ? fitDownstreamCe(downstreamCeLaw, x, observed, options.ceDelta) : null;
  if (points.length >= 3 && !fitted) out.findings.push(fitFailed(table, name, points[0].line));
  if (!fitted) {
    out.curves.push(curveReport({ ...series, fitted: null }));
    return;
  }
  const fitObserved = Float64Array.from(observed);
  const sets = residualBootstrapSets(downstreamCeLaw, fitted.points, fitObserved, fitted.fit, {
    samples: options.bootstrapSamples,
    seed: options.seed,
    delta: options.ceDelta,
    gaussNewton: true,
  });
  const scatter = runScatter(downstreamCeLaw, fitted.points, fitObserved, fitted.fit.params, options.seed);
  const at = (dps: number[]) =>
    predictSweepWithBand(
      downstreamCeLaw,
      fitted.fit.params,
      sets,
      dps,
      (d) => downstreamCePoints(d, fitted.xRef),
      scatter,
    );
  const onPoints = at(x);
  out.curves.push(curveReport({ ...series, fitted: onPoints }));
  out.fits.push({
    law: 'downstream-ce',
    group: group.label,
    groupFields: group.fields,
    formula: 'CE = E + A / D_p^alpha',
    params: { ...fitted.coefficients },
    units: { E: 'CE as logged (nats per token)', A: `CE · (D_p unit)^alpha; D_p in ${dpUnit}`, alpha: '1' },
    normalized: {
      params: { E: fitted.fit.params[0], A: fitted.fit.params[1], alpha: fitted.fit.params[2] },
      note: `fitted on D_p / D_ref with D_ref = ${formatCompact(fitted.xRef)} tokens; A = A~ * D_ref^alpha`,
    },
    intervals: derivedIntervals(
      sets,
      (p) => ({ E: p[0], A: p[1] * Math.pow(fitted.xRef, p[2]), alpha: p[2] }),
      fitted.fit.params,
    ),
    ...fitSummary(fitted.fit, downstreamCeLaw),
    fittedOn: [group.label],
    points: points.length,
    settings: {
      DpUnit: dpUnit,
      huberDelta: options.ceDelta,
      fittedRows: lineList(lines),
      baselineExcluded: true,
      band: sets.length ? BAND_METHOD : 'none (bootstrap disabled or too few points)',
      ...runBandSetting(sets, scatter),
    },
    quality: scoreFit(observed, onPoints.value),
    ...noRunBand(scatter),
  });
  const reach = { fitted: x, where: { file: table.file, line: points[0].line } };
  pushPredictions('ce', group, maxOf(x), reach, at, options, out, undefined);
}

/**
 * Predictions at each target D_p; none past a break (the break as the reason), nor further from the fitted D_p than
 * they span, in log D_p (reach.ts): over D_p 1B-1.35B with 0.05 % noise the BLEU law fitted alpha 4e13 and beta 0.1
 * (a limit of its form the data cannot tell from the truth), and gave 25.86 [25.84, 25.88] at 2.7B where the law the
 * points were drawn from gives 25.98.
 */
function pushPredictions(
  metric: 'bleu' | 'ce',
  group: Group,
  maxDp: number,
  fitted: { fitted: readonly number[]; where: { file: string; line: number } },
  at: (dps: number[]) => BandedPrediction,
  options: AnalysisOptions,
  out: LawAnalysis,
  brokeBecause: string | undefined,
): void {
  const targets = predictionTargets(maxDp, options);
  if (!targets.length) return;
  // A law that broke in this group predicts nothing past its data: no number, the break as the reason.
  const band = brokeBecause === undefined ? at(targets.map((t) => t.x)) : undefined;
  const reach = reachOf(fitted.fitted);
  const far = band ? targets.find((t) => beyondReach(reach, t.x)) : undefined;
  if (far) out.findings.push(downstreamRangeShort(metric, group, reach, far.x, fitted.where));
  targets.forEach((t, i) => {
    const base = {
      metric,
      group: group.label,
      groupFields: group.fields,
      x: t.x,
      xName: 'D_p',
      dataMultiplier: t.dataMultiplier,
      reason: t.reason,
    };
    out.predictions.push(
      !band
        ? withheld(base, 'law-broken', brokeBecause!)
        : beyondReach(reach, t.x)
          ? withheld(base, 'fit-unsupported', farReason('D_p', reach, t.x))
          : { ...base, status: 'ok', value: band.value[i], low: band.low[i], high: band.high[i], ...runEnds(band, i) },
    );
  });
}

function downstreamRangeShort(
  metric: 'bleu' | 'ce',
  group: Group,
  reach: Reach,
  at: number,
  where: { file: string; line: number },
): Finding {
  const law = metric === 'bleu' ? 'BLEU law' : 'cross-entropy law';
  return finding('downstream-range-short', 'warning', {
    ...where,
    group: group.label,
    message: `The ${law} of ${group.label} is asked to predict further ${sideOf(reach, at)} its data than they reach: ${pastPhrase('D_p', reach, at)}. Over so narrow a range of D_p its coefficients trade off against each other (refits agree only because they start at the fit), so predictions more than one span past or below the fitted D_p are withheld. Fit over a wider range of D_p, or predict nearer.`,
  });
}
