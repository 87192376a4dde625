// Student's t for judging a mean from few points: a mean of n noisy values over their own standard error is t with
// n - 1 degrees of freedom, whose tails are far heavier than the normal's when n is small (3 points: 19 standard
// errors hold what 3 do for the normal).

/** P(|Z| < z) for a standard normal Z (Abramowitz & Stegun 7.1.26: erf to 1.5e-7). */
export function normalWithin(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return 1 - poly * Math.exp(-x * x);
}

/** P(|T| < t) for Student's t with a whole number `dof` >= 1 of degrees of freedom (Abramowitz & Stegun 26.7.3-4). */
export function studentTWithin(t: number, dof: number): number {
  const theta = Math.atan(Math.abs(t) / Math.sqrt(dof));
  const [sin, cos2] = [Math.sin(theta), Math.cos(theta) ** 2];
  if (dof % 2 === 0) {
    let [term, sum] = [1, 1];
    for (let k = 2; k <= dof - 2; k += 2) sum += term *= (cos2 * (k - 1)) / k;
    return sin * sum;
  }
  if (dof === 1) return (2 * theta) / Math.PI;
  let term = Math.cos(theta);
  let sum = term;
  for (let k = 3; k <= dof - 2; k += 2) sum += term *= (cos2 * (k - 1)) / k;
  return (2 / Math.PI) * (theta + sin * sum);
}

/** The t that |T| stays under with probability `within` (0 < within < 1), `dof` degrees of freedom: by bisection. */
export function studentTQuantile(within: number, dof: number): number {
  let [lo, hi] = [0, 1];
  while (studentTWithin(hi, dof) < within && hi < 1e12) hi *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (studentTWithin(mid, dof) < within) lo = mid;
    else hi = mid;
  }
  return hi;
}
