// Lightning's CSVLogger: rows of one step merged (an empty cell is not 0, the later value wins), the lr-<Optimizer>
// column as the LR, hparams.yaml's hints shown, a version_N folder as one run, and bad input reported, never thrown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { readSources } from '../../../src/core/sources';
import { lightningSource, looksLikeLightning } from '../../../src/core/sources/lightning';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import { detectRoles } from '../../../src/core/table/roles';
import { textAt, type Table } from '../../../src/core/table/types';
import { constantLr, cosineLr, lawCurve, writeFile, writeLightningMetrics } from '../../helpers/frameworkRuns';
import { readOne } from '../../helpers/sourceTables';
import { scratchDir } from '../../helpers/scratch';

const tmp = (): string => scratchDir('sl-lightning-');
const column = (t: Table, name: string): (number | null)[] => {
  const c = t.columns.find((x) => x.name === name);
  assert.ok(c, `column ${name} in ${t.columns.map((x) => x.name).join(', ')}`);
  return Array.from(c.values, (v, r) => (Number.isNaN(v) ? (textAt(c, r) === 'NaN' ? NaN : null) : v));
};

test('training and validation rows of a step are merged; an empty cell is not logged, never 0; the later value wins', async () => {
  const dir = join(tmp(), 'version_0');
  // The shape of a real CSVLogger file: step-level training rows, a validation row and an epoch-end row sharing the
  // last step of the epoch, every other cell empty; `nan` written literally.
  writeFile(
    join(dir, 'metrics.csv'),
    [
      'epoch,epoch_time,lr-AdamW,step,train_loss_epoch,train_loss_step,val_loss',
      '0,,0.001,49,,8.62,',
      '0,,0.001,99,,7.60,',
      '0,,,99,,,6.83',
      '0,155.4,,99,7.64,,',
      '1,,0.0009,149,,nan,',
      '1,,0.0008,149,,7.10,',
      '1,,,199,,,6.47',
    ].join('\n') + '\n',
  );
  const t = await readOne(dir);
  assert.equal(t.format, 'lightning');
  assert.deepEqual(column(t, 'step'), [49, 99, 149, 199]);
  assert.deepEqual(column(t, 'epoch'), [0, 0, 1, 1], 'epoch is kept as a column');
  assert.deepEqual(column(t, 'val_loss'), [null, 6.83, null, 6.47]);
  assert.deepEqual(column(t, 'train_loss_epoch'), [null, 7.64, null, null]);
  assert.deepEqual(column(t, 'lr-AdamW'), [0.001, 0.001, 0.0008, null], 'the later value of step 149 wins');
  assert.deepEqual(column(t, 'train_loss_step'), [8.62, 7.6, 7.1, null]);
  assert.deepEqual([...t.lines], [2, 3, 6, 8], "each row points at its step's first line");
  const roles = detectRoles(t);
  assert.equal(t.columns[roles.roles.lr as number].name, 'lr-AdamW');
  assert.equal(t.columns[roles.roles.loss as number].name, 'val_loss');
  assert.equal(t.run, 'version_0', 'a folder given alone is named by its own name');
});

test('a written nan stays a NaN value, told apart from a step not logged', async () => {
  const dir = join(tmp(), 'version_3');
  writeFile(join(dir, 'metrics.csv'), 'epoch,step,train_loss\n0,10,nan\n0,20,2.5\n');
  const t = await readOne(join(dir, 'metrics.csv'));
  assert.equal(t.run, 'version_3', 'a metrics.csv named alone goes by its version folder');
  const loss = t.columns.find((c) => c.name === 'train_loss')!;
  assert.equal(textAt(loss, 0), 'NaN');
  assert.equal(loss.numericCount, 2);
});

test("LearningRateMonitor's first parameter group is the LR, never its momentum", () => {
  const table = (names: string[]): Table => ({
    file: 'metrics.csv',
    format: 'lightning',
    headerLine: 1,
    columns: names.map((name) => ({
      name,
      values: new Float64Array([1]),
      numericCount: 1,
      textCount: 0,
      emptyCount: 0,
      suffixes: [],
    })),
    rowCount: 1,
    lines: new Int32Array([2]),
    problems: [],
    problemCount: 0,
    rowsRejected: 0,
    bytesRead: 10,
  });
  const lrOf = (names: string[]): string | undefined => {
    const t = table(names);
    const lr = detectRoles(t).roles.lr;
    return lr === undefined ? undefined : t.columns[lr].name;
  };
  assert.equal(lrOf(['epoch', 'lr-AdamW/pg2', 'lr-AdamW/pg1', 'step', 'val_loss']), 'lr-AdamW/pg1');
  assert.equal(lrOf(['epoch', 'lr-Lion/pg1', 'lr-Lion/pg1-momentum', 'step', 'val_loss']), 'lr-Lion/pg1');
  assert.equal(lrOf(['epoch', 'lr-SGD-momentum', 'step', 'val_loss']), undefined);
});

