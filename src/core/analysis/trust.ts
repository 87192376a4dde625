// A prediction is only as good as its law: never show a number from a law the tool knows is broken or unsupported by
// the data; say why instead. This module holds that rule for the core, so every shell (lens, hover, Predict at...,
// chart, CLI, --json) reads one verdict: whether the data support each fit (judgeFits), the findings that say why
// not, and predictions withheld as data (value null, a status, a reason) rather than left to each surface to hide.
import { finding } from '../findings';
import { formatCompact, formatNumber, formatQuantity, formatR2 } from '../util/format';
import { dropTermIdentified } from './mplLoss';
import type { SweepPoint } from './breaks';
import type {
  CurveReport,
  Finding,
  FitProblem,
  FitResult,
  LawAnalysis,
  LawId,
  PredictedValue,
  Prediction,
  PredictionBase,
  Series,
  WithheldValue,
} from './types';

/** A prediction without a number: the law broke before its x, or the data do not support the fit. */
export function withheld(
  base: PredictionBase & Partial<Pick<PredictedValue, 'runLow' | 'runHigh'>>,
  status: WithheldValue['status'],
  reason: string,
): Prediction {
  // A new run's band (a sweep law's) goes with the value: a law not to be read here places no run either.
  const { runLow: _low, runHigh: _high, ...rest } = base;
  return { ...rest, status, value: null, low: null, high: null, statusReason: reason };
}

/**
 * A problem found with the one fit of an analysis outside the verdict's own checks (curves-disagree, compute-levels-few):
 * the fit carries it (`unsupported`) and every prediction still shown is withheld with its reason.
 */
export function withholdAllFor(out: LawAnalysis<Series>, fit: FitResult, problem: FitProblem): void {
  fit.unsupported = [...(fit.unsupported ?? []), problem];
  const reason = `not supported by the data: ${problem.reason}`;
  out.predictions.forEach((p, i) => {
    if (p.status === 'ok') out.predictions[i] = withheld(p, 'fit-unsupported', reason);
  });
}

/** Why a BLEU law that left the data at `at` predicts nothing further, short enough for a lens. */
export function lawBrokeReason(at: Pick<SweepPoint, 'dp' | 'line'>): string {
  return `the BLEU law broke at ${formatQuantity('D_p', at.dp)} (line ${at.line}): BLEU stopped following it, so it predicts nothing beyond; more pretraining on this mix will probably not raise BLEU`;
}

/**
 * The thresholds of the verdict (docs/findings.md, "Fit quality"). Each is far from every fit of the public data and
 * the examples that follows its law, and crossed by each kind of fit the data do not support.
 */
export const FIT_VERDICT = {
  /** Adjusted R² at or below this: the law explains no more of the data than noise would with as many coefficients. */
  minAdjustedR2: 0,
  /** A shape coefficient whose 95 % interval spans more than this many decades (or reaches 0) is not determined. */
  maxIntervalDecades: 3,
  /** Fewer points than this many per fitted coefficient leave too little to tell the law from the noise. */
  pointsPerCoefficient: 2,
} as const;

/**
 * What of each law the verdict judges. `bounds`: solver parameters a box holds only when the law degenerates (an
 * exponent at its limit, a term's scale at 0); `spread`: coefficients (FitResult.params names) that carry the law's
 * shape. Left out on purpose: intercepts at x = 1 (BLEU's A, CE's and Chinchilla's A and B) are extrapolations many
 * decades from the data, wide even when the law is pinned down where the data are; so is BLEU's alpha, which trades
 * with beta along a valley of near-equal curves (as beta goes to 0 alpha grows without bound), so that refits started
 * from the law's grid (downstream.ts) put it 3-6 decades apart on sweeps of 0.5B-64B whose bands hold the truth;
 * the band carries that uncertainty, and beta, the same in every log base and unit, is judged. The LR-annealing C is 0 or
 * unconstrained when no fit curve anneals, and then every prediction that depends on it is withheld (unseenDrop.ts);
 * the multi-power laws' loss-drop term is judged by its own identification rule (mplLoss.ts).
 */
const JUDGED: Record<LawId, { bounds: readonly string[]; spread: readonly string[] }> = {
  'lr-annealing': { bounds: ['L0', 'A', 'alpha'], spread: ['L0', 'A', 'alpha'] },
  mpl: { bounds: ['L0', 'a', 'alpha'], spread: ['L0', 'A', 'alpha'] },
  'lr-annealing-size': { bounds: ['L0', 'A', 'alpha'], spread: ['L0', 'A', 'alpha'] },
  bleu: { bounds: ['alpha', 'beta'], spread: ['beta'] },
  'downstream-ce': { bounds: ['A', 'alpha'], spread: ['E', 'alpha'] },
  chinchilla: { bounds: ['alpha', 'beta'], spread: ['E', 'alpha', 'beta'] },
  power: { bounds: ['A', 'alpha'], spread: ['E', 'alpha'] },
  'mpl-size': { bounds: ['L0', 'a', 'alpha'], spread: ['L0', 'A', 'alpha'] },
};

