// The multi-power law's saturation q(z) = (1 + e^z)^(-beta), G = 1 - q, as a function of z = ln(c * eta^(-gamma) * S),
// tabulated once per beta and read by cubic Hermite interpolation.
//
// Why: a fit evaluates q and its derivatives for millions of (point, term) pairs per objective call, and three
// transcendental calls per pair (exp, log1p, exp) dominated its cost. The table costs 2,561 nodes per beta and a lookup
// is a few multiplications. Its error is below 1e-9 in q and 1e-7 in its derivatives (h = 1/32, measured); since Hermite
// interpolation is linear in the nodes' values, the derivatives read from it are the exact derivatives of the
// interpolant, so the solver sees an objective and a gradient that agree.

const Z_MIN = -40;
const Z_MAX = 40;
const STEPS_PER_UNIT = 32;
const H = 1 / STEPS_PER_UNIT;
const NODES = (Z_MAX - Z_MIN) * STEPS_PER_UNIT + 1;
/** Per node: q, h*dq/dz, dq/dbeta, h*d2q/(dz dbeta). */
const STRIDE = 4;

/** ln(1 + e^z) without overflow. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** Sums over terms of w*G(z) and its derivatives, filled by SaturationTable.accumulate. */
export interface SaturationSums {
  /** sum w * G */
  value: number;
  /** sum w * dG/dz */
  dz: number;
  /** sum w * dG/dz * ln(eta): the gamma derivative is -this (z = ln c - gamma * ln eta + ln S). */
  dzLogEta: number;
  /** sum w * dG/dbeta */
  dBeta: number;
}

export class SaturationTable {
  private beta = NaN;
  private readonly nodes = new Float64Array(NODES * STRIDE);

  /** Rebuilds the nodes when beta changed since the last call. */
  prepare(beta: number): void {
    if (beta === this.beta) return;
    this.beta = beta;
    for (let j = 0; j < NODES; j++) {
      const z = Z_MIN + j * H;
      const s = softplus(z);
      const sigma = 1 / (1 + Math.exp(-z));
      const q = Math.exp(-beta * s);
      const o = j * STRIDE;
      this.nodes[o] = q;
      this.nodes[o + 1] = H * (-beta * sigma * q);
      this.nodes[o + 2] = -s * q;
      this.nodes[o + 3] = H * (sigma * q * (beta * s - 1));
    }
  }

  /** G at one z (beta as last prepared). */
  g(z: number): number {
    if (!(z > Z_MIN && z < Z_MAX)) return 1 - Math.exp(-this.beta * softplus(z));
    const y = (z - Z_MIN) * STEPS_PER_UNIT;
    const j = y | 0;
    const f = y - j;
    const o = j * STRIDE;
    const n = this.nodes;
    const f2 = f * f;
    const g = 1 - f;
    const g2 = g * g;
    return 1 - ((1 + 2 * f) * g2 * n[o] + f * g2 * n[o + 1] + f2 * (3 - 2 * f) * n[o + 4] - f2 * g * n[o + 5]);
  }

  /**
   * Adds, over terms start..end-1 of (weight, logEta, logArea), w*G(z) and w times its derivatives to `sums`, with
   * z = ln c - gamma * logEta + logArea. One loop with local sums: this is the innermost loop of every fit.
   */
  accumulate(
    sums: SaturationSums,
    weight: Float64Array,
    logEta: Float64Array,
    logArea: Float64Array,
    start: number,
    end: number,
    logC: number,
    gamma: number,
  ): void {
    const n = this.nodes;
    let value = 0;
    let dz = 0;
    let dzLogEta = 0;
    let dBeta = 0;
    for (let t = start; t < end; t++) {
      const z = logC - gamma * logEta[t] + logArea[t];
      const w = weight[t];
      if (!(z > Z_MIN && z < Z_MAX)) {
        this.addDirect(sums, w, z, logEta[t]);
        continue;
      }
      const y = (z - Z_MIN) * STEPS_PER_UNIT;
      const j = y | 0;
      const f = y - j;
      const o = j * STRIDE;
      const f2 = f * f;
      const g = 1 - f;
      const g2 = g * g;
      // Hermite basis on [0, 1] and its derivatives in f.
      const h00 = (1 + 2 * f) * g2;
      const h10 = f * g2;
      const h01 = f2 * (3 - 2 * f);
      const h11 = -f2 * g;
      const d00 = -6 * f * g;
      const d10 = g * (1 - 3 * f);
      const d11 = f * (3 * f - 2);
      const q = h00 * n[o] + h10 * n[o + 1] + h01 * n[o + 4] + h11 * n[o + 5];
      const qz = (d00 * (n[o] - n[o + 4]) + d10 * n[o + 1] + d11 * n[o + 5]) * STEPS_PER_UNIT;
      const qBeta = h00 * n[o + 2] + h10 * n[o + 3] + h01 * n[o + 6] + h11 * n[o + 7];
      const wdz = -w * qz;
      value += w * (1 - q);
      dz += wdz;
      dzLogEta += wdz * logEta[t];
      dBeta -= w * qBeta;
    }
    sums.value += value;
    sums.dz += dz;
    sums.dzLogEta += dzLogEta;
    sums.dBeta += dBeta;
  }

  /** Outside the table (z = -Infinity when S = 0): the formula itself. */
  private addDirect(sums: SaturationSums, weight: number, z: number, logEta: number): void {
    const s = softplus(z);
    const q = Math.exp(-this.beta * s);
    const sigma = z > 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    const wdz = weight * this.beta * sigma * q;
    sums.value += weight * (1 - q);
    sums.dz += wdz;
    sums.dzLogEta += wdz * logEta;
    sums.dBeta += weight * s * q;
  }
}