test("hparams.yaml's schedule hints are read (Python-only tags tolerated, nested settings found) and shown", async () => {
  const dir = join(tmp(), 'version_0');
  writeLightningMetrics(dir, lawCurve(constantLr, 1000, 100));
  writeFile(
    join(dir, 'hparams.yaml'),
    [
      'betas: !!python/tuple',
      '- 0.9',
      '- 0.95',
      'model: !!python/object:my.Model',
      '  width: 512',
      'trainer:',
      '  max_steps: 24_000',
      'scheduler:',
      '  name: cosine',
      '  warmup_steps: 500',
      'lr_scheduler: cosine',
      'learning_rate: 0.0003',
    ].join('\n') + '\n',
  );
  const t = await readOne(dir);
  assert.deepEqual(t.hints, {
    maxSteps: 24000,
    warmupSteps: 500,
    notes: ['lr_scheduler: cosine', 'learning_rate: 0.0003'],
  });
  const info = t.problems.find((p) => p.code === 'run-hints');
  assert.ok(info && info.severity === 'info');
  assert.match(info.message, /hparams\.yaml.*max_steps: 24000.*warmup steps: 500.*cosine/);
  assert.ok(!t.problems.some((p) => p.severity !== 'info'), JSON.stringify(t.problems));
});

test("Lightning's max_steps of -1 (no limit) is no hint; an hparams.yaml without schedule settings says nothing", async () => {
  const dir = join(tmp(), 'version_0');
  writeLightningMetrics(dir, lawCurve(constantLr, 1000, 100));
  writeFile(join(dir, 'hparams.yaml'), 'max_steps: -1\nhidden: 128\n');
  const t = await readOne(dir);
  assert.equal(t.hints, undefined);
  assert.ok(!t.problems.some((p) => p.code === 'run-hints'));
});

test('a corrupt hparams.yaml is a warning with its line and column; the metrics are read all the same', async () => {
  const dir = join(tmp(), 'version_0');
  writeLightningMetrics(dir, lawCurve(constantLr, 1000, 100));
  writeFile(join(dir, 'hparams.yaml'), 'max_steps: 100\nbad: [1, 2\nother: {\n');
  const t = await readOne(dir);
  const warning = t.problems.find((p) => p.code === 'run-config-invalid');
  assert.ok(warning, JSON.stringify(t.problems));
  assert.match(warning.message, /hparams\.yaml, line \d+, column \d+: not valid YAML/);
  assert.ok(warning.line >= 2);
  assert.equal(t.rowCount, 10);
});

test('recognised by name and content: metrics.csv with step or epoch and numeric rows; never by extension alone', () => {
  const probe = (name: string, text: string, isDirectory = false, entries: string[] = []) =>
    lightningSource.recognise({
      path: name,
      name,
      isDirectory,
      head: new TextEncoder().encode(text),
      entries,
      scanned: true,
    });
  assert.ok(probe('metrics.csv', 'epoch,step,train_loss\n0,1,2.5\n0,2,\n'));
  assert.ok(probe('metrics.csv', '\uFEFFepoch,lr-AdamW,step\n'));
  assert.ok(!probe('losses.csv', 'epoch,step,train_loss\n0,1,2.5\n'), 'another name');
  assert.ok(!probe('metrics.csv', 'iteration,loss\n1,2.5\n'), 'no step or epoch');
  assert.ok(!probe('metrics.csv', 'run,step,loss\ncosine,1,2.5\n'), 'a text column: another tool, a plain CSV');
  assert.ok(probe('version_12', '', true, ['hparams.yaml', 'metrics.csv']));
  assert.ok(!probe('version_x', '', true, ['metrics.csv']));
  assert.ok(!probe('version_1', '', true, ['events.out.tfevents.1.host.1.0', 'hparams.yaml']));
  assert.ok(!looksLikeLightning(new TextEncoder().encode('x'.repeat(4096))));
});

test('a folder of version_N runs: each is a run named by its path; a resumed run restarting its steps is its own', async () => {
  const root = tmp();
  const logs = join(root, 'lightning_logs');
  writeLightningMetrics(join(logs, 'version_0'), lawCurve(constantLr), 2);
  writeLightningMetrics(join(logs, 'version_1'), lawCurve(cosineLr(6000)), 2);
  writeLightningMetrics(join(logs, 'version_2'), lawCurve(constantLr, 1500, 100), 1);
  writeFile(join(logs, 'version_0', 'checkpoints', 'epoch=1.ckpt'), 'PK\u0003\u0004binary');
  const { tables, problems } = await readSources([root]);
  assert.deepEqual(
    tables.map((t) => t.run),
    ['lightning_logs/version_0', 'lightning_logs/version_1', 'lightning_logs/version_2'],
  );
  assert.ok(tables.every((t) => t.format === 'lightning'));
  assert.ok(!problems.some((p) => p.severity === 'error'));
});

