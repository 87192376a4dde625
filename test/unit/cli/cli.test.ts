import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCli } from '../../../src/cli/args';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import { LUO, LUO_FIT, luoFiles, REPO, skipUnless } from '../../helpers/shared';
import { scratchDir } from '../../helpers/scratch';

function cli(args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], {
    encoding: 'utf8',
    cwd: REPO,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function tmpFile(name: string, text: string | Buffer): string {
  const dir = scratchDir('scaling-lens-cli-');
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('usage errors exit 2 with a message', () => {
  for (const args of [
    ['frobnicate', 'x.csv'],
    ['fit'],
    ['fit', 'x.csv', '--law', 'nope'],
    ['fit', 'x.csv', '--lambda', '2'],
    ['fit', 'x.csv', '--columns', 'colour=x'],
  ]) {
    const parsed = parseCli(args);
    assert.equal(parsed.ok, false, args.join(' '));
  }
});

test('each input stands alone: a missing file or a folder without runs gets its message, the others are analysed', () => {
  const folder = scratchDir('scaling-lens-cli-dir-');
  const good = join(REPO, 'examples/loss/cosine.csv');
  const run = cli(['fit', good, folder, '/definitely/not/here.csv', '--bootstrap', '0', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.fits.length, 1);
  const unreadable = report.findings.filter((f: { code: string }) => f.code === 'file-unreadable');
  assert.deepEqual(
    unreadable.map((f: { file: string }) => f.file),
    ['/definitely/not/here.csv'],
  );
  const empty = report.findings.filter((f: { code: string }) => f.code === 'folder-no-runs');
  assert.deepEqual(
    empty.map((f: { file: string }) => f.file),
    [folder],
  );
  assert.match(JSON.stringify(unreadable), /does not exist/);
  const alone = cli(['fit', '/definitely/not/here.csv']);
  assert.equal(alone.code, 1);
  assert.match(alone.stderr, /nothing could be fitted: \/definitely\/not\/here\.csv does not exist/);
});

test('--version and the --json document state the package version', () => {
  const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  const printed = cli(['--version']);
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(printed.stdout.trim(), version);
  const json = cli(['fit', join(REPO, 'examples/loss/constant.csv'), '--json']);
  assert.equal((JSON.parse(json.stdout) as { version: string }).version, version);
});

test('flags map onto analysis options', () => {
  const parsed = parseCli([
    'fit',
    'a.csv',
    '--fit-on',
    'x,y',
    '--predict-step',
    '100k',
    '--predict-step',
    '2e5',
    '--lambda',
    'auto',
    '--warmup-convention',
    'actual',
    '--warmup-steps',
    '2160',
    '--columns',
    'loss=val,lr=eta',
  ]);
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  const o = parsed.request.options;
  assert.deepEqual(o.fitOn, ['x,y'], 'kept whole: the curves tell one name from two (resolveFitOn)');
  assert.deepEqual(o.predictSteps, [100000, 200000]);
  assert.equal(o.lambda, 'auto');
  assert.equal(o.warmupConvention, 'actual');
  assert.equal(o.warmupSteps, 2160);
  assert.deepEqual(o.columns, { loss: 'val', lr: 'eta' });
});

test('fit on an example prints coefficients, curves and predictions, exit 0', () => {
  const run = cli([
    'fit',
    'examples/loss/constant.csv',
    'examples/loss/cosine.csv',
    'examples/loss/wsd.jsonl',
    '--fit-on',
    'constant,cosine',
    '--bootstrap',
    '20',
  ]);
  assert.equal(run.code, 0, run.stderr);
  // Titled by the law's name (or a mean's), with the LR-annealing law's coefficients.
  assert.match(run.stdout, /^(weighted mean of both laws · LR-annealing law's coefficients|LR-annealing law): L\(s\)/m);
  assert.match(run.stdout, /alpha/);
  // A setting with one value per fit curve keeps its list whole: settings are told apart by semicolons.
  assert.match(run.stdout, /; warmupEndSteps=\d+, \d+; /);
  assert.match(run.stdout, /wsd\s+loss\s+heldout/);
  assert.match(run.stdout, /step-zero/);
});

test('a loss prediction past the logged schedule says in its note what it assumes of the LR', () => {
  // A cosine still decaying when the log stops: the prediction holds the last LR, which the table must say.
  const rows = ['step,lr,loss'];
  let area = 0;
  for (let step = 50; step <= 2000; step += 50) {
    const lr = 3e-4 * (1 + Math.cos((Math.PI * step) / 4000));
    area += lr * 50;
    rows.push(`${step},${lr.toPrecision(6)},${(2 + 0.4 * area ** -0.3).toFixed(5)}`);
  }
  const file = tmpFile('cosine_half.csv', `${rows.join('\n')}\n`);
  const run = cli(['fit', file, '--law', 'lr-annealing', '--bootstrap', '0']);
  assert.equal(run.code, 0, run.stderr);
  const predictions = run.stdout.slice(run.stdout.search(/^Predictions? \(/m));
  assert.match(predictions, /L\(4k\).*assumes the LR held at 3e-4 after step 2k/);
});

test('fit on an (N, D) sweep leads with N*, D* and the loss at each budget, and the extrapolation', () => {
  const run = cli(['fit', 'examples/compute/compute_sweep.csv', '--bootstrap', '20', '--compute', '1e20,1e24']);
  assert.equal(run.code, 0, run.stderr);
  const [, lead] = run.stdout.split('\n\n');
  const lines = lead.split('\n');
  assert.equal(lines[0], 'Compute-optimal (95 % band)');
  assert.match(
    lines[1],
    /^ {2}C = 1e20 FLOP: N\* [\d.]+[MB] · D\* [\d.]+B · loss \d\.\d+ \[[\d.]+, [\d.]+\] · new run \[[\d.]+, [\d.]+\] · D\/N [\d.]+ \[[\d.]+, [\d.]+\]$/,
  );
  // The sweep's largest model has 7B parameters: at 1e24 FLOP N* lies far past it, and the line says so.
  assert.match(lines[2], /^ {2}C = 1e24 FLOP: N\* [\d.]+B \(⚠ extrapolated: [\d.]+× the largest N fitted, 7B\) · D\* /);
  assert.equal(lines.length, 3);
  // Budgets are not repeated in the predictions table.
  assert.doesNotMatch(run.stdout, /^Predictions/m);
});

test('nothing fittable exits 1 and says why', () => {
  const noLr = tmpFile('no_lr.csv', 'step,loss\n1,4\n2,3.5\n3,3.2\n4,3.1\n5,3.0\n6,2.9\n');
  const run = cli(['fit', noLr]);
  assert.equal(run.code, 1);
  assert.match(run.stdout + run.stderr, /learning-rate/);
  const empty = tmpFile('empty.csv', '');
  assert.equal(cli(['fit', empty]).code, 1);
  const garbage = tmpFile('garbage.csv', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  const g = cli(['fit', garbage]);
  assert.equal(g.code, 1);
  assert.doesNotMatch(g.stderr, /internal error/);
});

test('inspect shows format, columns with roles and curves without fitting', () => {
  const run = cli(['inspect', 'examples/loss/sweep.csv', 'examples/loss/wsd.jsonl', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout);
  assert.equal(doc.files[0].format, 'csv');
  assert.equal(doc.files[1].format, 'jsonl');
  assert.deepEqual(
    doc.files[0].columns.map((c: { role?: string }) => c.role),
    ['run', 'step', 'lr', 'loss'],
  );
  assert.deepEqual(doc.series['examples/loss/sweep.csv'].sort(), ['cosine_10k', 'cosine_30k', 'wsd_10k']);
});

test('--delimiter space reads a space-separated file', () => {
  const file = tmpFile('spaced.csv', 'step loss lr\n1 4.0 0.1\n2 3.5 0.1\n3 3.2 0.1\n');
  const run = cli(['inspect', file, '--delimiter', 'space', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout);
  assert.equal(doc.files[0].delimiter, ' ');
  assert.deepEqual(
    doc.files[0].columns.map((c: { name: string }) => c.name),
    ['step', 'loss', 'lr'],
  );
});

test('--json on the real curves gives the same held-out figures as the core', { skip: skipUnless(LUO) }, async () => {
  const run = cli(['fit', ...luoFiles('100'), '--fit-on', LUO_FIT.join(','), '--json', '--bootstrap', '0']);
  assert.equal(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout);
  const core = await analyseFiles(luoFiles('100'), { fitOn: LUO_FIT, bootstrapSamples: 0 });
  for (const c of core.curves.filter((x) => x.role === 'heldout')) {
    const j = doc.curves.find((x: { name: string }) => x.name === c.name);
    assert.equal(j.role, 'heldout');
    assert.equal(j.metrics.predE, c.metrics!.predE);
    assert.equal(j.predicted.length, j.points);
    assert.equal(j.predicted[0].length, 2);
  }
  assert.equal(doc.fits[0].law, 'lr-annealing');
  assert.deepEqual(Object.keys(doc.fits[0].params), ['L0', 'A', 'alpha', 'C']);
  assert.ok(doc.fits[0].units.A);
  assert.ok(
    doc.predictions.every(
      (p: { curve: string; step: number; value: number; low: unknown; high: unknown }) =>
        p.curve && p.step > 0 && p.value > 0 && 'low' in p && 'high' in p,
    ),
  );
  assert.ok(Array.isArray(doc.findings));
});

test('--deadline stops a run that takes longer with exit code 3 and a message; a quick run is unaffected', () => {
  const lines = ['step,lr,loss'];
  for (let i = 1; i <= 600_000; i++) lines.push(`${i},3e-4,${(2.5 + 3 * i ** -0.4).toFixed(6)}`);
  const slow = tmpFile('slow.csv', lines.join('\n'));
  const stopped = cli(['fit', slow, '--deadline', '0.2']);
  assert.equal(stopped.code, 3, stopped.stderr);
  assert.match(stopped.stderr, /stopped after 0\.2 s \(--deadline\)/);
  assert.equal(stopped.stdout, '');
  const quick = cli(['fit', join(REPO, 'examples/loss/cosine.csv'), '--bootstrap', '0', '--deadline', '60', '--json']);
  assert.equal(quick.code, 0, quick.stderr);
  assert.equal(JSON.parse(quick.stdout).fits.length, 1);
});

test('fit --law auto says which law was chosen and why, with both laws held-out PredE; --json keeps the runner-up', () => {
  const args = ['fit', join(REPO, 'examples/loss/sweep.csv'), '--fit-on', 'cosine_10k,wsd_10k', '--bootstrap', '0'];
  const text = cli(args);
  assert.equal(text.code, 0, text.stderr);
  // One law chosen, or (these curves drop to one LR level) the mean of both, each law's row with its weights.
  const header = /^ {2}law chosen automatically by backtest \(cuts 0\.6, 0\.7, 0\.8\):(.*)$/m.exec(text.stdout);
  assert.ok(header, text.stdout);
  const mean = /spread-weighted mean of LR-annealing law and MPL/.test(header[1]);
  // The fit is titled by what predicts, as every surface names it, not by a law id; under a mean the coefficients
  // are said to be one law's, and the law choice says each fact once: predictions and bands are the mean's (its
  // header), how the weights are made (under the weights).
  const title = text.stdout.split('\n').find((l) => /: L\(s\) = /.test(l)) ?? '';
  assert.match(
    title,
    mean ? /^weighted mean of both laws · (LR-annealing law|MPL)'s coefficients: / : /^(LR-annealing law|MPL): /,
  );
  if (mean) {
    assert.match(header[1], /^ the spread-weighted mean of LR-annealing law and MPL, in predictions and bands:$/);
    assert.equal(text.stdout.match(/inverse of its bootstrap spread/g)?.length, 1, text.stdout);
    assert.match(
      text.stdout,
      /^ {4}weights: each law weighted at each step by the inverse of its bootstrap spread there$/m,
    );
  }
  // Each law named as the header and the reason name it.
  const rows = text.stdout.split('\n').filter((l) => /^ {4}(LR-annealing law|MPL) +backtest error /.test(l));
  assert.equal(rows.length, 2, text.stdout);
  assert.ok(
    rows.every((r) => / · held-out PredE \d[\d.]* %/.test(r)),
    rows.join('\n'),
  );
  if (mean)
    assert.ok(
      rows.every((r) => /<- weight \d\.\d\d–\d\.\d\d by step, mean \d\.\d\d$/.test(r)),
      rows.join('\n'),
    );
  else assert.equal(rows.filter((r) => r.endsWith('<- chosen')).length, 1, rows.join('\n'));
  const why = /^ {4}why: (.*)$/m.exec(text.stdout)?.[1] ?? '';
  // Why, not the numbers: the rows above give the backtest errors and weights, the header how the weights are made.
  assert.ok(why && !/backtest errors|weight|multi-power/.test(why), why);
  assert.doesNotMatch(text.stdout, /combination=/);
  const json = cli([...args, '--json']);
  const report = JSON.parse(json.stdout);
  const fit = report.fits[0];
  assert.equal(fit.runnerUpFit.law, fit.selection.runnerUp);
  assert.notEqual(fit.runnerUpFit.law, fit.law);
  for (const c of report.curves) {
    assert.equal(c.runnerUp.law, fit.selection.runnerUp, c.name);
    // [step, value, low, high]; no bootstrap: the band ends are null.
    assert.ok(
      c.runnerUp.predicted.every((p: unknown[]) => p.length === 4 && p[2] === null),
      c.name,
    );
  }
});

test('--json: a curve whose LR falls lower than the fit curves ever did says from where, with no number there', () => {
  const rows = ['run,step,lr,loss'];
  for (let s = 100; s <= 4000; s += 100) rows.push(`a,${s},0.0003,${(2.5 + 4 * Math.pow(s * 0.3, -0.45)).toFixed(5)}`);
  for (let s = 100; s <= 4000; s += 100) {
    const lr = s <= 1000 ? 0.0003 : 0.0003 * (1 - (s - 1000) / 4000);
    rows.push(`b,${s},${lr.toFixed(7)},${(2.5 + 4 * Math.pow(s * 0.3, -0.45)).toFixed(5)}`);
  }
  const path = tmpFile('decays.csv', rows.join('\n') + '\n');
  const { code, stdout } = cli(['fit', path, '--fit-on', 'a', '--law', 'lr-annealing', '--bootstrap', '0', '--json']);
  assert.equal(code, 0);
  const report = JSON.parse(stdout) as {
    curves: { name: string; withheldFrom?: { x: number; reason: string }; predicted: [number, number | null][] }[];
    fits: { lrFloor?: number }[];
    findings: { code: string }[];
  };
  const b = report.curves.find((c) => c.name === 'b')!;
  assert.equal(b.withheldFrom?.x, 1100);
  assert.match(b.withheldFrom!.reason, /never lower their LR/);
  assert.ok(
    b.predicted.every(([s, v]) => s < 1100 === (v !== null)),
    JSON.stringify(b.predicted.slice(8, 12)),
  );
  assert.equal(report.fits[0].lrFloor, 1);
  assert.ok(report.findings.some((f) => f.code === 'drop-unseen'));
});

test('--law power on a loss curve reports kind power, in the header and --json, not compute', () => {
  const file = join(REPO, 'examples/loss/cosine.csv');
  const args = ['fit', file, '--law', 'power', '--power-x', 'step', '--bootstrap', '0'];
  const text = cli(args);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout.split('\n')[0], /^Scaling Lens · 1 file · power · /);
  assert.doesNotMatch(text.stdout, /compute|\(N, D\)/);
  const json = cli([...args, '--json']);
  assert.equal(JSON.parse(json.stdout).kind, 'power');
});

test("fit on a Lightning metrics.csv says a bad value on a step's validation line there, with its column (text and --json)", () => {
  const dir = join(scratchDir('scaling-lens-cli-'), 'version_0');
  mkdirSync(dir);
  const lines = ['step,epoch,train_loss,val_loss,lr-AdamW'];
  for (let step = 100; step <= 3000; step += 100) {
    const loss = (2.5 + 4 * step ** -0.45).toFixed(5);
    lines.push(`${step},0,${loss},,0.0003`, `${step},0,,${step === 1000 ? '1e400' : loss},`);
  }
  const path = join(dir, 'metrics.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  // Line 21 is step 1000's validation line `1000,0,,1e400,`: its loss from column 9; line 20 is its training line.
  const text = cli(['fit', path, '--bootstrap', '0']);
  assert.ok(text.stdout.includes(`${path}:21:9  Loss "1e400" cannot be fitted`), text.stdout);
  const json = JSON.parse(cli(['fit', path, '--bootstrap', '0', '--json']).stdout);
  const loss = json.findings.find((f: { code: string }) => f.code === 'loss-invalid');
  assert.deepEqual([loss.file, loss.line, loss.column, loss.endColumn], [path, 21, 9, 14]);
});

test('--fit-on: a run whose name holds a comma is named whole; a list of names is still split at commas', () => {
  // Three runs of one LR schedule: "lr=3e-4,bs=512" (quoted in the CSV), a and b.
  const rows = ['run,step,lr,loss'];
  const runs: [string, number][] = [
    ['"lr=3e-4,bs=512"', 2.5],
    ['a', 2.6],
    ['b', 2.7],
  ];
  for (const [name, floor] of runs)
    for (let s = 100; s <= 4000; s += 100) {
      const lr = 0.0003 * (1 - s / 5000);
      rows.push(`${name},${s},${lr.toFixed(8)},${(floor + 4 * Math.pow(s * 0.3, -0.45)).toFixed(5)}`);
    }
  const path = tmpFile('comma runs.csv', rows.join('\n') + '\n');
  const fitted = (...fitOn: string[]) => {
    const args = ['fit', path, '--law', 'lr-annealing', '--bootstrap', '0', '--json'];
    const { code, stdout, stderr } = cli([...args, ...fitOn.flatMap((f) => ['--fit-on', f])]);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as { curves: { name: string; role: string }[]; findings: { code: string }[] };
    const unknown = report.findings.filter((f) => f.code === 'fit-on-unknown').length;
    return { fit: report.curves.filter((c) => c.role === 'fit').map((c) => c.name), unknown };
  };
  assert.deepEqual(fitted('lr=3e-4,bs=512'), { fit: ['lr=3e-4,bs=512'], unknown: 0 });
  assert.deepEqual(fitted('a,b'), { fit: ['a', 'b'], unknown: 0 });
  assert.deepEqual(fitted('lr=3e-4,bs=512', 'a'), { fit: ['lr=3e-4,bs=512', 'a'], unknown: 0 });
  // Split, "lr=3e-4" and "bs=512" name no curve: each is an error, as any unknown name is.
  assert.deepEqual(fitted('lr=3e-4, bs=512 ,a'), { fit: ['a'], unknown: 2 });
});
