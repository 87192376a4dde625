// The model-size law on the public multi-power-law curves (docs/laws-loss.md, the model-size law): fitted on the official fit curves of the
// 25M, 100M and 400M models together, it predicts their 18 held-out curves with PredE <= 0.34 % (measured 0.292 %);
// fitted on two sizes, beta is not pinned and the third size is withheld unless beta is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import type { AnalysisOptions } from '../../../src/core/analysis/options';
import { LUO, LUO_FIT, LUO_HELDOUT, luoFiles, skipUnless } from '../../helpers/shared';

const skip = skipUnless(LUO);
/** Sizes by folder, as `--size csv_25=25e6 --size csv_100=100e6 --size csv_400=400e6` gives them. */
const SIZES = { csv_25: 25e6, csv_100: 100e6, csv_400: 400e6 };
const BASE: Partial<AnalysisOptions> = {
  law: 'lr-annealing-size',
  sizes: SIZES,
  warmupSteps: 2160,
  bootstrapSamples: 0,
};
const pct = (x: number) => `${(x * 100).toFixed(3)} %`;

test('model-size law, three sizes fitted together: 18 held-out curves, PredE <= 0.34 %', { skip }, async () => {
  const analysis = await analyseFiles(['25', '100', '400'].flatMap(luoFiles), { ...BASE, fitOn: LUO_FIT });
  const fit = analysis.fits[0];
  assert.equal(fit.law, 'lr-annealing-size');
  assert.ok(fit.converged, fit.stopReason);
  assert.equal(fit.fittedOn.length, 9);
  const heldOut = analysis.curves.filter((c) => c.role === 'heldout');
  assert.equal(heldOut.length, 18);
  assert.deepEqual([...new Set(heldOut.map((c) => c.name.replace(/ \(.*$/, '')))].sort(), [...LUO_HELDOUT].sort());
  for (const c of heldOut) console.log(`  ${c.name.padEnd(48)} PredE ${pct(c.metrics!.predE)}`);
  console.log(
    `three sizes, peak convention: PredE ${pct(fit.heldOut!.predE)}  WorstE ${pct(fit.heldOut!.worstE)}  beta ${fit.params.beta.toFixed(3)}`,
  );
  assert.equal(analysis.findings.filter((f) => f.severity !== 'info').length, 0);
  assert.ok(fit.heldOut!.predE <= 0.0034, `PredE ${fit.heldOut!.predE}`);
});

test(
  'model-size law, two sizes: same objective for any beta, so 400M is withheld unless beta is given',
  { skip },
  async () => {
    const files = [...luoFiles('25'), ...luoFiles('100'), ...luoFiles('400')];
    const fitOn = ['25', '100'].flatMap((size) => LUO_FIT.map((n) => `${n} (csv_${size}/${n}.csv)`));
    const free = await analyseFiles(files, { ...BASE, fitOn });
    assert.ok(free.findings.some((f) => f.code === 'sizes-too-few'));
    assert.ok(free.curves.filter((c) => c.file.includes('csv_400')).every((c) => c.role === 'unfitted'));
    // Two values of beta held: both fit the two sizes equally well, and extrapolate to 400M differently.
    const at400: number[] = [];
    for (const beta of [0.1, 0.5]) {
      const held = await analyseFiles(files, { ...BASE, fitOn, sizeExponent: beta });
      const rel = Math.abs(held.fits[0].objective - free.fits[0].objective) / free.fits[0].objective;
      assert.ok(rel < 1e-3, `objective with beta ${beta} differs by ${rel}`);
      const of400 = held.curves.filter((c) => c.file.includes('csv_400') && c.role === 'heldout');
      const predE = of400.reduce((s, c) => s + c.metrics!.predE, 0) / of400.length;
      console.log(`two sizes, beta held at ${beta}: 400M PredE ${pct(predE)} (objective ${held.fits[0].objective})`);
      at400.push(predE);
    }
    // Each is some three times the error of the three-size fit (0.29 %), and they disagree (docs/laws-loss.md: 0.9-1.7 %).
    assert.ok(Math.min(...at400) > 0.008, `400M PredE ${at400.map(pct).join(' vs ')}`);
    assert.ok(Math.abs(at400[0] - at400[1]) > 0.002, `400M PredE ${at400.map(pct).join(' vs ')}`);
  },
);

test(
  'model-size law bands: bootstrap refits of all sizes together give every curve and target a band and every coefficient an interval',
  { skip },
  async () => {
    const analysis = await analyseFiles(['25', '100', '400'].flatMap(luoFiles), {
      ...BASE,
      fitOn: LUO_FIT,
      bootstrapSamples: 50,
    });
    const fit = analysis.fits[0];
    assert.match(String(fit.settings.band), /^50 moving-block bootstrap refits/);
    // The annealing term's refits (C, gamma) on resampled residual blocks sit slightly off the full fit's, as the
    // LR-annealing law's C does: only the other coefficients are checked to hold their estimate.
    for (const name of ['L0', 'A', 'alpha', 'B', 'beta']) {
      const [lo, hi] = fit.intervals![name];
      assert.ok(lo <= fit.params[name] && fit.params[name] <= hi, `${name} ${fit.params[name]} outside [${lo}, ${hi}]`);
    }
    assert.ok(fit.intervals!.C[0] < fit.intervals!.C[1] && fit.intervals!.gamma[0] < fit.intervals!.gamma[1]);
    const coverage = (role: 'fit' | 'heldout') => {
      let inside = 0;
      let total = 0;
      for (const c of analysis.curves.filter((c) => c.role === role))
        c.points.observed.forEach((y, i) => {
          total++;
          if (c.points.low[i] <= y && y <= c.points.high[i]) inside++;
        });
      return inside / total;
    };
    console.log(
      `bands: ${pct(coverage('fit'))} of fitted points and ${pct(coverage('heldout'))} of held-out points inside; beta ${fit.params.beta.toFixed(3)} [${fit.intervals!.beta.map((b) => b.toFixed(3)).join(', ')}]`,
    );
    // The band is the fit's uncertainty plus its residual noise: it holds most fitted points.
    assert.ok(coverage('fit') > 0.9, `fitted coverage ${coverage('fit')}`);
    assert.equal(analysis.predictions.length, 27);
    for (const p of analysis.predictions) {
      assert.equal(p.status, 'ok');
      assert.ok(p.low! < p.value! && p.value! < p.high!, `${p.curve}: ${p.low} ${p.value} ${p.high}`);
    }
    assert.equal(analysis.findings.filter((f) => f.severity !== 'info').length, 0);
  },
);

test(
  'law auto on the public curves of three sizes: the model-size law, with the same held-out PredE',
  { skip },
  async () => {
    const analysis = await analyseFiles(['25', '100', '400'].flatMap(luoFiles), {
      ...BASE,
      law: 'auto',
      fitOn: LUO_FIT,
    });
    const fit = analysis.fits[0];
    assert.equal(fit.law, 'lr-annealing-size');
    assert.match(String(fit.settings.lawChoice), /^chosen automatically: the curves are of 3 model sizes/);
    console.log(`law auto, three sizes: ${fit.law}, held-out PredE ${pct(fit.heldOut!.predE)}`);
    assert.ok(fit.heldOut!.predE <= 0.0034);
  },
);

test(
  'multi-power law with model size (--law mpl-size), three sizes fitted together: 18 held-out curves, PredE <= 0.24 %',
  { skip },
  async () => {
    const started = performance.now();
    const analysis = await analyseFiles(['25', '100', '400'].flatMap(luoFiles), {
      ...BASE,
      law: 'mpl-size',
      fitOn: LUO_FIT,
    });
    const seconds = (performance.now() - started) / 1000;
    const fit = analysis.fits[0];
    assert.equal(fit.law, 'mpl-size');
    const heldOut = analysis.curves.filter((c) => c.role === 'heldout');
    assert.equal(heldOut.length, 18);
    for (const c of heldOut) console.log(`  ${c.name.padEnd(48)} PredE ${pct(c.metrics!.predE)}`);
    console.log(
      `multi-power law with size, three sizes: PredE ${pct(fit.heldOut!.predE)}  WorstE ${pct(fit.heldOut!.worstE)} (LR-annealing model-size law: 0.292 %)  eps ${fit.params.eps.toFixed(3)}  zeta ${fit.params.zeta.toFixed(3)}  ${seconds.toFixed(1)} s`,
    );
    assert.equal(analysis.findings.filter((f) => f.severity !== 'info').length, 0);
    // Clearly below the 0.34 % a model-size law must reach, and below the LR-annealing model-size law's 0.292 %.
    assert.ok(fit.heldOut!.predE <= 0.0024, `PredE ${fit.heldOut!.predE}`);
  },
);
