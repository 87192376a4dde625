// MLflow's file store: a run folder named by its run name, experiments and mlruns/ as sets of runs, deleted runs left
// out, a constant LR param and step-less metrics said so, mlflow.db refused with the exports to use, and bad input
// (corrupt meta.yaml, a bad metric line, an unreadable file, a run without scalars) reported, never thrown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSources, runOfPart } from '../../../src/core/sources';
import { mlflowSource, parseMetricLine } from '../../../src/core/sources/mlflow';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import { detectRoles } from '../../../src/core/table/roles';
import type { Table } from '../../../src/core/table/types';
import {
  constantLr,
  cosineLr,
  lawCurve,
  mlflowLines,
  writeMlflowExperiment,
  writeMlflowRun,
  type RunPoint,
} from '../../helpers/frameworkRuns';
import { scratchDir } from '../../helpers/scratch';

const tmp = (): string => scratchDir('sl-mlflow-');
const id = (c: string): string => c.repeat(32);
const values = (t: Table, name: string): (number | null)[] => {
  const c = t.columns.find((x) => x.name === name);
  assert.ok(c, `column ${name} in ${t.columns.map((x) => x.name).join(', ')}`);
  return Array.from(c.values, (v) => (Number.isNaN(v) ? null : v));
};
const loss = (points: readonly RunPoint[]) => mlflowLines(points.map((p) => ({ step: p.step, value: p.loss })));
const lr = (points: readonly RunPoint[]) => mlflowLines(points.map((p) => ({ step: p.step, value: p.lr })));

test('a run folder is one run named by its meta.yaml name; keys with / are sub-folders; the later value of a step wins', async () => {
  const exp = writeMlflowExperiment(tmp(), '1', 'sweep');
  const run = writeMlflowRun(exp, id('a'), {
    name: 'cosine-24k',
    metrics: {
      'train/loss': '1000 3.0 10\n2000 2.9 20\n3000 2.8 20\n',
      'eval/loss': '1500 3.1 20\n',
      lr: '1000 0.001 10\n2000 0.0009 20\n',
    },
  });
  const { tables } = await readSources([run]);
  assert.equal(tables.length, 1);
  const t = tables[0];
  assert.equal(t.format, 'mlflow');
  assert.equal(t.run, 'cosine-24k');
  assert.equal(t.file, run);
  assert.deepEqual(values(t, 'step'), [10, 20]);
  assert.deepEqual(values(t, 'train/loss'), [3.0, 2.8]);
  assert.deepEqual(values(t, 'eval/loss'), [null, 3.1]);
  const roles = detectRoles(t).roles;
  assert.equal(t.columns[roles.loss as number].name, 'eval/loss');
  assert.equal(t.columns[roles.lr as number].name, 'lr');
  assert.ok(!t.problems.some((p) => p.severity !== 'info'), JSON.stringify(t.problems));
});

test('an experiment holds its runs by name; deleted runs are left out with a note; equal names are told apart', async () => {
  const exp = writeMlflowExperiment(tmp(), '7', 'lr-sweep');
  const curve = lawCurve(constantLr, 1000, 100);
  writeMlflowRun(exp, id('a'), { name: 'base', metrics: { loss: loss(curve), lr: lr(curve) } });
  writeMlflowRun(exp, id('b'), { name: 'base', metrics: { loss: loss(curve), lr: lr(curve) } });
  writeMlflowRun(exp, id('c'), { name: 'tried', deleted: true, metrics: { loss: loss(curve) } });
  writeMlflowRun(exp, id('d'), { metrics: { loss: loss(curve) } });
  const { tables, problems } = await readSources([exp]);
  assert.deepEqual(tables.map((t) => t.run).sort(), ['base-aaaaaaaa', 'base-bbbbbbbb', id('d')]);
  const notes = tables.flatMap((t) => t.problems).filter((p) => p.code === 'mlflow-run-deleted');
  assert.equal(notes.length, 1);
  assert.match(notes[0].message, /1 run\(s\) marked deleted in MLflow are left out \("tried"\)/);
  assert.deepEqual(problems, []);
});

