// Predictions past an LR drop the fit curves never show (src/core/analysis/unseenDrop.ts): withheld with the reason
// (no number, no score, no what-if) from the step a curve's LR falls lower than the fit curves' ever did, and only
// then; a fit whose curves show a drop predicts deeper drops as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropLevels, dropStart, lowestShare } from '../../../src/core/analysis/dropLevels';
import { analyseLossCurves } from '../../../src/core/analysis/lossAnalysis';
import type { LossCurve } from '../../../src/core/analysis/lossCurves';
import { withDefaults } from '../../../src/core/analysis/options';
import type { AnalysisOptions } from '../../../src/core/analysis/options';
import { defaultSpec, whatIfCurve } from '../../../src/core/chart/whatIf';
import { seededRandom } from '../../../src/core/util/random';
import { SYNTH_WARMUP, tissueTruth, type Kind } from '../../helpers/syntheticLoss';

const curves = (kinds: Kind[]) => kinds.map((k, i) => tissueTruth(k, i + 1));
const analyse = (all: LossCurve[], options: Partial<AnalysisOptions>) =>
  analyseLossCurves(
    all,
    withDefaults({ warmupSteps: SYNTH_WARMUP, bootstrapSamples: 8, predictSteps: [12_000], ...options }),
    seededRandom(1),
  );

