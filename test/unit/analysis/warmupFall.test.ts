// A warmup given as an option that ends after the logged LR has fallen: said on the row where it falls; one that
// ends at or after a curve's last logged step leaves nothing of it to fit: an error naming the option's fault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../../src/core/analysis/analyse';
import type { AnalysisOptions } from '../../../src/core/analysis/options';
import { parseText } from '../../../src/core/table';

/** A cosine run from its peak (its warmup not logged), 60 rows to step 6000. */
const COSINE = [
  'step,lr,loss',
  ...Array.from({ length: 60 }, (_, i) => {
    const s = (i + 1) * 100;
    const lr = 3e-4 * (0.1 + 0.45 * (1 + Math.cos((Math.PI * s) / 6000)));
    return `${s},${lr.toPrecision(6)},${(2.5 + 4 * Math.pow(s, -0.4)).toFixed(5)}`;
  }),
].join('\n');

const analyse = (warmupSteps?: number, law: AnalysisOptions['law'] = 'lr-annealing') =>
  analyseTables([parseText(COSINE, { fileName: 'cos.csv', displayName: 'cos.csv' })], {
    law,
    bootstrapSamples: 0,
    warmupSteps,
  });

test('a warmup given past the logged LR fall: warmup-falls on the row where the LR is below 90 % of its top', () => {
  const found = analyse(3000).findings.filter((f) => f.code === 'warmup-falls');
  assert.equal(found.length, 1);
  assert.equal(found[0].severity, 'warning');
  assert.equal(found[0].curve, 'cos');
  assert.equal(found[0].line, 15, 'step 1400: the first LR under 90 % of the one at step 100');
  assert.match(
    found[0].message,
    /falls to 2\.65e-4 at step 1400, from 3e-4 before it, while the warmup given ends only at step 3000/,
  );
});

test('a warmup that ends before the LR falls, or none given, says nothing', () => {
  assert.equal(analyse(100).findings.filter((f) => f.code === 'warmup-falls').length, 0);
  assert.equal(analyse(1300).findings.filter((f) => f.code === 'warmup-falls').length, 0);
  assert.equal(analyse().findings.filter((f) => f.code === 'warmup-falls').length, 0);
});

test('a warmup at or past the last logged step: the error warmup-covers-log names the option, not the log', () => {
  for (const law of ['lr-annealing', 'mpl', 'auto', 'lr-annealing-size'] as const)
    for (const warmup of [6000, 100_000, 2 ** 53]) {
      const a = analyse(warmup, law);
      const what = `${law}, warmup ${warmup}`;
      const codes = a.findings.map((f) => f.code);
      const covers = a.findings.filter((f) => f.code === 'warmup-covers-log');
      assert.equal(covers.length, 1, `${what}: ${codes.join(', ')}`);
      assert.equal(covers[0].severity, 'error');
      assert.equal(covers[0].curve, 'cos');
      assert.match(
        covers[0].message,
        /"cos" logs its last loss at step 6000: every logged point lies within the warmup/,
      );
      assert.deepEqual(covers[0].hints, [{ kind: 'set-option', option: 'warmupSteps' }]);
      // Not the log's length (the multi-power law's loss-drop sum), nor a fall the option explains already.
      assert.ok(!codes.includes('fit-failed') && !codes.includes('warmup-falls'), `${what}: ${codes.join(', ')}`);
      assert.equal(a.fits.length, 0, what);
      assert.ok(a.predictions.every((p) => p.value === null) || a.predictions.length === 0, what);
    }
  // One step short of the last, the last point is past the warmup: fitted (said with warmup-falls).
  assert.ok(!analyse(5999).findings.some((f) => f.code === 'warmup-covers-log'));
});

/** A fine-tune logged into its warmup: the LR rises linearly to 5e-5 at step 866; `rows` rows every 10 steps. */
const warming = (rows: number, after = 0) =>
  [
    'step,lr,loss',
    ...Array.from({ length: rows + after }, (_, i) => {
      const s = (i + 1) * 10;
      return `${s},${(5e-5 * Math.min(1, s / (10 * rows))).toPrecision(6)},${(0.5 + 2 / Math.sqrt(s)).toFixed(5)}`;
    }),
  ].join('\n');

test('a curve whose logged LR still rises at its last loss point: warmup-unfinished, and it is not fitted', () => {
  for (const law of ['lr-annealing', 'mpl', 'auto'] as const) {
    const a = analyseTables([parseText(warming(64), { fileName: 'ft.csv', displayName: 'ft.csv' })], {
      law,
      bootstrapSamples: 0,
    });
    const found = a.findings.filter((f) => f.code === 'warmup-unfinished');
    assert.equal(found.length, 1, `${law}: ${a.findings.map((f) => f.code).join(', ')}`);
    assert.equal(found[0].severity, 'error');
    assert.equal(found[0].line, 65, 'the last loss row');
    assert.match(
      found[0].message,
      /"ft" still rises at its last logged loss \(7\.81e-7 at step 10, 5e-5 at step 640\)/,
    );
    assert.equal(a.fits.length, 0);
  }
  // Past its warmup, or with the warmup given (the option decides then), the curve is fitted.
  const past = analyseTables([parseText(warming(30, 34), { fileName: 'ft.csv' })], {
    law: 'lr-annealing',
    bootstrapSamples: 0,
  });
  assert.ok(!past.findings.some((f) => f.code === 'warmup-unfinished'));
  assert.equal(past.fits.length, 1);
  // Past its warmup by its LR, its losses from step 210 on negative (a log-likelihood): those are at fault, not the
  // warmup, which the error said was still going ("the run is in its warmup... fit it once the log passes it").
  const negative = warming(30, 34).replace(/^(\d+),([^,]+),.*$/gm, (row, s: string, lr: string) =>
    Number(s) > 200 ? `${s},${lr},-${(0.5 + 2 / Math.sqrt(Number(s))).toFixed(5)}` : row,
  );
  const left = analyseTables([parseText(negative, { fileName: 'ft.csv' })], {
    law: 'lr-annealing',
    bootstrapSamples: 0,
  });
  const codes = left.findings.map((f) => f.code);
  assert.ok(!codes.includes('warmup-unfinished'), codes.join(', '));
  assert.ok(codes.includes('loss-invalid'), codes.join(', '));
});
