// The multi-power law (its source, conventions and figures: docs/laws-loss.md, The multi-power law):
//
//   L(s) = L0 + A * S1(s)^(-alpha) - B * LD(s),   LD as in lossDrop.ts with G(x) = 1 - (C*x + 1)^(-beta)
//
// The solver works in normalised units (docs/laws-loss.md, the multi-power law): x1 = S1/S1max, LRs divided by eta_ref, and parameters
// (L0, a, alpha, b, ln c, beta, gamma) with a = A*S1max^(-alpha), b = B*eta_ref, c = C*eta_ref^(1-gamma). That is an
// exact reparametrisation which puts every parameter near 1; C spans orders of magnitude, hence ln c.
import { boundedLeastSquares } from '../fit/linear';
import { minOf, thinIndices } from '../util/arrays';
import { startsInsideLaw, type Law } from './law';
import {
  COMPRESSION_WINDOW,
  dropTerms,
  lossDropSum,
  CarriedDrops,
  type DropSchedule,
  type PointTerms,
} from './lossDrop';
import { SaturationTable, type SaturationSums } from './saturation';

/** The law's data: per point ln(x1) and its LD terms (see PointTerms for why the offsets are Float64Arrays). */
export interface MultiPowerPoints extends PointTerms {
  logX1: Float64Array;
  /**
   * Per point, how many points back the same point is (the same schedule's content at the same step: the same ln x1
   * and terms), or 0: its prediction and Jacobian row are copied from there instead of summed again (runs of a sweep
   * that share a schedule). Relative, and a Float64Array, so that a block of the points (robust.ts) keeps it; a copy
   * is made only from inside the block. Points picked from these (pickPoints) do not carry it.
   */
  repeatOf?: Float64Array;
}

export const MULTI_POWER_PARAMETERS = ['L0', 'a', 'alpha', 'b', 'ln c', 'beta', 'gamma'] as const;

/** Raw-unit coefficients: LR in the log's own units, S1 in LR x steps. */
export interface MultiPowerCoefficients {
  L0: number;
  A: number;
  alpha: number;
  B: number;
  C: number;
  beta: number;
  gamma: number;
}

/** What the normalised parameters are relative to. */
export interface MultiPowerScale {
  /** The LR every LR is divided by (the largest LR of the fitted curves). */
  etaRef: number;
  /** The largest S1 over the fitted points, in raw units (LR x steps). */
  s1Max: number;
}

const C_MIN = 1e-4;
const C_MAX = 1e4;
const EXPONENT_MIN = 0.02;
const EXPONENT_MAX = 0.98;

/**
 * The law with the box of docs/laws-loss.md, the multi-power law: L0 between 0 and the lowest observed loss (`maxL0`), a, b >= 0,
 * 1e-3 <= alpha <= 5, 1e-4 <= c <= 1e4, and beta, gamma in [0.02, 0.98]. One table and one set of sums per law
 * object, reused by every evaluation, so the hot loop allocates nothing.
 */
export function multiPowerLaw(maxL0: number): Law<MultiPowerPoints> {
  const table = new SaturationTable();
  const sums: SaturationSums = { value: 0, dz: 0, dzLogEta: 0, dBeta: 0 };
  return {
    id: 'multi-power',
    parameterNames: MULTI_POWER_PARAMETERS,
    lower: [0, 0, 1e-3, 0, Math.log(C_MIN), EXPONENT_MIN, EXPONENT_MIN],
    upper: [maxL0, Infinity, 5, Infinity, Math.log(C_MAX), EXPONENT_MAX, EXPONENT_MAX],
    size: (data) => data.logX1.length,
    predict(params, data, out, jacobian) {
      const [l0, a, alpha, b, logC, beta, gamma] = params;
      const { logX1, termStart, termEnd, terms, repeatOf } = data;
      const { weight, logEta, logArea } = terms;
      table.prepare(beta);
      for (let i = 0; i < logX1.length; i++) {
        const back = repeatOf ? repeatOf[i] : 0;
        if (back > 0 && i >= back) {
          copyPoint(out, jacobian, i, i - back);
          continue;
        }
        const power = Math.exp(-alpha * logX1[i]);
        if (!jacobian) {
          out[i] = l0 + a * power - b * lossDropSum(terms, termStart[i], termEnd[i], logC, gamma, table);
          continue;
        }
        sums.value = sums.dz = sums.dzLogEta = sums.dBeta = 0;
        table.accumulate(sums, weight, logEta, logArea, termStart[i], termEnd[i], logC, gamma);
        out[i] = l0 + a * power - b * sums.value;
        jacobian[0][i] = 1;
        jacobian[1][i] = power;
        jacobian[2][i] = -a * power * logX1[i];
        jacobian[3][i] = -sums.value;
        // z = ln c - gamma * ln eta + ln S: dz/d ln c = 1, dz/d gamma = -ln eta.
        jacobian[4][i] = -b * sums.dz;
        jacobian[5][i] = -b * sums.dBeta;
        jacobian[6][i] = b * sums.dzLogEta;
      }
    },
  };
}

