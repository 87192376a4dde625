// Issue 2's bad inputs, each through the whole analysis: never a throw, never a silent wrong answer — a located,
// actionable finding, and the rest of the file still analysed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliMessage } from '../../../src/cli/text';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { lossSpikes, lrSpikes } from '../../../src/core/analysis/lossCurves';
import type { Analysis } from '../../../src/core/analysis/types';
import { parseText } from '../../../src/core/table';

const GOOD = Array.from(
  { length: 30 },
  (_, i) => `${(i + 1) * 100},0.0003,${(2.5 + 4 * Math.pow((i + 1) * 100, -0.45)).toFixed(5)}`,
);

function analyse(text: string | Buffer, fileName = 'run.csv'): Analysis {
  const table = parseText(typeof text === 'string' ? text : text.toString('latin1'), {
    fileName,
    displayName: fileName,
  });
  return analyseTables([table], { bootstrapSamples: 0 });
}

const codes = (a: Analysis) => a.findings.map((f) => f.code);
const finding = (a: Analysis, code: string) => {
  const f = a.findings.find((x) => x.code === code);
  assert.ok(f, `expected ${code}, got ${codes(a).join(', ') || 'none'}`);
  return f;
};

test('empty file: file-empty, nothing fitted', () => {
  const a = analyse('');
  assert.equal(a.fits.length, 0);
  assert.match(finding(a, 'file-empty').message, /empty/);
});

test('header only: no data rows, nothing fitted', () => {
  const a = analyse('step,lr,loss\n');
  assert.equal(a.fits.length, 0);
  finding(a, 'no-data-rows');
});

test('one row: too few points for a 4-coefficient law, said so', () => {
  const a = analyse('step,lr,loss\n100,0.0003,3.2\n');
  assert.equal(a.fits.length, 0);
  assert.match(finding(a, 'too-few-points').message, /at least 5 loss points/);
});

test('six rows under the multi-power law: too few for its 7 coefficients (it needs 8), no fit made', () => {
  const text = ['step,lr,loss', ...GOOD.slice(0, 6)].join('\n') + '\n';
  const table = parseText(text, { fileName: 'run.csv', displayName: 'run.csv' });
  const a = analyseTables([table], { law: 'mpl', bootstrapSamples: 0 });
  assert.equal(a.fits.length, 0);
  assert.match(
    finding(a, 'too-few-points').message,
    /The MPL has 7 coefficients and needs at least 8 loss points with an LR to fit; 6 are available/,
  );
  // The LR-annealing law (4 coefficients) fits them.
  assert.equal(analyse(text).fits.length, 1);
});

test('non-numeric cells: reported with line and column, the other rows fitted', () => {
  const a = analyse(['step,lr,loss', ...GOOD.slice(0, 10), '1100,0.0003,oops', ...GOOD.slice(11)].join('\n') + '\n');
  assert.equal(a.fits.length, 1);
  const f = finding(a, 'loss-invalid');
  assert.equal(f.line, 12);
  assert.equal(a.fits[0].points, 29);
});

test('NaN and Inf losses are left out with a warning each, negative and zero ones with one for the run', () => {
  const rows = [...GOOD];
  rows[3] = '400,0.0003,nan';
  rows[4] = '500,0.0003,inf';
  rows[5] = '600,0.0003,-2';
  rows[6] = '700,0.0003,0';
  const a = analyse(['step,lr,loss', ...rows].join('\n') + '\n');
  assert.deepEqual(
    a.findings.filter((f) => f.code === 'loss-invalid').map((f) => [f.line, f.rows]),
    [
      [5, undefined],
      [6, undefined],
      [7, 2],
    ],
  );
  assert.equal(a.fits[0].points, 26);
});

test('losses near the ends of the double range (1e300, 1e-300) are analysed, not an internal error', () => {
  const scaled = (scale: number) => {
    const rows = GOOD.map((r) => r.replace(/,([^,]+)$/, (_, loss: string) => `,${Number(loss) * scale}`));
    return analyse(['step,lr,loss', ...rows].join('\n') + '\n');
  };
  const large = scaled(1e300);
  assert.equal(large.fits.length, 1, codes(large).join(', '));
  // Too small for the laws' solvers (see the loss-scale test): said, not fitted.
  const small = scaled(1e-300);
  assert.deepEqual([small.fits.length, finding(small, 'loss-scale').severity], [0, 'error']);
});

