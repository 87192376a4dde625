// Curves fitted together that one law does not describe (README, Findings, curves-disagree; docs/findings.md). A loss
// fit over several curves shares one set of coefficients: right for runs of one model under different schedules,
// wrong for runs of different model sizes (no size given) or on different data, whose losses sit apart by a level
// the shared law cannot give each. Such a curve's log residuals stay on one side of the law all along: its mean
// residual (its offset) is large against the law's typical error on the set, the spread of every fitted curve's
// residuals about its own offset (the law's shape error and the noise; the point-to-point noise, from successive
// differences, is a floor). That scale is used as the standard error of an offset on purpose: a law's shape error is
// smooth, so a curve's residuals are far from independent and the offset may count as one draw of it. A curve more
// than DISAGREE_SIGMAS of it off has a level the law does not describe. The shared coefficients are then a compromise
// between levels, and no curve of the set is predicted by its own law: the fit is not supported (FitResult.unsupported)
// and every prediction from it is withheld. test/unit/analysis/disagreement.test.ts measures the statistic on every
// public fit set (at most 0.74; 1.42 for the model-size laws over three sizes) and on curves of two and three sizes
// fitted as one (at least 6 for the curve furthest off).
// The model-size laws (sizeAnalysis.ts) are judged alike: they give each size one level, so a curve off it has a size
// that is not its parameter count (a typo in a size given, a params column counting embeddings for one run only) or
// another data set; test/unit/analysis/sizeDisagreement.test.ts measures the statistic there.
import { finding } from '../findings';
import { normalWithin, studentTQuantile } from '../util/studentT';
import { distinctDigits, formatCompact, formatPercent, formatR2 } from '../util/format';
import { isSizeLaw } from './lossLaw';
import { r2WithoutOutliers, scorePredictions } from './metrics';
import { runnerUpsWithinLogs } from './runnerUp';
import { withholdAllFor } from './trust';
import type { CurveReport, FitProblem, FitResult, LawAnalysis, Series } from './types';

/** Offsets beyond this many standard errors (the law's typical error on the set) are a level the law does not give. */
export const DISAGREE_SIGMAS = 3;
/** The error scale never goes below this (0.01 % of the loss): noiseless curves would flag rounding. */
const MIN_SCALE = 1e-4;
/** Points a curve needs for its spread and noise to count in the law's typical error, and for its shape to be judged. */
const MIN_POINTS = 10;
/**
 * Points a shorter curve needs for its offset to be judged at all: its own spread about its offset, with n - 1 >= 2
 * degrees of freedom, is what tells its offset from its noise (shortOffsetIsNoise).
 */
const MIN_SHORT_POINTS = 3;

/** A fitted curve's residuals against the shared law, summarised. */
export interface CurveOffset {
  curve: CurveReport<Series>;
  /** Mean log residual, ln(observed / predicted): > 0 above the law. */
  offset: number;
  /** Standard deviation of its log residuals about their mean. */
  spread: number;
  /** Point-to-point noise of its log residuals, from successive differences (smooth misfit cancels). */
  noise: number;
  points: number;
}

/** The offsets of a fit's curves, the error scale they are judged by, and each curve's offset in units of it. */
export interface Disagreement {
  offsets: CurveOffset[];
  /** The law's typical error on the set: root mean square of the curves' spreads, at least their noise. */
  scale: number;
  /** offset / scale per curve, parallel to `offsets`. */
  sigmas: number[];
  /** The curves more than DISAGREE_SIGMAS off. */
  off: CurveOffset[];
}

/** One fitted curve's offset, spread and noise over the points with a finite law value; null with too few. */
export function curveOffset(curve: CurveReport<Series>, minPoints = MIN_POINTS): CurveOffset | null {
  const { observed, predicted } = curve.points;
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  let diffSq = 0;
  let last = NaN;
  for (let i = 0; i < observed.length; i++) {
    const r = Math.log(observed[i] / predicted[i]);
    if (!Number.isFinite(r)) continue;
    if (n > 0) diffSq += (r - last) ** 2;
    n++;
    sum += r;
    sumSq += r * r;
    last = r;
  }
  if (n < minPoints) return null;
  const offset = sum / n;
  const spread = Math.sqrt(Math.max(0, sumSq - n * offset * offset) / (n - 1));
  return { curve, offset, spread, noise: Math.sqrt(diffSq / (2 * (n - 1))), points: n };
}

/**
 * How far each fitted curve of a loss fit sits off the shared law, in units of the law's error on the set. A short
 * curve (MIN_SHORT_POINTS or more) is judged as a long one, its spread in that error too (the law's error on the
 * public runs cut to 3-9 points beside a whole one is larger than on the whole one: judged by the whole one's alone,
 * they sat up to 11 of it off), and its offset must also not be its own noise (shortOffsetIsNoise). Short curves were
 * not judged: a short run of another model fitted with long ones was predicted under the shared law without a word.
 */
