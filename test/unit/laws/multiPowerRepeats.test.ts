// Points that repeat an earlier one (runs of a sweep on one schedule, at the same step) are summed once: the law
// copies their prediction and Jacobian row (MultiPowerPoints.repeatOf). The objective the solvers see is then the
// same bits as with every point summed, also when the repeats cross the objective's blocks of 4,096 points, so every
// fit, refit and band is unchanged; only the work is less.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scheduleKeys } from '../../../src/core/analysis/multiPowerFit';
import { logHuberObjective } from '../../../src/core/fit/robust';
import { DropSchedule } from '../../../src/core/laws/lossDrop';
import { concatPoints, multiPowerLaw, multiPowerPoints, withRepeats } from '../../../src/core/laws/multiPower';
import type { LoggedSchedule } from '../../../src/core/laws/schedule';

/** A cosine (or, `flat`, constant then linear decay) schedule to `total` logged at every 10th step. */
function schedule(total: number, flat = false): LoggedSchedule {
  const steps = Float64Array.from({ length: total / 10 }, (_, i) => 10 * (i + 1));
  const lr = steps.map((s) =>
    flat
      ? 3e-4 * Math.min(1, (1.2 * (total - s)) / total)
      : 3e-4 * (0.1 + 0.45 * (1 + Math.cos((Math.PI * s) / total))),
  );
  return { steps, lr };
}

/**
 * Three runs, the first and last on one schedule (equal content, separate arrays), 1,800 points each: 5,400 in all,
 * so the last run's repeats from 4,096 on refer to points of the block before theirs.
 */
function sweepPoints() {
  const logged = [schedule(18000), schedule(18000, true), schedule(18000)];
  const steps = Float64Array.from({ length: 1800 }, (_, i) => 10 * (i + 1));
  const parts = logged.map((l) =>
    multiPowerPoints(new DropSchedule(l, { etaRef: 3e-4, convention: 'paper' }), steps, 5000),
  );
  const keys = scheduleKeys(logged);
  const data = concatPoints(parts);
  return {
    data,
    repeated: withRepeats(
      data,
      keys.flatMap((key) => Array.from(steps, (s) => `${key}:${s}`)),
    ),
    keys,
  };
}

test('runs whose schedules have the same content share a key; another schedule has its own', () => {
  const { keys } = sweepPoints();
  assert.equal(keys[0], keys[2]);
  assert.notEqual(keys[0], keys[1]);
});

test('repeated points: the objective, gradient and curvature are the same bits as with every point summed', () => {
  const { data, repeated } = sweepPoints();
  assert.equal(repeated.repeatOf?.filter((d) => d > 0).length, 1800, 'the last run repeats the first');
  const law = multiPowerLaw(Infinity);
  const params = Float64Array.of(2.2, 0.9, 0.45, 0.6, Math.log(0.05), 0.55, 0.6);
  const n = data.logX1.length;
  const observed = Float64Array.from({ length: n }, (_, i) => 3 + 0.01 * Math.sin(i));
  const evaluate = (points: typeof data) => {
    const grad = new Float64Array(7);
    const curvature = new Float64Array(49);
    const f = logHuberObjective(law, points, observed, 1e-3)(params, grad, curvature);
    return [Float64Array.of(f), grad, curvature];
  };
  const [all, once] = [evaluate(data), evaluate(repeated)];
  all.forEach((values, k) =>
    assert.ok(
      values.every((v, j) => Object.is(v, once[k][j])),
      `part ${k}`,
    ),
  );
});
