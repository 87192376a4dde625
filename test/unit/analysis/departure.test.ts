// The run-leaves-its-law finding (src/core/analysis/departure.ts, docs/findings.md#law-departure): no alarm on clean
// curves with ordinary noise over 200 seeds; an alarm, from the right step and named for its shape, on a loss spike
// that stays, a divergence, a plateau and a drop; none on a spike the run recovered from. The curve's report carries
// the departure; a run above its law has its predictions withheld, one below keeps them; the Runs view's overview and
// the chart carry it too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseFiles, analyseTables } from '../../../src/core/analysis/analyse';
import { DEPARTURE_SHARE, longestOffStretch } from '../../../src/core/analysis/departure';
import type { AnalysisOptions } from '../../../src/core/analysis/options';
import { overviewOfRun } from '../../../src/core/analysis/runOverview';
import { buildChart } from '../../../src/core/chart/series';
import { fitDocument, fitHeadDocument } from '../../../src/core/report/fitDocument';
import { formatAnalysis } from '../../../src/cli/text';
import type { DepartureKind, Finding } from '../../../src/core/analysis/types';
import { parseText } from '../../../src/core/table/read';
import { seededRandom } from '../../../src/core/util/random';
import { clean, lossRunCsv, spikeFrom, type Bend } from '../../helpers/departureRuns';
import { LUO, luoFiles, skipUnless } from '../../helpers/shared';
import { scratchDir } from '../../helpers/scratch';

const STEPS = 600;
const OPTIONS: Partial<AnalysisOptions> = { law: 'lr-annealing', bootstrapSamples: 0 };

const runText = (seed: number, noise: number, bend: Bend) => lossRunCsv(STEPS, seed, noise, bend);

function run(seed: number, noise: number, bend: Bend) {
  return parseText(runText(seed, noise, bend), { fileName: `run${seed}.csv`, displayName: `run${seed}.csv` });
}

function departures(seed: number, noise: number, bend: Bend, options = OPTIONS): Finding[] {
  return analyseTables([run(seed, noise, bend)], options).findings.filter((f) => f.code === 'law-departure');
}

test('clean noisy curves: no law-departure over 200 seeds (1 % noise) and 30 seeds (3 % noise)', () => {
  const alarms: string[] = [];
  for (let seed = 1; seed <= 200; seed++)
    for (const f of departures(seed, 0.01, clean)) alarms.push(`seed ${seed}: ${f.message}`);
  for (let seed = 1; seed <= 30; seed++)
    for (const f of departures(seed, 0.03, clean)) alarms.push(`seed ${seed} (3 %): ${f.message}`);
  assert.deepEqual(alarms, []);
});

test('with bootstrap bands, clean noisy curves raise no alarm either (10 seeds)', () => {
  for (let seed = 1; seed <= 10; seed++)
    assert.deepEqual(departures(seed, 0.01, clean, { ...OPTIONS, bootstrapSamples: 40 }), [], `seed ${seed}`);
});

/** The step the finding names as the start of the departure. */
function fromStep(f: Finding): number {
  return Number(/from step (\d+)/.exec(f.message)?.[1]);
}

/**
 * Each case: how the run bends, from which step, its noise, and the steps the finding may name as its start (a
 * plateau is off the law only once the law's expected descent exceeds the tolerance).
 */
const cases: {
  name: string;
  bend: Bend;
  start: number;
  noise: number;
  named: [number, number];
  kind: DepartureKind;
}[] = [
  {
    name: 'a loss spike that stays',
    bend: spikeFrom(540),
    start: 540,
    noise: 0.01,
    named: [535, 552],
    kind: 'spike',
  },
  {
    name: 'a divergence',
    bend: (s, loss) => (s >= 550 ? loss * Math.exp((s - 550) / 15) : loss),
    start: 550,
    noise: 0.01,
    named: [545, 575],
    kind: 'divergence',
  },
  {
    name: 'a plateau',
    bend: (s, loss, law) => (s >= 450 ? (loss * law(450)) / law(s) : loss),
    start: 450,
    noise: 0.005,
    named: [450, 560],
    kind: 'plateau',
  },
  {
    name: 'a drop below the law',
    bend: (s, loss) => (s >= 540 ? loss * 0.85 : loss),
    start: 540,
    noise: 0.01,
    named: [535, 552],
    kind: 'drop',
  },
];

const SIDES: Record<DepartureKind, RegExp> = { spike: /above/, divergence: /above/, plateau: /above/, drop: /below/ };

for (const { name, bend, start, noise, named, kind } of cases) {
  test(`${name} from step ${start} is found, from a step of it, as a ${kind} (10 seeds)`, () => {
    for (let seed = 1; seed <= 10; seed++) {
      const found = departures(seed, noise, bend);
      assert.equal(found.length, 1, `seed ${seed}: ${found.map((f) => f.message).join(' | ')}`);
      const [f] = found;
      assert.match(f.message, SIDES[kind]);
      assert.match(f.message, new RegExp(`from step \\d+: a ${kind === 'spike' ? 'loss spike' : kind}`));
      const from = fromStep(f);
      assert.ok(from >= named[0] && from <= named[1], `seed ${seed}: from step ${from}, expected ${named.join('–')}`);
      assert.equal(f.line, fromStep(f) + 1, 'the line of that step (the header is line 1)');
      assert.equal(f.curve, `run${seed}`);
      assert.equal(f.severity, 'warning');
    }
  });
}

