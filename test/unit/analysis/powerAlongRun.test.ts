// The power law fitted along one run's steps (`--law power` on a loss curve): its points are one run's logged points,
// so its one band is where that run's next logged point falls (refits on residuals resampled in blocks along the
// curve, plus the curve's noise), never a "new run" band; a sweep of runs keeps its law band and new-run band.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { NEXT_POINT_BAND_METHOD } from '../../../src/core/analysis/bands';
import { hasValue } from '../../../src/core/analysis/trust';
import type { Analysis } from '../../../src/core/analysis/types';
import { parseText } from '../../../src/core/table';
import { normal, seededRandom } from '../../../src/core/util/random';
import { LUO, skipUnless } from '../../helpers/shared';

/** A loss curve of 120 logged steps off E + A·step^-alpha by AR(1) noise (neighbouring residuals alike), as logged. */
function arCurve(seed: number, rho = 0.9, sd = 0.004): { step: number; loss: number }[] {
  const random = seededRandom(seed);
  let e = 0;
  return Array.from({ length: 120 }, (_, i) => {
    const step = 100 * (i + 1);
    e = rho * e + Math.sqrt(1 - rho * rho) * sd * normal(random);
    return { step, loss: (2 + 3 * step ** -0.3) * Math.exp(e) };
  });
}

function analyseCurve(rows: { step: number; loss: number }[], predictAt: number[] = []): Analysis {
  const text = ['step,loss', ...rows.map((r) => `${r.step},${r.loss.toFixed(6)}`)].join('\n') + '\n';
  return analyseTables([parseText(text, { fileName: 'run.csv' })], { law: 'power', predictAt, dataMultipliers: [] });
}

test('power law along one run’s steps: one band, of the next logged point, named so; no new-run band anywhere', () => {
  const a = analyseCurve(arCurve(1), [13000, 16000]);
  const [fit] = a.fits;
  assert.equal(fit.nextPointBand, true);
  assert.equal(fit.settings.band, NEXT_POINT_BAND_METHOD);
  assert.equal(fit.settings.runBand, undefined);
  assert.match(fit.noRunBand ?? '', /no new-run band: fitted to one run's logged points/);
  const shown = a.predictions.filter(hasValue);
  assert.equal(shown.length, 2);
  for (const p of shown) {
    assert.ok(!('runLow' in p) && !('runHigh' in p), JSON.stringify(p));
    assert.ok(p.low < p.value && p.value < p.high);
  }
  assert.equal(a.curves[0].points.runLow, undefined);
});

test('power law along one run’s steps: the next logged points fall inside the band (AR(1) noise, figures printed)', () => {
  // Fit the first 60 % of each curve and check the rest. Over 40 seeds the band holds 80 % (81 % of these 12); with
  // residuals drawn one by one the law band held 24 % and the "new run" band 75 %. With milder correlation (r 0.5,
  // none) it holds 92-93 %, as the new-run band did: it is the long memory that one-by-one draws missed.
  let [rows, inside] = [0, 0];
  for (let seed = 1; seed <= 12; seed++) {
    const curve = arCurve(seed);
    const cut = Math.floor(curve.length * 0.6);
    const held = curve.slice(cut);
    const a = analyseCurve(
      curve.slice(0, cut),
      held.map((r) => r.step),
    );
    a.predictions.forEach((p, i) => {
      rows++;
      if (hasValue(p) && held[i].loss >= p.low && held[i].loss <= p.high) inside++;
    });
  }
  console.log(
    `AR(1) curves, held-out 40 %: ${inside} of ${rows} rows inside the band (${Math.round((100 * inside) / rows)} %)`,
  );
  assert.ok(inside >= 0.75 * rows, `${inside} of ${rows}`);
});

test('power law over tokens of a run column’s runs of many rows each: each run’s rows are its log, one band', () => {
  const rows = ['run,tokens,loss'];
  for (const [run, e] of [
    ['small', 2.9],
    ['large', 2.4],
  ] as const)
    for (let i = 1; i <= 40; i++) rows.push(`${run},${i * 25e6},${(e + 1200 * (i * 25e6) ** -0.3).toFixed(5)}`);
  const a = analyseTables([parseText(rows.join('\n') + '\n', { fileName: 'runs.csv' })], {
    law: 'power',
    powerX: 'tokens',
  });
  assert.deepEqual(
    a.fits.map((f) => [f.group, f.nextPointBand]),
    [
      ['small', true],
      ['large', true],
    ],
  );
  assert.ok(a.predictions.every((p) => !('runLow' in p)));
});

test('power law over tokens of runs of one row each (a sweep): still the law band and a new-run band', () => {
  const text =
    [
      'run,tokens,loss',
      ...[1, 2, 4, 8, 16, 32].map((k, i) => `r${i},${k}e9,${(2 + 3 * (k * 1e3) ** -0.3).toFixed(5)}`),
    ].join('\n') + '\n';
  const a = analyseTables([parseText(text, { fileName: 'runs.csv' })], { law: 'power', powerX: 'tokens' });
  assert.equal(a.fits[0].nextPointBand, undefined);
  assert.ok(a.predictions.filter(hasValue).every((p) => p.runLow !== undefined));
});

const skip = skipUnless(LUO);

test('power law along the public MPL curves’ steps: held-out rows inside the band (figures printed)', { skip }, () => {
  // Each of the 27 curves fitted on its first 60 % of rows, checked on the rest (1.67x its last fitted step).
  const tally = new Map<string, { rows: number; inside: number; withheld: number }>();
  for (const size of ['25', '100', '400'])
    for (const file of readdirSync(join(LUO, `csv_${size}`))) {
      const lines = readFileSync(join(LUO, `csv_${size}`, file), 'utf8')
        .trim()
        .split(/\r?\n/)
        .slice(1);
      const points = lines.map((l) => l.split(',').map(Number)).map(([step, , loss]) => ({ step, loss }));
      const cut = Math.floor(points.length * 0.6);
      const held = points.slice(cut);
      const a = analyseCurve(
        points.slice(0, cut),
        held.map((r) => r.step),
      );
      const kind = file.startsWith('constant') ? 'constant LR' : 'LR decayed or dropped';
      const t = tally.get(kind) ?? { rows: 0, inside: 0, withheld: 0 };
      a.predictions.forEach((p, i) => {
        t.rows++;
        if (!hasValue(p)) t.withheld++;
        else if (held[i].loss >= p.low && held[i].loss <= p.high) t.inside++;
      });
      tally.set(kind, t);
    }
  for (const [kind, t] of tally)
    console.log(
      `MPL curves, ${kind}: ${t.inside} of ${t.rows} held-out rows inside the band (${Math.round((100 * t.inside) / t.rows)} %), ${t.withheld} withheld`,
    );
  const constant = tally.get('constant LR')!;
  assert.ok(constant.inside >= 0.45 * constant.rows, `${constant.inside} of ${constant.rows}`);
});