test('every row left out (negative steps): the rows are warned and nothing-to-fit is said, located', () => {
  const a = analyse(['step,lr,loss', ...GOOD.map((r) => `-${r}`)].join('\n') + '\n');
  assert.equal(a.fits.length, 0);
  assert.equal(a.findings.find((f) => f.code === 'step-negative')?.line, 2);
  const none = finding(a, 'too-few-points');
  assert.equal(none.severity, 'error');
  assert.deepEqual([none.file, none.line], ['run.csv', 2]);
  assert.match(none.message, /0 are available \(every row was left out/);
});

test('rows without a step, and steps rounded, are located at the first such row, in JSONL too (no header line)', () => {
  const rows = GOOD.map((r) => r.split(',').map(Number));
  const jsonl = rows.map(([step, lr, loss], i) =>
    JSON.stringify({ step: i === 4 ? 'nan' : i === 7 ? step + 0.5 : step, lr, loss }),
  );
  const a = analyse(jsonl.join('\n') + '\n', 'run.jsonl');
  assert.equal(finding(a, 'step-missing').line, 5);
  assert.match(
    finding(a, 'step-missing').message,
    /^1 row had a loss or LR but no step .* was left out \(the first at line 5\)/,
  );
  assert.equal(finding(a, 'step-not-integer').line, 8);
});

test('steps written as fractions that round onto one step: a warning that the column counts no optimizer steps', () => {
  const curve = (step: (i: number) => number) =>
    [
      'step,lr,loss',
      ...Array.from({ length: 200 }, (_, i) => `${step(i + 1)},3e-4,${(2.5 + 3 * (i + 1) ** -0.4).toFixed(5)}`),
    ].join('\n');
  // 0.5, 1, 1.5, ...: half the rows land on the step of the row before (it said "rounded", an info, and "a resumed run?").
  const halves = finding(analyse(curve((i) => i / 2)), 'step-not-integer');
  assert.equal(halves.severity, 'warning');
  assert.match(halves.message, /rounding put 100 rows on the step of the row before.*counts no optimizer steps/);
  assert.deepEqual(halves.hints, [{ kind: 'map-role', roles: ['step'] }]);
  assert.equal(halves.cell?.name, 'step');
  // 0.5, 1.5, 2.5, ...: each still a step of its own, so rounding is only said.
  const apart = finding(analyse(curve((i) => i - 0.5)), 'step-not-integer');
  assert.equal(apart.severity, 'info');
  assert.doesNotMatch(apart.message, /rounding put/);
});

test('duplicate and unsorted steps: sorted, the last value kept, both said', () => {
  const shuffled = [GOOD[2], GOOD[0], GOOD[1], ...GOOD.slice(3)];
  const a = analyse(['step,lr,loss', ...shuffled].join('\n') + '\n');
  finding(a, 'steps-unsorted');
  const resumed = analyse(['step,lr,loss', ...GOOD.slice(0, 20), ...GOOD.slice(15)].join('\n') + '\n');
  assert.match(finding(resumed, 'steps-repeated').message, /5 steps .* logged more than once/);
  assert.equal(resumed.fits[0].points, 30);
});

test('missing LR column: says what is missing and how to map one; nothing fitted', () => {
  const a = analyse(
    [
      'step,loss',
      ...GOOD.map((r) =>
        r
          .split(',')
          .filter((_, i) => i !== 1)
          .join(','),
      ),
    ].join('\n') + '\n',
  );
  assert.equal(a.fits.length, 0);
  assert.match(finding(a, 'lr-missing').message, /map an existing column to the lr role/);
  assert.match(cliMessage(finding(a, 'lr-missing')), /--columns lr=NAME/);
});

test('LR column of text or of negative values only: lr-missing says so, not "no column named lr"', () => {
  for (const lr of ['true', '-0.0003']) {
    const a = analyse(['step,lr,loss', ...GOOD.map((r) => r.replace(',0.0003,', `,${lr},`))].join('\n') + '\n');
    assert.equal(a.fits.length, 0);
    assert.match(finding(a, 'lr-missing').message, /holds a number, or every LR it logs is negative or not finite/, lr);
  }
});

test('a loss or LR column with no number in it is named, with its first cell and line, not only "no loss"', () => {
  const diverged = analyse(['step,lr,loss', ...GOOD.map((r) => r.replace(/,[^,]+$/, ',diverged'))].join('\n') + '\n');
  const loss = finding(diverged, 'cell-not-numeric');
  assert.equal(loss.line, 2);
  assert.match(
    loss.message,
    /^column "loss" holds no number, only text \(the first: "diverged" at line 2\), so it is not taken as the loss/,
  );
  assert.match(cliMessage(loss), /--columns loss=NAME/);
  const lr = analyse(['step,lr,loss', ...GOOD.map((r) => r.replace(',0.0003,', ',3e-4x,'))].join('\n') + '\n');
  assert.match(
    finding(lr, 'cell-not-numeric').message,
    /^column "lr" holds no number, only text .* not taken as the lr;/,
  );
  // A loss column of numbers among which one is text keeps its own, per-column warning.
  const one = analyse(['step,lr,loss', ...GOOD.slice(0, 5), '600,0.0003,x', ...GOOD.slice(6)].join('\n') + '\n');
  assert.ok(!one.findings.some((f) => /holds no number/.test(f.message)));
});

test('LR all zero: an error naming the curve, nothing fitted', () => {
  const a = analyse(['step,lr,loss', ...GOOD.map((r) => r.replace(',0.0003,', ',0,'))].join('\n') + '\n');
  assert.equal(a.fits.length, 0);
  assert.match(finding(a, 'lr-all-zero').message, /0 at every logged step/);
});

test('losses around 1e-30: an error saying the scale and how to fix it, nothing fitted, at once', () => {
  const tiny = GOOD.map((r) => {
    const [step, lr, loss] = r.split(',');
    return `${step},${lr},${Number(loss) * 1e-30}`;
  });
  const started = performance.now();
  const a = analyse(['step,lr,loss', ...tiny].join('\n') + '\n');
  // Fitted, the laws ran their whole iteration budget on every start: a minute or two.
  assert.ok(performance.now() - started < 2000);
  assert.equal(a.fits.length, 0);
  assert.match(finding(a, 'loss-scale').message, /around 2\.\d+e-30 \(their median\).*times 1e30 brings it to about 1/);
  // Losses of 1e-4 are fitted as they are.
  const small = GOOD.map((r) => {
    const [step, lr, loss] = r.split(',');
    return `${step},${lr},${Number(loss) * 1e-4}`;
  });
  assert.equal(analyse(['step,lr,loss', ...small].join('\n') + '\n').fits.length, 1);
});

test('ragged rows: warned with line and column; a short row keeps its step and LR, an overlong one its first fields', () => {
  const rows = [...GOOD];
  rows[4] = '500,0.0003';
  rows[8] = '900,0.0003,3.1,extra,fields';
  const a = analyse(['step,lr,loss', ...rows].join('\n') + '\n');
  const ragged = a.findings.filter((f) => f.code === 'row-ragged');
  assert.deepEqual(
    ragged.map((f) => f.line),
    [6, 10],
  );
  assert.ok(ragged.every((f) => f.column !== undefined && f.column > 1));
  assert.equal(a.fits[0].points, 29);
});

test('truncated last line (no newline, cut mid-number): its row is read, its cut loss left out and said', () => {
  const text = ['step,lr,loss', ...GOOD].join('\n');
  const a = analyse(text.slice(0, -4)); // 2.6 of 2.60898
  assert.equal(a.fits.length, 1);
  assert.equal(a.fits[0].points, 29);
  assert.equal(finding(a, 'value-cut-off').line, 31);
  // Cut by one digit only (2.6089), within the curve's own step-to-step change: read as written.
  assert.equal(analyse(text.slice(0, -1)).fits[0].points, 30);
});

test('binary garbage: file-not-text, no crash', () => {
  const a = analyse(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)), 'garbage.csv');
  assert.equal(a.fits.length, 0);
  finding(a, 'file-not-text');
});

