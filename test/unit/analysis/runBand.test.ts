// A sweep law's new-run band (Prediction.runLow/runHigh): where a new run lands, the law's refits each plus a
// residual of the fit, beside the law's own band (where the law lies). Measured on sweeps of known noise, each law.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseFiles, analyseTables } from '../../../src/core/analysis/analyse';
import { hasValue } from '../../../src/core/analysis/trust';
import type { Analysis } from '../../../src/core/analysis/types';
import { parseText } from '../../../src/core/table';
import { normal, seededRandom } from '../../../src/core/util/random';
import { generate } from '../../../scripts/examples/compute';
import { bandCoverage, coverageLine, NEXT_RUNS } from '../../helpers/bandCoverage';
import { scratchDir } from '../../helpers/scratch';
import { alignedRows, sweepTable } from '../downstream/sweep';

/** A sweep of (x, y) pairs analysed as `--law power --power-x tokens` or `--law downstream-ce` are, at 2x and 4x. */
function analyseSweep(law: 'power' | 'downstream-ce', digits = 6) {
  return (points: readonly (readonly [number, number])[], seed: number) => {
    const [x, y] = law === 'power' ? ['tokens', 'loss'] : ['D_p', 'ce'];
    const rows = points.map(([a, b]) => `${a.toPrecision(digits)},${b.toPrecision(digits)}`);
    const text = [`${x},${y}`, ...rows].join('\n') + '\n';
    return analyseTables([parseText(text, { fileName: 'sweep.csv' })], {
      law,
      ...(law === 'power' && { powerX: 'tokens' }),
      dataMultipliers: [2, 4],
      seed,
    });
  };
}

test('new-run band: fresh runs at 2x and 4x the sweep land inside it 88-99 % of the time, more than inside the law band (figures printed)', () => {
  const cells = [
    { law: 'power' as const, scale: 1000, cell: { low: 1000, high: 16000, n: 30, sd: 0.01 } },
    { law: 'power' as const, scale: 1000, cell: { low: 100, high: 100000, n: 40, sd: 0.003 } },
    { law: 'downstream-ce' as const, scale: 1e9, cell: { low: 0.5e9, high: 64e9, n: 8, sd: 0.003 } },
    { law: 'downstream-ce' as const, scale: 1e9, cell: { low: 1e9, high: 4e9, n: 10, sd: 0.003 } },
  ];
  let [shown, held, inLaw] = [0, 0, 0];
  for (const { law, scale, cell } of cells) {
    const f = bandCoverage(cell, analyseSweep(law), { scale, seeds: 8 });
    console.log(coverageLine(`${law} x ${cell.low}-${cell.high} (${cell.n} points), ${cell.sd * 100} % noise`, f));
    assert.equal(f.runShown, NEXT_RUNS * f.shown, `${law}: every prediction shown has a new-run band`);
    [shown, held, inLaw] = [shown + f.runShown, held + f.runHeld, inLaw + f.runInLawBand];
  }
  const pct = (k: number) => `${k} of ${shown} (${Math.round((100 * k) / shown)} %)`;
  console.log(`new runs, all cells: inside the new-run band ${pct(held)}, inside the law band ${pct(inLaw)}`);
  assert.ok(held >= 0.88 * shown && held <= 0.99 * shown, `${held} of ${shown}`);
  assert.ok(inLaw < 0.8 * shown, `${inLaw} of ${shown}`);
});

/** A power-law sweep of 20 points over x from 100 to `span` times that, each off the law by `sd` relative noise. */
function powerSweep(sd: number, span = 1000): Analysis {
  const random = seededRandom(3);
  const points = Array.from({ length: 20 }, (_, i) => {
    const x = 100 * span ** (i / 19);
    return [x, (1.8 + 0.55 * (x / 1000) ** -0.35) * (1 + sd * normal(random))] as const;
  });
  return analyseSweep('power', 12)(points, 1);
}

/** The new-run and law bands' widths at the first prediction, relative to its value. */
function widths(a: Analysis): { run: number; law: number } {
  const p = a.predictions[0];
  assert.ok(hasValue(p) && p.runLow !== undefined && p.runHigh !== undefined, 'a prediction with a new-run band');
  return { run: (p.runHigh - p.runLow) / p.value, law: (p.high - p.low) / p.value };
}

