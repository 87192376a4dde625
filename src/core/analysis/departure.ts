// The run-leaves-its-law finding (README, Findings, law-departure; docs/findings.md): a loss curve whose latest points
// stay off its law — a spike that does not recover, a divergence, a plateau the law does not expect. The latest points
// are judged against the law as the points before them fit it: a fit of the whole curve would bend to absorb a
// plateau (the LR-annealing law explains one with a smaller annealing term). So the law is refitted, from its full
// fit's optimum, on each fitted curve without its last DEPARTURE_TAIL share (at least `departurePoints` points), and
// the tail is scored against that fit's predictions; a curve predicted from other curves is scored against its
// prediction. A point is off when its log residual is more than `departureSigmas` robust standard deviations (of the
// residuals before the tail) from their median; the curve has left its law when, for a stretch ending at its last
// point and at least `departurePoints` long, at least DEPARTURE_SHARE of the points are off on the same side.
// What the stretch looks like (spike, divergence, plateau, drop) is read from its shape (departureKind). The curve's
// report carries the departure as data (CurveReport.departure). A run above its law (spike, divergence, plateau) is
// worse than its law says, so its predictions are withheld (applyDepartures): no surface shows that optimistic number.
// A run below it keeps its predictions, flagged on every surface: on real smooth curves a drop is most often the
// law's own error where the LR anneals (0.2-0.4 % on the public multi-power-law curves), not a broken run.
// test/unit/analysis/departure.test.ts holds it to zero alarms on clean noisy curves over 200 seeds.
import { finding } from '../findings';
import { formatCount, formatPercent } from '../util/format';
import { numbersOf } from '../util/arrays';
import { departureDetail, departureReason, KIND_PHRASES } from './departureText';
import { withheld } from './trust';
import { atQueries, prepare, type PreparedCurve } from './lossAreas';
import { BACKTEST_ROWS, prefix, thinRows } from './lawChoice';
import type { LossCurveLaw, LossFitInput, LossLawFit } from './lossLaw';
import type { LossCurve } from './lossCurves';
import { robustScale } from './metrics';
import { medianOf } from '../util/select';
import type { AnalysisOptions } from './options';
import type { DepartureKind, Finding, LawAnalysis, LawDeparture, Series } from './types';

/** Share of a stretch's points that must be off the law on one side. */
export const DEPARTURE_SHARE = 0.8;
/** Share of a fitted curve's latest points judged against the law fitted on the points before them. */
export const DEPARTURE_TAIL = 0.25;
/** Points the fit before the tail needs, at least. */
const MIN_PREFIX_POINTS = 10;
/** Points a level of a departure's shape is the median of, at least. */
const DEPARTURE_WINDOW = 5;
/** The residual scale never goes below this (0.01 % of the loss): noiseless curves would flag rounding. */
const MIN_SIGMA = 1e-4;
/**
 * A point is never off by less than this log distance (about 1 % of the loss). On smooth real curves (little noise,
 * so a tight residual scale) a law's own error where the LR anneals reaches 0.2-0.4 % on the public multi-power-law
 * runs; a spike, divergence or plateau worth a warning goes well beyond 1 %.
 */
const MIN_TOLERANCE = Math.log(1.01);

/** Where a curve left its law: the first point of the stretch, its length and side, and how far off it went. */
export interface Departure {
  /** Index into the curve's points of the stretch's first point (itself off the law). */
  from: number;
  points: number;
  side: 'above' | 'below';
  /** Largest relative distance of an observed loss from the law's prediction in the stretch (0.05 = 5 %). */
  worst: number;
  /** Points of the stretch off the law on its side. */
  off: number;
  kind: DepartureKind;
  /** How far off a point had to be, as a relative distance from the law (0.012 = 1.2 %). */
  tolerance: number;
}

type DepartureOptions = Pick<AnalysisOptions, 'departureSigmas' | 'departurePoints'>;

/**
 * The departure of a curve's last points from the law: `observed` and `predicted` at every point, the residual scale
 * taken from the points before `judgedFrom`, a stretch sought among the points from it on. Null when none.
 */
export function findDeparture(
  observed: ArrayLike<number>,
  predicted: ArrayLike<number>,
  judgedFrom: number,
  options: DepartureOptions,
): Departure | null {
  const n = observed.length;
  const minPoints = Math.max(1, options.departurePoints);
  if (n - judgedFrom < minPoints) return null;
  // Each log residual once: the stretch search, its count and its shape read them several times each.
  const residuals = logRatios(observed, predicted);
  const before = residuals.subarray(0, judgedFrom).filter(Number.isFinite);
  if (before.length < MIN_PREFIX_POINTS) return null;
  const robust = robustScale(before);
  const centre = robust.centre;
  const sigma = Math.max(MIN_SIGMA, robust.sigma);
  const limit = Math.max(MIN_TOLERANCE, options.departureSigmas * sigma);
  let best: Departure | null = null;
  for (const sign of [1, -1] as const) {
    const from = longestOffStretch(residuals, judgedFrom, sign, centre, limit, minPoints);
    if (from === null || (best !== null && n - from <= best.points)) continue;
    let worst = 0;
    let off = 0;
    for (let i = from; i < n; i++) {
      worst = Math.max(worst, Math.abs(observed[i] / predicted[i] - 1));
      if (sign * (residuals[i] - centre) > limit) off++;
    }
    const side = sign > 0 ? 'above' : 'below';
    const kind = departureKind(observed, (i) => residuals[i] - centre, from, side, limit);
    best = { from, points: n - from, side, worst, off, kind, tolerance: Math.expm1(limit) };
  }
  return best;
}

