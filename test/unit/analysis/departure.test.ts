// The run-leaves-its-law finding (src/core/analysis/departure.ts, docs/findings.md#law-departure): no alarm on clean
// curves with ordinary noise over 200 seeds; an alarm, from the right step, on a loss spike that stays, a divergence
// and a plateau; none on a spike the run recovered from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../../src/core/analysis/analyse';
import type { AnalysisOptions } from '../../../src/core/analysis/options';
import type { Finding } from '../../../src/core/analysis/types';
import { parseText } from '../../../src/core/table/read';
import { lossRows } from '../../../bench/workloads';

const STEPS = 600;
const OPTIONS: Partial<AnalysisOptions> = { law: 'lr-annealing', bootstrapSamples: 0 };

/** Changes the loss logged at a step, given the law's noiseless loss at any step. */
type Bend = (step: number, loss: number, law: (s: number) => number) => number;

/** A warmup + cosine run of the LR-annealing law with log-normal noise; `bend` changes the loss of step s. */
function run(seed: number, noise: number, bend: Bend) {
  const rows = [...lossRows(STEPS, seed, noise)];
  const law = [...lossRows(STEPS, seed, 0)].map((r) => r.loss);
  const lines = rows.map((r) => `${r.step},${r.lr},${bend(r.step, r.loss, (s) => law[s - 1])}`);
  return parseText(`step,lr,loss\n${lines.join('\n')}\n`, {
    fileName: `run${seed}.csv`,
    displayName: `run${seed}.csv`,
  });
}

function departures(seed: number, noise: number, bend: Bend, options = OPTIONS): Finding[] {
  return analyseTables([run(seed, noise, bend)], options).findings.filter((f) => f.code === 'law-departure');
}

const clean = (_s: number, loss: number) => loss;

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
const cases: { name: string; bend: Bend; start: number; noise: number; named: [number, number] }[] = [
  {
    name: 'a loss spike that stays',
    bend: (s, loss) => (s >= 540 ? loss * 1.2 : loss),
    start: 540,
    noise: 0.01,
    named: [535, 552],
  },
  {
    name: 'a divergence',
    bend: (s, loss) => (s >= 550 ? loss * Math.exp((s - 550) / 15) : loss),
    start: 550,
    noise: 0.01,
    named: [545, 575],
  },
  {
    name: 'a plateau',
    bend: (s, loss, law) => (s >= 450 ? (loss * law(450)) / law(s) : loss),
    start: 450,
    noise: 0.005,
    named: [450, 560],
  },
];

for (const { name, bend, start, noise, named } of cases) {
  test(`${name} from step ${start} is found, from a step of it (10 seeds)`, () => {
    for (let seed = 1; seed <= 10; seed++) {
      const found = departures(seed, noise, bend);
      assert.equal(found.length, 1, `seed ${seed}: ${found.map((f) => f.message).join(' | ')}`);
      const [f] = found;
      assert.match(f.message, /above/);
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
  const bend: Bend = (s, loss) => (s >= 570 ? loss * 1.2 : loss);
  assert.equal(departures(1, 0.01, bend).length, 1);
  assert.equal(departures(1, 0.01, bend, { ...OPTIONS, departurePoints: 40 }).length, 0);
  assert.equal(departures(1, 0.01, bend, { ...OPTIONS, departureSigmas: 100 }).length, 0);
});
