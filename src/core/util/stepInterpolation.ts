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
  const x0 = knots[k];
  const x1 = knots[next];
  return x1 > x0 ? Math.min(1, Math.max(0, (s - x0) / (x1 - x0))) : 0;
}

/** The value at place t between knots k and `next`. */
export function between(values: Float64Array, k: number, next: number, t: number): number {
  return values[k] + t * (values[next] - values[k]);
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
