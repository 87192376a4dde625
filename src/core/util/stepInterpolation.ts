// Values known at some ascending steps (knots), read at other steps: linear in the step between neighbouring knots,
// held past either end. One segment search serves every array known at the same knots (spreadWeights.ts weighs
// several laws at once), so the search and the interpolation are separate pieces.

/** The last knot at or before `s` (0 when none is), searched on from `from` (a knot at or before it). */
export function segmentOf(knots: Float64Array, s: number, from: number): number {
  let k = from;
  while (k < knots.length - 1 && knots[k + 1] <= s) k++;
  return k;
}

/** The knot after k (k itself at the last: the value is held past the end). */
export function nextOf(knots: Float64Array, k: number): number {
  return k < knots.length - 1 ? k + 1 : k;
}

/** Where step s lies between knots k and `next`, from 0 to 1 (0 when they are one). */
export function placeIn(knots: Float64Array, k: number, next: number, s: number): number {
  return placeBetween(knots[k], knots[next], s);
}

/** Where step s lies between steps x0 and x1, from 0 to 1 (0 when they are one): placeIn with its knots read. */
export function placeBetween(x0: number, x1: number, s: number): number {
  return x1 > x0 ? Math.min(1, Math.max(0, (s - x0) / (x1 - x0))) : 0;
}

/** The value at place t between knots k and `next`. */
export function between(values: Float64Array, k: number, next: number, t: number): number {
  return values[k] + t * (values[next] - values[k]);
}

/**
 * The steps in runs that share a segment, in order: `each(k, next, from, to)` for steps[from..to), each at or past
 * knot k (as segmentOf finds it) and before knot k + 1. A step below the one before restarts the search, as
 * valuesAtSteps does. What is the same along a segment (its knots, each array's value and slope there) is then read
 * once per segment, not once per step: a followed run's curve has a million steps and a few hundred knots.
 */
export function forEachSegment(
  knots: Float64Array,
  steps: ArrayLike<number>,
  each: (k: number, next: number, from: number, to: number) => void,
): void {
  let k = 0;
  for (let from = 0; from < steps.length;) {
    if (from > 0 && steps[from] < steps[from - 1]) k = 0;
    k = segmentOf(knots, steps[from], k);
    const end = k < knots.length - 1 ? knots[k + 1] : Infinity;
    let to = from + 1;
    while (to < steps.length && steps[to] < end && !(steps[to] < steps[to - 1])) to++;
    each(k, nextOf(knots, k), from, to);
    from = to;
  }
}

/** `values` (one per knot) read at some steps, ascending (a step below the one before restarts the search). */
export function valuesAtSteps(knots: Float64Array, values: Float64Array, steps: ArrayLike<number>): Float64Array {
  const out = new Float64Array(steps.length);
  let k = 0;
  for (let j = 0; j < steps.length; j++) {
    if (j > 0 && steps[j] < steps[j - 1]) k = 0;
    k = segmentOf(knots, steps[j], k);
    const next = nextOf(knots, k);
    out[j] = between(values, k, next, placeIn(knots, k, next, steps[j]));
  }
  return out;
}
