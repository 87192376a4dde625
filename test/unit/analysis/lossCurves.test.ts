import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseText, detectRoles } from '../../../src/core/table';
import { extractLossCurves, disambiguateCurveNames } from '../../../src/core/analysis/lossCurves';
import * as liveTableModule from '../../../src/core/live/liveTable';

function curvesOf(text: string, fileName = 'run.csv') {
  const table = parseText(text, { fileName, displayName: fileName });
  return extractLossCurves(table, detectRoles(table));
}

test('one curve per file, named by the file base name', () => {
  const { curves } = curvesOf('step,lr,loss\n1,1e-3,4\n2,1e-3,3.5\n', 'runs/my_run.csv');
  assert.equal(curves.length, 1);
  assert.equal(curves[0].name, 'my_run');
  assert.deepEqual(Array.from(curves[0].steps), [1, 2]);
});

test('a run column splits one file into several curves named by its values', () => {
  const { curves } = curvesOf('run,step,lr,loss\na,1,1e-3,4\nb,1,1e-3,4.1\na,2,1e-3,3.5\nb,2,1e-3,3.6\n');
  assert.deepEqual(curves.map((c) => c.name).sort(), ['a', 'b']);
  assert.deepEqual(Array.from(curves.find((c) => c.name === 'b')!.loss), [4.1, 3.6]);
});

test('runs of a multi-run file keep every row through their growth, each row in its own run', () => {
  const n = 2500;
  const rows = Array.from(
    { length: 2 * n },
    (_, i) => `${i % 2 ? 'b' : 'a'},${Math.floor(i / 2) + 1},1e-3,${(4 - (i % 2) - i / (4 * n)).toFixed(6)}`,
  );
  const { curves } = curvesOf(['run,step,lr,loss', ...rows].join('\n'));
  for (const [k, name] of ['a', 'b'].entries()) {
    const c = curves.find((x) => x.name === name)!;
    assert.equal(c.steps.length, n);
    assert.deepEqual(
      Array.from(c.steps),
      Array.from({ length: n }, (_, i) => i + 1),
    );
    assert.deepEqual(
      Array.from(c.lines),
      Array.from({ length: n }, (_, i) => 2 * i + k + 2),
    );
    assert.equal(c.loss[n - 1], Number((4 - k - (2 * n - 2 + k) / (4 * n)).toFixed(6)));
  }
});

test('a schedule logged at the points steps shares their array; one logged elsewhere has its own', () => {
  const same = curvesOf('step,lr,loss\n1,1e-3,4\n2,1e-3,3.5\n').curves[0];
  assert.equal(same.schedule.steps, same.steps);
  const other = curvesOf('step,lr,loss\n0,0,10.8\n1,1e-3,4\n2,1e-3,3.5\n').curves[0];
  assert.notEqual(other.schedule.steps, other.steps);
  assert.deepEqual(Array.from(other.schedule.steps), [0, 1, 2]);
});

test('a step-0 row is left out of the fit points with an info finding, but its LR stays in the schedule', () => {
  const { curves, findings } = curvesOf('step,lr,loss\n0,0,10.8\n10,1e-3,4\n20,1e-3,3.5\n');
  assert.deepEqual(Array.from(curves[0].steps), [10, 20]);
  assert.deepEqual(Array.from(curves[0].schedule.steps), [0, 10, 20]);
  const f = findings.find((x) => x.code === 'step-zero')!;
  assert.equal(f.severity, 'info');
  assert.equal(f.line, 2);
});

test('the step-0 note does not claim the row came before training (a DVCLive step 0 is its first log call)', () => {
  const { findings } = curvesOf('step,lr,loss\n0,1e-3,2.1\n1,1e-3,2\n3,1e-3,1.9\n', 'dvclive/plots/metrics/loss.tsv');
  const f = findings.find((x) => x.code === 'step-zero')!;
  assert.doesNotMatch(f.message, /before any training step/);
  assert.match(f.message, /undefined at step 0/);
});

