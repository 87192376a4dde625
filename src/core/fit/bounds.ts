// Which fitted parameters sit on their box. A parameter at a bound was stopped by the box, not pinned by the data:
// the fit did not identify it, and a more flexible law fitted that way may extrapolate worse than a simpler one
// (docs/laws-loss.md, the multi-power law, identifiability). Automatic law choice reads this.
import type { Law } from '../laws/law';

export interface BoundHit {
  name: string;
  index: number;
  bound: 'lower' | 'upper';
  value: number;
  limit: number;
}

/**
 * Parameters within `tolerance` of a bound: relative to the box's width when both ends are finite, else to
 * max(1, |bound|). The solver projects onto the box, so a parameter held by it sits exactly on the bound. Parameters
 * held fixed (lower = upper) are not reported.
 */
export function parametersAtBounds(
  law: Pick<Law<unknown>, 'parameterNames' | 'lower' | 'upper'>,
  params: ArrayLike<number>,
  tolerance = 1e-6,
): BoundHit[] {
  const hits: BoundHit[] = [];
  law.parameterNames.forEach((name, index) => {
    const value = params[index];
    const lower = law.lower[index];
    const upper = law.upper[index];
    const width = upper - lower;
    // A parameter held fixed (a box of width 0) was never fitted, so it says nothing about what the data pin down.
    if (width === 0) return;
    const near = (limit: number) =>
      Math.abs(value - limit) <= tolerance * (Number.isFinite(width) ? width : Math.max(1, Math.abs(limit)));
    if (Number.isFinite(lower) && near(lower)) hits.push({ name, index, bound: 'lower', value, limit: lower });
    else if (Number.isFinite(upper) && near(upper)) hits.push({ name, index, bound: 'upper', value, limit: upper });
  });
  return hits;
}