test('a file whose columns match no law gets one actionable warning naming its columns', () => {
  const a = analyse('alpha,beta\n1,2\n3,4\n');
  assert.match(cliMessage(finding(a, 'columns-unidentified')), /\(alpha, beta\).*--columns role=NAME/);
});

test('a loss-curve law asked of a downstream or compute sweep says what the file is, not that it could not be told', () => {
  const files = {
    'D_p,bleu,ce\n1e6,10,3\n1e7,13,2.8\n1e8,16,2.6\n': /make it a downstream sweep/,
    'N,D,loss\n1e7,1e9,3.1\n4e7,1e9,2.9\n1e8,2e9,2.7\n': /make it an \(N, D\) compute sweep/,
  };
  for (const [text, said] of Object.entries(files))
    for (const law of ['mpl', 'lr-annealing-size'] as const) {
      const table = parseText(text, { fileName: 'sweep.csv', displayName: 'sweep.csv' });
      const a = analyseTables([table], { bootstrapSamples: 0, law });
      const message = cliMessage(finding(a, 'columns-unidentified'));
      assert.match(message, new RegExp(`The ${law} law fits loss curves`));
      assert.match(message, said);
      assert.match(message, /Or choose the law with --law auto\./);
      assert.doesNotMatch(message, /Could not tell/);
    }
});