test('a resumed run that repeats steps keeps the value logged last, and says so', () => {
  const { curves, findings } = curvesOf(
    'step,lr,loss\n1,1e-3,4\n2,1e-3,3.9\n3,1e-3,3.8\n2,1e-3,3.7\n3,1e-3,3.6\n4,1e-3,3.5\n',
  );
  assert.deepEqual(Array.from(curves[0].steps), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(curves[0].loss), [4, 3.7, 3.6, 3.5]);
  assert.deepEqual(Array.from(curves[0].lines), [2, 5, 6, 7]);
  const f = findings.find((x) => x.code === 'steps-repeated')!;
  assert.match(f.message, /2 steps/);
  assert.ok(!findings.some((x) => x.code === 'steps-unsorted'));
});

// LLaMA-Factory appends to trainer_log.jsonl when a run resumes from a checkpoint: a crash after the last checkpoint
// leaves the first attempt's later steps in the file, which the new attempt has not reached yet.
test('a resumed run that has not caught up drops what the abandoned attempt logged beyond its restart', () => {
  const { curves, findings } = curvesOf(
    'step,lr,loss\n10,1e-3,4\n20,1e-3,3.9\n30,1e-3,3.8\n40,1e-3,3.7\n50,1e-3,3.6\n' + '20,1e-3,3.85\n30,1e-3,3.75\n',
  );
  assert.deepEqual(Array.from(curves[0].steps), [10, 20, 30]);
  assert.deepEqual(Array.from(curves[0].loss), [4, 3.85, 3.75]);
  assert.deepEqual(Array.from(curves[0].schedule.steps), [10, 20, 30], 'the stale LRs go too');
  const f = findings.find((x) => x.code === 'steps-repeated')!;
  assert.match(f.message, /2 steps .* logged more than once/);
  assert.match(f.message, /2 points at steps 40 to 50 \(from line 5\) were logged before the run went back/);
  assert.equal(f.line, 3);
});

test('unsorted rows are sorted by step', () => {
  const { curves, findings } = curvesOf('step,lr,loss\n3,1e-3,3\n1,1e-3,4\n2,1e-3,3.5\n');
  assert.deepEqual(Array.from(curves[0].steps), [1, 2, 3]);
  assert.ok(findings.some((x) => x.code === 'steps-unsorted'));
});

test('NaN, Inf, zero and negative losses are reported with their line and left out', () => {
  const { curves, findings } = curvesOf(
    'step,lr,loss\n1,1e-3,4\n2,1e-3,nan\n3,1e-3,inf\n4,1e-3,0\n5,1e-3,-1\n6,1e-3,diverged\n7,1e-3,3\n',
  );
  assert.deepEqual(Array.from(curves[0].steps), [1, 7]);
  const bad = findings.filter((f) => f.code === 'loss-invalid');
  // A text or NaN each where it is; the losses of 0 or below one finding for the run, at the first, counted.
  assert.deepEqual(
    bad.map((f) => [f.line, f.rows]),
    [
      [3, undefined],
      [4, undefined],
      [7, undefined],
      [5, 2],
    ],
  );
  // "nan" is named NaN, not quoted as if the cell said "NaN"; other text is quoted as written.
  assert.match(bad[0].message, /^Loss NaN is not a number/);
  assert.match(bad[2].message, /^Loss "diverged" is not a number/);
  assert.match(bad[3].message, /^2 losses of "[^"]+" are zero or below and are left out\. The first: Loss 0 /);
  assert.deepEqual(
    bad[3].related?.map((r) => r.line),
    [6],
  );
});

test('a loss column none of whose losses can be fitted is one finding with the count and the first cell, not one a row', () => {
  const rows = Array.from({ length: 14 }, (_, k) => `${k + 1},1e-3,${-0.1 - k / 100}`).join('\n');
  const { findings } = curvesOf(`step,lr,policy_loss\n${rows}\n`);
  const bad = findings.filter((f) => f.code === 'loss-invalid');
  assert.equal(bad.length, 1);
  assert.equal(bad[0].rows, 14);
  assert.equal(bad[0].line, 2);
  assert.equal(bad[0].cell?.name, 'policy_loss');
  assert.equal(bad[0].cell?.field, 2);
  assert.match(
    bad[0].message,
    /^No loss in column "policy_loss" can be fitted: all 14 of its losses are left out\. The first: Loss -0\.1 /,
  );
  // One text loss among them is counted with the rest; a single good loss among them leaves the run out, said once.
  const mixed = curvesOf('step,lr,loss\n1,1e-3,-1\n2,1e-3,nan\n3,1e-3,-2\n').findings;
  assert.equal(mixed.filter((f) => f.code === 'loss-invalid').length, 1);
  const oneGood = curvesOf('step,lr,loss\n1,1e-3,-1\n2,1e-3,3\n3,1e-3,-2\n').findings;
  assert.deepEqual(
    oneGood.filter((f) => f.code === 'loss-invalid').map((f) => [f.line, f.rows]),
    [[2, 2]],
  );
});

