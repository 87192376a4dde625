// Hugging Face trainer_state.json: log_history's training and evaluation entries on one step axis, max_steps as the
// schedule's end, Python's bare NaN read, and an output_dir with checkpoint-N/ copies as one run read from its latest
// copy. Bad input: an empty log_history, a document cut short, 1,270 entries giving rows and no warning per line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSources } from '../../../src/core/sources';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import { detectRoles } from '../../../src/core/table';
import { logHistory, outputDir, tempDir, trainerState, writeAt } from '../../helpers/jsonRuns';
import { LUO, skipUnless } from '../../helpers/shared';
import { readOne } from '../../helpers/sourceTables';
import { column } from '../table/helpers';

test('training and evaluation entries are columns on one step axis; the summary entry is left out', async () => {
  const run = { globalStep: 1000, maxSteps: 2000, logging: 50, evalEvery: 250, finished: true };
  const path = writeAt(tempDir('state'), 'out/trainer_state.json', trainerState(run));
  const table = await readOne(path);
  assert.equal(table.format, 'hf-trainer-state');
  assert.equal(table.run, 'out');
  assert.equal(table.rowCount, 20);
  assert.deepEqual(Array.from(column(table, 'step').values.subarray(0, 3)), [50, 100, 150]);
  assert.equal(column(table, 'loss').numericCount, 20);
  assert.equal(column(table, 'eval_loss').numericCount, 4);
  assert.ok(!table.columns.some((c) => c.name === 'train_runtime' || c.name === 'total_flos'));
  // Row 5 is step 250: its eval entry's line is later than its training entry's, the row keeps the first.
  const text = readFileSync(path, 'utf8').split('\n');
  assert.match(text[table.lines[4] - 1], /^\s+\{$/);
  assert.equal(column(table, 'eval_loss').values[4], 2.5 + 3 / Math.sqrt(250) + 0.1);
  const roles = detectRoles(table);
  assert.equal(roles.kind, 'loss-curve');
  assert.equal(table.columns[roles.roles.lr!].name, 'learning_rate');
});

test('max_steps is where the schedule ends: on the table, and said', async () => {
  const table = await readOne(
    writeAt(tempDir('state'), 'trainer_state.json', trainerState({ globalStep: 400, maxSteps: 5000, logging: 25 })),
  );
  assert.equal(table.hints?.maxSteps, 5000);
  const said = table.problems.find((p) => p.code === 'run-hints');
  assert.ok(said);
  assert.match(said.message, /ends at step 5000 \(max_steps\).*step 400 of 5000/);
});

test("Python's bare NaN, Infinity and -Infinity are read as numbers (a diverged loss)", async () => {
  const run = { globalStep: 200, maxSteps: 200, logging: 50 };
  const history = logHistory(run);
  history[1].loss = NaN;
  history[2].grad_norm = Infinity;
  history[3].grad_norm = -Infinity;
  const table = await readOne(writeAt(tempDir('state'), 'trainer_state.json', trainerState(run, history)));
  assert.ok(Number.isNaN(column(table, 'loss').values[1]));
  assert.equal(column(table, 'loss').text?.dictionary[0], 'NaN');
  assert.equal(column(table, 'grad_norm').values[2], Infinity);
  assert.equal(column(table, 'grad_norm').values[3], -Infinity);
  assert.equal(table.problemCount, 1, table.problems.map((p) => p.message).join('\n')); // the run-hints note only
});

test('1,270 log_history entries give 1,270 rows, not a warning per line', async () => {
  const run = { globalStep: 1270 * 10, maxSteps: 20000, logging: 10 };
  const table = await readOne(writeAt(tempDir('state'), 'trainer_state.json', trainerState(run)));
  assert.equal(table.rowCount, 1270);
  assert.ok(!table.problems.some((p) => p.severity !== 'info'), table.problems.map((p) => p.message).join('\n'));
});

test('an empty log_history says the run has not logged yet, and gives no rows', async () => {
  const table = await readOne(
    writeAt(tempDir('state'), 'trainer_state.json', trainerState({ globalStep: 0, maxSteps: 1000, logging: 50 }, [])),
  );
  assert.equal(table.rowCount, 0);
  const empty = table.problems.find((p) => p.code === 'log-history');
  assert.ok(empty);
  assert.match(empty.message, /log_history is empty.*every 50 steps/);
  assert.equal(table.hints?.maxSteps, 1000);
});

test('a state cut short while written: the entries before the cut are read, the cut located', async () => {
  const text = trainerState({ globalStep: 500, maxSteps: 1000, logging: 10 });
  const cut = text.slice(0, Math.floor(text.length * 0.6));
  const path = writeAt(tempDir('state'), 'trainer_state.json', cut);
  const table = await readOne(path);
  const lines = cut.split('\n');
  const problem = table.problems.find((p) => p.code === 'json-invalid');
  assert.ok(problem);
  assert.equal(problem.severity, 'warning');
  assert.equal(problem.line, lines.length);
  assert.equal(problem.column, lines[lines.length - 1].length + 1);
  assert.match(
    problem.message,
    new RegExp(`cut short at line ${lines.length}, column \\d+ .*the \\d+ log_history entries before it are read`),
  );
  // Every whole entry before the cut is a row.
  const whole = (cut.match(/"step": \d+\n\s+\}/g) ?? []).length;
  assert.ok(whole > 20);
  assert.equal(table.rowCount, whole);
});

