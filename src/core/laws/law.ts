// The shape every law file fills in: its formula (with the gradient), its parameter box and its starting points.
// The fitter (src/core/fit/robust.ts) knows nothing else about a law, so adding a law never touches the solver.

export interface Law<Data> {
  readonly id: string;
  readonly parameterNames: readonly string[];
  readonly lower: readonly number[];
  readonly upper: readonly number[];
  /**
   * Writes the prediction at each point of `data` into `out`; when `jacobian` is given, also fills
   * jacobian[j][i] = d prediction_i / d parameter_j. A prediction <= 0 or non-finite marks the parameters as invalid.
   */
  predict(params: Float64Array, data: Data, out: Float64Array, jacobian?: Float64Array[]): void;
  /** Number of points in `data`. */
  size(data: Data): number;
}

/** Halvings of the search for the largest share of a start's subtracted term that keeps the law positive. */
const SHARE_STEPS = 40;

/**
 * The starts as they are when the law is positive at every point at some start, else each moved inside it (insideLaw).
 * A moved start is a way in only where there was none: among starts that had one, it took the fit elsewhere along a
 * flat valley (curves of two model sizes fitted as one, under a robust loss, then read as one law's curves).
 */
export function startsInsideLaw<Data>(
  law: Law<Data>,
  data: Data,
  starts: Float64Array[],
  term: number,
): Float64Array[] {
  const out = new Float64Array(law.size(data));
  if (starts.some((start) => positiveAt(law, data, start, out))) return starts;
  return starts.map((start) => insideLaw(law, data, start, term, out));
}

/** Whether the law at `params` is positive (and finite) at every point of `data`; `out` holds its values. */
function positiveAt<Data>(law: Law<Data>, data: Data, params: Float64Array, out: Float64Array): boolean {
  law.predict(params, data, out);
  return out.every((v) => v > 0 && Number.isFinite(v));
}

/**
 * `start` with parameter `term` (the coefficient of a term the law subtracts: an LR drop's) lowered until the law is
 * positive at every point of `data`. The fit's objective compares logs, so a start predicting 0 or below anywhere has
 * no finite objective and the solver cannot move from it: starts fitted by squares (L0 = 0 under a loss that falls
 * tenfold) put the drop term above the rest at the last points. The term is set half way from its lower bound (where
 * the law is positive) to the largest value that keeps every point positive, found by halving: near the scan's basin,
 * not at its edge.
 */
function insideLaw<Data>(
  law: Law<Data>,
  data: Data,
  start: Float64Array,
  term: number,
  out: Float64Array,
): Float64Array {
  const moved = Float64Array.from(start);
  const lower = law.lower[term];
  const inside = (share: number) => {
    moved[term] = lower + share * (start[term] - lower);
    return positiveAt(law, data, moved, out);
  };
  let [low, high] = [0, 1];
  for (let k = 0; k < SHARE_STEPS; k++) {
    const mid = (low + high) / 2;
    if (inside(mid)) low = mid;
    else high = mid;
  }
  inside(low / 2);
  return moved;
}