test('fit on a folder of Lightning runs: a law fitted on two runs recovers its parameters and predicts the third', async () => {
  const root = tmp();
  writeLightningMetrics(join(root, 'version_0'), lawCurve(constantLr), 2);
  writeLightningMetrics(join(root, 'version_1'), lawCurve(cosineLr(6000)), 2);
  writeLightningMetrics(join(root, 'version_2'), lawCurve(cosineLr(4000), 4000), 2);
  const analysis = await analyseFiles([root], {
    law: 'lr-annealing',
    fitOn: ['version_0', 'version_1'],
    bootstrapSamples: 0,
  });
  const fit = analysis.fits[0];
  assert.ok(fit, JSON.stringify(analysis.findings.map((f) => f.message)));
  const params = fit.params;
  assert.ok(Math.abs(params.L0 - 2.5) < 0.01, `L0 ${params.L0}`);
  assert.ok(Math.abs(params.alpha - 0.5) < 0.01, `alpha ${params.alpha}`);
  const heldout = analysis.curves.find((c) => c.name === 'version_2');
  assert.equal(heldout?.role, 'heldout');
  assert.ok(heldout.metrics !== undefined && heldout.metrics.predE < 0.001, JSON.stringify(heldout.metrics));
});

test('an empty metrics.csv is an error naming the file; a header alone says no rows yet; nothing throws', async () => {
  const root = tmp();
  const empty = writeFile(join(root, 'version_0', 'metrics.csv'), '');
  const header = writeFile(join(root, 'version_1', 'metrics.csv'), 'epoch,step,train_loss\n');
  const a = await readOne(join(root, 'version_0'));
  assert.equal(a.format, 'lightning');
  assert.ok(a.problems.some((p) => p.code === 'file-empty' && p.file === join(root, 'version_0', 'metrics.csv')));
  const b = await readOne(header);
  assert.equal(b.rowCount, 0);
  assert.ok(b.problems.some((p) => p.code === 'no-data-rows'));
  assert.equal(a.file, empty);
});

test('rows without a step are left out, said once with the first line and the count; text cells are reported', async () => {
  const dir = join(tmp(), 'version_0');
  writeFile(join(dir, 'metrics.csv'), 'epoch,step,train_loss\n0,1,3.0\n0,,2.9\n0,,2.8\n0,4,oops\n0,5,2.6\n');
  const t = await readOne(dir);
  assert.deepEqual(column(t, 'step'), [1, 4, 5], 'step 4 logged its epoch');
  assert.deepEqual(column(t, 'train_loss'), [3.0, null, 2.6]);
  const stepless = t.problems.find((p) => p.code === 'metric-line-invalid');
  assert.ok(stepless);
  assert.equal(stepless.line, 3);
  assert.match(stepless.message, /^2 row\(s\), the first on this line, have values but no number in the "step" column/);
  assert.ok(t.problems.some((p) => p.code === 'cell-not-numeric' && p.line === 5));
});

test('an unreadable metrics.csv (a dangling link) is an error naming it; the other runs of the folder are read', async () => {
  const root = tmp();
  mkdirSync(join(root, 'version_0'));
  symlinkSync(join(root, 'nowhere.csv'), join(root, 'version_0', 'metrics.csv'));
  writeLightningMetrics(join(root, 'version_1'), lawCurve(constantLr, 1000, 100));
  const { tables } = await readSources([root]);
  const broken = tables.find((t) => t.run === 'version_0');
  assert.ok(broken?.problems.some((p) => p.code === 'file-unreadable' && /does not exist/.test(p.message)));
  assert.equal(tables.find((t) => t.run === 'version_1')?.rowCount, 10);
});

test('--format lightning reads a renamed file as Lightning; a text column there is kept, its rows not merged', async () => {
  const dir = tmp();
  const renamed = writeFile(join(dir, 'run7.csv'), 'epoch,step,train_loss,val_loss\n0,10,3.0,\n0,10,,3.1\n');
  const [t] = (await readSources([renamed], { format: 'lightning' })).tables;
  assert.equal(t.format, 'lightning');
  assert.deepEqual(column(t, 'val_loss'), [3.1]);
  const other = writeFile(join(dir, 'runs.csv'), 'run,step,loss\ncosine,10,3.0\nconstant,10,3.2\n');
  const [o] = (await readSources([other], { format: 'lightning' })).tables;
  assert.equal(o.format, 'lightning');
  assert.equal(o.rowCount, 2, 'two runs at one step are two rows');
  const [plain] = (await readSources([renamed])).tables;
  assert.equal(plain.format, 'csv', 'not recognised by content alone under another name');
});

test('a run whose configuration plans more steps than it logged is predicted at the end of its planned schedule', async () => {
  const dir = join(tmp(), 'version_0');
  writeLightningMetrics(dir, lawCurve(constantLr, 3000, 100));
  writeFile(join(dir, 'hparams.yaml'), 'trainer:\n  max_steps: 9000\n');
  const analysis = await analyseFiles([dir], { law: 'lr-annealing', bootstrapSamples: 0 });
  const p = analysis.predictions.find((x) => x.metric === 'loss');
  assert.equal(p?.x, 9000);
  assert.match(p?.reason ?? '', /end of the run's schedule/);
  // A configured target still wins over the plan.
  const configured = await analyseFiles([dir], { law: 'lr-annealing', bootstrapSamples: 0, predictSteps: [5000] });
  assert.equal(configured.predictions.find((x) => x.metric === 'loss')?.x, 5000);
});
