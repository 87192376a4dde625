// DVCLive: the dvclive/ folder is one run; its plots/metrics/**/*.tsv (one metric each) are joined on step and named
// by their path; a bad line is reported with its line and column, and a folder without metrics says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { readSources, runOfPart } from '../../../src/core/sources';
import { dvcliveSource } from '../../../src/core/sources/dvclive';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import { detectRoles } from '../../../src/core/table/roles';
import type { Table } from '../../../src/core/table/types';
import { constantLr, cosineLr, lawCurve, writeDvclive, writeFile, type RunPoint } from '../../helpers/frameworkRuns';
import { scratchDir } from '../../helpers/scratch';

const tmp = (): string => scratchDir('sl-dvclive-');
const values = (t: Table, name: string): (number | null)[] => {
  const c = t.columns.find((x) => x.name === name);
  assert.ok(c, `column ${name} in ${t.columns.map((x) => x.name).join(', ')}`);
  return Array.from(c.values, (v) => (Number.isNaN(v) ? null : v));
};
const metrics = (points: readonly RunPoint[]) => ({
  'train/loss': points.map((p) => ({ step: p.step, value: p.loss + 0.01 })),
  'eval/loss': points.filter((_, i) => i % 2 === 1).map((p) => ({ step: p.step, value: p.loss })),
  lr: points.map((p) => ({ step: p.step, value: p.lr })),
});

test('the metric files join on step, named by their path under plots/metrics; a metric not logged at a step is empty', async () => {
  const dir = writeDvclive(join(tmp(), 'dvclive'), metrics(lawCurve(constantLr, 600, 100)));
  const { tables } = await readSources([dir]);
  assert.equal(tables.length, 1);
  const t = tables[0];
  assert.equal(t.format, 'dvclive');
  assert.equal(t.run, 'dvclive');
  assert.deepEqual(values(t, 'step'), [100, 200, 300, 400, 500, 600]);
  assert.deepEqual(
    values(t, 'eval/loss').map((v) => v !== null),
    [false, true, false, true, false, true],
  );
  const roles = detectRoles(t).roles;
  assert.equal(t.columns[roles.loss as number].name, 'eval/loss');
  assert.equal(t.columns[roles.lr as number].name, 'lr');
  assert.ok(!t.problems.some((p) => p.severity !== 'info'), JSON.stringify(t.problems));
});

test('recognised as a folder holding plots/ beside what DVCLive writes, or named dvclive; never a lone plots folder', () => {
  const probe = (name: string, entries: string[]) =>
    dvcliveSource.recognise({ path: name, name, isDirectory: true, head: new Uint8Array(0), entries, scanned: true });
  assert.ok(probe('dvclive', ['plots']));
  assert.ok(probe('live', ['metrics.json', 'plots', 'report.html']));
  assert.ok(!probe('results', ['plots', 'figure.png']));
  assert.ok(!probe('dvclive', ['metrics.json']));
  assert.ok(!probe('project', ['.dvc', 'dvc.lock', 'dvc.yaml', 'params.yaml', 'plots']), "a DVC project's root");
});

test('older TSVs without a timestamp column, and params.yaml hints, are read', async () => {
  const dir = join(tmp(), 'dvclive');
  writeFile(join(dir, 'plots', 'metrics', 'loss.tsv'), 'step\tloss\n49\t3.0\n99\t2.9\n');
  writeFile(join(dir, 'params.yaml'), 'epochs: 3\nmax_steps: 150\n');
  const [t] = (await readSources([dir])).tables;
  assert.deepEqual(values(t, 'loss'), [3.0, 2.9]);
  assert.equal(t.hints?.maxSteps, 150);
});