/** Point `from`'s prediction and Jacobian row (when asked for) as point i's: the same data give the same bits. */
function copyPoint(out: Float64Array, jacobian: Float64Array[] | undefined, i: number, from: number): void {
  out[i] = out[from];
  if (jacobian) for (const column of jacobian) column[i] = column[from];
}

/**
 * Marks the points that repeat an earlier one (MultiPowerPoints.repeatOf): `keys[i]` names point i's data (equal keys,
 * equal ln x1 and terms). Unchanged when no point repeats.
 */
export function withRepeats(data: MultiPowerPoints, keys: readonly string[]): MultiPowerPoints {
  const first = new Map<string, number>();
  const repeatOf = new Float64Array(keys.length);
  let repeats = 0;
  keys.forEach((key, i) => {
    const at = first.get(key);
    if (at === undefined) first.set(key, i);
    else {
      repeatOf[i] = i - at;
      repeats++;
    }
  });
  return repeats > 0 ? { ...data, repeatOf } : data;
}

/**
 * The law's data at some steps of one schedule. `s1MaxNormalised`: the largest S1 of the fit in units of eta_ref
 * (x1 = S1/S1max). `window` = Infinity gives the exact loss-drop sum. Of a CarriedDrops: its terms, carried from the
 * schedule's last change of LR to steps past it.
 */
export function multiPowerPoints(
  ds: DropSchedule | CarriedDrops,
  steps: ArrayLike<number>,
  s1MaxNormalised: number,
  window = COMPRESSION_WINDOW,
): MultiPowerPoints {
  const logS1Max = Math.log(s1MaxNormalised);
  const logX1 = Float64Array.from({ length: steps.length }, (_, i) => Math.log(ds.area(steps[i])) - logS1Max);
  return { ...(ds instanceof CarriedDrops ? ds.at(steps) : dropTerms(ds, steps, window)), logX1 };
}

/** LD at every point for one (ln c, beta, gamma). */
export function lossDropAtPoints(data: MultiPowerPoints, logC: number, beta: number, gamma: number): Float64Array {
  const table = new SaturationTable();
  table.prepare(beta);
  return Float64Array.from(data.logX1, (_, i) =>
    lossDropSum(data.terms, data.termStart[i], data.termEnd[i], logC, gamma, table),
  );
}

/** Points picked by index; the terms stay shared. */
export function pickPoints(data: MultiPowerPoints, idx: Int32Array): MultiPowerPoints {
  const take = (a: Float64Array) => Float64Array.from(idx, (i) => a[i]);
  return { logX1: take(data.logX1), termStart: take(data.termStart), termEnd: take(data.termEnd), terms: data.terms };
}

/** Several point sets as one: terms end to end, offsets shifted. */
export function concatPoints(parts: MultiPowerPoints[]): MultiPowerPoints {
  if (parts.length === 1) return parts[0];
  const n = parts.reduce((sum, p) => sum + p.logX1.length, 0);
  const m = parts.reduce((sum, p) => sum + p.terms.weight.length, 0);
  const out: MultiPowerPoints = {
    logX1: new Float64Array(n),
    termStart: new Float64Array(n),
    termEnd: new Float64Array(n),
    terms: { weight: new Float64Array(m), logEta: new Float64Array(m), logArea: new Float64Array(m) },
  };
  let point = 0;
  let term = 0;
  for (const p of parts) {
    out.logX1.set(p.logX1, point);
    for (let i = 0; i < p.logX1.length; i++) {
      out.termStart[point + i] = p.termStart[i] + term;
      out.termEnd[point + i] = p.termEnd[i] + term;
    }
    out.terms.weight.set(p.terms.weight, term);
    out.terms.logEta.set(p.terms.logEta, term);
    out.terms.logArea.set(p.terms.logArea, term);
    point += p.logX1.length;
    term += p.terms.weight.length;
  }
  return out;
}