test('a run of a multi-run file none of whose losses can be fitted is one finding for that run; the others keep a finding a row', () => {
  // Run "b" is all negative (60 rows, past the 20 rows a code lists and the 20 its summary links) before and after
  // run "a"'s rows; "a" has one bad loss after its first good one and one before, held until its first good one.
  const rows = ['run,step,lr,loss', 'a,1,1e-3,-5'];
  for (let k = 1; k <= 60; k++)
    rows.push(`b,${k},1e-3,${-0.1 - k / 100}`, `a,${k + 1},1e-3,${k === 30 ? -1 : 4 - k / 100}`);
  const { findings } = curvesOf(rows.join('\n') + '\n');
  const bad = findings.filter((f) => f.code === 'loss-invalid');
  const ofB = bad.filter((f) => f.curve === 'b');
  assert.equal(ofB.length, 1, bad.map((f) => f.message).join('\n'));
  assert.equal(ofB[0].rows, 60);
  assert.equal(ofB[0].line, 3);
  assert.equal(ofB[0].cell?.name, 'loss');
  assert.match(
    ofB[0].message,
    /^No loss of "b" can be fitted: all 60 of its losses are left out\. The first: Loss -0\.11 /,
  );
  // Run "a"'s two bad rows, one finding at the first (line 2, held until line 4 gave "a" its first loss), and nothing else.
  const ofA = bad.filter((f) => f !== ofB[0]);
  assert.deepEqual(
    ofA.map((f) => [f.line, f.rows, f.curve]),
    [[2, 2, 'a']],
  );
  assert.deepEqual(
    ofA[0].related?.map((r) => r.line),
    [62],
  );
});

test('a run holding more bad rows than a code lists before its first good loss: all are counted in the summary', () => {
  // Text losses (a logged failure) keep a finding a row, the first 20, then one summary that counts them all.
  const rows = ['step,lr,loss'];
  for (let k = 1; k <= 100; k++) rows.push(`${k},1e-3,${k <= 70 ? 'oops' : 3}`);
  const bad = curvesOf(rows.join('\n') + '\n').findings.filter((f) => f.code === 'loss-invalid');
  assert.equal(bad.length, 21);
  assert.equal(bad[20].rows, 50);
  assert.deepEqual(
    bad.slice(0, 20).map((f) => f.line),
    Array.from({ length: 20 }, (_, k) => k + 2),
  );
});

// A GAN's signed train_disc_loss (AIRI-Institute/genrisk) gave 20 loss-invalid findings and a count.
test('losses of 0 or below among good ones: one finding for the run with the count, the first cell and the next linked', () => {
  const rows = ['step,lr,train_disc_loss'];
  for (let k = 1; k <= 100; k++) rows.push(`${k},1e-3,${k % 4 === 0 ? -0.25 : 2 + 3 * Math.pow(k, -0.3)}`);
  const { curves, findings } = curvesOf(rows.join('\n') + '\n');
  const bad = findings.filter((f) => f.code === 'loss-invalid');
  assert.equal(bad.length, 1, bad.map((f) => f.message).join('\n'));
  assert.equal(bad[0].rows, 25);
  assert.equal(bad[0].line, 5);
  assert.equal(bad[0].cell?.name, 'train_disc_loss');
  assert.match(bad[0].message, /^25 losses of "[^"]+" are zero or below and are left out\. The first: Loss -0\.25 /);
  assert.equal(bad[0].related?.length, 20);
  assert.equal(bad[0].related?.[0].line, 9);
  assert.equal(curves[0].steps.length, 75, 'the losses above 0 are fitted');
});