test('a power-law file with 300,000 rows is fitted (no argument-spread limits on long columns)', () => {
  const rows = Array.from(
    { length: 300_000 },
    (_, i) => `${(i + 1) * 10},${(1.7 + 30 * Math.pow((i + 1) * 10, -0.3)).toFixed(6)}`,
  );
  const table = parseText(['tokens,loss', ...rows].join('\n') + '\n', { fileName: 'sweep.csv' });
  const a = analyseTables([table], { law: 'power', powerX: 'tokens', bootstrapSamples: 0 });
  assert.equal(a.fits.length, 1);
  assert.ok(Math.abs(a.fits[0].params.alpha - 0.3) < 1e-3, `alpha ${a.fits[0].params.alpha}`);
});

test('a stray LR of 1e300 among 3e-4: left out of the schedule with a finding on its line, the rest fitted as before', () => {
  const rows = GOOD.map((r, i) => (i === 12 ? r.replace(',0.0003,', ',1e300,') : r));
  const a = analyse(['step,lr,loss', ...rows].join('\n'));
  const clean = analyse(['step,lr,loss', ...GOOD].join('\n'));
  const f = finding(a, 'lr-invalid');
  assert.equal(f.line, 14);
  assert.match(
    f.message,
    /Learning rate 1e\+300 of "run" at step 1300 is over 1,000 times the LRs logged on either side/,
  );
  assert.equal(a.curves[0].points.x.length, 30, 'every loss row stays');
  assert.equal(a.predictions[0].status, 'ok');
  assert.ok(Math.abs(a.predictions[0].value! / clean.predictions[0].value! - 1) < 1e-6, 'as if the LR were not there');
});

test('a stray loss of 1e300 or 1e-300 among 3: left out with a finding on its line, the rest fitted as before', () => {
  const clean = analyseTables(
    [parseText(['step,lr,loss', ...GOOD.filter((_, i) => i !== 12 && i !== 29)].join('\n'), { fileName: 'run.csv' })],
    { law: 'lr-annealing', bootstrapSamples: 0 },
  );
  const rows = GOOD.map((r, i) => (i === 12 ? '1300,0.0003,1e300' : i === 29 ? '3000,0.0003,1e-300' : r));
  const table = parseText(['step,lr,loss', ...rows].join('\n'), { fileName: 'run.csv', displayName: 'run.csv' });
  const a = analyseTables([table], { law: 'lr-annealing', bootstrapSamples: 0 });
  const f = finding(a, 'loss-invalid');
  assert.equal(f.line, 14);
  assert.match(f.message, /Loss 1e\+300 of "run" at step 1300 is over 1,000 times the two losses logged nearest it/);
  assert.match(f.message, /It and 1 more like it are left out/);
  assert.equal(a.curves[0].points.x.length, 28);
  assert.equal(a.predictions[0].status, 'ok');
  assert.equal(a.predictions[0].value, clean.predictions[0].value, 'as if the rows were not there');
});

