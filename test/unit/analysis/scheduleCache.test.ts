// A backtest's refits of the multi-power law share the full fit's schedules (ScheduleCache): the same logged
// schedules, so each is built once, not once per cut. A refit of fewer curves can have another eta_ref (the largest
// peak LR among them) than the fit whose cache it shares, and then takes a schedule of its own: its answer is the one
// a fit with a cache of its own gives, to the bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LossCurve } from '../../../src/core/analysis/lossCurves';
import { fitMultiPower, type ScheduleCache } from '../../../src/core/analysis/multiPowerFit';

/** A cosine run to step 4000 at its own peak LR, 40 loss rows. */
function run(name: string, peak: number): LossCurve {
  const steps = Float64Array.from({ length: 40 }, (_, i) => 100 * (i + 1));
  const lr = steps.map((s) => peak * (0.1 + 0.45 * (1 + Math.cos((Math.PI * s) / 4000))));
  const loss = steps.map((s, i) => 2.2 + 2 * s ** -0.3 - 40 * (peak - lr[i]) + 0.002 * Math.sin(3 * i));
  return {
    name,
    file: `${name}.csv`,
    steps,
    loss,
    lines: Int32Array.from(steps, (_, i) => i + 2),
    schedule: { steps, lr },
    firstLine: 2,
  };
}

test("a refit sharing a fit's schedules gives the answer of one with its own, whatever its eta_ref", () => {
  const [high, low] = [run('high', 1e-3), run('low', 4e-4)];
  const cache: ScheduleCache = new Map();
  const full = fitMultiPower([high, low], {}, cache);
  assert.ok(full && cache.size === 2, 'the full fit filled the cache');
  for (const curves of [[high, low], [low]]) {
    const shared = fitMultiPower(curves, {}, cache);
    const own = fitMultiPower(curves);
    assert.ok(shared && own);
    assert.equal(shared.scale.etaRef, own.scale.etaRef);
    assert.ok(
      shared.params.every((v, j) => Object.is(v, own.params[j])),
      `${curves.map((c) => c.name)}: ${shared.params} against ${own.params}`,
    );
  }
});