test('a run whose losses are mostly 0 or below is a signed loss: left out whole, said once', () => {
  const rows = ['step,lr,train/loss'];
  for (let k = 1; k <= 60; k++) rows.push(`${k},1e-3,${k % 3 === 0 ? 0.4 : -1.5 + k / 100}`);
  const { curves, findings } = curvesOf(rows.join('\n') + '\n');
  const bad = findings.filter((f) => f.code === 'loss-invalid');
  assert.equal(bad.length, 1);
  assert.equal(bad[0].rows, 40);
  assert.match(
    bad[0].message,
    /^Most losses of "[^"]+" are below zero \(40 of 60\): a signed loss .* the run is left out, its 20 values above zero too\./,
  );
  assert.equal(curves[0].steps.length, 0);
  assert.equal(curves[0].lossesLeftOut, 60);
});

test('rows with an LR but no loss still give the schedule (sparse W&B-style columns)', () => {
  const { curves } = curvesOf('step,lr,loss\n1,1e-3,\n2,,3.9\n3,5e-4,\n4,,3.5\n');
  assert.deepEqual(Array.from(curves[0].schedule.steps), [1, 3]);
  assert.deepEqual(Array.from(curves[0].steps), [2, 4]);
});

test('non-integer steps are rounded with a note; negative steps are rejected with a warning', () => {
  const { curves, findings } = curvesOf('step,lr,loss\n1.0,1e-3,4\n2.4,1e-3,3.9\n-1,1e-3,3.8\n');
  assert.deepEqual(Array.from(curves[0].steps), [1, 2]);
  assert.ok(findings.some((f) => f.code === 'step-not-integer'));
  assert.equal(findings.find((f) => f.code === 'step-negative')!.line, 4);
});

test('curves with the same name from two files are told apart by file name', () => {
  const a = curvesOf('run,step,lr,loss\nx,1,1e-3,4\n', 'a.csv').curves;
  const b = curvesOf('run,step,lr,loss\nx,1,1e-3,4\n', 'b.csv').curves;
  const all = [...a, ...b];
  disambiguateCurveNames(all);
  assert.deepEqual(
    all.map((c) => c.name),
    ['x (a.csv)', 'x (b.csv)'],
  );
});

test('TensorBoard exports: a run loss file and its LR file are one curve named by the run', async () => {
  const { analyseTables } = await import('../../../src/core/analysis/analyse');
  const steps = Array.from({ length: 40 }, (_, i) => (i + 1) * 100);
  const lossCsv =
    'Wall time,Step,Value\n' +
    steps.map((s) => `1700000000.0,${s},${(2.5 + 4 * Math.pow(s, -0.45)).toFixed(5)}`).join('\n') +
    '\n';
  const lrCsv = 'Wall time,Step,Value\n' + steps.map((s) => `1700000000.0,${s},0.0003`).join('\n') + '\n';
  const tables = [
    parseText(lossCsv, {
      fileName: 'run-base_model-tag-train_loss.csv',
      displayName: 'run-base_model-tag-train_loss.csv',
    }),
    parseText(lrCsv, {
      fileName: 'run-base_model-tag-learning_rate.csv',
      displayName: 'run-base_model-tag-learning_rate.csv',
    }),
  ];
  const analysis = analyseTables(tables, { bootstrapSamples: 0 });
  assert.deepEqual(
    analysis.curves.map((c) => c.name),
    ['base_model'],
  );
  assert.equal(analysis.fits.length, 1);
  assert.equal(analysis.curves[0].schedule!.lr.length, 40);
  assert.ok(!analysis.findings.some((f) => f.code === 'columns-unidentified' || f.code === 'lr-missing'));
});