test('mlruns/ holds experiments: runs named <experiment>/<run>, the trash left alone; found by a folder scan too', async () => {
  const root = tmp();
  const store = join(root, 'mlruns');
  const curve = lawCurve(constantLr, 1000, 100);
  writeMlflowRun(writeMlflowExperiment(store, '0', 'Default'), id('a'), {
    name: 'first',
    metrics: { loss: loss(curve) },
  });
  writeMlflowRun(writeMlflowExperiment(store, '12', 'sizes'), id('b'), { name: 'big', metrics: { loss: loss(curve) } });
  writeMlflowRun(writeMlflowExperiment(join(store, '.trash'), '3', 'old'), id('c'), { name: 'x', metrics: {} });
  mkdirSync(join(store, 'models'));
  assert.deepEqual(
    (await readSources([store])).tables.map((t) => t.run),
    ['Default/first', 'sizes/big'],
  );
  const scanned = await readSources([root]);
  assert.deepEqual(
    scanned.tables.map((t) => t.run),
    ['mlruns/Default/first', 'mlruns/sizes/big'],
  );
});

test('a constant learning rate given only as a param becomes the LR column, said so; an LR metric wins over it', async () => {
  const exp = writeMlflowExperiment(tmp(), '1', 'e');
  const curve = lawCurve(constantLr, 1000, 100);
  const only = writeMlflowRun(exp, id('a'), {
    name: 'param-lr',
    metrics: { 'train/loss': loss(curve) },
    params: { learning_rate: '3e-4\n', max_steps: '1000', warmup_steps: '50', lr_scheduler_type: 'constant' },
  });
  const both = writeMlflowRun(exp, id('b'), {
    name: 'metric-lr',
    metrics: { 'train/loss': loss(curve), 'opt/lr': lr(curve) },
    params: { learning_rate: '0.1' },
  });
  const [a] = (await readSources([only])).tables;
  assert.deepEqual(values(a, 'learning_rate'), Array(10).fill(3e-4));
  assert.equal(a.columns[detectRoles(a).roles.lr as number].name, 'learning_rate');
  const said = a.problems.find((p) => p.code === 'mlflow-lr-param');
  assert.match(said?.message ?? '', /param learning_rate = 0.0003 is taken as a constant learning rate/);
  assert.deepEqual(a.hints, {
    maxSteps: 1000,
    warmupSteps: 50,
    notes: ['lr_scheduler_type: constant', 'learning_rate: 3e-4'],
  });
  assert.ok(a.problems.some((p) => p.code === 'run-hints' && /MLflow params/.test(p.message)));
  const [b] = (await readSources([both])).tables;
  assert.ok(!b.columns.some((c) => c.name === 'learning_rate'));
  assert.ok(!b.problems.some((p) => p.code === 'mlflow-lr-param'));
});

test('metrics logged without steps are ordered by timestamp and numbered, said so', async () => {
  const exp = writeMlflowExperiment(tmp(), '1', 'e');
  const run = writeMlflowRun(exp, id('a'), {
    name: 'stepless',
    // Written out of time order (two writers), every step 0.
    metrics: { loss: '3000 2.8 0\n1000 3.0 0\n2000 2.9 0\n', lr: '1001 1e-3 0\n2001 1e-3 0\n3001 5e-4 0\n' },
  });
  const [t] = (await readSources([run])).tables;
  assert.deepEqual(values(t, 'step'), [1, 2, 3]);
  assert.deepEqual(values(t, 'loss'), [3.0, 2.9, 2.8]);
  assert.deepEqual(values(t, 'lr'), [1e-3, 1e-3, 5e-4]);
  const note = t.problems.find((p) => p.code === 'mlflow-steps-missing');
  assert.match(
    note?.message ?? '',
    /"loss", "lr" logged no step \(every step 0\): their values are ordered by timestamp/,
  );
});

