// A run that left its law (law-departure): the lens withholds its predictions, and the what-if, predicted from the
// same law, follows the same rule. Fitted on that run alone, no schedule is drawn; where the run whose schedule
// 'logged' continues left its law and another fitted run did not, that schedule alone is refused. Each says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../../src/core/analysis/analyse';
import type { Analysis } from '../../../src/core/analysis/types';
import { buildChart, referenceCurve } from '../../../src/core/chart/series';
import { whatIfCurve } from '../../../src/core/chart/whatIf';
import { parseText } from '../../../src/core/table';
import { defaultSpecs } from '../../../src/webview/whatIfForm';
import { clean, lossRunCsv, spikeFrom, type Bend } from '../../helpers/departureRuns';

function table(name: string, steps: number, seed: number, bend: Bend) {
  return parseText(lossRunCsv(steps, seed, 0.01, bend), { fileName: `${name}.csv`, displayName: `${name}.csv` });
}

/** The chart's default what-ifs, as the server predicts them (its options from the chart's defaults). */
function defaultWhatIfs(analysis: Analysis) {
  const defaults = buildChart(analysis).data.whatIf!;
  const fit = analysis.fits[0];
  const own = referenceCurve(analysis, fit)!.schedule!;
  const logged = { steps: Float64Array.from(own.steps), lr: Float64Array.from(own.lr) };
  const { fromStep, departed } = defaults;
  const specs = defaultSpecs(defaults);
  return specs.map((spec, i) => whatIfCurve(fit, spec, 'AB'[i], { fromStep, logged, departed }));
}

test('fitted on a run that left its law, the what-if predicts no schedule, and says why', () => {
  const analysis = analyseTables([table('spiked', 600, 3, spikeFrom(540))], {
    law: 'lr-annealing',
    bootstrapSamples: 0,
  });
  assert.ok(
    analysis.predictions.every((p) => p.status === 'law-departed'),
    'the lens withholds its predictions',
  );
  const step = analysis.curves[0].departure!.step;
  const [a, b] = defaultWhatIfs(analysis);
  for (const [label, r] of [
    ['A', a],
    ['B', b],
  ] as const) {
    assert.ok(!r.ok, `${label}: no number from the law the run left`);
    assert.match(
      r.message,
      new RegExp(
        `^${label}: the run the law was fitted on left it \\(spiked: the run left its law from step ${step}: a loss spike[^)]*, up to [\\d.]+ % above it\\), so it predicts no schedule`,
      ),
    );
  }
});

test("where the reference run left its law and another did not, 'as logged' is refused and the others drawn", () => {
  // The spiked run is logged longest: 'as logged' continues its schedule.
  const tables = [table('spiked', 600, 3, spikeFrom(540)), table('steady', 500, 4, clean)];
  const analysis = analyseTables(tables, { law: 'lr-annealing', bootstrapSamples: 0 });
  assert.equal(analysis.curves.find((c) => c.name === 'spiked')?.departure?.side, 'above');
  assert.equal(analysis.curves.find((c) => c.name === 'steady')?.departure, undefined);
  assert.equal(referenceCurve(analysis, analysis.fits[0])?.name, 'spiked');
  const [a, b] = defaultWhatIfs(analysis);
  assert.ok(!a.ok, 'no number for the schedule of the run that left its law');
  assert.match(
    a.message,
    /^A: spiked's schedule is that of a run that left its law \(the run left its law from step \d+: a loss spike/,
  );
  assert.ok(b.ok, b.ok ? '' : b.message);
});

test('runs that follow their law: the what-if is drawn as before', () => {
  const analysis = analyseTables([table('steady', 600, 4, clean)], { law: 'lr-annealing', bootstrapSamples: 0 });
  assert.equal(buildChart(analysis).data.whatIf?.departed, undefined);
  for (const r of defaultWhatIfs(analysis)) assert.ok(r.ok, r.ok ? '' : r.message);
});