/** Coefficients the solver fitted: the solver's parametrisation when it differs from the reported one. */
export function fittedCoefficients(fit: Pick<FitResult, 'params' | 'normalized'>): number {
  return Object.keys(fit.normalized?.params ?? fit.params).length;
}

/** 1 - (1 - R²)(n - 1)/(n - k): R² discounted for the coefficients, ≤ 0 when the law does no better than noise. */
export function adjustedR2(r2: number, points: number, coefficients: number): number {
  return points > coefficients ? 1 - ((1 - r2) * (points - 1)) / (points - coefficients) : NaN;
}

/** What the verdict reads of a fit: a fit's result, or the runner-up's with the points and bounds of its solver. */
export type JudgedFit = Pick<
  FitResult,
  'law' | 'params' | 'normalized' | 'atBounds' | 'intervals' | 'quality' | 'points' | 'undetermined'
>;

/** Every reason the data do not support `fit`; empty when they do. */
export function fitProblems(fit: JudgedFit): FitProblem[] {
  const problems: FitProblem[] = [];
  const k = fittedCoefficients(fit);
  const judged = JUDGED[fit.law];
  if (fit.points < FIT_VERDICT.pointsPerCoefficient * k)
    problems.push({
      code: 'fit-points-few',
      reason: `${fit.points} points for ${k} coefficients: too few to tell the law from the noise`,
    });
  const held = (fit.atBounds ?? []).filter((name) => judged.bounds.includes(name));
  // Both multi-power laws: with model size the drop term is the same G(x) over the same schedules, as loosely held.
  const multiPower = fit.law === 'mpl' || fit.law === 'mpl-size';
  if (multiPower && fit.atBounds && !dropTermIdentified(fit.atBounds, fit.undetermined))
    held.push('its loss-drop term');
  if (held.length)
    problems.push({
      code: 'fit-at-bounds',
      reason: `${held.join(', ')} held at the limit of ${held.length === 1 ? 'its' : 'their'} range: the data do not pin ${held.length === 1 ? 'it' : 'them'} down`,
    });
  const wide = judged.spread.filter((name) => intervalDecades(fit.intervals?.[name]) > FIT_VERDICT.maxIntervalDecades);
  if (wide.length)
    problems.push({
      code: 'fit-interval-wide',
      reason: `the 95 % interval of ${wide.map((name) => `${name} [${fit.intervals![name].map((v) => formatNumber(v, 3)).join(', ')}]`).join(', ')} spans more than ${FIT_VERDICT.maxIntervalDecades} orders of magnitude`,
    });
  // Judged without gross outliers (metrics.ts scoreFit): one spike does not make a law that follows the rest fail.
  const r2 = fit.quality.r2WithoutOutliers ?? fit.quality.r2;
  const adjusted = adjustedR2(r2, fit.points, k);
  // NaN (no more points than coefficients) is not judged here; -Infinity (a law that overflows) is.
  if (adjusted <= FIT_VERDICT.minAdjustedR2)
    problems.push({
      code: 'fit-r2-low',
      reason: `R² ${formatR2(r2, 3)} on ${fit.points} points with ${k} coefficients${fit.quality.r2WithoutOutliers !== undefined ? ' (leaving out points far off the law)' : ''}: the law explains no more of the data than noise would`,
    });
  return problems;
}

/** How many decades an interval spans: Infinity when it reaches 0 or below, 0 without an interval. */
function intervalDecades(interval: [number, number] | undefined): number {
  if (!interval) return 0;
  const [low, high] = interval;
  if (!(high > 0)) return 0;
  return low > 0 ? Math.log10(high / low) : Infinity;
}

/** What each problem means for the fit, after its short reason, in the finding's message. */
const CONSEQUENCE: Record<FitProblem['code'], string> = {
  'fit-points-few':
    'With about as many coefficients as points the law can pass through them all, so its band collapses and says nothing about the noise.',
  'fit-at-bounds': 'A fit held by its range has not found the law in the data; its extrapolation is a guess.',
  'fit-interval-wide':
    'Refits on resampled data disagree about the shape of the law, so its extrapolation is not determined.',
  'fit-r2-low':
    'The data do not follow the law (they stay flat, rise, change no more than their noise, or fall in a shape it misses), so its extrapolation means nothing.',
  'curves-disagree':
    'Its shared coefficients are a compromise between levels, so it predicts none of the curves by its own law.',
  'compute-levels-few':
    'Fits of the same quality put the compute-optimal model anywhere, and the bootstrap does not show it (every refit lands where the solver stops).',
};

/**
 * The verdict on every fit of an analysis: each problem becomes a finding, the fit carries them (`unsupported`), and
 * its predictions are withheld with the reasons. Predictions a broken law already withheld keep that status.
 */