test('a bad line in a metric file is reported with file, line and column; the rest of the run is read', async () => {
  const dir = writeDvclive(join(tmp(), 'dvclive'), metrics(lawCurve(constantLr, 600, 100)));
  writeFile(
    join(dir, 'plots', 'metrics', 'train', 'loss.tsv'),
    'timestamp\tstep\tloss\n1\t100\t3.0\n2\t200\tgarbage\n3\t300\t2.8\n4\t\t2.7\n',
  );
  const [t] = (await readSources([dir])).tables;
  assert.deepEqual(values(t, 'train/loss').slice(0, 3), [3.0, null, 2.8]);
  assert.equal(values(t, 'lr').length, 6, 'the other metrics are all read');
  const file = join(dir, 'plots', 'metrics', 'train', 'loss.tsv');
  const text = t.problems.find((p) => p.code === 'cell-not-numeric');
  assert.deepEqual([text?.file, text?.line, text?.column], [file, 3, 7]);
  const stepless = t.problems.find((p) => p.code === 'metric-line-invalid');
  assert.ok(stepless);
  assert.deepEqual([stepless.file, stepless.line], [file, 5], 'in the metric file, not at the run folder');
  // The file and line are the finding's: its message does not say them again.
  assert.equal(
    stepless.message,
    '1 row(s), the first on this line, have values but no number in the "step" column; their values are left out',
  );
});

test("a negative, rounded or repeated step is said at its record in the metric file, not at the run folder's line", async () => {
  const points = lawCurve(constantLr, 3000, 100);
  const loss = points.map((p) => ({ step: p.step, value: p.loss }));
  loss.splice(2, 0, { step: -5, value: 3.1 }, { step: 200.4, value: 2.9 });
  const dir = writeDvclive(join(tmp(), 'dvclive'), { loss, lr: points.map((p) => ({ step: p.step, value: p.lr })) });
  const analysis = await analyseFiles([dir], { law: 'lr-annealing', bootstrapSamples: 0 });
  const file = join(dir, 'plots', 'metrics', 'loss.tsv');
  const place = (code: string) => {
    const f = analysis.findings.find((x) => x.code === code);
    assert.ok(f, `${code} in ${analysis.findings.map((x) => x.code).join(', ')}`);
    return [f.file, f.line, f.cell?.field];
  };
  // Lines of loss.tsv: the header, steps 100 and 200, -5, 200.4 (rounded onto 200, the record before it is dropped).
  assert.deepEqual(place('step-negative'), [file, 4, 2]);
  assert.deepEqual(place('step-not-integer'), [file, 5, 2]);
  assert.deepEqual(place('steps-repeated'), [file, 3, 2]);
});

test('a folder without metrics says no scalars yet; an unreadable metric file is an error naming it', async () => {
  const root = tmp();
  const empty = join(root, 'dvclive');
  mkdirSync(join(empty, 'plots', 'images'), { recursive: true });
  writeFile(join(empty, 'metrics.json'), '{}');
  const [e] = (await readSources([empty])).tables;
  assert.equal(e.rowCount, 0);
  assert.ok(e.problems.some((p) => p.code === 'no-data-rows'));
  const dir = writeDvclive(join(root, 'other'), { loss: [{ step: 1, value: 3 }] });
  symlinkSync(join(root, 'nowhere.tsv'), join(dir, 'plots', 'metrics', 'lr.tsv'));
  const [t] = (await readSources([dir])).tables;
  assert.deepEqual(values(t, 'loss'), [3]);
  const unreadable = t.problems.find((p) => p.code === 'file-unreadable');
  assert.equal(unreadable?.file, join(dir, 'plots', 'metrics', 'lr.tsv'));
});

test('a TSV without a step column is left out with a warning naming it', async () => {
  const dir = writeDvclive(join(tmp(), 'dvclive'), { loss: [{ step: 1, value: 3 }] });
  writeFile(join(dir, 'plots', 'metrics', 'acc.tsv'), 'timestamp\tacc\n1\t0.5\n');
  const [t] = (await readSources([dir])).tables;
  assert.deepEqual(
    t.columns.map((c) => c.name),
    ['step', 'loss'],
  );
  const stepless = t.problems.find((p) => p.code === 'metric-line-invalid');
  assert.deepEqual(
    stepless && [stepless.file, stepless.line, stepless.message],
    [join(dir, 'plots', 'metrics', 'acc.tsv'), 1, 'no "step" column (columns: timestamp, acc); the metric is left out'],
    'at the header of the metric file, not at the run folder',
  );
});

