// The Huber loss as scipy.special.huber defines it, so objectives compare with the published reference fits:
// r^2/2 inside delta, delta*(|r| - delta/2) outside (linear tails keep outlying points from dominating).

export function huber(r: number, delta: number): number {
  const a = Math.abs(r);
  return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

/** d huber / d r. */
export function huberDerivative(r: number, delta: number): number {
  if (r > delta) return delta;
  if (r < -delta) return -delta;
  return r;
}
