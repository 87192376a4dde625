// A step counter carried over from another run (or counting tokens) starts far past 1, here at 1e9, while the log
// shows its warmup from near 0: the steps before it were not trained. Under the default `peak` warmup convention they
// were counted at the peak LR, and the fit went degenerate (L0 at 6e-6) with a confident prediction shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { parseText } from '../../../src/core/table';

/** A cosine run with a linear warmup over its first 2000 steps, logged every 100 steps from `offset` on. */
function cosine(offset: number): string {
  const rows = ['step,lr,loss'];
  const [warmup, total, peak] = [2000, 24_000, 3e-4];
  let area = 0;
  for (let s = 1; s <= total; s++) {
    const lr =
      s <= warmup
        ? (peak * s) / warmup
        : 3e-5 + 0.5 * (peak - 3e-5) * (1 + Math.cos((Math.PI * (s - warmup)) / 22_000));
    area += lr;
    if (s % 100 === 0)
      rows.push(
        `${s + offset},${lr.toPrecision(6)},${(2.5 + 0.6 * (area / peak) ** -0.45 - 300 * (peak - lr)).toFixed(6)}`,
      );
  }
  return rows.join('\n');
}

const analyse = (offset: number) =>
  analyseTables([parseText(cosine(offset), { fileName: 'run.csv' })], { law: 'lr-annealing', bootstrapSamples: 0 });

test('a warmup logged from near 0 at step 1e9: fitted as the same run logged from step 0', { timeout: 30_000 }, () => {
  const plain = analyse(0);
  const carried = analyse(1e9);
  assert.equal(carried.fits.length, 1);
  const [a, b] = [plain.fits[0], carried.fits[0]];
  for (const name of ['L0', 'A', 'alpha', 'C'])
    assert.ok(Math.abs(b.params[name] / a.params[name] - 1) < 1e-3, `${name}: ${b.params[name]} vs ${a.params[name]}`);
  assert.ok(b.params.L0 > 2, `L0 ${b.params.L0}: not the degenerate fit that counts 1e9 steps at the peak LR`);
  // The default target is twice the steps trained, not 1e9 steps of an LR held past the log.
  const [p, q] = [plain.predictions[0], carried.predictions[0]];
  assert.equal(p.step, 48_000);
  assert.equal(q.step, 1e9 + 48_000);
  assert.match(q.reason ?? '', /twice the steps trained since step 1000000000, where the logged warmup starts/);
  assert.ok(p.value !== null && q.value !== null && Math.abs(q.value - p.value) < 1e-4, `${q.value} vs ${p.value}`);
});
