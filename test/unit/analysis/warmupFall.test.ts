// A warmup given as an option that ends after the logged LR has fallen: said on the row where it falls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { parseText } from '../../../src/core/table';

/** A cosine run from its peak (its warmup not logged), 60 rows to step 6000. */
const COSINE = [
  'step,lr,loss',
  ...Array.from({ length: 60 }, (_, i) => {
    const s = (i + 1) * 100;
    const lr = 3e-4 * (0.1 + 0.45 * (1 + Math.cos((Math.PI * s) / 6000)));
    return `${s},${lr.toPrecision(6)},${(2.5 + 4 * Math.pow(s, -0.4)).toFixed(5)}`;
  }),
].join('\n');

const analyse = (warmupSteps?: number) =>
  analyseTables([parseText(COSINE, { fileName: 'cos.csv', displayName: 'cos.csv' })], {
    law: 'lr-annealing',
    bootstrapSamples: 0,
    warmupSteps,
  });

test('a warmup given past the logged LR fall: warmup-falls on the row where the LR is below 90 % of its top', () => {
  const found = analyse(100_000).findings.filter((f) => f.code === 'warmup-falls');
  assert.equal(found.length, 1);
  assert.equal(found[0].severity, 'warning');
  assert.equal(found[0].curve, 'cos');
  assert.equal(found[0].line, 15, 'step 1400: the first LR under 90 % of the one at step 100');
  assert.match(
    found[0].message,
    /falls to 2\.65e-4 at step 1400, from 3e-4 before it, while the warmup given ends only at step 100000/,
  );
});

test('a warmup that ends before the LR falls, or none given, says nothing', () => {
  assert.equal(analyse(100).findings.filter((f) => f.code === 'warmup-falls').length, 0);
  assert.equal(analyse(1300).findings.filter((f) => f.code === 'warmup-falls').length, 0);
  assert.equal(analyse().findings.filter((f) => f.code === 'warmup-falls').length, 0);
});