export function judgeFits(analysis: LawAnalysis<Series>): void {
  withholdImpossible(analysis);
  for (const fit of analysis.fits) {
    const problems = fitProblems(fit);
    if (!problems.length) continue;
    // Problems found before the verdict (curves-disagree) are kept: their findings are said where they were found.
    fit.unsupported = [...(fit.unsupported ?? []), ...problems];
    const where = fitLocation(analysis.curves, fit);
    const who = fit.group ? `${fit.group}: ` : '';
    for (const p of problems) analysis.findings.push(verdictFinding(p, `${who}The fit of ${fit.formula}`, where));
    const reason = `not supported by the data: ${problems.map((p) => p.reason).join('; ')}`;
    analysis.predictions.forEach((p, i) => {
      if (p.status === 'ok' && predictedBy(analysis.curves, p, fit))
        analysis.predictions[i] = withheld(p, 'fit-unsupported', reason);
    });
  }
}

/**
 * A cross-entropy (loss, CE) is never 0 or below: a law that predicts one has left the data behind (an annealing term
 * fitted huge on a short log, for one), so the number is withheld whatever the fit's other checks say. Nor is a
 * prediction anything but finite, at a finite x: data near the largest double (a D_p of 1e308, whose double
 * overflows) give Infinity, the BLEU law below the D_p where its logarithm turns negative gives NaN, and no surface
 * can show either as a number (JSON writes it as null). The band is not judged: NaN there means no band (no bootstrap).
 */
function withholdImpossible(analysis: LawAnalysis<Series>): void {
  analysis.predictions.forEach((p, i) => {
    if (p.status !== 'ok') return;
    const what = p.metric === 'loss' ? 'loss' : p.metric === 'bleu' ? 'BLEU' : 'cross-entropy';
    const at = p.xName === 'step' ? `step ${formatCompact(p.x)}` : formatQuantity(p.xName, p.x);
    const reason = !Number.isFinite(p.x)
      ? `${at} is past the largest number a double holds (the data's values are near it), so nothing can be predicted there`
      : !Number.isFinite(p.value)
        ? `the law gives no finite ${what} at ${at} (${formatNumber(p.value)}): the fit does not describe the data there`
        : p.metric !== 'bleu' && p.value <= 0
          ? `the law predicts a ${what} of ${formatNumber(p.value)} at ${at}, and a ${what} cannot be 0 or below: the fit does not describe the run that far`
          : null;
    if (reason !== null) analysis.predictions[i] = withheld(p, 'fit-unsupported', reason);
  });
}

/** The finding of a problem with a fit: what is wrong, what it means, and that nothing is predicted from it. */
export function verdictFinding(
  problem: FitProblem,
  what: string,
  where: Pick<Finding, 'file' | 'line' | 'curve' | 'group'>,
) {
  const message = `${what} is not supported by the data: ${problem.reason}. ${CONSEQUENCE[problem.code]} No prediction is shown from it.`;
  return finding(problem.code, 'warning', { ...where, message });
}

/** Whether a curve was fitted by (or predicted from) `fit`. */
function curveOf(c: CurveReport<Series>, fit: FitResult): boolean {
  if (c.law !== fit.law) return false;
  return fit.group !== undefined ? c.group === fit.group : c.role !== 'unfitted';
}

/** Where a fit's findings point: the first line of its first fitted curve. */
function fitLocation(curves: CurveReport<Series>[], fit: FitResult) {
  const curve = curves.find((c) => curveOf(c, fit) && c.role === 'fit') ?? curves.find((c) => curveOf(c, fit));
  return {
    file: curve?.file ?? fit.fittedOn[0] ?? '',
    line: curve?.firstLine ?? 0,
    ...(curve && !fit.group && { curve: curve.name }),
    ...(fit.group !== undefined && { group: fit.group }),
  };
}

/** Whether `fit` made prediction `p`: by its group and metric, its curve, or (Chinchilla) its compute budgets. */
function predictedBy(curves: CurveReport<Series>[], p: Prediction, fit: FitResult): boolean {
  if (fit.law === 'chinchilla') return p.xName === 'C';
  if (p.group !== undefined) return p.group === fit.group && (p.metric === 'bleu') === (fit.law === 'bleu');
  return curves.some((c) => c.name === p.curve && curveOf(c, fit));
}

/** Whether a prediction has a number to show (status 'ok'). */
export function hasValue(p: Prediction): p is PredictionBase & PredictedValue {
  return p.status === 'ok';
}

/** The fit behind a curve (the loss fit across curves, or its group's law); undefined when none fitted it. */
export function fitOfCurve(fits: FitResult[], c: CurveReport<Series>): FitResult | undefined {
  return fits.find((f) => curveOf(c, f));
}

/** Whether point `index` of a curve was one of the points its fit used: a fact per point, not per curve. */
export function pointWasFitted(c: CurveReport<Series>, index: number): boolean {
  return c.role === 'fit' && !(c.notFitted?.includes(index) ?? false);
}
