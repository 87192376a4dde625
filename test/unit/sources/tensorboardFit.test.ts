// Fits on TensorBoard runs written from a known law: the LR-annealing law with known coefficients under constant and
// cosine schedules (fitted) and a WSD schedule (held out), each run a folder of event files with small noise. The
// fit recovers the coefficients, and the held-out run's loss lies in its band; a folder of three runs with --fit-on
// two predicts the third through analyseFiles on the folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import { denormalise, lrAnnealingLaw } from '../../../src/core/laws/lrAnnealing';
import { lrAreas } from '../../../src/core/laws/schedule';
import { normal, seededRandom } from '../../../src/core/util/random';
import { writeCurveRun, type ScalarEncoding } from '../../helpers/eventWriter';
import { scratchDir } from '../../helpers/scratch';

const PEAK = 3e-4;
const TOTAL = 8000;
const EVERY = 20;
/** Normalised L0, A, alpha, C (LR areas divided by the peak LR). */
const TRUE = Float64Array.of(2.2, 3.5, 0.5, 3e-4);
const NOISE = 0.001;

type Kind = 'constant' | 'cosine' | 'wsd';

function lrAt(kind: Kind, s: number): number {
  if (kind === 'constant') return PEAK;
  if (kind === 'cosine') return 0.1 * PEAK + 0.45 * PEAK * (1 + Math.cos((Math.PI * s) / TOTAL));
  return s < 0.8 * TOTAL ? PEAK : 0.1 * PEAK + 0.9 * PEAK * (1 - (s - 0.8 * TOTAL) / (0.2 * TOTAL));
}

/** The law's loss at every EVERY-th step, with multiplicative noise. */
function run(kind: Kind, seed: number): { step: number; loss: number; lr: number }[] {
  const all = Float64Array.from({ length: TOTAL }, (_, i) => i + 1);
  const schedule = { steps: all, lr: all.map((s) => lrAt(kind, s)) };
  const logged = Array.from({ length: TOTAL / EVERY }, (_, k) => (k + 1) * EVERY);
  const areas = lrAreas(schedule, logged, { lambda: 0.999, warmup: 'peak' });
  const data = { s1: areas.s1.map((v) => v / PEAK), s2: areas.s2.map((v) => v / PEAK) };
  const loss = new Float64Array(logged.length);
  lrAnnealingLaw.predict(TRUE, data, loss);
  const random = seededRandom(seed);
  // Logged as TensorBoard logs: every EVERY steps, the LR at that step.
  return logged.map((step, i) => ({ step, lr: lrAt(kind, step), loss: loss[i] * Math.exp(NOISE * normal(random)) }));
}

function writeRuns(encoding: ScalarEncoding): string {
  const root = join(scratchDir('sl-tbfit-'), 'runs');
  writeCurveRun(join(root, 'constant'), run('constant', 1), { files: 2, encoding });
  writeCurveRun(join(root, 'cosine'), run('cosine', 2), { files: 3, encoding });
  writeCurveRun(join(root, 'wsd'), run('wsd', 3), { encoding });
  return root;
}

for (const encoding of ['simple', 'double_val'] as const) {
  test(`runs of a known law (${encoding}): the fit recovers it and the held-out WSD run lies in its band`, async () => {
    const root = writeRuns(encoding);
    const analysis = await analyseFiles([root], {
      law: 'lr-annealing',
      lambda: 0.999,
      fitOn: ['constant', 'cosine'],
      bootstrapSamples: 24,
    });
    assert.deepEqual(
      analysis.files.map((f) => f.format),
      ['tensorboard', 'tensorboard', 'tensorboard'],
    );
    const fit = analysis.fits[0];
    assert.equal(fit.law, 'lr-annealing');
    assert.deepEqual([...fit.fittedOn].sort(), ['constant', 'cosine']);
    const truth = denormalise(TRUE, PEAK);
    const got = `fit ${JSON.stringify(fit.params)} vs ${JSON.stringify(truth)}`;
    assert.ok(Math.abs(fit.params.L0 - truth.L0) / truth.L0 < 0.02, `L0: ${got}`);
    assert.ok(Math.abs(fit.params.alpha - truth.alpha) / truth.alpha < 0.1, `alpha: ${got}`);
    assert.ok(Math.abs(fit.params.C - truth.C) / truth.C < 0.15, `C: ${got}`);

    const wsd = analysis.curves.find((c) => c.name === 'wsd');
    assert.ok(wsd && wsd.role === 'heldout', JSON.stringify(analysis.curves.map((c) => [c.name, c.role])));
    assert.ok(fit.heldOut!.predE < 0.004, `held-out PredE ${fit.heldOut!.predE}`);
    const { observed, low, high } = wsd.points;
    // The band is the fit's uncertainty; the noise adds NOISE around it: most points within it widened by 3 sigma.
    let inside = 0;
    for (let i = 0; i < observed.length; i++) {
      const slack = 3 * NOISE * observed[i];
      if (observed[i] >= low[i] - slack && observed[i] <= high[i] + slack) inside++;
    }
    assert.ok(inside / observed.length > 0.95, `${inside} of ${observed.length} held-out points in the band`);
    console.log(
      `${encoding}: L0 ${fit.params.L0.toFixed(4)} (${truth.L0}), alpha ${fit.params.alpha.toFixed(4)} ` +
        `(${truth.alpha}), C ${fit.params.C.toExponential(3)} (${truth.C.toExponential(3)}); held-out PredE ` +
        `${(fit.heldOut!.predE * 100).toFixed(3)} %, ${inside}/${observed.length} in band`,
    );
  });
}
