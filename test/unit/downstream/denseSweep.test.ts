// A dense downstream sweep: BLEU and CE evaluated at every checkpoint of a pretraining run (D_p = tokens seen so far),
// hundreds of points with a BLEU scatter well inside the tolerance. Judged point by point, neighbours of such a sweep
// fall by more than 1 BLEU somewhere by noise alone, and the law was cut at the first such fall; judged on the
// medians of runs of neighbours (breaks.ts, sweepLevels), only a real fall counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predictSweepWithBand, predictWithBand, residualBootstrapSets } from '../../../src/core/analysis/bands';
import { analyseDownstream } from '../../../src/core/analysis/downstream';
import { bleuLaw, bleuPoints, fitBleu } from '../../../src/core/laws/bleu';
import { withDefaults } from '../../../src/core/analysis/options';
import { normal, seededRandom } from '../../../src/core/util/random';
import { alignedLaw, ceLaw, sweepTable } from './sweep';

const ALARMS = new Set(['bleu-law-break', 'bleu-non-monotonic', 'ce-bleu-divergence']);
const N = 600;
/** Checkpoints every 1B tokens from 1B: a pretraining run's evaluation log. */
const GRID = Array.from({ length: N }, (_, i) => (i + 1) * 1e9);
const LAW = alignedLaw(GRID, 12, 30, 1.5);

function sweep(seed: number, bleuAt: (dp: number, i: number) => number) {
  const random = seededRandom(seed);
  const rows = GRID.map((dp, i) => [
    'run',
    '42M',
    dp,
    (bleuAt(dp, i) + 0.4 * normal(random)).toFixed(2),
    (ceLaw(dp) * (1 + 0.002 * normal(random))).toFixed(4),
  ]);
  const { table, roles } = sweepTable(rows);
  return analyseDownstream(table, roles, withDefaults({ bootstrapSamples: 0 }));
}

test('a dense aligned sweep with 0.4-BLEU noise: no break, no drop, the law fitted on every point', () => {
  for (let seed = 1; seed <= 10; seed++) {
    const analysis = sweep(seed, LAW);
    const alarms = analysis.findings.filter((f) => ALARMS.has(f.code));
    assert.deepEqual(
      alarms.map((f) => f.message),
      [],
      `seed ${seed}`,
    );
    const bleu = analysis.fits.find((f) => f.law === 'bleu');
    assert.ok(bleu, `seed ${seed}: no BLEU fit`);
    assert.equal(bleu.points, N, `seed ${seed}: fitted ${bleu.points} of ${N}`);
  }
});

test('a dense sweep that leaves the law: one break near where it happens, the fit stops there', () => {
  // The law up to 150B tokens, then BLEU falls by 4 points over the next 50B and stays there.
  const at = (dp: number) => (dp <= 150e9 ? LAW(dp) : LAW(150e9) - 4 * Math.min(1, (dp - 150e9) / 50e9));
  for (let seed = 1; seed <= 5; seed++) {
    const analysis = sweep(seed, at);
    const breaks = analysis.findings.filter((f) => f.code === 'bleu-law-break' || f.code === 'bleu-non-monotonic');
    assert.ok(breaks.length >= 1 && breaks.length <= 3, `seed ${seed}: ${breaks.map((f) => f.message).join('\n')}`);
    for (const f of breaks) assert.match(f.message, /median of each run of about 25 consecutive points/);
    const bleu = analysis.fits.find((f) => f.law === 'bleu')!;
    // The law is fitted up to the level where the fall shows, not past the fall's end.
    assert.ok(bleu.points >= 100 && bleu.points <= 200, `seed ${seed}: fitted ${bleu.points}`);
    assert.ok(
      analysis.findings.some((f) => f.code === 'ce-bleu-divergence'),
      `seed ${seed}: CE keeps improving while BLEU falls`,
    );
  }
});

test('the band of a dense sweep, measured at 2,000 of its points and interpolated between, is the band at each', () => {
  const random = seededRandom(7);
  const x = Array.from({ length: 6000 }, (_, i) => 1e9 * (1 + i / 10));
  const y = x.map((dp) => LAW(dp) + 0.4 * normal(random));
  const fitted = fitBleu(x, y, { delta: 0.1 })!;
  const sets = residualBootstrapSets(bleuLaw, fitted.points, Float64Array.from(y), fitted.fit, {
    samples: 60,
    seed: 3,
    delta: 0.1,
  });
  const dataAt = (d: number[]) => bleuPoints(d, fitted.frame);
  const exact = predictWithBand(bleuLaw, fitted.fit.params, sets, dataAt(x));
  const thinned = predictSweepWithBand(bleuLaw, fitted.fit.params, sets, x, dataAt);
  assert.deepEqual(thinned.value, exact.value);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    worst = Math.max(worst, Math.abs(thinned.low[i] - exact.low[i]), Math.abs(thinned.high[i] - exact.high[i]));
  }
  // Bands a few tenths of a BLEU point wide, their ends within a thousandth of a point.
  assert.ok(worst < 1e-3, `worst band end off by ${worst}`);
});
