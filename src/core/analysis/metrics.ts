// The metrics of docs/laws-loss.md, Metrics, named and defined exactly as the laws' sources use them (listed there).
import type { Metrics } from './types';

export function scorePredictions(observed: ArrayLike<number>, predicted: ArrayLike<number>): Metrics {
  const n = observed.length;
  let sumRel = 0;
  let worst = 0;
  let sumAbs = 0;
  let sumSq = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += observed[i] / n;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const err = predicted[i] - observed[i];
    const rel = Math.abs(err) / Math.abs(observed[i]);
    sumRel += rel;
    worst = Math.max(worst, rel);
    sumAbs += Math.abs(err);
    sumSq += err * err;
    total += (observed[i] - mean) ** 2;
  }
  return {
    predE: n ? sumRel / n : NaN,
    worstE: n ? worst : NaN,
    r2: total > 0 ? 1 - sumSq / total : NaN,
    mae: n ? sumAbs / n : NaN,
    rmse: n ? Math.sqrt(sumSq / n) : NaN,
    points: n,
  };
}

/** Across several held-out curves: the average of the per-curve values (as the laws' sources report them: docs/laws-loss.md). */
export function averageMetrics(perCurve: Metrics[]): Metrics | undefined {
  if (perCurve.length === 0) return undefined;
  const avg = (f: (m: Metrics) => number) => perCurve.reduce((s, m) => s + f(m), 0) / perCurve.length;
  return {
    predE: avg((m) => m.predE),
    worstE: avg((m) => m.worstE),
    r2: avg((m) => m.r2),
    mae: avg((m) => m.mae),
    rmse: avg((m) => m.rmse),
    points: perCurve.reduce((s, m) => s + m.points, 0),
  };
}