test('a spike the run recovered from is not a departure', () => {
  for (let seed = 1; seed <= 10; seed++)
    assert.deepEqual(
      departures(seed, 0.01, (s, loss) => (s >= 300 && s < 330 ? loss * 1.3 : loss)),
      [],
      `seed ${seed}`,
    );
});

test('the tolerances are options: a longer required stretch silences a short departure', () => {
  const bend = spikeFrom(570);
  assert.equal(departures(1, 0.01, bend).length, 1);
  assert.equal(departures(1, 0.01, bend, { ...OPTIONS, departurePoints: 40 }).length, 0);
  assert.equal(departures(1, 0.01, bend, { ...OPTIONS, departureSigmas: 100 }).length, 0);
});

test("a departed curve's report carries the departure, and its predictions are withheld with the step and kind", () => {
  const analysis = analyseTables([run(3, 0.01, spikeFrom(540))], {
    ...OPTIONS,
    bootstrapSamples: 20,
  });
  const [curve] = analysis.curves;
  const d = curve.departure;
  assert.ok(d, 'the report has a departure');
  const finding = analysis.findings.find((f) => f.code === 'law-departure')!;
  assert.equal(d.step, fromStep(finding), 'the report and the finding name one step');
  assert.equal(d.line, finding.line);
  assert.equal(d.lastStep, STEPS);
  assert.equal(d.kind, 'spike');
  assert.equal(d.side, 'above');
  assert.equal(d.points, STEPS - d.step + 1);
  assert.ok(d.off >= 0.8 * d.points && d.off <= d.points, `${d.off} of ${d.points} off`);
  assert.ok(d.outsideBand !== null && d.outsideBand > 0 && d.outsideBand <= d.points, `outside ${d.outsideBand}`);
  assert.ok(d.worst > 0.15 && d.worst < 0.3, `worst ${d.worst}`);
  assert.ok(d.tolerance > 0 && d.tolerance < 0.1, `tolerance ${d.tolerance}`);
  assert.equal(d.sigmas, 4);
  assert.equal(d.minPoints, 20);
  assert.ok(analysis.predictions.length > 0);
  for (const p of analysis.predictions) {
    assert.equal(p.status, 'law-departed');
    assert.equal(p.value, null);
    assert.match(p.statusReason, new RegExp(`left its law from step ${d.step}: a loss spike`));
  }
});

test('without a band the departure says so (outsideBand null); a clean curve has none and keeps its predictions', () => {
  const spiked = analyseTables([run(4, 0.01, spikeFrom(540))], OPTIONS);
  assert.equal(spiked.curves[0].departure?.outsideBand, null);
  const kept = analyseTables([run(4, 0.01, clean)], OPTIONS);
  assert.equal(kept.curves[0].departure, undefined);
  assert.ok(kept.predictions.every((p) => p.status === 'ok'));
});

test("the Runs view's overview of a run that left its law carries the departure instead of a prediction", async () => {
  const dir = scratchDir('departure-');
  const file = join(dir, 'spiked.csv');
  writeFileSync(file, runText(5, 0.01, spikeFrom(540)));
  const overview = await overviewOfRun(file, 'spiked', {});
  assert.equal(overview.prediction, undefined);
  assert.equal(overview.departure?.kind, 'spike');
  assert.ok(overview.departure!.step >= 535 && overview.departure!.step <= 552, `step ${overview.departure?.step}`);
  assert.match(overview.problem ?? '', new RegExp(`left its law from step ${overview.departure!.step}`));
  const cleanFile = join(dir, 'clean.csv');
  writeFileSync(cleanFile, runText(5, 0.01, clean));
  const kept = await overviewOfRun(cleanFile, 'clean', {});
  assert.equal(kept.departure, undefined);
  assert.ok(kept.prediction);
});

test('the chart marks the step where the run left its law, on that curve only', () => {
  const spiked = run(6, 0.01, spikeFrom(540));
  const kept = parseText(runText(7, 0.01, clean), { fileName: 'kept.csv', displayName: 'kept.csv' });
  const analysis = analyseTables([spiked, kept], OPTIONS);
  const departed = analysis.curves.find((c) => c.name === 'run6');
  assert.ok(departed?.departure, JSON.stringify(analysis.findings.map((f) => f.message)));
  const { data } = buildChart(analysis);
  const observed = (name: string) => data.series.find((s) => s.kind === 'observed' && s.group === name);
  assert.equal(observed('run6')?.breakX, departed.departure.step);
  assert.equal(observed('kept')?.breakX, undefined);
  const breaks = data.markers.filter((m) => m.kind === 'break');
  assert.deepEqual(breaks, [
    {
      panel: 'main',
      kind: 'break',
      x: departed.departure.step,
      group: 'run6',
      label: `run6: left its law at step ${departed.departure.step} (spike)`,
    },
  ]);
  // No target of the departed run is drawn (its predictions are withheld); the clean run's is.
  assert.deepEqual(
    data.markers.filter((m) => m.kind === 'target').map((m) => m.group),
    ['kept'],
  );
});

