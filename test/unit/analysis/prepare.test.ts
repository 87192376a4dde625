// A curve's query steps (lossAreas.ts, prepare): its logged steps and targets merged, ascending and unique, with every
// point's and target's index into them; the same whether the targets lie past the log (the usual case, taken without a
// step-by-step merge) or among its steps, before them, or repeated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepare } from '../../../src/core/analysis/lossAreas';
import type { LossCurve } from '../../../src/core/analysis/lossCurves';

function curve(steps: number[]): LossCurve {
  const s = Float64Array.from(steps);
  return {
    name: 'run',
    file: 'run.csv',
    steps: s,
    loss: s.map(() => 3),
    lines: new Int32Array(s.length),
    schedule: { steps: s, lr: s.map(() => 1e-3) },
    firstLine: 2,
  };
}

const cases: [string, number[], number[]][] = [
  ['targets past the log', [1, 2, 3, 10], [20, 40]],
  ['one target past the log', [5, 10, 15], [30]],
  ['no targets', [1, 2, 3], []],
  ['no steps', [], [7, 3]],
  ['a target among the steps', [1, 2, 3, 10], [2, 20]],
  ['a target on the last step', [1, 2, 3], [3]],
  ['targets before and between the steps, unsorted and repeated', [10, 20, 30], [25, 5, 25, 40]],
];

for (const [name, steps, targets] of cases) {
  test(`prepare: ${name}`, () => {
    const p = prepare(curve(steps), targets);
    const union = Array.from(new Set([...steps, ...targets])).sort((a, b) => a - b);
    assert.deepEqual(Array.from(p.queries), union);
    assert.deepEqual(
      Array.from(p.pointIndex, (q) => p.queries[q]),
      steps,
    );
    assert.deepEqual(
      Array.from(p.targetIndex, (q) => p.queries[q]),
      targets,
    );
    assert.deepEqual(p.targets, targets);
  });
}
