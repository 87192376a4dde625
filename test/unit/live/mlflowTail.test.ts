// Following an MLflow run folder (src/core/live/wholeTail.ts with mlflow.ts's metric files resumed): of each metric
// file only the lines appended since the last read are read, so an update costs its new lines, not the run's length
// (1.5-2.1 s an update at 1,000,000 steps), and their points are appended to the run's table (its one copy); a file
// cut short or replaced is read whole; the followed table is always the table a read of the folder gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, renameSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { readSource } from '../../../src/core/sources';
import type { Table } from '../../../src/core/table/types';
import { WholeTail } from '../../../src/core/live/wholeTail';
import { scratchDir } from '../../helpers/scratch';
import { seededRandom } from '../../../src/core/util/random';

const dir = scratchDir('sl-mlflow-tail-');
const RUN = join(dir, 'mlruns', '0', 'c'.repeat(32));
const metric = (key: string) => join(RUN, 'metrics', key);

const lines = (key: string, from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => {
    const step = from + i;
    const value = key === 'loss' ? 2.5 + 3 / Math.sqrt(step) : 3e-4 * (1 - step / 1000);
    return `${1700000000000 + step} ${value.toFixed(6)} ${step}\n`;
  }).join('');

function content(table: Table) {
  return {
    rowCount: table.rowCount,
    lines: Array.from(table.lines),
    columns: table.columns.map((c) => [c.name, Array.from(c.values, (v) => (Number.isNaN(v) ? 'NaN' : v))]),
    problems: table.problems.map((p) => [p.code, p.file, p.line, p.column, p.message]),
  };
}

const wholeRead = async () => content((await readSource(RUN)).tables[0]);

test('an MLflow run folder followed reads only the lines appended to each metric file, as a read of it gives', async () => {
  mkdirSync(join(RUN, 'metrics'), { recursive: true });
  writeFileSync(join(RUN, 'meta.yaml'), 'run_name: tail\nlifecycle_stage: active\n');
  writeFileSync(metric('loss'), lines('loss', 1, 200));
  writeFileSync(metric('lr'), lines('lr', 1, 200));
  const tail = new WholeTail(RUN);
  const followed = () => content(tail.current().tables[0]);
  assert.equal((await tail.update()).change, 'read');
  assert.deepEqual(followed(), await wholeRead());

  // Appended, a last line cut short (not data yet), a bad line said on its line, then the rest of the cut line.
  appendFileSync(metric('loss'), `${lines('loss', 200, 300)}1700000000300 2.`);
  appendFileSync(metric('lr'), `${lines('lr', 200, 300)}oops\n`);
  await tail.update();
  assert.equal(tail.current().tables[0].rowCount, 299);
  assert.deepEqual(followed(), await wholeRead());
  appendFileSync(metric('loss'), `7 300\n${lines('loss', 301, 310)}`);
  await tail.update();
  assert.deepEqual(followed(), await wholeRead());

  // Only what was appended is read: a value written over where the last read did not end is not read again...
  const fd = openSync(metric('loss'), 'r+');
  writeSync(fd, '9', 14); // the first line's value, 5.500000 -> 9.500000
  closeSync(fd);
  appendFileSync(metric('loss'), lines('loss', 310, 320));
  await tail.update();
  const [loss] = [tail.current().tables[0].columns.find((c) => c.name === 'loss')!];
  assert.equal(loss.values[0], 5.5, 'the first line, read once, is not read again');

  // ...while a file cut short, or replaced by another, is read whole.
  writeFileSync(metric('loss'), lines('loss', 1, 50));
  await tail.update();
  assert.deepEqual(followed(), await wholeRead());
  writeFileSync(`${metric('lr')}.new`, lines('lr', 1, 400));
  renameSync(`${metric('lr')}.new`, metric('lr'));
  await tail.update();
  assert.deepEqual(followed(), await wholeRead());
});

test('a followed MLflow run appends the new points to its table: one copy, a lagging metric filled in, earlier tables unchanged', async () => {
  const run = join(dir, 'mlruns', '0', 'e'.repeat(32));
  const file = (key: string) => join(run, 'metrics', key);
  mkdirSync(join(run, 'metrics'), { recursive: true });
  writeFileSync(join(run, 'meta.yaml'), 'run_name: append\nlifecycle_stage: active\n');
  // A resumed run (steps back to 150 at line 201) with a diverged value, and the LR logged every other step.
  const lossLines = lines('loss', 1, 201) + lines('loss', 150, 250).replace(/ [0-9.]+ 170\n/, ' nan 170\n');
  writeFileSync(file('loss'), lossLines);
  writeFileSync(file('lr'), lines('lr', 1, 200));
  const tail = new WholeTail(run);
  const whole = async () => content((await readSource(run)).tables[0]);
  await tail.update();
  assert.deepEqual(content(tail.current().tables[0]), await whole());
  assert.ok(tail.current().tables[0].problems.some((p) => p.code === 'steps-repeated'));
  assert.ok(tail.current().tables[0].columns[1].text?.codes.includes(0), 'a diverged value, written');
  const random = seededRandom(7);
  let [loss, lr] = [250, 200];
  for (let round = 0; round < 12; round++) {
    const before = tail.current().tables[0];
    const shown = content(before);
    // Each file grows by its own count: the LR lags the loss, then catches up into the rows the loss made.
    const [l, r] = [Math.floor(random() * 40), Math.floor(random() * 40)];
    appendFileSync(file('loss'), lines('loss', loss, loss + l));
    appendFileSync(file('lr'), lines('lr', lr, Math.min(lr + r, loss + l)));
    [loss, lr] = [loss + l, Math.min(lr + r, loss + l)];
    if (round === 6) writeFileSync(file('eval_loss'), lines('loss', loss - 5, loss)); // a metric new, on rows there
    await tail.update();
    const after = tail.current().tables[0];
    assert.deepEqual(content(after), await whole(), `round ${round}`);
    assert.deepEqual(content(before), shown, `round ${round}: the table handed out before is unchanged`);
    // Appended to, not built again: the steps are the same array grown in place (its spare room).
    assert.equal(after.columns[0].values.buffer, before.columns[0].values.buffer, `round ${round}`);
  }
  // A step back is no append: the run is read whole again, as a read of it gives.
  appendFileSync(file('lr'), lines('lr', 10, 12));
  await tail.update();
  assert.deepEqual(content(tail.current().tables[0]), await whole());
});