test('under the power law too: a stray loss of 1e-320 or 1e300 is left out with a finding on its cell, not the whole fit', () => {
  const fit = (rows: string[]) =>
    analyseTables([parseText(['step,lr,loss', ...rows].join('\n'), { fileName: 'run.csv', displayName: 'run.csv' })], {
      law: 'power',
      bootstrapSamples: 0,
    });
  const clean = fit(GOOD.filter((_, i) => i !== 12));
  for (const stray of ['1e-320', '1e300']) {
    const a = fit(GOOD.map((r, i) => (i === 12 ? `1300,0.0003,${stray}` : r)));
    const f = finding(a, 'loss-invalid');
    assert.equal(f.line, 14);
    assert.equal(f.cell?.field, 2);
    assert.match(f.message, /of "loss vs step" at step 1300 is over 1,000 times the two losses logged nearest it/);
    assert.equal(a.fits.length, 1, codes(a).join(', '));
    assert.equal(a.predictions[0].value, clean.predictions[0].value, 'as if the row were not there');
  }
});

test('an LR written as NaN is said on its line like a NaN loss, and the schedule reads across it; an empty LR is not', () => {
  const rows = GOOD.map((r, i) =>
    i === 12 ? '1300,NaN,' + r.split(',')[2] : i === 14 ? '1500,,' + r.split(',')[2] : r,
  );
  const a = analyse(['step,lr,loss', ...rows].join('\n'));
  const f = finding(a, 'lr-invalid');
  assert.equal(f.line, 14);
  assert.match(f.message, /Learning rate NaN is not a number; the schedule skips this row/);
  assert.equal(a.findings.filter((x) => x.code === 'lr-invalid').length, 1, 'the empty cell is no finding');
  assert.equal(a.curves[0].points.x.length, 30, 'every loss row stays');
});

test('lossSpikes: a loss 1,000 times off both nearest losses (both on one side at an end), up or down', () => {
  assert.deepEqual(lossSpikes(Float64Array.from([3, 3, 5000, 3, 3])), [2]);
  assert.deepEqual(lossSpikes(Float64Array.from([3e4, 3, 3, 1e-3])), [0, 3]);
  assert.deepEqual(lossSpikes(Float64Array.from([3, 3, 3.5, 1e300, 3.4])), [3], 'the last row beside a stray is kept');
  assert.deepEqual(lossSpikes(Float64Array.from([3, 3, 3.5, 1e-300, 3.4])), [3]);
  assert.deepEqual(lossSpikes(Float64Array.from([3, 3, 5e3, 5e3, 3, 3])), [], 'two in a row are a level');
  assert.deepEqual(lossSpikes(Float64Array.from([5e4, 100, 40, 30])), [], 'a perplexity logged sparsely');
  assert.deepEqual(lossSpikes(Float64Array.from([10.8, 7, 3, 2.9])), []);
  assert.deepEqual(lossSpikes(Float64Array.from([1e300])), []);
});

test('lrSpikes: an LR over 1,000 times the larger LR beside it (its one neighbour at an end); none beside a zero', () => {
  assert.deepEqual(lrSpikes(Float64Array.from([3e-4, 3e-4, 1, 3e-4, 3e-4])), [2]);
  assert.deepEqual(lrSpikes(Float64Array.from([1, 3e-4, 3e-4, 1])), [0, 3]);
  assert.deepEqual(lrSpikes(Float64Array.from([1, 3e-4])), [0]);
  assert.deepEqual(lrSpikes(Float64Array.from([0, 3e-4, 0])), [], 'a warmup rising from 0 is no spike');
  assert.deepEqual(lrSpikes(Float64Array.from([3e-4, 1, 3e-1])), [], 'the larger side is below 1,000 times');
  assert.deepEqual(lrSpikes(Float64Array.from([1])), []);
  assert.deepEqual(lrSpikes(Float64Array.from([3e-4, Number.NaN, 3e-4])), []);
});