test('fit on DVCLive runs in a folder: two fitted, the third predicted', async () => {
  const root = tmp();
  writeDvclive(join(root, 'constant', 'dvclive'), metrics(lawCurve(constantLr)));
  writeDvclive(join(root, 'cosine', 'dvclive'), metrics(lawCurve(cosineLr(6000))));
  writeDvclive(join(root, 'short', 'dvclive'), metrics(lawCurve(cosineLr(4000), 4000)));
  const analysis = await analyseFiles([root], {
    law: 'lr-annealing',
    fitOn: ['constant/dvclive', 'cosine/dvclive'],
    bootstrapSamples: 0,
  });
  const fit = analysis.fits[0];
  assert.ok(fit, JSON.stringify(analysis.findings.map((f) => f.message)));
  assert.ok(Math.abs(fit.params.L0 - 2.5) < 0.01, JSON.stringify(fit.params));
  const heldout = analysis.curves.find((c) => c.name === 'short/dvclive');
  assert.equal(heldout?.role, 'heldout');
  assert.ok(heldout.metrics !== undefined && heldout.metrics.predE < 0.001);
});

// Hugging Face's DVCLive callback logs TrainingArguments to params.yaml and calls next_step() once per log call:
// seen in a public dvclive/ folder of a GPT trained for max_steps 7500 with 150 log calls (docs/public-logs.md).
test("Trainer arguments' max_steps is shown but not taken as a step of a run whose steps count log calls", async () => {
  const dir = join(tmp(), 'dvclive');
  const loss = Array.from({ length: 150 }, (_, i) => `${i}\t${(4 - i / 100).toFixed(4)}`).join('\n');
  writeFile(join(dir, 'plots', 'metrics', 'loss.tsv'), `step\tloss\n${loss}\n`);
  writeFile(
    join(dir, 'params.yaml'),
    'output_dir: trainer\nlearning_rate: 0.001\nmax_steps: 7500\nlr_scheduler_type: linear\nwarmup_steps: 300\n' +
      'logging_strategy: steps\nlogging_steps: 50\n',
  );
  const [t] = (await readSources([dir])).tables;
  assert.equal(t.hints?.maxSteps, undefined, 'not a step of this run');
  assert.equal(t.hints?.warmupSteps, undefined);
  const hint = t.problems.find((p) => p.code === 'run-hints');
  assert.match(hint?.message ?? '', /max_steps: 7500, warmup_steps: 300 \(optimizer steps of the Hugging Face Trainer/);
  // A params.yaml of the user's own loop keeps its hints (its steps are the user's).
  writeFile(join(dir, 'params.yaml'), 'max_steps: 7500\n');
  const [own] = (await readSources([dir])).tables;
  assert.equal(own.hints?.maxSteps, 7500);
});

test("a metric TSV is a part of its DVCLive run, named as the run's table names it; a TSV elsewhere is not", async () => {
  const run = writeDvclive(join(tmp(), 'dvclive'), metrics(lawCurve(constantLr, 600)));
  const loss = join(run, 'plots', 'metrics', 'train', 'loss.tsv');
  assert.deepEqual(await runOfPart(loss), { run, format: 'dvclive', metric: 'train/loss' });
  assert.deepEqual(await runOfPart(join(run, 'plots', 'metrics', 'lr.tsv')), { run, format: 'dvclive', metric: 'lr' });
  // plots/metrics under a folder DVCLive did not write (no metrics.json, dvc.yaml, ...) is no run.
  const other = join(tmp(), 'results');
  writeFile(join(other, 'plots', 'metrics', 'loss.tsv'), 'step\tloss\n1\t2\n');
  assert.equal(await runOfPart(join(other, 'plots', 'metrics', 'loss.tsv')), null);
});

test('train/loss and eval/loss at every step 0, 1, 2, … (Keras and fast.ai callbacks, once per epoch): the axis is said to be epochs', async () => {
  const epochs = Array.from({ length: 12 }, (_, e) => e);
  const perEpoch = {
    'train/loss': epochs.map((e) => ({ step: e, value: 2.5 + 2 / (e + 1) })),
    'eval/loss': epochs.map((e) => ({ step: e, value: 2.6 + 2 / (e + 1) })),
  };
  const dir = writeDvclive(join(tmp(), 'dvclive'), perEpoch);
  const [t] = (await readSources([dir])).tables;
  const said = t.problems.filter((p) => p.code === 'steps-are-epochs');
  assert.equal(said.length, 1, JSON.stringify(t.problems));
  assert.equal(said[0].severity, 'warning');
  assert.equal(said[0].file, join(dir, 'plots', 'metrics', 'train/loss.tsv'));
  assert.match(
    said[0].message,
    /logged together at every step 0 to 11, as DVCLive's Keras and fast\.ai callbacks do once per epoch/,
  );
  assert.deepEqual(values(t, 'step'), epochs, 'the steps are left as logged');
  // An evaluation every other step (Hugging Face's callback), steps that are not next_step()'s count, or no eval/loss.
  const others = [
    metrics(lawCurve(constantLr, 600, 100)),
    { ...perEpoch, 'eval/loss': perEpoch['eval/loss'].filter((_, i) => i % 2 === 0) },
    {
      'train/loss': perEpoch['train/loss'].map((p) => ({ ...p, step: (p.step + 1) * 50 })),
      'eval/loss': perEpoch['eval/loss'].map((p) => ({ ...p, step: (p.step + 1) * 50 })),
    },
    { 'train/loss': perEpoch['train/loss'] },
  ];
  for (const [k, m] of others.entries()) {
    const [u] = (await readSources([writeDvclive(join(tmp(), 'dvclive'), m)])).tables;
    assert.ok(!u.problems.some((p) => p.code === 'steps-are-epochs'), `case ${k}`);
  }
});

test('an epoch logged as the step (or one more) at every step: a per-epoch loop of its own, the axis said to be epochs', async () => {
  // A script's own loop (live.log_metric("epoch", e); live.next_step()) with no eval/loss beside its loss was read as
  // optimizer steps without a word, and a loss law fitted on 12 epochs as on 12 optimizer steps.
  const epochs = Array.from({ length: 12 }, (_, e) => e);
  const per = (shift: number, name = 'epoch') => ({
    loss: epochs.map((e) => ({ step: e, value: 2.5 + 2 / (e + 1) })),
    lr: epochs.map((e) => ({ step: e, value: 1e-3 })),
    [name]: epochs.map((e) => ({ step: e, value: e + shift })),
  });
  for (const [m, as] of [
    [per(0), /"epoch" is logged as the step at every one of its 12 steps/],
    [per(1, 'train/epoch'), /"train\/epoch" is logged as the step plus one at every one of its 12 steps/],
  ] as const) {
    const dir = writeDvclive(join(tmp(), 'dvclive'), m);
    const [t] = (await readSources([dir])).tables;
    const said = t.problems.filter((p) => p.code === 'steps-are-epochs');
    assert.equal(said.length, 1, JSON.stringify(t.problems));
    assert.match(said[0].message, as);
    assert.match(
      said[0].message,
      /counts epochs, not optimizer steps\. A loss law fitted on it is then fitted on epochs/,
    );
    assert.equal(said[0].file, join(dir, 'plots', 'metrics', `${'train/epoch' in m ? 'train/epoch' : 'epoch'}.tsv`));
    const analysis = await analyseFiles([dir], { bootstrapSamples: 0 });
    assert.ok(analysis.findings.some((f) => f.code === 'steps-are-epochs'));
  }
  // A fractional epoch at optimizer-step log calls (Hugging Face's callback), or an epoch that is not the step.
  const steps = Array.from({ length: 12 }, (_, i) => (i + 1) * 50);
  const others = [
    { loss: steps.map((s) => ({ step: s, value: 3 })), epoch: steps.map((s) => ({ step: s, value: s / 200 })) },
    { ...per(0), epoch: epochs.map((e) => ({ step: e, value: Math.floor(e / 3) })) },
  ];
  for (const [k, m] of others.entries()) {
    const [u] = (await readSources([writeDvclive(join(tmp(), 'dvclive'), m)])).tables;
    assert.ok(!u.problems.some((p) => p.code === 'steps-are-epochs'), `case ${k}`);
  }
});