test('a bad metric line is reported with its file, line and column; the rest of the file is read', async () => {
  const exp = writeMlflowExperiment(tmp(), '1', 'e');
  const run = writeMlflowRun(exp, id('a'), {
    name: 'r',
    metrics: { 'train/loss': '1000 3.0 1\n2000 abc 2\n\n3000 2.8 3 9\n4000 nan 4\n5000 2.6 5.5\n6000 2.5 6\n' },
  });
  const [t] = (await readSources([run])).tables;
  assert.deepEqual(values(t, 'step'), [1, 4, 6]);
  assert.deepEqual(values(t, 'train/loss'), [3.0, null, 2.5]);
  const bad = t.problems.filter((p) => p.code === 'metric-line-invalid');
  assert.deepEqual(
    bad.map((p) => [p.line, p.column]),
    [
      [2, 6],
      [4, 12],
      [6, 10],
    ],
  );
  const file = join(run, 'metrics', 'train', 'loss');
  assert.ok(bad.every((p) => p.file === file));
  // The file, line and column are the finding's: its message does not say them again.
  assert.equal(bad[0].message, 'the value "abc" is not a number; the line is left out');
  assert.match(bad[1].message, /found 4 field\(s\)/);
  assert.match(bad[2].message, /the step "5.5" is not a whole number/);
});

test('a line too long to be a value (a binary file among the metrics) is left out unkept; a last line without its newline waits', async () => {
  const exp = writeMlflowExperiment(tmp(), '1', 'e');
  const run = writeMlflowRun(exp, id('a'), {
    name: 'r',
    metrics: { loss: `1 3.0 1\n${'\u0000x'.repeat(50_000)}\n3 2.8 3\n4 2.7 4\n5 2.` },
  });
  const [t] = (await readSources([run])).tables;
  assert.deepEqual(values(t, 'step'), [1, 3, 4]);
  const long = t.problems.find((p) => p.code === 'metric-line-invalid');
  assert.equal(long?.line, 2);
  assert.match(long.message, /^over 4096 bytes, not a metric line/);
  writeFileSync(join(run, 'metrics', 'loss'), '1 3.0 1\n3 2.8 3\n4 2.7 4\n5 2.6 5\n');
  const [later] = (await readSources([run])).tables;
  assert.deepEqual(values(later, 'step'), [1, 3, 4, 5]);
});

test('metric lines: two fields (early MLflow, step 0), nan and inf values, negative or fractional steps refused', () => {
  assert.deepEqual(parseMetricLine('1700000000000 2.5'), { timestamp: 1700000000000, value: 2.5, step: 0 });
  assert.ok(Number.isNaN((parseMetricLine('1 nan 3') as { value: number }).value));
  assert.equal((parseMetricLine('1 -inf 3') as { value: number }).value, -Infinity);
  assert.deepEqual(parseMetricLine('1 2.5 -1'), { error: 'the step "-1" is not a whole number', column: 7 });
  assert.deepEqual(parseMetricLine('x 2.5 1'), { error: 'the timestamp "x" is not a number', column: 1 });
  assert.equal((parseMetricLine('1 2.5M 1') as { column: number }).column, 3, 'no unit suffixes in MLflow values');
});

test('a corrupt meta.yaml is a warning with its line and column; the run is read and named by its id', async () => {
  const exp = writeMlflowExperiment(tmp(), '1', 'e');
  const run = writeMlflowRun(exp, id('a'), {
    meta: 'run_name: [unclosed\nlifecycle_stage: active\n',
    metrics: { loss: '1 3.0 1\n2 2.9 2\n' },
  });
  const [t] = (await readSources([exp])).tables;
  assert.equal(t.run, id('a'));
  assert.equal(t.rowCount, 2);
  const warning = t.problems.find((p) => p.code === 'run-config-invalid');
  assert.ok(warning, JSON.stringify(t.problems));
  assert.match(warning.message, /meta\.yaml, line \d+, column \d+: not valid YAML/);
  assert.ok(warning.message.startsWith(join(run, 'meta.yaml')));
});

test('a run folder without any scalar says so; an unreadable metric file is an error naming it, the rest read', async () => {
  const exp = writeMlflowExperiment(tmp(), '1', 'e');
  const empty = writeMlflowRun(exp, id('a'), { name: 'nothing-yet' });
  const [e] = (await readSources([empty])).tables;
  assert.equal(e.rowCount, 0);
  assert.ok(e.problems.some((p) => p.code === 'no-data-rows' && p.severity === 'info'));
  const partly = writeMlflowRun(exp, id('b'), { name: 'partly', metrics: { loss: '1 3.0 1\n2 2.9 2\n' } });
  symlinkSync(join(exp, 'gone'), join(partly, 'metrics', 'lr'));
  const [p] = (await readSources([partly])).tables;
  assert.deepEqual(values(p, 'loss'), [3.0, 2.9]);
  const unreadable = p.problems.find((x) => x.code === 'file-unreadable');
  assert.ok(unreadable);
  assert.equal(unreadable.file, join(partly, 'metrics', 'lr'));
  assert.match(unreadable.message, /does not exist/);
});