test('steps above 2^53 (no longer whole numbers apart) are left out with step-implausible, never fitted', () => {
  const rows = Array.from({ length: 30 }, (_, i) => `${(i + 1) * 1e20},0.0003,${(3 - i * 0.01).toFixed(3)}`);
  const a = analyse(['step,lr,loss', ...rows].join('\n'));
  const f = finding(a, 'step-implausible');
  assert.equal(f.line, 2);
  assert.match(f.message, /above 2\^53/);
  assert.equal(a.fits.length, 0);
  finding(a, 'too-few-points');
});

test('a log whose loss goes by a name no role knows: the error says to map the loss column, with the hint', () => {
  // A distillation log: the objective is `total`, beside `lr`; step and lr alone make a schedule-only curve.
  const a = analyse(
    ['step,phase,total,lr', ...GOOD.map((row) => row.replace(/^(\d+),([^,]+),(.+)$/, '$1,P1,$3,$2'))].join('\n'),
  );
  const f = finding(a, 'too-few-points');
  assert.equal(f.severity, 'error');
  assert.match(f.message, /no curve has a loss value: no column was recognised as the loss; map the one that holds it/);
  assert.deepEqual(f.hints, [{ kind: 'map-role', roles: ['loss'] }]);
  assert.match(cliMessage(f), /--columns loss=NAME/);
  // A curve without an LR still points at the findings on each.
  const noLr = finding(analyse('step,loss\n100,3.1\n200,3.0\n'), 'too-few-points');
  assert.match(noLr.message, /see why in the findings on each/);
  assert.equal(noLr.hints, undefined);
});

test('a loss column whose every value is left out (negative, text, step 0) was recognised: the error says so, and asks for no mapping', () => {
  const rows = ['0,0.001,3.9', ...Array.from({ length: 12 }, (_, i) => `${(i + 1) * 100},0.001,-${3 - i * 0.01}`)];
  const a = analyse(['step,lr,loss', ...rows, '1300,0.001,nan'].join('\n'));
  const f = finding(a, 'too-few-points');
  assert.match(f.message, /every loss value was left out, 14 rows: a loss must be a finite number > 0 at a step >= 1/);
  assert.doesNotMatch(f.message, /no column was recognised/);
  assert.equal(f.hints, undefined);
  assert.ok(a.findings.some((x) => x.code === 'loss-invalid'));
});

test('a run whose loss is NaN, then inf, to the end of its log diverged: said at its first cell, no prediction', () => {
  const tail = [3100, 3200, 3300].map((s) => `${s},0.0003,NaN`).concat([3400, 3500].map((s) => `${s},0.0003,inf`));
  // An LR-only row after the tail logs no loss: the tail still runs to the end of the log.
  const a = analyse(['step,lr,loss', ...GOOD, ...tail, '3600,0.0003,'].join('\n'));
  const diverged = finding(a, 'loss-diverged');
  assert.equal(diverged.line, 32);
  assert.deepEqual([diverged.cell?.name, diverged.cell?.field], ['loss', 2], 'the first NaN cell');
  assert.match(diverged.message, /from step 3,?100 on, in all 5 rows that log a loss/);
  assert.equal(a.fits.length, 1, 'the rows before are still fitted');
  assert.ok(a.predictions.length > 0);
  for (const p of a.predictions) {
    assert.equal(p.status, 'law-departed');
    assert.equal(p.value, null);
    assert.match(p.statusReason ?? '', /diverged: its loss is no number from step 3,?100 \(line 32\)/);
  }
  // A NaN the run logged on from, or a last loss of 0 or below (a log-likelihood), is no divergence.
  const recovered = analyse(['step,lr,loss', ...GOOD.slice(0, 20), '2100,0.0003,NaN', ...GOOD.slice(21)].join('\n'));
  const negative = analyse(['step,lr,loss', ...GOOD, '3100,0.0003,-1', '3200,0.0003,0'].join('\n'));
  // A loss column with no number at all is not a run that diverged: it is named as such (loss-missing, lr-missing...).
  const none = analyse(['step,lr,loss', ...GOOD.map((row) => row.replace(/[^,]+$/, 'nan'))].join('\n'));
  assert.ok(!codes(none).includes('loss-diverged'), codes(none).join(', '));
  for (const ok of [recovered, negative]) {
    assert.ok(!codes(ok).includes('loss-diverged'), codes(ok).join(', '));
    assert.ok(ok.predictions.some((p) => p.status === 'ok' && p.value !== null));
  }
});