export function judgeOffsets(curves: readonly CurveReport<Series>[]): Disagreement {
  const offsets = curves.flatMap((c) => (c.role === 'fit' ? (curveOffset(c, MIN_SHORT_POINTS) ?? []) : []));
  const meanSquare = (f: (o: CurveOffset) => number) =>
    offsets.reduce((s, o) => s + f(o) ** 2, 0) / Math.max(1, offsets.length);
  const scale = Math.max(MIN_SCALE, Math.sqrt(meanSquare((o) => o.spread)), Math.sqrt(meanSquare((o) => o.noise)));
  const sigmas = offsets.map((o) => o.offset / scale);
  const off = offsets.filter((o, i) => Math.abs(sigmas[i]) > DISAGREE_SIGMAS && !shortOffsetIsNoise(o));
  return { offsets, scale, sigmas, off };
}

/**
 * Whether a short curve's offset may be its own noise: within the Student t bound of its n - 1 degrees of freedom
 * that holds the normal's DISAGREE_SIGMAS share (19 standard errors for 3 points, 6.6 for 5, 4.3 for 9), its standard
 * error its spread over sqrt(n). A long curve's noise is in the scale already (the scale is at least its noise).
 */
function shortOffsetIsNoise(o: CurveOffset): boolean {
  if (o.points >= MIN_POINTS) return false;
  return Math.abs(o.offset) <= shortBound(o.points) * (Math.max(MIN_SCALE, o.spread) / Math.sqrt(o.points));
}

/** The t bound of a short curve's offset over its standard error, for its number of points. */
const shortBound = (points: number) => studentTQuantile(normalWithin(DISAGREE_SIGMAS), points - 1);

/**
 * A curve's shape the shared law misses: its R² under the law (without gross outliers) at or below `maxR2`, the law
 * explaining none of the curve's change, while its misfit (its spread) is at least `minSpreadNoises` times its
 * point-to-point noise. A flat curve the law describes has an R² near 0 too, but a misfit at its noise; an offset
 * test does not see a shape, since the misfit it leaves is the scale the offsets are judged by.
 */
export const SHAPE_MISSED = { maxR2: 0, minSpreadNoises: 2 } as const;

/** A fitted curve whose shape the shared law misses (SHAPE_MISSED), with its R² under the law. */
export interface MissedShape {
  offset: CurveOffset;
  r2: number;
}

/**
 * The fitted curves of MIN_POINTS or more whose shape the shared law misses. A curve that left its law
 * (law-departure, found before) is not judged: its latest points are off the law by what that finding says.
 */
export function missedShapes(offsets: readonly CurveOffset[]): MissedShape[] {
  return offsets.flatMap((o) => {
    // A short curve's R² and its misfit against its noise are a few points' chance, not a shape.
    if (o.curve.departure || o.points < MIN_POINTS) return [];
    const r2 = curveR2(o.curve);
    return r2 <= SHAPE_MISSED.maxR2 && o.spread >= SHAPE_MISSED.minSpreadNoises * o.noise ? [{ offset: o, r2 }] : [];
  });
}

/** A curve's R² under its law over the points where the law has a value, without gross outliers when few. */
function curveR2(curve: CurveReport<Series>): number {
  const { observed, predicted } = curve.points;
  const keep = Array.from({ length: observed.length }, (_, i) => i).filter((i) => Number.isFinite(predicted[i]));
  const [o, p] = [keep.map((i) => observed[i]), keep.map((i) => predicted[i])];
  return r2WithoutOutliers(o, p) ?? scorePredictions(o, p).r2;
}

/**
 * After a loss fit over several curves: each curve the shared law does not describe gets a finding at its first row;
 * the fit is marked unsupported and every prediction from it withheld, with the reason.
 */
export function applyDisagreement(out: LawAnalysis<Series>, fit: FitResult): void {
  // One curve has no other to disagree with (its offset from its own fit is near 0: at most 0.17 on the public runs),
  // and a followed million-row run is spared a pass over its points on each update.
  if (out.curves.filter((c) => c.role === 'fit').length < 2) return;
  const judged = judgeOffsets(out.curves);
  const missed = missedShapes(judged.offsets).filter((m) => !judged.off.includes(m.offset));
  if (judged.off.length === 0 && missed.length === 0) return;
  const fitted = judged.offsets.length;
  // A model-size law's curves are named by their sizes, each to the digits that tell the fitted sizes apart.
  const digits = isSizeLaw(fit.law)
    ? distinctDigits(judged.offsets.flatMap((o) => o.curve.modelSize ?? []))
    : undefined;
  for (const o of judged.off) out.findings.push(disagreeFinding(o, judged.scale, fitted, digits));
  for (const m of missed) out.findings.push(missedShapeFinding(m, fitted, digits));
  const problem: FitProblem = { code: 'curves-disagree', reason: disagreeReason(judged, missed, digits) };
  withholdAllFor(out, fit, problem);
  if (fit.runnerUpFit) {
    fit.runnerUpFit.unsupported = [...(fit.runnerUpFit.unsupported ?? []), problem];
    runnerUpsWithinLogs(out);
  }
}