test('a loss file and an LR file of one name in two folders are two runs: neither lends the other its schedule', async () => {
  const { analyseTables } = await import('../../../src/core/analysis/analyse');
  const steps = Array.from({ length: 40 }, (_, i) => (i + 1) * 100);
  const lossCsv = 'step,loss\n' + steps.map((s) => `${s},${(2.5 + 4 * Math.pow(s, -0.45)).toFixed(5)}`).join('\n');
  const lrCsv = 'step,lr\n' + steps.map((s) => `${s},0.0003`).join('\n');
  const tables = [
    parseText(lossCsv, { fileName: '/runs/m25/cosine.csv', displayName: 'm25/cosine.csv' }),
    parseText(lrCsv, { fileName: '/runs/m100/cosine.csv', displayName: 'm100/cosine.csv' }),
  ];
  const analysis = analyseTables(tables, { law: 'lr-annealing', bootstrapSamples: 0 });
  assert.deepEqual(analysis.curves.map((c) => c.name).sort(), ['cosine (m100/cosine.csv)', 'cosine (m25/cosine.csv)']);
  assert.equal(analysis.fits.length, 0);
  const missing = analysis.findings.filter((f) => f.code === 'lr-missing');
  assert.deepEqual(
    missing.map((f) => f.curve),
    ['cosine (m25/cosine.csv)'],
  );
});

/** A followed file as LiveTable holds it: the first rows, then each further part appended as the run writes it. */
function followedSnapshots(header: string, parts: string[][], fileName = 'run.csv') {
  const { LiveTable } = liveTableModule;
  const live = new LiveTable(parseText([header, ...parts[0]].join('\n'), { fileName, displayName: fileName }), []);
  const snapshots = [live.snapshot()];
  let rows = parts[0].length;
  for (const part of parts.slice(1)) {
    live.append(parseText([header, ...part].join('\n'), { fileName, displayName: fileName, firstLine: rows + 1 }), []);
    rows += part.length;
    snapshots.push(live.snapshot());
  }
  return snapshots;
}

/** What extractLossCurves gives, with arrays as plain ones (a carried pass's arrays are views). */
function plainCurves(result: ReturnType<typeof extractLossCurves>) {
  return {
    findings: result.findings,
    curves: result.curves.map((c) => ({
      ...c,
      steps: Array.from(c.steps),
      loss: Array.from(c.loss),
      lines: Array.from(c.lines),
      schedule: { steps: Array.from(c.schedule.steps), lr: Array.from(c.schedule.lr) },
    })),
  };
}

test('a followed table that grows gives, update by update, the curves and findings of the whole file read at once', () => {
  const header = 'run,step,lr,loss';
  // Two runs; bad rows of several kinds (more nan losses than get a finding each), a resumed run repeating steps.
  const row = (i: number) => {
    const run = i % 3 === 0 ? 'b' : 'a';
    const step = Math.floor(i / 2) + 1;
    if (i % 97 === 5) return `${run},${step},1e-3,nan`;
    if (i % 301 === 7) return `${run},-${step},1e-3,3`;
    return `${run},${step},${i % 53 === 0 ? '-1' : '1e-3'},${(4 - i / 5000).toFixed(5)}`;
  };
  const rows = Array.from({ length: 4000 }, (_, i) => row(i));
  rows.splice(3000, 0, 'a,1200,1e-3,2.5', 'a,1201,1e-3,2.4'); // a's resumed attempt
  // Parts of 1 to 1500 rows: the live table grows its arrays (new buffers) in between.
  const cuts = [0, 700, 701, 1500, 3000, 3001, 3050, rows.length];
  const parts = cuts.slice(1).map((end, k) => rows.slice(cuts[k], end));
  const snapshots = followedSnapshots(header, parts);
  const earlier = extractLossCurves(snapshots[0], detectRoles(snapshots[0]));
  const earlierSteps = Array.from(earlier.curves[0].steps);
  snapshots.forEach((table, k) => {
    const whole = parseText([header, ...rows.slice(0, cuts[k + 1])].join('\n'), { fileName: 'run.csv' });
    assert.deepEqual(
      plainCurves(extractLossCurves(table, detectRoles(table))),
      plainCurves(extractLossCurves(whole, detectRoles(whole))),
      `after ${cuts[k + 1]} rows`,
    );
  });
  // An earlier update's curves are not changed by the rows appended since.
  assert.deepEqual(Array.from(earlier.curves[0].steps), earlierSteps);
});