test('an output_dir with checkpoint-N copies is one run in a folder scan, read from the latest copy', async () => {
  const run = { globalStep: 900, maxSteps: 1000, logging: 10 };
  for (const withRoot of [true, false]) {
    const dir = outputDir(run, 300, withRoot);
    const { tables, problems } = await readSources([dir]);
    assert.equal(tables.length, 1, tables.map((t) => t.file).join(', '));
    const [table] = tables;
    assert.equal(table.rowCount, 90);
    assert.equal(table.file, join(dir, withRoot ? '' : 'checkpoint-900', 'trainer_state.json'));
    assert.ok(table.hints?.notes.some((n) => /copies of trainer_state.json.*largest global_step/.test(n)));
    assert.ok(!problems.some((p) => p.severity !== 'info'));
  }
});

test('a copy whose global_step (or checkpoint-N) is no step count does not outrank the copies that hold the history', async () => {
  // A corrupt early copy claiming global_step 1e25 was read in place of the output_dir's own: 30 rows of 90.
  const run = { globalStep: 900, maxSteps: 1000, logging: 10 };
  const dir = outputDir(run, 300, true);
  const early = join(dir, 'checkpoint-300', 'trainer_state.json');
  const text = readFileSync(early, 'utf8');
  assert.match(text, /"global_step": 300,/);
  writeFileSync(early, text.replace('"global_step": 300,', '"global_step": 1e25,'));
  // Nor does a checkpoint-N whose N is past 2^53, its state without a global_step.
  writeAt(dir, 'checkpoint-99999999999999999999999/trainer_state.json', text.replace('"global_step": 300,', ''));
  const { tables } = await readSources([dir]);
  assert.equal(tables.length, 1);
  assert.equal(tables[0].file, join(dir, 'trainer_state.json'));
  assert.equal(tables[0].rowCount, 90);
});

test('a folder of two output_dirs and config JSON: two runs, the configs skipped, fitted together', async () => {
  const root = tempDir('runs');
  for (const [name, maxSteps] of [
    ['cosine', 1000],
    ['long', 3000],
  ] as const) {
    const run = { globalStep: 900, maxSteps, logging: 10 };
    writeAt(root, `${name}/trainer_state.json`, trainerState(run));
    writeAt(root, `${name}/checkpoint-500/trainer_state.json`, trainerState({ ...run, globalStep: 500 }));
  }
  writeAt(root, 'config.json', JSON.stringify({ architectures: ['GPT2'], n_layer: 2 }));
  writeAt(root, 'tokenizer.json', JSON.stringify({ version: '1.0', model: { vocab: { a: 1 } } }));
  const { tables, problems } = await readSources([root]);
  assert.deepEqual(tables.map((t) => t.run).sort(), ['cosine', 'long']);
  assert.ok(problems.some((p) => p.code === 'source-skipped' && /config\.json/.test(p.message)));
  const analysis = await analyseFiles([root], { fitOn: ['cosine', 'long'], bootstrapSamples: 5 });
  assert.deepEqual(analysis.curves.map((c) => c.name).sort(), ['cosine', 'long']);
});

test('a trainer_state.json of a public curve gives the curve its CSV gives', { skip: skipUnless(LUO) }, async () => {
  const csv = readFileSync(join(LUO, 'csv_25', 'cosine_24000.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  const history = csv.map((line) => {
    const [step, lr, loss] = line.split(',').map(Number);
    return { epoch: step / 24000, learning_rate: lr, loss, step };
  });
  const path = writeAt(
    tempDir('luo'),
    'cosine/trainer_state.json',
    trainerState({ globalStep: 24000, maxSteps: 24000, logging: 128 }, history),
  );
  const [fromJson, fromCsv] = await Promise.all([
    analyseFiles([path], { bootstrapSamples: 0 }),
    analyseFiles([join(LUO, 'csv_25', 'cosine_24000.csv')], { bootstrapSamples: 0 }),
  ]);
  assert.equal(fromCsv.curves[0].points.x.length, csv.length);
  assert.deepEqual(fromJson.curves[0].points.x, fromCsv.curves[0].points.x);
  assert.deepEqual(fromJson.curves[0].points.observed, fromCsv.curves[0].points.observed);
  assert.ok(Number.isFinite(fromCsv.fits[0].params.L0));
  assert.deepEqual(fromJson.fits[0].params, fromCsv.fits[0].params);
});