test('mlflow.db is recognised by name and content and refused with the exports to use; other .db files are not', async () => {
  const dir = tmp();
  const db = join(dir, 'mlflow.db');
  writeFileSync(db, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(100)]));
  const probe = (name: string, head: Buffer) =>
    mlflowSource.recognise({ path: name, name, isDirectory: false, head, entries: [], scanned: true });
  assert.ok(probe('mlflow.db', Buffer.from('SQLite format 3\0')));
  assert.ok(!probe('other.db', Buffer.from('SQLite format 3\0')));
  assert.ok(!probe('mlflow.db', Buffer.from('not a database')));
  const [t] = (await readSources([db])).tables;
  assert.equal(t.format, 'mlflow');
  const error = t.problems.find((p) => p.code === 'mlflow-db');
  assert.equal(error?.severity, 'error');
  assert.match(error.message, /file store \(MLFLOW_TRACKING_URI=file:\.\/mlruns\).*Download CSV/);
});

test('fit on an experiment: two runs fitted, the third predicted, the constant-LR param run included', async () => {
  const exp = writeMlflowExperiment(tmp(), '1', 'sweep');
  const c = lawCurve(constantLr);
  const k = lawCurve(cosineLr(6000));
  const short = lawCurve(cosineLr(4000), 4000);
  writeMlflowRun(exp, id('a'), { name: 'constant', metrics: { loss: loss(c) }, params: { lr: '0.0003' } });
  writeMlflowRun(exp, id('b'), { name: 'cosine', metrics: { loss: loss(k), lr: lr(k) } });
  writeMlflowRun(exp, id('c'), { name: 'cosine-short', metrics: { loss: loss(short), lr: lr(short) } });
  const analysis = await analyseFiles([exp], {
    law: 'lr-annealing',
    fitOn: ['constant', 'cosine'],
    bootstrapSamples: 0,
  });
  const fit = analysis.fits[0];
  assert.ok(fit, JSON.stringify(analysis.findings.map((f) => f.message)));
  assert.ok(
    Math.abs(fit.params.L0 - 2.5) < 0.01 && Math.abs(fit.params.alpha - 0.5) < 0.01,
    JSON.stringify(fit.params),
  );
  const heldout = analysis.curves.find((x) => x.name === 'cosine-short');
  assert.equal(heldout?.role, 'heldout');
  assert.ok(heldout.metrics !== undefined && heldout.metrics.predE < 0.001);
});

test('a store without a run (fresh, or runs copied in under other names) says so instead of giving nothing', async () => {
  const store = join(tmp(), 'mlruns');
  writeMlflowExperiment(store, '0', 'Default');
  writeMlflowRun(writeMlflowExperiment(store, '1', 'copied'), 'baseline', { metrics: { loss: '1 3.0 1\n' } });
  const { tables } = await readSources([store]);
  assert.equal(tables.length, 1);
  const note = tables[0].problems.find((p) => p.code === 'no-data-rows');
  assert.match(note?.message ?? JSON.stringify(tables[0].problems), /no MLflow run was found in .*32-hex-digit run id/);
  assert.equal((await readSources([join(store, '1', 'baseline')])).tables[0].rowCount, 1, 'the run folder itself');
});

test('a metric file is a part of its MLflow run folder, its key as the run names it (a nested key with /)', async () => {
  const run = join('/data', 'mlruns', '3', id('c'));
  assert.deepEqual(await runOfPart(join(run, 'metrics', 'loss')), { run, format: 'mlflow', metric: 'loss' });
  assert.deepEqual(await runOfPart(join(run, 'metrics', 'train', 'loss')), {
    run,
    format: 'mlflow',
    metric: 'train/loss',
  });
  assert.equal(await runOfPart(join(run, 'params', 'lr')), null);
  assert.equal(await runOfPart(join('/data', 'mlruns', '3', 'not-a-run-id', 'metrics', 'loss')), null);
});

