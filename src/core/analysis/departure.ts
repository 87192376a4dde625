// The run-leaves-its-law finding (README, Findings, law-departure; docs/findings.md): a loss curve whose latest points
// stay off its law — a spike that does not recover, a divergence, a plateau the law does not expect. A point is off
// when its log residual is more than `departureSigmas` robust standard deviations from the curve's typical residual
// (and outside the band, where there is one); the curve has left its law when, for a stretch ending at its last point
// and at least `departurePoints` long, at least DEPARTURE_SHARE of the points are off on the same side. Ordinary
// noise leaves a point off once in many thousands and never most of a stretch; test/unit/analysis/departure.test.ts
// holds it to zero alarms on clean noisy curves over 200 seeds.
import { finding } from '../findings';
import { pick, thinIndices } from '../util/arrays';
import type { AnalysisOptions } from './options';
import type { CurveReport, Finding, Series } from './types';

/** Share of a stretch's points that must be off the law on one side. */
export const DEPARTURE_SHARE = 0.8;
/** 1.4826 × MAD estimates the standard deviation of normal residuals. */
const MAD_TO_SIGMA = 1.4826;
/** The residual scale never goes below this (0.01 % of the loss): noiseless curves would flag rounding. */
const MIN_SIGMA = 1e-4;
/** Residuals the scale is estimated from at most. */
const SCALE_POINTS = 20_000;

/** Where a curve left its law: the first point of the stretch, its length and side, and how far off it went. */
export interface Departure {
  /** Index of the stretch's first point (itself off the law). */
  from: number;
  points: number;
  side: 'above' | 'below';
  /** Largest relative distance of an observed loss from the law's prediction in the stretch (0.05 = 5 %). */
  worst: number;
}

/** The departure of a curve's latest points from its law, or null when its end follows the law. */
export function findDeparture(
  points: CurveReport<Series>['points'],
  options: Pick<AnalysisOptions, 'departureSigmas' | 'departurePoints'>,
): Departure | null {
  const n = points.observed.length;
  const minPoints = Math.max(1, options.departurePoints);
  if (n < minPoints || points.predicted.length !== n) return null;
  const residuals = new Float64Array(n);
  for (let i = 0; i < n; i++) residuals[i] = Math.log(points.observed[i] / points.predicted[i]);
  // The scale from an even sample: a median needs a sort, and a million-point curve's noise shows in far fewer.
  const finite = pick(residuals, thinIndices(n, SCALE_POINTS)).filter(Number.isFinite);
  if (finite.length < minPoints) return null;
  const centre = median(finite);
  const sigma = Math.max(MIN_SIGMA, MAD_TO_SIGMA * median(finite.map((r) => Math.abs(r - centre))));
  const limit = options.departureSigmas * sigma;
  const hasBand = points.low.length === n && points.high.length === n;
  let best: Departure | null = null;
  for (const sign of [1, -1] as const) {
    const off = (i: number) => {
      if (!(sign * (residuals[i] - centre) > limit)) return false;
      if (!hasBand) return true;
      const bound = sign > 0 ? points.high[i] : points.low[i];
      return !Number.isFinite(bound) || sign * (points.observed[i] - bound) > 0;
    };
    const found = longestOffSuffix(n, off, minPoints);
    if (found === null || (best !== null && n - found <= best.points)) continue;
    let worst = 0;
    for (let i = found; i < n; i++) worst = Math.max(worst, Math.abs(points.observed[i] / points.predicted[i] - 1));
    best = { from: found, points: n - found, side: sign > 0 ? 'above' : 'below', worst };
  }
  return best;
}

/**
 * The start of the longest stretch ending at the last point whose first point is off and in which at least
 * DEPARTURE_SHARE of the points are, at least minPoints long; null when there is none. One pass from the end.
 */
function longestOffSuffix(n: number, off: (i: number) => boolean, minPoints: number): number | null {
  let count = 0;
  let start: number | null = null;
  for (let i = n - 1; i >= 0; i--) {
    if (!off(i)) continue;
    count++;
    // Once the share cannot be reached by any longer stretch, none further back can qualify either.
    if (n - i >= minPoints && count >= DEPARTURE_SHARE * (n - i)) start = i;
  }
  return start;
}

/** The finding for each fitted or predicted loss curve whose end has left its law. */
export function departureFindings(curves: readonly CurveReport<Series>[], options: AnalysisOptions): Finding[] {
  const findings: Finding[] = [];
  for (const curve of curves) {
    if (curve.role === 'unfitted' || curve.metric !== 'loss') continue;
    const departure = findDeparture(curve.points, options);
    if (departure === null) continue;
    const { x, lines } = curve.points;
    const from = departure.from;
    const last = x.length - 1;
    const what = departure.side === 'above' ? 'above' : 'below';
    findings.push(
      finding('law-departure', 'warning', {
        message:
          `"${curve.name}" has left its law from step ${x[from]}: ${departure.points} of its latest points (steps ` +
          `${x[from]}–${x[last]}) are mostly ${what} the law's band, up to ${(departure.worst * 100).toFixed(1)} % ` +
          `off (${departure.side === 'above' ? 'a loss spike, a divergence or a plateau' : 'a drop the law does not expect'}). ` +
          'Predictions past this point assume the run returns to its law.',
        file: curve.file,
        line: lines[from],
        endLine: lines[last],
        curve: curve.name,
      }),
    );
  }
  return findings;
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}
