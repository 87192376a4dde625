// No law the tool knows has been left (law-departure) or is broken (fit-unsupported) is drawn into the region whose
// predictions it withholds: neither the chosen law's curve and band nor the runner-up overlay of `law: 'auto'` go past
// the last logged step of such a curve. A curve whose targets keep their numbers is drawn out to them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../../src/core/analysis/analyse';
import type { Analysis, Prediction } from '../../../src/core/analysis/types';
import { buildChart } from '../../../src/core/chart/series';
import { parseText } from '../../../src/core/table';
import { clean, lossRunCsv, type Bend } from '../../helpers/departureRuns';

const STEPS = 600;

/** The loss rising away from the law from `from` on (a spike makes law auto average both laws: no runner-up). */
const divergeFrom =
  (from: number): Bend =>
  (s, loss) =>
    s >= from ? loss * Math.exp((s - from) / 15) : loss;

function analyse(bend: Bend, name: string): Analysis {
  const table = parseText(lossRunCsv(STEPS, 3, 0.01, bend), { fileName: name, displayName: name });
  return analyseTables([table], { law: 'auto', bootstrapSamples: 20, predictAt: [1200] });
}

/** The furthest step each law series of the main panel reaches, by kind. */
function reach(analysis: Analysis): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of buildChart(analysis).data.series)
    if (['law', 'band', 'runner-up', 'runner-up-band'].includes(s.kind))
      out[s.kind] = Math.max(out[s.kind] ?? -Infinity, ...s.x);
  return out;
}

test('a clean run: the chosen law and its band are drawn out to the targets; an unsupported runner-up through the log', () => {
  const analysis = analyse(clean, 'clean.csv');
  assert.ok(analysis.fits[0].runnerUpFit, 'law auto kept a runner-up');
  assert.ok(analysis.predictions.every((p) => p.status === 'ok'));
  // One LR level: MPL's L0 and loss-drop term sit at their bounds, so MPL alone is not supported (withheld under
  // `law: 'mpl'`), and as the runner-up it is drawn through the log only, the toggle saying why.
  const runnerUpFit = analysis.fits[0].runnerUpFit!;
  assert.ok(runnerUpFit.unsupported?.length, 'MPL is not supported by a run of one LR level');
  assert.deepEqual(reach(analysis), { law: 1200, band: 1200, 'runner-up': STEPS, 'runner-up-band': STEPS });
  const choice = buildChart(analysis).data.lawChoice;
  assert.equal(choice?.targetGap, undefined);
  assert.match(choice?.unsupported ?? '', /held at the limit of their range/);
});

test('a withheld target gives the toggle no gap to tell', () => {
  const analysis = analyse(divergeFrom(550), 'diverged.csv');
  assert.equal(buildChart(analysis).data.lawChoice?.targetGap, undefined);
});

test('a run that left its law: no law, band or runner-up is drawn into its withheld region', () => {
  const analysis = analyse(divergeFrom(550), 'diverged.csv');
  assert.ok(analysis.curves[0].departure, 'the run left its law');
  assert.ok(analysis.fits[0].runnerUpFit, 'law auto kept a runner-up');
  assert.ok(analysis.predictions.every((p) => p.status === 'law-departed'));
  const drawn = reach(analysis);
  assert.ok(drawn['runner-up'] !== undefined, 'the runner-up is still drawn over the logged steps');
  for (const [kind, x] of Object.entries(drawn)) assert.ok(x <= STEPS, `${kind} drawn out to step ${x}`);
});

test('a broken fit (its predictions withheld as unsupported): nothing is drawn past the log', () => {
  const analysis = analyse(clean, 'broken.csv');
  // The trust verdict's outcome, as it marks an unsupported fit: the fit says why, its predictions lose their number.
  analysis.fits[0].unsupported = [{ code: 'fit-r2-low', reason: 'R² -0.02: the law explains none of the loss' }];
  analysis.predictions = analysis.predictions.map((p): Prediction => ({
    ...p,
    value: null,
    low: null,
    high: null,
    status: 'fit-unsupported',
    statusReason: 'the data do not support the fit',
  }));
  for (const [kind, x] of Object.entries(reach(analysis))) assert.ok(x <= STEPS, `${kind} drawn out to step ${x}`);
});