test('new-run band: widens with the runs’ scatter, and on a noise-free sweep is the law band', () => {
  const [calm, noisy] = [widths(powerSweep(0.002)), widths(powerSweep(0.02))];
  console.log(
    `power law at 2x, new-run band / law band width: 0.2 % noise ${calm.run.toFixed(4)} / ${calm.law.toFixed(4)}, 2 % noise ${noisy.run.toFixed(4)} / ${noisy.law.toFixed(4)}`,
  );
  assert.ok(noisy.run > 5 * calm.run, 'ten times the scatter, a far wider band');
  assert.ok(calm.run > 1.5 * calm.law, 'a run scatters beyond where the law lies');
  const exact = powerSweep(0).predictions.filter(hasValue);
  assert.ok(exact.length > 0);
  for (const p of exact) {
    assert.ok(p.runLow !== undefined && p.runHigh !== undefined);
    assert.ok(Math.abs(p.runLow - p.low) <= 1e-6 * p.value && Math.abs(p.runHigh - p.high) <= 1e-6 * p.value);
  }
});

test('new-run band: every sweep law gives one, around its law band, at its predictions and its points; loss curves none', async () => {
  const [computePath] = generate(scratchDir('runband-'));
  const compute = await analyseFiles([computePath], { bootstrapSamples: 60 });
  const { table } = sweepTable(alignedRows(seededRandom(2)));
  const downstream = analyseTables([table], { dataMultipliers: [2] });
  const [power, withheld] = [powerSweep(0.01), powerSweep(0.03, 16)];
  assert.ok([compute, downstream, power].every((a) => a.predictions.some(hasValue)));
  assert.ok(!withheld.predictions.every(hasValue), 'a sweep too noisy for its fit: its predictions withheld');
  for (const a of [compute, downstream, power, withheld]) {
    const shown = a.predictions.filter(hasValue);
    for (const p of shown) {
      assert.ok(p.runLow !== undefined && p.runHigh !== undefined, `${p.metric} at ${p.x}: a new-run band`);
      assert.ok(p.runLow <= p.low && p.low <= p.value && p.value <= p.high && p.high <= p.runHigh, JSON.stringify(p));
    }
    for (const c of a.curves.filter((c) => c.role === 'fit')) {
      const { runLow, runHigh, low, high } = c.points;
      assert.ok(runLow && runHigh, `${c.name}: new-run band at its points`);
      low.forEach((l, i) => assert.ok(!Number.isFinite(l) || (runLow[i] <= l && high[i] <= runHigh[i])));
    }
    for (const f of a.fits) assert.equal(f.noRunBand, undefined, f.law);
    // A prediction withheld places no run either.
    assert.ok(a.predictions.every((p) => hasValue(p) || !('runLow' in p)));
  }
  assert.deepEqual(new Set(downstream.fits.map((f) => f.law)), new Set(['bleu', 'downstream-ce']));
  const loss = analyseTables([parseText('step,lr,loss\n' + lossRows(), { fileName: 'run.csv' })], {
    law: 'lr-annealing',
  });
  assert.ok(loss.predictions.some(hasValue));
  assert.ok(loss.predictions.every((p) => !('runLow' in p)) && loss.curves.every((c) => !c.points.runLow));
});

/** A loss curve under a cosine LR, 200 rows. */
function lossRows(): string {
  return Array.from({ length: 200 }, (_, i) => {
    const step = 10 * (i + 1);
    const lr = 3e-4 * 0.5 * (1 + Math.cos((Math.PI * step) / 2000));
    return `${step},${lr},${(2 + 3 * step ** -0.3).toFixed(5)}`;
  }).join('\n');
}

test('new-run band: a sweep of fewer than 5 fitted points gives none and says why', () => {
  const a = analyseSweep('power')(
    [
      [1000, 2.3],
      [2000, 2.2],
      [4000, 2.13],
      [8000, 2.09],
    ],
    1,
  );
  assert.match(a.fits[0].noRunBand ?? '', /no new-run band: 4 fitted points \(5 needed\)/);
  assert.ok(a.predictions.every((p) => !('runLow' in p)));
  assert.equal(a.curves[0].points.runLow, undefined);
});
