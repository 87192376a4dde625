// A long log's multi-power fit (multiPowerFit.ts, the screened path): its damped Newton refinement is capped, and
// L-BFGS finishes where Newton's Gauss-Newton curvature is a poor model (most log residuals past the Huber delta).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitMultiPower, refitGrownMultiPower } from '../../../src/core/analysis/multiPowerFit';
import type { LossCurve } from '../../../src/core/analysis/lossCurves';

/**
 * The VS Code tests' long_run.csv (test/vscode/workspace.ts), as its rows write it: warmup rows, a cosine, a loss
 * blind to it.
 */
function longRun(rows: number): LossCurve {
  const steps = Float64Array.from({ length: rows }, (_, i) => i + 1);
  const lr = steps.map(
    (s) =>
      +(
        s < 2000 ? (3e-4 * s) / 2000 : 3e-4 * (0.1 + 0.45 * (1 + Math.cos((Math.PI * (s - 2000)) / (rows - 2000))))
      ).toPrecision(6),
  );
  const loss = steps.map((s) => +(2.5 + 4 * Math.pow(s, -0.45) + 0.002 * Math.sin(s * 12.9898)).toFixed(5));
  return {
    name: 'long_run',
    file: 'long_run.csv',
    steps,
    loss,
    lines: new Int32Array(rows),
    schedule: { steps, lr },
    firstLine: 2,
  };
}

/** The curve with `rows` more rows at its last LR, its loss going on as before. */
function grownBy(curve: LossCurve, rows: number): LossCurve {
  const n = curve.steps.length;
  const grow = (a: Float64Array, next: (k: number) => number) =>
    Float64Array.from({ length: n + rows }, (_, k) => (k < n ? a[k] : next(k)));
  const steps = grow(curve.steps, (k) => k + 1);
  const lr = grow(curve.schedule.lr, () => curve.schedule.lr[n - 1]);
  const loss = grow(curve.loss, (k) => +(2.5 + 4 * Math.pow(k + 1, -0.45)).toFixed(5));
  return { ...curve, steps, loss, lines: new Int32Array(n + rows), schedule: { steps, lr } };
}

test('a long log whose Gauss-Newton curvature is poor is fitted in hundreds of evaluations, not thousands', () => {
  const curve = longRun(1_700_000);
  const fit = fitMultiPower([curve]);
  assert.ok(fit, 'no fit');
  // Before the cap Newton took its 2000 iterations (about 2,900 passes over every fitted point) before L-BFGS.
  assert.ok(fit.fit.evaluations < 1500, `${fit.fit.evaluations} evaluations`);
  assert.ok(fit.fit.converged, fit.fit.reason);
  // Anchored at L-BFGS's optimum, so a followed run's next fit can refit only its appended rows (grownFit.ts).
  assert.ok(fit.fit.anchor, 'no anchor');
  const grown = refitGrownMultiPower(fit, grownBy(curve, 100), 1e-3);
  assert.ok(grown, 'the grown run was not refitted on the anchor');
});
