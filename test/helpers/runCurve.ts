// A generated run's first rows as the loss curve a fit reads (its LR logged at every row), for tests of a followed
// run's refits: the same curve grown is the same rows and more.
import type { LossRow } from '../../bench/workloads';
import type { LossCurve } from '../../src/core/analysis/lossCurves';

/** The first `n` rows as a curve named `run` of `run.csv`; `shift` multiplies the losses from row `from` on. */
export function runCurve(rows: readonly LossRow[], n: number, shift = 1, from = Infinity): LossCurve {
  const kept = rows.slice(0, n);
  const steps = Float64Array.from(kept, (r) => r.step);
  return {
    name: 'run',
    file: 'run.csv',
    steps,
    loss: Float64Array.from(kept, (r, i) => (i >= from ? r.loss * shift : r.loss)),
    lines: Int32Array.from(kept, (_, i) => i + 2),
    schedule: { steps, lr: Float64Array.from(kept, (r) => r.lr) },
    firstLine: 2,
  };
}
