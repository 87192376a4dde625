// How far past its data a law is trusted: one span of the data's own log range beyond either end. A law's exponent is
// told from its scale and offset only by the curvature the data show, and over a short range (steps 1000-1029, model
// sizes 1e8-1.1e8) any exponent fits as well with the others moved: the fit's exponent is then the noise's, and its
// bootstrap (refits started at the fit) stays by it, so the band is narrow and far from the truth. Each law that
// extrapolates in such a quantity (power.ts in x, the model-size laws in N, Chinchilla in N* and D*, downstream.ts in
// D_p, the loss-curve and model-size laws and their what-ifs in S1 when their logs start late: areaReach.ts)
// withholds a prediction past its reach, one rule in one place.
import { formatCompact, formatQuantity, formatRange } from '../util/format';
import { maxOf, minOf } from '../util/arrays';

/** Spans of the data's log range a prediction may lie past either end of it. */
export const REACH_SPANS = 1;
/** Relative slack on the limits, so that a target exactly one span away (400M from sizes 25M and 100M) stays in. */
const SLACK = 1e-9;

export interface Reach {
  low: number;
  high: number;
  /** The largest value predicted: high * (high / low)^REACH_SPANS. */
  limit: number;
  /** The smallest value predicted: low / (high / low)^REACH_SPANS. */
  floor: number;
}

/** The reach of positive values `x`. */
export function reachOf(x: readonly number[] | Float64Array): Reach {
  const low = minOf(x);
  const high = maxOf(x);
  const ratio = Math.pow(high / low, REACH_SPANS);
  return { low, high, limit: high * ratio * (1 + SLACK), floor: (low / ratio) * (1 - SLACK) };
}

/** Whether `at` lies past the reach, on either side. */
export function beyondReach(reach: Reach, at: number): boolean {
  return at > reach.limit || at < reach.floor;
}

/** The side of the data `at` lies on, as every message says it: 'below' them or 'past' them. */
export function sideOf(reach: Reach, at: number): 'below' | 'past' {
  return at < reach.low ? 'below' : 'past';
}

/**
 * "x = 2.058k is 24.0 times as far past the fitted x (1k–1.029k) as they span, in log x" (below them for a value
 * under the data).
 */
export function pastPhrase(xName: string, reach: Reach, at: number, fittedName = xName): string {
  const side = sideOf(reach, at);
  const spans = Math.log(side === 'below' ? reach.low / at : at / reach.high) / Math.log(reach.high / reach.low);
  const shown = Number.isFinite(spans) ? spans.toFixed(1) : 'infinitely many';
  return `${formatQuantity(xName, at)} is ${shown} times as far ${side} the fitted ${fittedName} (${formatRange(formatCompact(reach.low), formatCompact(reach.high))}) as they span, in log ${fittedName}`;
}

/** A withheld prediction's reason: past the reach, and the rule. */
export function farReason(xName: string, reach: Reach, at: number, fittedName = xName): string {
  const side = sideOf(reach, at);
  return `too far ${side} the data: ${pastPhrase(xName, reach, at, fittedName)}; the law is trusted at most one span ${side} its data`;
}