/** A start needs the basin, not the optimum: the projection scan runs on at most this many points. */
const SCAN_POINTS = 1000;
const ALPHA_GRID = [0.2, 0.4, 0.6, 0.9];
const C_GRID = [1e-3, 1e-2, 0.1, 1];
const BETA_GRID = [0.3, 0.6, 0.9];
const GAMMA_GRID = [0.3, 0.6, 0.9];
/** Floor of a start's linear coefficients: at exactly 0 the solver's per-parameter scaling has nothing to scale. */
const MIN_LINEAR_START = 1e-6;

/**
 * Starting points by variable projection: for fixed (alpha, c, beta, gamma) the law is linear in (L0, a, b), which
 * come from a non-negative least-squares solve. The `keep` best of the grid (by squared error) are the starts.
 */
export function multiPowerStarts(data: MultiPowerPoints, observed: Float64Array, keep = 8): Float64Array[] {
  const idx = thinIndices(observed.length, SCAN_POINTS);
  const points = pickPoints(data, idx);
  const y = Float64Array.from(idx, (i) => observed[i]);
  const ones = new Float64Array(idx.length).fill(1);
  const powers = ALPHA_GRID.map((alpha) => points.logX1.map((l) => Math.exp(-alpha * l)));
  const maxL0 = minOf(observed);
  const scanned: { sse: number; start: Float64Array }[] = [];
  for (const c of C_GRID) {
    for (const beta of BETA_GRID) {
      for (const gamma of GAMMA_GRID) {
        const negLd = lossDropAtPoints(points, Math.log(c), beta, gamma).map((v) => -v);
        ALPHA_GRID.forEach((alpha, k) => {
          const solved = boundedLeastSquares([ones, powers[k], negLd], y, [true, true, true]);
          if (!solved) return;
          const [l0, a, b] = solved.coefficients;
          const start = Float64Array.of(
            Math.min(l0, maxL0),
            Math.max(a, MIN_LINEAR_START),
            alpha,
            Math.max(b, MIN_LINEAR_START),
            Math.log(c),
            beta,
            gamma,
          );
          scanned.push({ sse: solved.sumSquares, start });
        });
      }
    }
  }
  scanned.sort((p, q) => p.sse - q.sse);
  // b is index 3: lowered when every start puts the law at or below 0 somewhere (startsInsideLaw).
  const law = multiPowerLaw(maxL0);
  return startsInsideLaw(
    law,
    data,
    scanned.slice(0, keep).map((s) => s.start),
    3,
  );
}

/** Raw-unit coefficients from the normalised parameters. */
export function multiPowerCoefficients(params: ArrayLike<number>, scale: MultiPowerScale): MultiPowerCoefficients {
  const [l0, a, alpha, b, logC, beta, gamma] = Array.from(params);
  return {
    L0: l0,
    A: a * Math.pow(scale.s1Max, alpha),
    alpha,
    B: b / scale.etaRef,
    C: Math.exp(logC) * Math.pow(scale.etaRef, gamma - 1),
    beta,
    gamma,
  };
}

/** Normalised parameters from raw-unit coefficients (the inverse of multiPowerCoefficients). */
export function multiPowerParams(raw: MultiPowerCoefficients, scale: MultiPowerScale): Float64Array {
  return Float64Array.of(
    raw.L0,
    raw.A * Math.pow(scale.s1Max, -raw.alpha),
    raw.alpha,
    raw.B * scale.etaRef,
    Math.log(raw.C) + (1 - raw.gamma) * Math.log(scale.etaRef),
    raw.beta,
    raw.gamma,
  );
}
