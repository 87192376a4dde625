// data-repeated: a run past its first epoch trains on data it has seen, which the loss-curve laws do not model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../../src/core/analysis/analyse';
import type { Finding } from '../../../src/core/analysis/types';
import { parseText } from '../../../src/core/table';

const lossAt = (s: number) => 2.5 + 4 * Math.pow(s, -0.45);

/** The data-repeated findings of a CSV of 40 rows, 100 steps apart, whose epoch cell is `epochOf(row)`. */
function repeated(epochOf: (row: number) => number | string, epochName = 'epoch'): Finding[] {
  const rows = Array.from({ length: 40 }, (_, i) => `${(i + 1) * 100},${epochOf(i)},0.0003,${lossAt((i + 1) * 100)}`);
  const text = [`step,${epochName},lr,loss`, ...rows].join('\n') + '\n';
  const table = parseText(text, { fileName: 'run.csv', displayName: 'run.csv' });
  return analyseTables([table], { law: 'lr-annealing', bootstrapSamples: 0 }).findings.filter(
    (f) => f.code === 'data-repeated',
  );
}

test("a progress count (Hugging Face's 0.91, 1.0, 1.82): warned from the first row past 1, once per curve", () => {
  const found = repeated((i) => ((i + 1) / 10).toFixed(2));
  assert.equal(found.length, 1);
  // Row 10 is epoch 1.00, the end of the first pass; row 11 (step 1100, line 12) is the first of the second.
  assert.equal(found[0].line, 12);
  assert.equal(found[0].severity, 'warning');
  assert.equal(found[0].curve, 'run');
  assert.match(found[0].message, /passes its first epoch at step 1100 \(epoch 4 at most\)/);
  // One pass ending exactly at epoch 1.0 repeats nothing.
  assert.deepEqual(
    repeated((i) => ((i + 1) / 40).toFixed(3)),
    [],
  );
});

test('an index count (Lightning: 0, 0, 1, 1): warned from the first row of epoch 1; epoch 0 alone is one pass', () => {
  const found = repeated((i) => Math.floor(i / 20));
  assert.equal(found.length, 1);
  assert.equal(found[0].line, 22);
  assert.match(found[0].message, /epoch index 1 at most: 2 passes/);
  assert.deepEqual(
    repeated(() => 0),
    [],
  );
});

test('whole epochs from 1 (evaluations at the end of each epoch) count progress: 2 is the first repeated', () => {
  const found = repeated((i) => 1 + Math.floor(i / 10));
  assert.equal(found[0].line, 12);
});

test('a column that is not an epoch count (epoch_loss) or empty epoch cells raise nothing', () => {
  assert.deepEqual(
    repeated((i) => i, 'epoch_loss'),
    [],
  );
  assert.deepEqual(
    repeated(() => ''),
    [],
  );
});

test("Lightning's epoch mean of a metric (val_loss_epoch) before its epoch column is no epoch count", () => {
  // The epoch-end rows carry val_loss_epoch = 2.7 and epoch = 0: a single pass, whichever column comes first.
  const rows = Array.from({ length: 40 }, (_, i) => {
    const step = (i + 1) * 100;
    return i % 10 === 9 ? `,${step},2.7,0.0003,0` : `${lossAt(step)},${step},,0.0003,0`;
  });
  const text = ['val_loss_step,step,val_loss_epoch,lr,epoch', ...rows].join('\n') + '\n';
  const table = parseText(text, { fileName: 'metrics.csv', displayName: 'metrics.csv' });
  const found = analyseTables([table], { law: 'lr-annealing', bootstrapSamples: 0 }).findings.filter(
    (f) => f.code === 'data-repeated',
  );
  assert.deepEqual(found, []);
});