/** Why the fit is not supported: the curve furthest off its level, else the curve whose shape it misses worst. */
function disagreeReason(judged: Disagreement, missed: MissedShape[], digits: number | undefined): string {
  const lead = 'one law does not describe the curves fitted together';
  if (judged.off.length) {
    const worst = judged.off.reduce((a, b) => (Math.abs(b.offset) > Math.abs(a.offset) ? b : a));
    return `${lead}: "${worst.curve.name}"${sizePhrase(worst.curve, digits)} sits ${offsetPhrase(worst.offset)} it (${(Math.abs(worst.offset) / judged.scale).toFixed(1)} times its typical error on them)`;
  }
  const worst = missed.reduce((a, b) => (b.r2 < a.r2 ? b : a));
  return `${lead}: it explains none of the change of "${worst.offset.curve.name}"${sizePhrase(worst.offset.curve, digits)} (R² ${formatR2(worst.r2, 2)} on its ${worst.offset.points} points)`;
}

/** "4.2 % above" / "3.1 % below": a log offset as the relative distance of the loss from the law. */
function offsetPhrase(offset: number): string {
  return `${formatPercent(Math.abs(Math.expm1(offset)), 2)} ${offset > 0 ? 'above' : 'below'}`;
}

function sigmasPhrase(offset: number, scale: number): string {
  return `${(Math.abs(offset) / scale).toFixed(1)} times the law's typical error on the set, ${formatPercent(scale, 2)}; more than ${DISAGREE_SIGMAS} is a level the law does not describe`;
}

/**
 * " (N = 100M)": the size a model-size law fitted a curve at, to `digits` (undefined for a loss-curve law's curve,
 * which gets nothing).
 */
function sizePhrase(c: CurveReport<Series>, digits: number | undefined): string {
  return digits !== undefined && c.modelSize !== undefined ? ` (N = ${formatCompact(c.modelSize, digits)})` : '';
}

function missedShapeFinding(m: MissedShape, fitted: number, digits: number | undefined) {
  const c = m.offset.curve;
  return finding('curves-disagree', 'warning', {
    message:
      `The law fitted to the ${fitted} curves together explains none of the change of "${c.name}"${sizePhrase(c, digits)}: R² ${formatR2(m.r2, 2)} on its ` +
      `${m.offset.points} points, its misfit ${formatPercent(m.offset.spread, 2)} against a point-to-point noise of ${formatPercent(m.offset.noise, 2)}. ` +
      (digits !== undefined ? ADVICE.sized : ADVICE.loss) +
      'No prediction is shown from this fit: its coefficients are a compromise between the curves.',
    file: c.file,
    line: c.firstLine,
    curve: c.name,
  });
}

/** For a short curve: that its offset is not its noise either, by the t bound of its few points. */
function shortPhrase(o: CurveOffset): string {
  if (o.points >= MIN_POINTS) return '';
  const errors = Math.abs(o.offset) / (Math.max(MIN_SCALE, o.spread) / Math.sqrt(o.points));
  return `; with ${o.points} points, its offset is ${errors.toFixed(1)} times its own standard error, more than the ${shortBound(o.points).toFixed(1)} its noise reaches at ${o.points - 1} degrees of freedom`;
}

/** What the curves fitted together can be, and what to do, by the kind of law that fitted them. */
const ADVICE = {
  loss:
    'One set of coefficients describes runs of one model under different schedules, not runs of different model sizes or on different data. ' +
    "Give each run's model size (the model-size law then fits them together), or fit the runs apart. ",
  sized:
    'The model-size law gives each model size one level, so the runs fitted together are not all of the sizes given ' +
    '(a typo in a size, a params column that counts embeddings for some runs only) or not all on the same data. ' +
    'Check the sizes given (the law then fits the runs together), or fit the runs apart. ',
};

function disagreeFinding(o: CurveOffset, scale: number, fitted: number, digits: number | undefined) {
  const c = o.curve;
  return finding('curves-disagree', 'warning', {
    message:
      `"${c.name}"${sizePhrase(c, digits)} sits ${offsetPhrase(o.offset)} the law fitted to the ${fitted} curves together, on average over its ` +
      `${o.points} points (${sigmasPhrase(o.offset, scale)}; its own point-to-point noise is ${formatPercent(o.noise, 2)}${shortPhrase(o)}). ` +
      (digits !== undefined ? ADVICE.sized : ADVICE.loss) +
      'No prediction is shown from this fit: its coefficients are a compromise between the curves.',
    file: c.file,
    line: c.firstLine,
    curve: c.name,
  });
}
