// A followed run's LR-annealing refit without a pass over its earlier points (tissueLoss.ts, refitGrown): the points
// of its last full refinement stand as that evaluation's quadratic model (the anchor), the points appended since are
// evaluated. Checked against a cold fit of the grown curve, across several appends from the same anchor; and a run
// that moved the optimum far from its anchor is refined on every point again (a new anchor).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepare } from '../../../src/core/analysis/lossAreas';
import type { LossCurve } from '../../../src/core/analysis/lossCurves';
import type { LossLawFit } from '../../../src/core/analysis/lossLaw';
import { withDefaults } from '../../../src/core/analysis/options';
import { tissueLossLaw } from '../../../src/core/analysis/tissueLoss';
import { huber } from '../../../src/core/fit/huber';
import type { Evaluation } from '../../../src/core/fit/robust';
import { lossRows } from '../../../bench/workloads';
import { runCurve } from '../../helpers/runCurve';

const ROWS = [...lossRows(100_000, 7, 0.01)];
const options = withDefaults({ law: 'lr-annealing', bootstrapSamples: 0 });

/** The log's first n rows as a curve; `shift` multiplies the losses from row `from` on (a run leaving its law). */
const curve = (n: number, shift = 1, from = Infinity): LossCurve => runCurve(ROWS, n, shift, from);

function fit(c: LossCurve, previous?: LossLawFit): LossLawFit {
  const prepared = [prepare(c, [2 * c.steps[c.steps.length - 1]])];
  const result = tissueLossLaw.fit({ prepared, fitted: [0], options, previous });
  assert.ok(result, 'a fit');
  return result;
}

const anchorOf = (f: LossLawFit) => (f.solver as { anchor?: { evaluation: Evaluation; points: number } }).anchor;
/** The previous fit without its anchor: the refit is the refinement on every point, from the same start. */
const unanchored = (f: LossLawFit): LossLawFit => ({
  ...f,
  solver: { ...f.solver, anchor: undefined } as LossLawFit['solver'],
});

/** The fit's objective recomputed exactly over every point of the curve (a model's optimum reports the model's). */
function exactObjective(f: LossLawFit, c: LossCurve): number {
  const predicted = f.predict(0);
  return c.loss.reduce((sum, o, i) => sum + huber(Math.log(predicted[i] / o), options.lossDelta), 0);
}

/**
 * How far a fit is from another: relative differences of the predictions at every point and of the exact objectives
 * (the extrapolation and the coefficients along the law's shallow A-alpha valley wander within the solver's stopping
 * rule, so they are compared with a cold fit at its tolerance only).
 */
function gap(a: LossLawFit, b: LossLawFit, c: LossCurve) {
  const rel = (x: number, y: number) => Math.abs(x - y) / Math.abs(y);
  const [pa, pb] = [a.predict(0), b.predict(0)];
  return {
    predictions: c.loss.reduce((m, _, i) => Math.max(m, rel(pa[i], pb[i])), 0),
    objective: (exactObjective(a, c) - exactObjective(b, c)) / exactObjective(b, c),
    params: Math.max(...a.solver.params.map((v, j) => rel(v, b.solver.params[j]))),
  };
}
const shown = (g: ReturnType<typeof gap>) =>
  `predictions ${g.predictions.toExponential(1)}, objective ${g.objective.toExponential(1)}, params ${g.params.toExponential(1)}`;

test('refits of a growing run from its anchor are as good as refinements on every point, several appends from one anchor', () => {
  const first = fit(curve(95_000));
  const anchor = anchorOf(first);
  assert.equal(anchor?.points, 95_000, 'the cold fit, refined on every point, leaves its anchor');
  let previous = first;
  for (const n of [95_100, 95_101, 95_150, 95_250]) {
    const grown = curve(n);
    const warm = fit(grown, previous);
    assert.equal(anchorOf(warm), anchor, `${n}: refitted from the anchor's model, not on every point`);
    const full = gap(warm, fit(grown, unanchored(previous)), grown);
    const cold = gap(warm, fit(grown), grown);
    process.stdout.write(
      `# ${n}: against every point's refinement: ${shown(full)}; against a cold fit: ${shown(cold)}\n`,
    );
    // The exact objective at the model's optimum is no higher than at the full refinement's, beyond its stopping rule.
    assert.ok(full.objective < 1e-11 && full.predictions < 5e-6 && full.params < 2e-5, shown(full));
    // A cold fit (a search from scratch) stops by the same rule elsewhere in the law's shallow valley.
    assert.ok(cold.objective < 1e-9 && cold.predictions < 1e-4 && cold.params < 1e-3, shown(cold));
    previous = warm;
  }
});

test('a refit whose optimum moved far from its anchor, or that grew past its share, is refined on every point', () => {
  const first = fit(curve(18_000));
  // 300 rows 10 % above the law: the optimum moves by far more than the model is trusted for.
  const jumped = fit(curve(18_300, 1.1, 18_000), first);
  assert.notEqual(anchorOf(jumped), anchorOf(first));
  assert.equal(anchorOf(jumped)?.points, 18_300, 'a new anchor over every point');
  // 2,000 rows appended to 18,000: over 5 % more than the anchor holds.
  const grown = fit(curve(20_000), first);
  assert.equal(anchorOf(grown)?.points, 20_000);
});
