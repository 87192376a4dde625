// The multi-power analogue of the model-size law (multiPowerSize.ts): its Jacobian against finite differences. Its
// accuracy on the public curves is measured through the analysis (sizeLuo.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DropSchedule } from '../../../src/core/laws/lossDrop';
import { concatPoints, multiPowerPoints } from '../../../src/core/laws/multiPower';
import { multiPowerSizeLaw, type SizedMultiPowerPoints } from '../../../src/core/laws/multiPowerSize';
import { concat } from '../../../src/core/util/arrays';
import { jacobianError } from './jacobian';

/** A WSD schedule of 4000 steps with a 200-step warmup, logged every 50 steps, at three relative sizes n. */
function syntheticPoints(): SizedMultiPowerPoints {
  const steps = Float64Array.from({ length: 4000 }, (_, i) => i + 1);
  const lr = steps.map((s) => (s <= 200 ? s / 200 : s < 3200 ? 1 : 1 - (0.9 * (s - 3200)) / 800));
  const ds = new DropSchedule({ steps, lr }, { etaRef: 1, convention: 'paper' });
  const logged = Array.from({ length: 80 }, (_, k) => (k + 1) * 50);
  const parts = [0.0625, 0.25, 1].map((n) => ({ ...multiPowerPoints(ds, logged, ds.area(4000)), n }));
  const joined = concatPoints(parts);
  return { ...joined, logN: concat(parts.map((p) => new Float64Array(p.logX1.length).fill(Math.log(p.n)))) };
}

test('multi-power law with size: analytic Jacobian matches central differences', () => {
  const data = syntheticPoints();
  const law = multiPowerSizeLaw(Infinity);
  for (const params of [
    Float64Array.of(2.1, 0.25, 0.45, 0.18, -4.9, 0.7, 0.6, 0.47, 0.26, 0.14),
    Float64Array.of(1.5, 0.6, 0.9, 0.5, -1, 0.4, 0.3, 0.2, 0.5, -0.3),
  ])
    assert.ok(jacobianError(law, params, data) < 1e-5, `${jacobianError(law, params, data)}`);
});