test('a column mapping that names no column is said by fit too: once per mapping over many files, naming them', () => {
  const table = (name: string, header = 'step,lr,loss') =>
    parseText([header, ...GOOD].join('\n') + '\n', { fileName: name, displayName: name });
  const tables = Array.from({ length: 7 }, (_, i) => table(`run${i}.csv`));
  tables.push(table('eval.csv', 'step,lr,val_los'));
  const a = analyseTables(tables, { bootstrapSamples: 0, columns: { loss: 'val_los', lr: 'learning_rate' } });
  // The detected columns were fitted without a word: only `inspect` said the mapping named nothing.
  const said = a.findings.filter((f) => f.code === 'column-mapping-unmatched');
  assert.deepEqual(
    said.map((f) => [f.severity, f.file]),
    [
      ['warning', 'run0.csv'],
      ['warning', 'run0.csv'],
    ],
  );
  assert.equal(
    said[0].message,
    "The column mapping loss=val_los names no column in 7 files of 8 (run0.csv, run1.csv, run2.csv, run3.csv, run4.csv, and 2 more), so the columns detected there were used instead (the columns of run0.csv: step, lr, loss); map a column the file has, or check the name's spelling.",
  );
  assert.match(said[1].message, /^The column mapping lr=learning_rate names no column in 8 files of 8 \(/);
  assert.match(cliMessage(said[0]), /spelling\. Map columns with --columns loss=NAME\.$/);
  const one = analyse(['step,lr,loss', ...GOOD].join('\n') + '\n');
  assert.equal(one.findings.filter((f) => f.code === 'column-mapping-unmatched').length, 0, 'no mapping, no word');
  const single = analyseTables([table('run.csv')], { bootstrapSamples: 0, columns: { loss: 'val_los' } });
  assert.match(
    single.findings.find((f) => f.code === 'column-mapping-unmatched')?.message ?? '',
    /^The column mapping loss=val_los names no column in this file, so the columns detected were used instead \(its columns: step, lr, loss\);/,
  );
});

test('a run that blew up is withheld for what its data show, not for the LR drop scheduled past its log', () => {
  // The scheduled LR decays on in rows past the loss (NaN, or no loss at all): an LR lower than the fit saw, so the
  // run's predictions were said withheld for an unseen drop, the divergence only in a finding.
  const decay = (i: number) => (0.0003 * (1 - (i + 1) / 11)).toPrecision(4);
  const nan = Array.from({ length: 10 }, (_, i) => `${3100 + i * 100},${decay(i)},NaN`);
  const noisy = (i: number) => (2.5 + 4 * Math.pow((i + 1) * 100, -0.45)) * (1 + 0.003 * Math.sin(i * 12.9898));
  const long = Array.from({ length: 80 }, (_, i) => `${(i + 1) * 100},0.0003,${noisy(i).toFixed(5)}`);
  const rising = Array.from(
    { length: 25 },
    (_, i) => `${8100 + i * 100},0.0003,${(2.95 * 1.04 ** (i + 1)).toFixed(4)}`,
  );
  const after = Array.from({ length: 10 }, (_, i) => `${10600 + i * 100},${decay(i)},`);
  const cases = [
    {
      text: ['step,lr,loss', ...GOOD, ...nan],
      why: /^the run diverged: its loss is no number from step 3,?100 \(line 32\)/,
    },
    {
      text: ['step,lr,loss', ...long, ...rising, ...after],
      why: /^the run left its law from step 8,?\d00: a divergence \(the loss rises\)/,
    },
  ];
  for (const { text, why } of cases) {
    const a = analyse(text.join('\n') + '\n');
    assert.ok(codes(a).includes('drop-unseen'), codes(a).join(', '));
    assert.ok(a.predictions.length > 0);
    for (const p of a.predictions) {
      assert.equal(p.status, 'law-departed');
      assert.match(p.statusReason ?? '', why);
    }
    assert.match(a.curves[0].withheldFrom?.reason ?? '', why, 'the curve’s cut says the same');
  }
});
