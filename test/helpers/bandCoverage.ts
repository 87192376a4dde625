// Band coverage on known truth: sweeps drawn from L(x) = E + A·(x/scale)^-alpha with relative noise, analysed as the
// CLI does, and how many of the bands shown held the law the points came from. One harness for every law of that
// formula (downstream CE, the generic power law), so their figures are measured alike.
import type { LawAnalysis } from '../../src/core/analysis/types';
import { hasValue } from '../../src/core/analysis/trust';
import { normal, seededRandom } from '../../src/core/util/random';

export interface PowerTruth {
  E: number;
  A: number;
  alpha: number;
}

/** Three laws: a middling exponent, a slow one far above its floor, a steep one near it. */
export const COVERAGE_TRUTHS: readonly PowerTruth[] = [
  { E: 1.8, A: 0.55, alpha: 0.35 },
  { E: 1.2, A: 1.5, alpha: 0.15 },
  { E: 2.2, A: 0.3, alpha: 0.7 },
];

export interface CoverageCell {
  /** `n` points spaced evenly in log x over [low, high], each off the law by `sd` relative noise. */
  low: number;
  high: number;
  n: number;
  sd: number;
}

/** Fresh runs drawn at each prediction's x to measure its new-run band (Prediction.runLow/runHigh). */
export const NEXT_RUNS = 20;

export interface CoverageFigures {
  total: number;
  shown: number;
  held: number;
  /** The largest miss, in widths of its band (0 when every band held). */
  worst: number;
  /** Withheld as past the data's reach (power-range-short and its kin: "too far … the data"). */
  farWithheld: number;
  /** Withheld for any other reason (the fit verdict). */
  otherWithheld: number;
  /** New runs drawn at the predictions with a new-run band (NEXT_RUNS each), those inside it, and inside the law's. */
  runShown: number;
  runHeld: number;
  runInLawBand: number;
}

/**
 * Coverage of one cell over `seeds` seeds of each truth. `analyse` fits one sweep (x, y pairs in x order) with the
 * seed given, and the law at x is E + A·(x/scale)^-alpha.
 */
export function bandCoverage(
  cell: CoverageCell,
  analyse: (points: readonly (readonly [number, number])[], seed: number) => LawAnalysis,
  options: { scale: number; seeds: number; truths?: readonly PowerTruth[] },
): CoverageFigures {
  const truths = options.truths ?? COVERAGE_TRUTHS;
  const out: CoverageFigures = {
    ...{ total: 0, shown: 0, held: 0, worst: 0, farWithheld: 0, otherWithheld: 0 },
    ...{ runShown: 0, runHeld: 0, runInLawBand: 0 },
  };
  truths.forEach((t, k) => {
    const law = (x: number) => t.E + t.A * (x / options.scale) ** -t.alpha;
    for (let seed = 1; seed <= options.seeds; seed++) {
      const random = seededRandom(seed * 7919 + k);
      // The next run's noise is drawn apart, so the sweeps fitted stay the ones the law bands were measured on.
      const next = seededRandom(seed * 104729 + k);
      const points = Array.from({ length: cell.n }, (_, i) => {
        const x = cell.low * (cell.high / cell.low) ** (i / (cell.n - 1));
        return [x, law(x) * (1 + cell.sd * normal(random))] as const;
      });
      for (const p of analyse(points, seed).predictions) {
        out.total++;
        if (!hasValue(p)) {
          if (p.statusReason.startsWith('too far')) out.farWithheld++;
          else out.otherWithheld++;
          continue;
        }
        out.shown++;
        const truth = law(p.x);
        if (p.low <= truth && truth <= p.high) out.held++;
        else out.worst = Math.max(out.worst, (truth < p.low ? p.low - truth : truth - p.high) / (p.high - p.low));
        if (p.runLow === undefined || p.runHigh === undefined || !Number.isFinite(p.runLow)) continue;
        for (let k = 0; k < NEXT_RUNS; k++) {
          const run = truth * (1 + cell.sd * normal(next));
          out.runShown++;
          if (p.runLow <= run && run <= p.runHigh) out.runHeld++;
          if (p.low <= run && run <= p.high) out.runInLawBand++;
        }
      }
    }
  });
  return out;
}

/** One line of figures, as the coverage tests print them. */
export function coverageLine(name: string, f: CoverageFigures): string {
  const withheld =
    f.farWithheld || f.otherWithheld
      ? ` (withheld: ${f.farWithheld} past reach, ${f.otherWithheld} by the verdict)`
      : '';
  const run = f.runShown
    ? `; new runs inside the new-run band: ${f.runHeld} of ${f.runShown} (inside the law band: ${f.runInLawBand})`
    : '';
  return `${name}: ${f.shown} of ${f.total} shown${withheld}, ${f.held} held the truth, worst miss ${f.worst.toFixed(2)} widths${run}`;
}
