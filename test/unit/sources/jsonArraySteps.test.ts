// A Hugging Face log_history saved as a bare JSON array (exported from trainer_state.json) is read as trainer_state's
// is: the training and evaluation entries of a step joined into one row on one step axis, with a note of what was
// joined. Arrays whose records of a step disagree (several runs, a step logged twice) or lack a step keep their rows.
import { test } from 'node:test';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import { logHistory, pythonJson, tempDir, trainerState, writeAt, type TrainerRun } from '../../helpers/jsonRuns';
import { readOne } from '../../helpers/sourceTables';
import { column } from '../table/helpers';

const RUN: TrainerRun = { globalStep: 2000, maxSteps: 2000, logging: 10, evalEvery: 200, finished: true };

test('a log_history array: training and evaluation entries of a step are one row, as in trainer_state.json', async () => {
  const dir = tempDir('json-array');
  const array = await readOne(writeAt(dir, 'log_history.json', pythonJson(logHistory(RUN))));
  const state = await readOne(writeAt(dir, 'trainer_state.json', trainerState(RUN)));
  assert.equal(array.format, 'json');
  assert.equal(array.rowCount, state.rowCount, 'one row per step, as trainer_state.json');
  assert.equal(array.rowCount, 200);
  // Every evaluation loss sits on a row with the step's learning rate and training loss.
  const evalLoss = column(array, 'eval_loss').values;
  const lr = column(array, 'learning_rate').values;
  let evaluated = 0;
  for (let r = 0; r < array.rowCount; r++)
    if (!Number.isNaN(evalLoss[r])) {
      evaluated++;
      assert.ok(!Number.isNaN(lr[r]), `row ${r}: eval_loss without a learning rate`);
    }
  assert.equal(evaluated, 10);
  for (const name of ['step', 'loss', 'learning_rate', 'eval_loss', 'epoch'])
    assert.deepEqual(Array.from(column(array, name).values), Array.from(column(state, name).values), name);
  const note = array.problems.find((p) => p.code === 'rows-joined');
  assert.ok(note, 'a note says what was joined');
  assert.equal(note.severity, 'info');
  assert.match(note.message, /11 record\(s\) share their step/);
  assert.match(note.message, /step 200: "eval_loss", "eval_runtime", "eval_samples_per_second" beside/);
  assert.match(note.message, /\(211 records, 200 steps\)/);
  // The note's line is the first joined record's (its opening brace).
  assert.equal(pythonJson(logHistory(RUN)).split('\n')[note.line - 1].trim(), '{');
  // The fit sees the evaluation losses with their learning rates, as from trainer_state.json.
  const fits = await analyseFiles([join(dir, 'log_history.json')], { law: 'lr-annealing', bootstrapSamples: 0 });
  const fromState = await analyseFiles([join(dir, 'trainer_state.json')], { law: 'lr-annealing', bootstrapSamples: 0 });
  assert.equal(fits.fits[0].points, fromState.fits[0].points);
  assert.equal(fits.fits[0].points, 10);
});

test('records of several runs sharing steps, with a run column, keep their rows', async () => {
  const records = ['cosine', 'wsd'].flatMap((run) =>
    [10, 20, 30].map((step) => (run === 'wsd' && step === 20 ? { run, step, eval_loss: 3 } : { run, step, loss: 3 })),
  );
  const table = await readOne(writeAt(tempDir('json-array'), 'runs.json', JSON.stringify(records)));
  assert.equal(table.rowCount, 6);
  assert.ok(!table.problems.some((p) => p.code === 'rows-joined'));
});

test('a step logged twice with different values (a resumed run) keeps its rows; so do records without a step', async () => {
  const relogged = [
    { step: 10, loss: 3.1 },
    { step: 20, loss: 3.0 },
    { step: 20, loss: 2.95 },
    { step: 20, eval_loss: 3.2 },
  ];
  const table = await readOne(writeAt(tempDir('json-array'), 'resumed.json', JSON.stringify(relogged)));
  assert.equal(table.rowCount, 4);
  assert.ok(!table.problems.some((p) => p.code === 'rows-joined'));
  const stepless = [{ step: 10, loss: 3.1 }, { step: 10, eval_loss: 3.2 }, { loss: 3 }];
  const other = await readOne(writeAt(tempDir('json-array'), 'stepless.json', JSON.stringify(stepless)));
  assert.equal(other.rowCount, 3);
});

test('a record repeated at its step logs no other key: the rows are kept as read', async () => {
  const repeated = [1, 2, 3].map(() => ({ step: 1, loss: 2 }));
  const table = await readOne(writeAt(tempDir('json-array'), 'repeated.json', JSON.stringify(repeated)));
  assert.equal(table.rowCount, 3);
  assert.ok(!table.problems.some((p) => p.code === 'rows-joined'));
});