test('a run below its law keeps its predictions, and its report and finding say it left the law', () => {
  const analysis = analyseTables([run(8, 0.01, (s, loss) => (s >= 540 ? loss * 0.85 : loss))], OPTIONS);
  const d = analysis.curves[0].departure;
  assert.equal(d?.kind, 'drop');
  assert.equal(d.side, 'below');
  assert.ok(analysis.predictions.length > 0);
  assert.ok(
    analysis.predictions.every((p) => p.status === 'ok'),
    'a run doing better than its law keeps its numbers',
  );
  const [f] = analysis.findings.filter((x) => x.code === 'law-departure');
  assert.match(f.message, /Its predictions are still shown, flagged: they assume the run returns to its law\.$/);
});

test('fit text and --json: a spike has no number and says why, a drop keeps its number flagged, both carry it', () => {
  const spiked = analyseTables([run(3, 0.01, spikeFrom(540))], { ...OPTIONS, bootstrapSamples: 20 });
  const dropped = analyseTables([run(8, 0.01, (s, loss) => (s >= 540 ? loss * 0.85 : loss))], OPTIONS);
  const row = (text: string) => text.split('\n').find((l) => /^\s+run\d\s+loss\s+L\(1\.2k\)/.test(l)) ?? '';
  const spikedStep = spiked.curves[0].departure!.step;
  assert.match(
    row(formatAnalysis(spiked)),
    new RegExp(`none\\s+the run left its law from step ${spikedStep}: a loss spike`),
  );
  const droppedStep = dropped.curves[0].departure!.step;
  assert.match(
    row(formatAnalysis(dropped)),
    // After what the prediction assumes of the LR past the log (held at its last value), when it says so.
    new RegExp(`\\d\\.\\d+\\s+(assumes the LR held at [^;]+; )?⚠ left its law at step ${droppedStep} \\(drop\\)$`),
  );
  for (const [analysis, kind] of [
    [spiked, 'spike'],
    [dropped, 'drop'],
  ] as const) {
    const json = JSON.parse(JSON.stringify(fitDocument(analysis, 'test')));
    assert.equal(json.curves[0].departure.kind, kind);
    assert.equal(json.curves[0].departure.step, analysis.curves[0].departure!.step);
    // A watch update leaves the per-point arrays out, not the departure.
    assert.equal(fitHeadDocument(analysis, 'test').curves[0].departure?.kind, kind);
  }
  assert.equal(JSON.parse(JSON.stringify(fitDocument(spiked, 'test'))).predictions[0].status, 'law-departed');
});

// Healthy real runs: every public multi-power-law curve, opened alone as a user opens one file, is smooth enough that
// its residual scale is tiny, and the law's own error where the LR anneals must not read as a run leaving its law.
test('the public multi-power-law curves, each fitted alone: no law-departure', { skip: skipUnless(LUO) }, async () => {
  const alarms: string[] = [];
  for (const size of ['25', '100', '400'])
    for (const file of luoFiles(size)) {
      const analysis = await analyseFiles([file], { law: 'auto', bootstrapSamples: 0 });
      for (const f of analysis.findings.filter((f) => f.code === 'law-departure'))
        alarms.push(`${size}M: ${f.message}`);
    }
  assert.deepEqual(alarms, []);
});

test('longestOffStretch: the longest qualifying stretch, as its definition reads, on random residuals either side', () => {
  // Definition: the least i >= first whose point is off, at least minPoints from the end, with at least
  // DEPARTURE_SHARE of [i, n) off. The plain loop reads residuals directly (a followed run's quarter-million-row tail).
  const random = seededRandom(11);
  for (let trial = 0; trial < 300; trial++) {
    const n = 20 + Math.floor(random() * 60);
    const residuals = Float64Array.from({ length: n }, () => (random() - 0.3) * 0.1);
    const first = Math.floor(random() * n * 0.5);
    const minPoints = 1 + Math.floor(random() * 8);
    const centre = (random() - 0.5) * 0.02;
    for (const sign of [1, -1] as const) {
      const off = (i: number) => sign * (residuals[i] - centre) > 0.02;
      let expected: number | null = null;
      for (let i = first; i <= n - minPoints && expected === null; i++) {
        let count = 0;
        for (let j = i; j < n; j++) if (off(j)) count++;
        if (off(i) && count >= DEPARTURE_SHARE * (n - i)) expected = i;
      }
      assert.equal(longestOffStretch(residuals, first, sign, centre, 0.02, minPoints), expected, `trial ${trial}`);
    }
  }
});
