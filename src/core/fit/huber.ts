// The Huber loss as scipy.special.huber defines it, so objectives compare with the published reference fits:
// r^2/2 inside delta, delta*(|r| - delta/2) outside (linear tails keep outlying points from dominating).

/** d huber / d r: r clamped to [-delta, delta]. */
export function huberDerivative(r: number, delta: number): number {
  return r > delta ? delta : r < -delta ? -delta : r;
}

/**
 * huber(r) from its derivative psi = huberDerivative(r, delta): psi * (r - psi/2) is r^2/2 inside and
 * delta * (|r| - delta/2) outside. Hot loops need psi anyway, and one clamp for both costs less than two branches.
 */
export function huberGivenDerivative(r: number, psi: number): number {
  return psi * (r - 0.5 * psi);
}

export function huber(r: number, delta: number): number {
  return huberGivenDerivative(r, huberDerivative(r, delta));
}
