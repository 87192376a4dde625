// The Select Columns picker's samples of a run folder or a file: read from the head of each file, not the whole run (a
// 2M-row run read whole held the server's thread for seconds), so a run of any size gets its first values at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { join } from 'node:path';
import { columnSamples } from '../../src/server/samples';
import { formatNumber } from '../../src/core/util/format';
import { scratchDir } from '../helpers/scratch';
import { cosineLr, lawCurve, writeMetricRuns } from '../helpers/frameworkRuns';
import { EventFileWriter, tfrecord, writeCurveRun } from '../helpers/eventWriter';

const POINTS = lawCurve(cosineLr(60000), 60000, 10);
const first = (key: 'step' | 'loss' | 'lr') => POINTS.slice(0, 3).map((p) => formatNumber(p[key], 6));
/** The samples of the step, loss and LR columns: their first three values. */
const FIRST_VALUES = [first('step'), first('loss'), first('lr')];

test("a run folder's samples are its files' first values, read from their heads only", async () => {
  const workspace = scratchDir('scaling-lens-samples-');
  const runId = 'beef'.padEnd(32, '0');
  writeMetricRuns(workspace, runId, POINTS);
  const dvclive = join(workspace, 'dvclive');
  const mlflow = join(workspace, 'mlruns', '1', runId);
  // DVCLive's lr.tsv past the 4 GiB a whole read refuses (a sparse tail): its head still has the first values.
  const lr = join(dvclive, 'plots', 'metrics', 'lr.tsv');
  truncateSync(lr, 5 * 1024 ** 3);
  assert.deepEqual(await columnSamples(dvclive, true, undefined, ['step', 'train/loss', 'lr']), FIRST_VALUES);
  // MLflow's loss file logs step 1 again at its end (a run resumed from an early checkpoint), far past its head: the
  // samples are the file's first records, as the picker shows them, not what the whole run's join put first.
  const loss = join(mlflow, 'metrics', 'loss');
  assert.ok(statSync(loss).size > 64 * 1024);
  appendFileSync(loss, `1721460000000 9.5 1\n`);
  assert.deepEqual(await columnSamples(mlflow, true, undefined, ['step', 'loss', 'lr']), FIRST_VALUES);
});

test("a TensorBoard run folder's samples, or its event file's named itself, are the file's first records, not the whole file's", async () => {
  const run = join(scratchDir('scaling-lens-samples-'), 'tb');
  const [events] = writeCurveRun(run, POINTS);
  // Step 1 logged again at the file's end (a run resumed from an early checkpoint), far past its head: a whole read
  // puts the resumed value first, the picker shows the file's first records.
  assert.ok(statSync(events).size > 64 * 1024);
  appendFileSync(events, tfrecord(new EventFileWriter(false).scalar('train/loss', 1, 9.5).events[0]));
  assert.deepEqual(await columnSamples(run, true, undefined, ['step', 'train/loss', 'train/lr']), FIRST_VALUES);
  assert.deepEqual(await columnSamples(events, true, undefined, ['step', 'train/loss', 'train/lr']), FIRST_VALUES);
});

test("a Hugging Face output folder's samples, or its trainer_state.json's named itself, are its first entries, read from its head only", async () => {
  const run = join(scratchDir('scaling-lens-samples-'), 'out');
  mkdirSync(run);
  const entries = POINTS.map((p) => JSON.stringify({ learning_rate: p.lr, loss: p.loss, step: p.step }));
  // Past the 4 GiB limit a whole read refuses (a sparse tail): the head still has the first entries.
  const state = join(run, 'trainer_state.json');
  const text = `{"log_history": [\n${entries.join(',\n')}\n]}\n`;
  writeFileSync(state, text);
  truncateSync(state, 5 * 1024 ** 3);
  assert.deepEqual(await columnSamples(run, true, undefined, ['step', 'loss', 'learning_rate']), FIRST_VALUES);
  // ...and the document named itself, read by the reader its fit uses (the text reader reads no trainer state).
  assert.deepEqual(await columnSamples(state, true, undefined, ['step', 'loss', 'learning_rate']), FIRST_VALUES);
  // Open in the editor too: its fit reads it from disk (the text reader reads no JSON document), as its samples do.
  const open = TextDocument.create(`file://${state}`, 'json', 1, text);
  assert.deepEqual(await columnSamples(state, true, open, ['step', 'loss', 'learning_rate']), FIRST_VALUES);
});

test('a CSV or JSON Lines metric file given itself: its samples are read from its head only', async () => {
  const dir = scratchDir('scaling-lens-samples-');
  const csv = join(dir, 'log.csv');
  writeFileSync(csv, ['step,loss,lr', ...POINTS.map((p) => `${p.step},${p.loss},${p.lr}`)].join('\n') + '\n');
  const jsonl = join(dir, 'log.jsonl');
  writeFileSync(jsonl, POINTS.map((p) => JSON.stringify(p)).join('\n') + '\n');
  // Past the 4 GiB a whole read refuses (a sparse tail): the head still has the first values.
  for (const file of [csv, jsonl]) {
    truncateSync(file, 5 * 1024 ** 3);
    assert.deepEqual(await columnSamples(file, true, undefined, ['step', 'loss', 'lr']), FIRST_VALUES, file);
  }
});