test('a followed one-run table: curves equal to the whole file read at once, its arrays grown in place', () => {
  const header = 'step,lr,loss';
  const rows = Array.from({ length: 3000 }, (_, i) => `${i},${i % 11 ? 1e-3 : ''},${(4 - i / 1000).toFixed(5)}`);
  const cuts = [0, 2000, 2100, 2200, 2300, rows.length];
  const snapshots = followedSnapshots(
    header,
    cuts.slice(1).map((end, k) => rows.slice(cuts[k], end)),
  );
  const results = snapshots.map((table) => extractLossCurves(table, detectRoles(table)));
  results.forEach((result, k) => {
    const whole = parseText([header, ...rows.slice(0, cuts[k + 1])].join('\n'), { fileName: 'run.csv' });
    assert.deepEqual(plainCurves(result), plainCurves(extractLossCurves(whole, detectRoles(whole))));
  });
  // From the second append on, the points are appended in place: each update's steps view the last one's buffer.
  assert.equal(results[3].curves[0].steps.buffer, results[2].curves[0].steps.buffer);
  assert.equal(results[2].curves[0].steps.length + 100, results[3].curves[0].steps.length);
});

test('a followed run whose loss turns NaN is diverged while the NaN rows end its log, and not once it logs a loss again', () => {
  const header = 'step,lr,loss';
  const good = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => `${from + i},1e-3,${(4 - (from + i) / 1000).toFixed(5)}`);
  const parts = [good(1, 100), ['100,1e-3,nan', '101,1e-3,inf'], ['102,1e-3,'], good(103, 110)];
  const results = followedSnapshots(header, parts).map((table) => extractLossCurves(table, detectRoles(table)));
  assert.deepEqual(
    results.map((r) => r.curves[0].diverged),
    [undefined, { step: 100, line: 101, rows: 2 }, { step: 100, line: 101, rows: 2 }, undefined],
  );
  assert.deepEqual(
    results.map((r) => r.findings.filter((f) => f.code === 'loss-diverged').length),
    [0, 1, 1, 0],
  );
  results.forEach((result, k) => {
    const rows = parts.slice(0, k + 1).flat();
    const whole = parseText([header, ...rows].join('\n'), { fileName: 'run.csv' });
    assert.deepEqual(plainCurves(result), plainCurves(extractLossCurves(whole, detectRoles(whole))), `part ${k}`);
  });
});

test('loss rows logged while the LR had been 0 at every step are left out: both laws fit the rest, with one finding', async () => {
  // A scheduler that logs an LR of 0 for its first 40 steps (the LR monitor of a Lightning run), then a decay from
  // 1e-4, a loss at every 10 steps. S1 is 0 at steps 10-40: every start of the multi-power law gave a non-finite loss.
  const { analyseTables } = await import('../../../src/core/analysis/analyse');
  const rows = Array.from({ length: 40 }, (_, i) => {
    const s = (i + 1) * 10;
    const lr = s <= 40 ? 0 : 1e-4 * (1 - s / 800);
    return `${s},${lr},${(2.5 + 3 * Math.pow(s, -0.5)).toFixed(4)}`;
  });
  const text = ['step,lr,loss', ...rows].join('\n') + '\n';
  for (const law of ['mpl', 'lr-annealing'] as const) {
    for (const warmupConvention of ['peak', 'actual'] as const) {
      const table = parseText(text, { fileName: 'zero.csv', displayName: 'zero.csv' });
      const a = analyseTables([table], { law, warmupConvention, bootstrapSamples: 0 });
      const what = `${law}, ${warmupConvention}`;
      assert.ok(
        !a.findings.some((f) => f.code === 'fit-failed'),
        `${what}: ${a.findings.map((f) => f.code).join(', ')}`,
      );
      assert.equal(a.fits.length, 1, what);
      assert.equal(a.fits[0].points, 36, what);
      const said = a.findings.filter((f) => f.code === 'lr-zero-start');
      assert.equal(said.length, 1, what);
      assert.equal(said[0].line, 2);
      assert.match(said[0].message, /4 loss rows of "zero" at steps up to 40 come before any step with an LR above 0/);
      // Twice the steps trained since the LR rose: 40 + 2 x (400 - 40).
      assert.equal(a.predictions[0].step, 760, what);
    }
  }
});