test('a run still training is predicted at the end of its schedule (max_steps) unless targets are given', async () => {
  const path = writeAt(
    tempDir('state'),
    'run/trainer_state.json',
    trainerState({ globalStep: 1500, maxSteps: 6000, logging: 25 }),
  );
  const analysis = await analyseFiles([path], { bootstrapSamples: 0 });
  assert.deepEqual(
    analysis.predictions.map((p) => p.step),
    [6000],
  );
  assert.match(analysis.predictions[0].reason, /end of the run's schedule/);
  const configured = await analyseFiles([path], { bootstrapSamples: 0, predictSteps: [2000] });
  assert.deepEqual(
    configured.predictions.map((p) => p.step),
    [2000],
  );
  // A finished run (max_steps reached) keeps the usual target: twice the last step.
  const done = writeAt(
    tempDir('state'),
    'run/trainer_state.json',
    trainerState({ globalStep: 1500, maxSteps: 1500, logging: 25 }),
  );
  const finished = (await analyseFiles([done], { bootstrapSamples: 0 })).predictions;
  assert.deepEqual(
    finished.map((p) => p.step),
    [3000],
  );
  // Its reason says the plan was reached, not missed.
  assert.match(finished[0].reason, /^twice the last logged step \(the run has reached step 1500, the max steps/);
});

test('recognised by log_history, not by the name alone: a small trainer_state.json without it says what it holds', async () => {
  const path = writeAt(tempDir('state'), 'trainer_state.json', '{"global_step": 10, "max_steps": 100}');
  const table = await readOne(path);
  assert.equal(table.format, 'json');
  assert.ok(
    table.problems.some(
      (p) => p.code === 'json-shape' && /2 scalar key\(s\) \("global_step", "max_steps"\)/.test(p.message),
    ),
  );
  // Renamed, a state is still one by its content.
  const renamed = await readOne(
    writeAt(tempDir('state'), 'state-copy.json', trainerState({ globalStep: 100, maxSteps: 100, logging: 10 })),
  );
  assert.equal(renamed.format, 'hf-trainer-state');
  assert.equal(renamed.rowCount, 10);
});

// A public seq2seq fine-tune logged trainer.predict() results (predict_loss, predict_rouge-1, ...) into log_history
// without a step, once per epoch, and saved it with Windows line ends.
test('entries without a step are left out with a warning naming what they hold; CRLF line ends read alike', async () => {
  const run = { globalStep: 300, maxSteps: 300, logging: 50, finished: true };
  const history = logHistory(run);
  history.splice(2, 0, { epoch: 1, predict_loss: 0.64, predict_runtime: 2766.9 });
  history.splice(5, 0, { epoch: 2, predict_loss: 0.53, predict_runtime: 3794.5 });
  const path = writeAt(tempDir('state'), 'out/trainer_state.json', trainerState(run, history).replace(/\n/g, '\r\n'));
  const table = await readOne(path);
  assert.equal(column(table, 'loss').numericCount, 6);
  assert.ok(!table.columns.some((c) => c.name === 'predict_loss'));
  const warning = table.problems.find((p) => p.code === 'log-history');
  assert.equal(warning?.severity, 'warning');
  assert.match(
    warning?.message ?? '',
    /2 log_history entries have no numeric "step" \(the first at line \d+, holding "epoch", "predict_loss", "predict_runtime"\)/,
  );
});

// A state rewritten by a tool that stringifies numbers: its values were read as numbers, its steps were not, so
// every entry was dropped as having no numeric step.
test('numbers written as text ("100") are read alike in the step and in the values', async () => {
  const run = { globalStep: 300, maxSteps: 300, logging: 50 };
  const history = logHistory(run).map((entry) =>
    Object.fromEntries(Object.entries(entry).map(([key, value]) => [key, String(value)])),
  );
  history[2].step = 'NaN';
  const table = await readOne(writeAt(tempDir('state'), 'trainer_state.json', trainerState(run, history)));
  assert.deepEqual(Array.from(column(table, 'step').values), [50, 100, 200, 250, 300]);
  assert.equal(column(table, 'loss').numericCount, 5);
  assert.match(table.problems.find((p) => p.code === 'log-history')?.message ?? '', /^1 log_history entry has no/);
});

test('a max_steps that is no whole step count (1e300, 2.5) is no schedule end, as in every other run config', async () => {
  for (const maxSteps of [1e300, 2.5]) {
    const run = { globalStep: 300, maxSteps, logging: 50 };
    const table = await readOne(writeAt(tempDir('state'), 'trainer_state.json', trainerState(run)));
    assert.equal(table.hints?.maxSteps, undefined, String(maxSteps));
  }
});
