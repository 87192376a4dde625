// The power law's bootstrap refits (the power law and downstream CE) by damped Gauss-Newton from the fit: the same
// intervals as L-BFGS's refits to the solver's tolerance, for under half of its passes over the points (a sweep of
// 100 model sizes spent most of its 225 s in these refits at 300,000 rows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { residualBootstrapSets } from '../../../src/core/analysis/bands';
import { bootstrapIntervals } from '../../../src/core/fit/bootstrap';
import type { Law } from '../../../src/core/laws/law';
import { fitPower, powerLaw, type PowerPoints } from '../../../src/core/laws/powerLaw';
import { normal, seededRandom } from '../../../src/core/util/random';

/** The power law, counting the points it is evaluated at. */
function counted(): { law: Law<PowerPoints>; points: () => number } {
  let points = 0;
  const law: Law<PowerPoints> = {
    ...powerLaw,
    predict(params, data, out, jacobian) {
      points += powerLaw.size(data);
      powerLaw.predict(params, data, out, jacobian);
    },
  };
  return { law, points: () => points };
}

test('Gauss-Newton refits give the intervals of L-BFGS refits for under half the passes', () => {
  const random = seededRandom(3);
  const x = Array.from({ length: 1500 }, (_, i) => 10 * (i + 1));
  const y = Float64Array.from(x, (s) => (2.1 + 3 * (s / 10) ** -0.3) * Math.exp(0.01 * normal(random)));
  const fitted = fitPower(powerLaw, x, y, 1e-3)!;
  const intervals = (gaussNewton: boolean) => {
    const { law, points } = counted();
    const options = { samples: 100, seed: 1, delta: 1e-3, gaussNewton };
    const sets = residualBootstrapSets(law, fitted.points, y, fitted.fit, options);
    const estimate = { E: fitted.fit.params[0], A: fitted.fit.params[1], alpha: fitted.fit.params[2] };
    const named = sets.map(([E, A, alpha]) => ({ E, A, alpha }));
    return { intervals: bootstrapIntervals(estimate, named), points: points() };
  };
  const [newton, quasi] = [intervals(true), intervals(false)];
  for (const [name, [low, high]] of Object.entries(quasi.intervals)) {
    const [l, h] = newton.intervals[name];
    assert.ok(
      Math.abs(l / low - 1) < 1e-4 && Math.abs(h / high - 1) < 1e-4,
      `${name}: [${l}, ${h}] vs [${low}, ${high}]`,
    );
  }
  assert.ok(newton.points < 0.5 * quasi.points, `${newton.points} points evaluated against ${quasi.points}`);
});