test("a record at step 0 (a two-field line of early MLflow) is said in its metric file, not at the run folder's line", async () => {
  const exp = writeMlflowExperiment(tmp(), '1', 'sweep');
  const k = lawCurve(cosineLr(6000));
  const run = writeMlflowRun(exp, id('d'), {
    name: 'cosine',
    metrics: { loss: `1721450800000 9.5\n${loss(k)}`, lr: lr(k) },
  });
  const analysis = await analyseFiles([run], { law: 'lr-annealing', bootstrapSamples: 0 });
  const zero = analysis.findings.find((f) => f.code === 'step-zero');
  assert.ok(zero, JSON.stringify(analysis.findings.map((f) => f.code)));
  assert.equal(zero.file, join(run, 'metrics', 'loss'));
  assert.equal(zero.line, 1);
  assert.equal(zero.cell?.field, 1, 'at the value of the record');
});

test("Keras autologging's epoch metrics (step = epoch index): the axis is said to count epochs, not optimizer steps", async () => {
  const exp = writeMlflowExperiment(tmp(), '1', 'keras');
  const perEpoch = Array.from({ length: 20 }, (_, e) => `${1000 + e} ${(2.5 + 2 / (e + 1)).toFixed(4)} ${e}`);
  const keras = (name: string, tags: Record<string, string>, lines: string[], epochs = '20') =>
    writeMlflowRun(exp, id(name), {
      name,
      metrics: { loss: lines.join('\n') + '\n' },
      params: { epochs, batch_size: '32', opt_learning_rate: '0.001' },
      tags,
    });
  const run = keras('a', { 'mlflow.autologging': 'tensorflow' }, perEpoch);
  const [t] = (await readSources([run])).tables;
  const said = t.problems.filter((p) => p.code === 'steps-are-epochs');
  assert.equal(said.length, 1, JSON.stringify(t.problems));
  assert.equal(said[0].severity, 'warning');
  assert.equal(said[0].file, join(run, 'metrics', 'loss'));
  assert.match(
    said[0].message,
    /"loss" was logged by MLflow's Keras autologging once per epoch, at step = epoch index \(steps 0 to 19; param epochs = 20\): this run's step axis counts epochs/,
  );
  // The fit of it carries the finding; the steps are left as logged.
  const analysis = await analyseFiles([run], { bootstrapSamples: 0 });
  assert.ok(analysis.findings.some((f) => f.code === 'steps-are-epochs'));
  assert.equal(values(t, 'step').at(-1), 19);
  // log_every_n_steps: steps are optimizer iterations, past the epochs; no autologging tag; steps past the epochs.
  const perStep = Array.from(
    { length: 20 },
    (_, k) => `${1000 + k} ${(2.5 + 2 / (k + 1)).toFixed(4)} ${(k + 1) * 100}`,
  );
  for (const other of [
    keras('b', { 'mlflow.autologging': 'keras' }, perStep),
    keras('c', {}, perEpoch),
    keras('d', { 'mlflow.autologging': 'pytorch' }, perEpoch),
    keras('e', { 'mlflow.autologging': 'keras' }, perEpoch, '10'),
  ]) {
    const [u] = (await readSources([other])).tables;
    assert.ok(!u.problems.some((p) => p.code === 'steps-are-epochs'), other);
  }
});

test('Keras autologging with a huge epochs param and 200k loss steps: said, not a stack overflow', async () => {
  // Math.max(...steps) threw "Maximum call stack size exceeded" past ~100k steps, and the whole read failed with it.
  const exp = writeMlflowExperiment(tmp(), '1', 'keras');
  const lines = Array.from({ length: 200_000 }, (_, k) => `${1000 + k} ${(2.5 + 2 / (k + 1)).toFixed(5)} ${k}`);
  const run = writeMlflowRun(exp, id('long'), {
    name: 'long',
    metrics: { loss: lines.join('\n') + '\n' },
    params: { epochs: '10000000' },
    tags: { 'mlflow.autologging': 'keras' },
  });
  const [t] = (await readSources([run])).tables;
  const said = t.problems.find((p) => p.code === 'steps-are-epochs');
  assert.match(said?.message ?? '', /steps 0 to 199999; param epochs = 10000000/, JSON.stringify(t.problems));
});