for (const law of ['lr-annealing', 'mpl', 'auto'] as const) {
  test(`${law}: fitted on a constant LR, a decaying curve is predicted only until its LR falls`, () => {
    const all = curves(['constant', 'cosine', 'wsd']);
    const a = analyse(all, { law, fitOn: ['constant'] });
    const fit = a.fits[0];
    assert.equal(fit.lrFloor, 1);
    const found = a.findings.filter((f) => f.code === 'drop-unseen');
    assert.equal(found.length, 1, JSON.stringify(a.findings));
    assert.match(found[0].message, /"cosine" from step .*"wsd" from step/);
    for (const name of ['cosine', 'wsd']) {
      const c = all.find((k) => k.name === name)!;
      const report = a.curves.find((r) => r.name === name)!;
      // The first logged step below the peak (the fit curve never left it).
      const from = dropStart(c, 0.99)!;
      assert.deepEqual(report.withheldFrom?.x, from);
      const x = Array.from(report.points.x);
      const predicted = Array.from(report.points.predicted);
      x.forEach((s, k) => assert.equal(Number.isFinite(predicted[k]), s < from, `${name} at ${s}`));
      // Scored on the rows it predicts, and only those.
      assert.equal(report.metrics?.points, x.filter((s) => s < from).length);
      assert.ok(report.metrics!.predE < 0.01, `${name}: ${report.metrics!.predE}`);
      const target = a.predictions.find((p) => p.curve === name)!;
      assert.equal(target.status, 'fit-unsupported');
      assert.equal(target.value, null);
      assert.match(target.statusReason!, /never lower their LR, and this curve's LR falls lower from step/);
      if (report.runnerUp) {
        report.runnerUp.x.forEach((s, k) =>
          assert.equal(Number.isFinite(report.runnerUp!.predicted[k]), s < from, `${name} runner-up at ${s}`),
        );
      }
    }
    // The constant curve (fitted) keeps its prediction.
    assert.equal(a.predictions.find((p) => p.curve === 'constant')?.status, 'ok');
  });
}

test('fit curves that drop: every curve is predicted (a law carries drops to deeper ones)', () => {
  const a = analyse(curves(['constant', 'cosine', 'wsd', 'step-down']), {
    law: 'lr-annealing',
    fitOn: ['constant', 'wsd'],
  });
  assert.equal(a.fits[0].lrFloor, undefined);
  assert.ok(!a.findings.some((f) => f.code === 'drop-unseen'));
  assert.ok(a.curves.every((c) => c.withheldFrom === undefined));
  assert.ok(a.predictions.every((p) => p.status === 'ok'));
});

test("a fitted run's own schedule logged past its loss: its target past the drop is withheld, its rows are not", () => {
  const cosine = tissueTruth('cosine', 3);
  // The loss was logged until the LR had fallen 5 %; the schedule to its end.
  const keep = cosine.steps.findIndex((_, k) => cosine.schedule.lr[k] < 0.95 * cosine.schedule.lr[0]);
  const early: LossCurve = {
    ...cosine,
    steps: cosine.steps.subarray(0, keep),
    loss: cosine.loss.subarray(0, keep),
    lines: cosine.lines.subarray(0, keep),
  };
  assert.deepEqual(dropLevels([early], SYNTH_WARMUP), []);
  const seen = lowestShare(early);
  assert.ok(seen > 0.94 && seen < 0.96, String(seen));
  const a = analyse([early], { law: 'lr-annealing' });
  const report = a.curves[0];
  assert.ok(Array.from(report.points.predicted).every(Number.isFinite));
  assert.equal(report.metrics?.points, keep);
  assert.ok(report.withheldFrom && report.withheldFrom.x > early.steps[keep - 1]);
  assert.equal(a.predictions[0].status, 'fit-unsupported');
  assert.match(a.predictions[0].statusReason!, /never lower their LR below 95 % of its peak/);
});

test('a curve whose loss rows end in its warmup has dropped to no level, though its schedule runs on to a decay', () => {
  // Loss logged to step 300 of a warmup to step 1,000; the schedule logged ahead, to a decay at 2,000.
  const steps = Float64Array.from({ length: 20 }, (_, i) => 100 * (i + 1));
  const lr = steps.map((s) => (s <= 1000 ? 1e-3 * (s / 1000) : 1e-3 * (1 - (s - 1000) / 1100)));
  const ramp: LossCurve = {
    name: 'ramp',
    file: 'ramp.csv',
    steps: steps.subarray(0, 3),
    loss: Float64Array.of(6, 5, 4.5),
    lines: new Int32Array(3),
    schedule: { steps, lr },
    firstLine: 1,
  };
  assert.deepEqual(dropLevels([ramp], 1000), []);
  assert.equal(lowestShare(ramp), 1);
  assert.equal(dropStart(ramp, 0.99), 1100);
});

test('a what-if whose LR falls lower than the fit curves ever did is refused with the reason', () => {
  const fit = analyse(curves(['constant']), { law: 'lr-annealing' }).fits[0];
  const spec = defaultSpec({ peakLr: 3e-4, warmupSteps: SYNTH_WARMUP, totalSteps: 12_000 });
  const constant = whatIfCurve(fit, { ...spec, shape: 'constant' }, 'what-if A');
  assert.ok(constant.ok);
  const cosine = whatIfCurve(fit, { ...spec, shape: 'cosine' }, 'what-if B');
  assert.ok(!cosine.ok);
  assert.match(cosine.message, /what-if B: its LR falls below what the fit curves were trained at from step/);
  // Fitted on curves that drop, the same what-if is drawn.
  const dropped = analyse(curves(['constant', 'wsd']), { law: 'lr-annealing' }).fits[0];
  assert.ok(whatIfCurve(dropped, { ...spec, shape: 'cosine' }, 'what-if C').ok);
});

test('a one-row LR blip (a logged 0 mid-run) is no drop: nothing withheld, and a fit curve with one keeps its floor', () => {
  const [constant, held] = curves(['constant', 'constant']).map((c, i) => ({ ...c, name: `constant ${i}` }));
  const blip = (c: LossCurve): LossCurve => {
    const lr = Float64Array.from(c.schedule.lr);
    lr[lr.length >> 1] = 0;
    return { ...c, schedule: { ...c.schedule, lr } };
  };
  const heldBlip = blip(held);
  assert.equal(dropStart(heldBlip, 0.99), undefined);
  assert.equal(lowestShare(blip(constant)), 1);
  const a = analyse([constant, heldBlip], { law: 'lr-annealing', fitOn: ['constant 0'] });
  assert.equal(
    a.findings.find((f) => f.code === 'drop-unseen'),
    undefined,
  );
  assert.equal(a.predictions.find((p) => p.curve === 'constant 1')?.status, 'ok');
  // Two rows below the floor are a drop, withheld from the first.
  const lr = Float64Array.from(held.schedule.lr);
  const k = lr.length >> 1;
  lr[k] = lr[k + 1] = 0;
  assert.equal(dropStart({ ...held, schedule: { ...held.schedule, lr } }, 0.99), held.schedule.steps[k]);
});
