import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectBleuBreaks, lowestTolerableCurve, type SweepPoint } from '../../../src/core/analysis/breaks';
import { analyseDownstream } from '../../../src/core/analysis/downstream';
import { withDefaults } from '../../../src/core/analysis/options';
import { normal, seededRandom } from '../../../src/core/util/random';
import { alignedLaw, alignedRows, dpGrid, sweepTable } from './sweep';

const CTX = { file: 'sweep.csv', group: 'g', tolerance: 1.0, fitFirst: 4 };
const ALARMS = new Set(['bleu-law-break', 'bleu-non-monotonic', 'ce-bleu-divergence']);

function points(dp: number[], bleu: number[]): SweepPoint[] {
  return dp.map((d, i) => ({ dp: d, value: bleu[i], line: i + 2 }));
}

test('breaks: the lowest tolerable curve never exceeds the true law when the prefix lies within the tolerance', () => {
  const grid = dpGrid();
  for (const beta of [0.7, 1.5, 3]) {
    const law = alignedLaw(grid, 18, 32, beta);
    const u = grid.map(Math.log);
    const edge = lowestTolerableCurve(u.slice(0, 4), grid.slice(0, 4).map(law), u.slice(4), 1.0);
    edge.forEach((e, j) =>
      assert.ok(e <= law(grid[4 + j]) + 1e-9, `beta ${beta}: edge ${e} > law ${law(grid[4 + j])}`),
    );
    // ... and it is informative: BLEU that stalls at the prefix's last value falls below it.
    assert.ok(edge[edge.length - 1] > law(grid[3]) - 1, `beta ${beta}: edge ${edge[edge.length - 1]}`);
  }
});

test('breaks: clean noisy aligned groups raise no break, drop or divergence across 60 seeds and three betas', () => {
  let groups = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const random = seededRandom(seed);
    const rows = [0.8, 1.5, 3].flatMap((beta) => alignedRows(random, { mix: `aligned-b${beta}`, beta, bleuSd: 0.3 }));
    const { table, roles } = sweepTable(rows);
    const analysis = analyseDownstream(table, roles, withDefaults({ bootstrapSamples: 0 }));
    const alarms = analysis.findings.filter((f) => ALARMS.has(f.code));
    assert.deepEqual(
      alarms.map((f) => `${f.code}: ${f.message}`),
      [],
      `seed ${seed}`,
    );
    groups += 3;
  }
  assert.equal(groups, 180);
});

test('breaks: a real break (BLEU stalls and drops after following the law) is found at the right D_p in every seed', () => {
  const grid = dpGrid();
  const law = alignedLaw(grid, 18, 32, 1.5);
  for (let seed = 1; seed <= 50; seed++) {
    const random = seededRandom(seed);
    const bleu = grid.map((dp, i) => (i < 4 ? law(dp) : law(grid[3]) - 3 - 0.5 * (i - 4)) + 0.3 * normal(random));
    const result = detectBleuBreaks(points(grid, bleu), CTX);
    const lawBreak = result.findings.find((f) => f.code === 'bleu-law-break');
    assert.ok(lawBreak, `seed ${seed}: no break`);
    assert.equal(lawBreak.line, 6, `seed ${seed}: break at line ${lawBreak.line}`);
    assert.match(lawBreak.message, /D_p = 8B/);
    assert.equal(result.breakIndex, 4);
    assert.ok(lawBreak.related!.some((r) => r.line === 2));
  }
});

test('breaks: a stall that is within tolerance of the flattest law curve is not called a break', () => {
  const grid = dpGrid(6);
  const law = alignedLaw(grid, 18, 32, 1.5);
  // Gains shrink but BLEU keeps rising: the law can bend this much, so no break.
  const bleu = grid.map((dp, i) => (i < 4 ? law(dp) : law(grid[3]) + 0.3 * (i - 3)));
  assert.equal(detectBleuBreaks(points(grid, bleu), CTX).findings.length, 0);
});

test('breaks: fitFirst below 3 is raised to 3 and groups no longer than the prefix are not judged', () => {
  const grid = dpGrid(4);
  const r = detectBleuBreaks(points(grid, [20, 22, 24, 10]), { ...CTX, fitFirst: 1 });
  assert.ok(r.findings.some((f) => f.code === 'bleu-law-break'));
  assert.equal(detectBleuBreaks(points(grid.slice(0, 3), [20, 22, 24]), { ...CTX, fitFirst: 4 }).findings.length, 0);
});
