// The run-leaves-its-law finding (README, Findings, law-departure; docs/findings.md): a loss curve whose latest points
// stay off its law — a spike that does not recover, a divergence, a plateau the law does not expect. The latest points
// are judged against the law as the points before them fit it: a fit of the whole curve would bend to absorb a
// plateau (the LR-annealing law explains one with a smaller annealing term). So the law is refitted, from its full
// fit's optimum, on each fitted curve without its last DEPARTURE_TAIL share (at least `departurePoints` points), and
// the tail is scored against that fit's predictions; a curve predicted from other curves is scored against its
// prediction. A point is off when its log residual is more than `departureSigmas` robust standard deviations (of the
// residuals before the tail) from their median; the curve has left its law when, for a stretch ending at its last
// point and at least `departurePoints` long, at least DEPARTURE_SHARE of the points are off on the same side.
// test/unit/analysis/departure.test.ts holds it to zero alarms on clean noisy curves over 200 seeds.
import { finding } from '../findings';
import { atQueries, prepare, type PreparedCurve } from './lossAreas';
import { BACKTEST_ROWS, prefix, thinRows } from './lawChoice';
import type { LossCurveLaw, LossFitInput, LossLawFit } from './lossLaw';
import type { LossCurve } from './lossCurves';
import type { AnalysisOptions } from './options';
import type { Finding } from './types';
import { medianOf } from '../util/select';

/** Share of a stretch's points that must be off the law on one side. */
export const DEPARTURE_SHARE = 0.8;
/** Share of a fitted curve's latest points judged against the law fitted on the points before them. */
export const DEPARTURE_TAIL = 0.25;
/** Points the fit before the tail needs, at least. */
const MIN_PREFIX_POINTS = 10;
/** 1.4826 × MAD estimates the standard deviation of normal residuals. */
const MAD_TO_SIGMA = 1.4826;
/** The residual scale never goes below this (0.01 % of the loss): noiseless curves would flag rounding. */
const MIN_SIGMA = 1e-4;

/** Where a curve left its law: the first point of the stretch, its length and side, and how far off it went. */
export interface Departure {
  /** Index into the curve's points of the stretch's first point (itself off the law). */
  from: number;
  points: number;
  side: 'above' | 'below';
  /** Largest relative distance of an observed loss from the law's prediction in the stretch (0.05 = 5 %). */
  worst: number;
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
  const residual = (i: number) => Math.log(observed[i] / predicted[i]);
  const before = Float64Array.from({ length: judgedFrom }, (_, i) => residual(i)).filter(Number.isFinite);
  if (before.length < MIN_PREFIX_POINTS) return null;
  const centre = medianOf(before);
  const sigma = Math.max(MIN_SIGMA, MAD_TO_SIGMA * medianOf(before.map((r) => Math.abs(r - centre))));
  const limit = options.departureSigmas * sigma;
  let best: Departure | null = null;
  for (const sign of [1, -1] as const) {
    const from = longestOffStretch(judgedFrom, n, (i) => sign * (residual(i) - centre) > limit, minPoints);
    if (from === null || (best !== null && n - from <= best.points)) continue;
    let worst = 0;
    for (let i = from; i < n; i++) worst = Math.max(worst, Math.abs(observed[i] / predicted[i] - 1));
    best = { from, points: n - from, side: sign > 0 ? 'above' : 'below', worst };
  }
  return best;
}

/**
 * The start of the longest stretch [i, n) with i >= first whose first point is off and in which at least
 * DEPARTURE_SHARE of the points are, at least minPoints long; null when there is none. One pass from the end.
 */
function longestOffStretch(first: number, n: number, off: (i: number) => boolean, minPoints: number): number | null {
  let count = 0;
  let start: number | null = null;
  for (let i = n - 1; i >= first; i--) {
    if (!off(i)) continue;
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

/**
 * The law-departure findings of a loss-curve fit: fitted curves against the law refitted without their tails,
 * predicted curves against their predictions (`predictedAtPoints(i)`: prepared curve i's prediction at its points).
 */
export function departureFindings(
  law: LossCurveLaw,
  full: LossLawFit,
  input: LossFitInput,
  predictedAtPoints: (i: number) => Float64Array,
): Finding[] {
  const { options } = input;
  const findings: Finding[] = [];
  const fitted = new Set(input.fitted);
  input.prepared.forEach((p, i) => {
    if (fitted.has(i)) return;
    const departure = findDeparture(p.curve.loss, predictedAtPoints(i), 0, options);
    if (departure) findings.push(departureFinding(p.curve, departure));
  });
  const cuts = input.fitted.flatMap((i): Cut[] => {
    const curve = input.prepared[i].curve;
    const n = curve.steps.length;
    const at = n - Math.max(options.departurePoints, Math.ceil(DEPARTURE_TAIL * n));
    if (at < MIN_PREFIX_POINTS) return [];
    const prepared = prepare(thinRows(prefix(curve, at), BACKTEST_ROWS), Array.from(curve.steps.subarray(at)));
    return [{ curve, at, prepared }];
  });
  if (cuts.length === 0) return findings;
  const before = law.fit({
    prepared: cuts.map((c) => c.prepared),
    fitted: cuts.map((_, k) => k),
    options,
    purpose: 'backtest',
    previous: full,
  });
  if (!before) return findings;
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
    cut.prepared.targetIndex.forEach((q, t) => (expected[head.loss.length + t] = predicted[q]));
    const departure = findDeparture(observed, expected, head.loss.length, options);
    if (departure) {
      const shift = cut.at - head.loss.length; // tail indices back to the curve's own
      findings.push(departureFinding(cut.curve, { ...departure, from: departure.from + shift }));
    }
  });
  return findings;
}

function departureFinding(curve: LossCurve, departure: Departure): Finding {
  const { steps, lines } = curve;
  const from = departure.from;
  const last = steps.length - 1;
  const cause =
    departure.side === 'above' ? 'a loss spike, a divergence or a plateau' : 'a drop the law does not expect';
  return finding('law-departure', 'warning', {
    message:
      `"${curve.name}" has left its law from step ${steps[from]}: ${departure.points} of its latest points (steps ` +
      `${steps[from]}–${steps[last]}) are mostly ${departure.side} the law its earlier points follow, up to ` +
      `${(departure.worst * 100).toFixed(1)} % off (${cause}). Predictions past this point assume the run returns to its law.`,
    file: curve.file,
    line: lines[from],
    endLine: lines[last],
    curve: curve.name,
  });
}