/**
 * ln(observed / predicted) at every point. A function of its own: inside findDeparture the quarter-million-row loop
 * was compiled on the stack mid-loop and thrown away on the code after it, which had run too rarely to be typed (a
 * followed run's update recompiled it each time: "Insufficient type feedback" under --trace-deopt).
 */
function logRatios(observed: ArrayLike<number>, predicted: ArrayLike<number>): Float64Array {
  const out = new Float64Array(observed.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.log(observed[i] / predicted[i]);
  return out;
}

/**
 * What a stretch [from, end) off the law looks like. Below the law: a drop. Above: a divergence when the loss itself
 * rises over the stretch by more than the tolerance; else a spike when most of its distance from the law came at once
 * (the jump from the points before it to its first points is at least half the distance at its end), else a plateau
 * (the loss falls slower than the law, so it drifted off). Levels are medians of a quarter of the stretch (at least
 * DEPARTURE_WINDOW points), so single noisy points do not decide.
 */
function departureKind(
  observed: ArrayLike<number>,
  offset: (i: number) => number,
  from: number,
  side: 'above' | 'below',
  limit: number,
): DepartureKind {
  if (side === 'below') return 'drop';
  const end = observed.length;
  const w = Math.max(DEPARTURE_WINDOW, Math.floor((end - from) / 4));
  const level = (f: (i: number) => number, a: number, b: number) =>
    b > a ? medianOf(Float64Array.from({ length: b - a }, (_, k) => f(a + k))) : 0;
  const logLoss = (i: number) => Math.log(observed[i]);
  if (level(logLoss, end - w, end) - level(logLoss, from, from + w) > limit) return 'divergence';
  const jump = level(offset, from, from + w) - level(offset, Math.max(0, from - w), from);
  return jump >= 0.5 * level(offset, end - w, end) ? 'spike' : 'plateau';
}

/**
 * The start of the longest stretch [i, n) with i >= first whose first point is off (its residual more than `limit`
 * from `centre` on `sign`'s side) and in which at least DEPARTURE_SHARE of the points are, at least minPoints long;
 * null when there is none. One pass from the end, reading the residuals in a plain loop: a followed million-row run's
 * tail is a quarter million points, twice per update, and a predicate called per point cost 3-4 ms of it.
 */
export function longestOffStretch(
  residuals: Float64Array,
  first: number,
  sign: 1 | -1,
  centre: number,
  limit: number,
  minPoints: number,
): number | null {
  const n = residuals.length;
  let count = 0;
  let start: number | null = null;
  for (let i = n - 1; i >= first; i--) {
    if (!(sign * (residuals[i] - centre) > limit)) continue;
    count++;
    if (n - i >= minPoints && count >= DEPARTURE_SHARE * (n - i)) start = i;
  }
  return start;
}

/** A fitted curve cut before its tail: its prefix (thinned as a backtest's) and the tail steps to predict. */
interface Cut {
  curve: LossCurve;
  at: number;
  prepared: PreparedCurve;
}

/** A curve found to have left its law: the departure's `from` indexes the curve's own points. */
export interface FoundDeparture {
  curve: LossCurve;
  departure: Departure;
}

/**
 * The departures of a loss-curve fit: fitted curves against the law refitted without their tails, predicted curves
 * against their predictions (`predictedAtPoints(i)`: prepared curve i's prediction at its points).
 */
export function findDepartures(
  law: LossCurveLaw,
  full: LossLawFit,
  input: LossFitInput,
  predictedAtPoints: (i: number) => Float64Array,
): FoundDeparture[] {
  const { options } = input;
  const found: FoundDeparture[] = [];
  const fitted = new Set(input.fitted);
  input.prepared.forEach((p, i) => {
    if (fitted.has(i)) return;
    const departure = findDeparture(p.curve.loss, predictedAtPoints(i), 0, options);
    if (departure) found.push({ curve: p.curve, departure });
  });
  const cuts = input.fitted.flatMap((i): Cut[] => {
    const curve = input.prepared[i].curve;
    const n = curve.steps.length;
    const at = n - Math.max(options.departurePoints, Math.ceil(DEPARTURE_TAIL * n));
    if (at < MIN_PREFIX_POINTS) return [];
    const prepared = prepare(thinRows(prefix(curve, at), BACKTEST_ROWS), numbersOf(curve.steps.subarray(at)));
    return [{ curve, at, prepared }];
  });
  if (cuts.length === 0) return found;
  const before = law.fit({
    prepared: cuts.map((c) => c.prepared),
    fitted: cuts.map((_, k) => k),
    options,
    purpose: 'backtest',
    previous: full,
  });
  if (!before) return found;
  cuts.forEach((cut, k) => {
    const predicted = before.predict(k);
    const n = cut.curve.steps.length;
    // The thinned prefix's points, then every tail point: observed and predicted side by side.
    const head = cut.prepared.curve;
    const observed = new Float64Array(head.loss.length + n - cut.at);
    const expected = new Float64Array(observed.length);
    observed.set(head.loss);
    expected.set(atQueries(predicted, cut.prepared.pointIndex));
    observed.set(cut.curve.loss.subarray(cut.at), head.loss.length);
    const tail = cut.prepared.targetIndex;
    for (let t = 0; t < tail.length; t++) expected[head.loss.length + t] = predicted[tail[t]];
    const departure = findDeparture(observed, expected, head.loss.length, options);
    if (departure) {
      const shift = cut.at - head.loss.length; // tail indices back to the curve's own
      found.push({ curve: cut.curve, departure: { ...departure, from: departure.from + shift } });
    }
  });
  return found;
}

/**
 * Each departure on every surface: its finding, the curve report's `departure` (with the points of the stretch outside
 * the band the report draws), and, for a run above its law, the curve's predictions withheld with a reason that names
 * the step and the kind.
 */
export function applyDepartures(out: LawAnalysis<Series>, found: FoundDeparture[], options: DepartureOptions): void {
  for (const { curve, departure } of found) {
    const report = out.curves.find((c) => c.name === curve.name && c.file === curve.file);
    const record = lawDeparture(curve, departure, options, report?.points);
    out.findings.push(departureFinding(curve, record));
    if (report) report.departure = record;
    if (withholds(record)) withholdRun(out, curve, departureReason(record));
  }
}

/**
 * A run whose loss stopped being a number for good (LossCurve.diverged, the finding loss-diverged) has left any law:
 * its predictions are withheld as a departed run's are, the reason naming the step. Its rows before are still fitted.
 */
export function withholdDiverged(out: LawAnalysis<Series>, curves: readonly LossCurve[]): void {
  for (const curve of curves) {
    const d = curve.diverged;
    if (!d) continue;
    withholdRun(
      out,
      curve,
      `the run diverged: its loss is no number from step ${formatCount(d.step)} (line ${d.line}) to the end of the log`,
    );
  }
}

/**
 * Every prediction of a run that left its law (or diverged) withheld with what its data show, whatever withheld it
 * before: an LR drop past its log, or its reach, is not why a run that blew up predicts nothing (a diverged run whose
 * scheduled LR decays on in its NaN rows was said withheld for an unseen drop). The curve's cut (withheldFrom) says
 * the same, for the hover and --json.
 */
function withholdRun(out: LawAnalysis<Series>, curve: LossCurve, reason: string): void {
  out.predictions.forEach((p, i) => {
    if (p.curve === curve.name) out.predictions[i] = withheld(p, 'law-departed', reason);
  });
  const report = out.curves.find((c) => c.name === curve.name && c.file === curve.file);
  if (report?.withheldFrom) report.withheldFrom = { ...report.withheldFrom, reason };
}

/** Whether a departure withholds the run's predictions: above the law, the law's number is optimistic. */
function withholds(d: Pick<LawDeparture, 'side'>): boolean {
  return d.side === 'above';
}

/** The departure as the public record: steps and lines instead of indices, the tolerances it was judged with. */
function lawDeparture(
  curve: LossCurve,
  d: Departure,
  options: DepartureOptions,
  points?: { low: ArrayLike<number>; high: ArrayLike<number> },
): LawDeparture {
  const last = curve.steps.length - 1;
  let outside = 0;
  let banded = false;
  for (let i = d.from; i <= last && points; i++) {
    const low = points.low[i];
    const high = points.high[i];
    if (!Number.isFinite(low) || !Number.isFinite(high)) continue;
    banded = true;
    if (curve.loss[i] < low || curve.loss[i] > high) outside++;
  }
  return {
    step: curve.steps[d.from],
    line: curve.lines[d.from],
    lastStep: curve.steps[last],
    kind: d.kind,
    side: d.side,
    points: d.points,
    off: d.off,
    outsideBand: banded ? outside : null,
    worst: d.worst,
    tolerance: d.tolerance,
    sigmas: options.departureSigmas,
    minPoints: Math.max(1, options.departurePoints),
  };
}

function departureFinding(curve: LossCurve, d: LawDeparture): Finding {
  return finding('law-departure', 'warning', {
    message:
      `"${curve.name}" has left its law from step ${formatCount(d.step)}: ${KIND_PHRASES[d.kind]}, up to ` +
      `${formatPercent(d.worst, 2)} ${d.side} it. ${departureDetail(d)} ` +
      (withholds(d)
        ? 'No prediction is shown for this run: the law no longer describes it.'
        : 'Its predictions are still shown, flagged: they assume the run returns to its law.'),
    file: curve.file,
    line: d.line,
    endLine: curve.lines[curve.lines.length - 1],
    curve: curve.name,
  });
}
