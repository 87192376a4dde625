// A step far beyond the curve's own spacing (a token count logged as a step, a stray 1e300) is left out with a
// finding naming its line; ordinary sparse logging is not.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { parseText } from '../../../src/core/table';
import { locatedCell } from '../../../src/core/analysis/cellColumn';

const lossAt = (s: number) => (2.5 + 3 * s ** -0.4).toFixed(5);

function analyse(steps: number[]) {
  const text = ['step,lr,loss', ...steps.map((s) => `${s},3e-4,${lossAt(s)}`)].join('\n');
  return analyseTables([parseText(text, { fileName: 'run.csv' })], { bootstrapSamples: 0 });
}

const regular = Array.from({ length: 50 }, (_, i) => (i + 1) * 100);

for (const stray of [3.5e10, 1e300]) {
  test(
    `a stray step of ${stray} is left out with a finding on its line; the rest is fitted`,
    { timeout: 20_000 },
    () => {
      const analysis = analyse([...regular, stray]);
      const flagged = analysis.findings.filter((f) => f.code === 'step-implausible');
      assert.equal(flagged.length, 1);
      assert.equal(flagged[0].line, 52);
      assert.equal(analysis.curves[0].points.x.length, 50);
      assert.equal(analysis.fits.length, 1);
      assert.equal(analysis.predictions[0].step, 10_000, 'the target is twice the last plausible step');
    },
  );
}

test('dense early logging then sparse logging, or two long stretches at different scales, are left alone', () => {
  const denseThenSparse = [
    ...Array.from({ length: 100 }, (_, i) => i + 1),
    ...Array.from({ length: 40 }, (_, i) => (i + 1) * 1000),
  ];
  const twoScales = [
    ...Array.from({ length: 20 }, (_, i) => i + 1),
    ...Array.from({ length: 20 }, (_, i) => 1e7 + i * 1000),
  ];
  for (const steps of [denseThenSparse, twoScales]) {
    const analysis = analyse(steps);
    assert.equal(analysis.findings.filter((f) => f.code === 'step-implausible').length, 0);
    assert.equal(analysis.curves[0].points.x.length, steps.length);
  }
});

test(
  'steps that are all token counts (to 3.5e10) are fitted by rows, not per step; the multi-power law says why it cannot be',
  { timeout: 30_000 },
  () => {
    // Evenly spaced, so no step stands out as implausible: every step is a token count. The multi-power law sums its
    // loss drops step by step, which would allocate 3.5e10 steps (it threw "Invalid typed array length").
    const steps = Array.from({ length: 400 }, (_, i) => (i + 1) * 87_500_000);
    const started = performance.now();
    const auto = analyse(steps);
    assert.ok(performance.now() - started < 20_000);
    assert.equal(auto.fits.length, 1, JSON.stringify(auto.findings));
    assert.equal(auto.fits[0].law, 'lr-annealing');
    assert.equal(auto.predictions[0].step, 7e10);

    const text = ['step,lr,loss', ...steps.map((s) => `${s},3e-4,${lossAt(s / 1e7)}`)].join('\n');
    const mpl = analyseTables([parseText(text, { fileName: 'run.csv' })], { bootstrapSamples: 0, law: 'mpl' });
    assert.equal(mpl.fits.length, 0);
    const failed = mpl.findings.find((f) => f.code === 'fit-failed');
    assert.match(failed?.message ?? '', /"run" runs to step 3\.5e10, and its loss-drop sum is built step by step/);
  },
);

test(
  'the loss-drop budget is shared by every curve: a held-out run logged from step 1e9, or 20 runs to step 4e6, are refused by the multi-power law in bounded memory',
  { timeout: 30_000 },
  () => {
    // Held per fitted curve, a held-out run from step 1e9 was summed step by step (23 GB, then killed), and 20 runs of
    // 20 rows each to step 4e6 built 20 schedules of 4e6 steps (4.5 GB, over a minute).
    const rows = (steps: number[], run = '') => steps.map((s, i) => `${run}${s},3e-4,${lossAt(i + 1)}`);
    const fit = parseText(['step,lr,loss', ...rows(regular)].join('\n'), { fileName: 'fit.csv' });
    const far = parseText(['step,lr,loss', ...rows(regular.map((s) => 1e9 + s))].join('\n'), { fileName: 'far.csv' });
    const runs = Array.from({ length: 20 }, (_, r) =>
      rows(
        Array.from({ length: 20 }, (_, i) => (i + 1) * 200_000),
        `r${r},`,
      ),
    );
    const many = parseText(['run,step,lr,loss', ...runs.flat()].join('\n'), { fileName: 'runs.csv' });
    for (const [tables, fitOn, longest] of [
      [[fit, far], ['fit'], 'far'],
      [[many], undefined, 'r0'],
    ] as const) {
      const started = performance.now();
      const options = { bootstrapSamples: 0, ...(fitOn && { fitOn: [...fitOn] }) };
      const mpl = analyseTables([...tables], { ...options, law: 'mpl' });
      const failed = mpl.findings.find((f) => f.code === 'fit-failed');
      assert.match(
        failed?.message ?? '',
        new RegExp(`"${longest}" runs to step .*loss-drop sum is built step by step`),
      );
      const auto = analyseTables([...tables], options);
      assert.equal(auto.fits[0]?.law, 'lr-annealing');
      assert.match(auto.fits[0].selection?.reason ?? '', /MPL could not be fitted/);
      assert.ok(performance.now() - started < 20_000);
    }
  },
);

test('an implausible step is shown as the file writes it (escaped, cut), not as the double it reads as', () => {
  // Past 2^53 (the row's own finding): 1e21 prints as 1e+21, 9007199254740993 reads 9007199254740992, and 300 digits would fill a line.
  const written = ['1000000000000000000000', '9007199254740993', '9'.repeat(300)];
  const lines = ['step,lr,loss', ...regular.map((s) => `${s},3e-4,${lossAt(s)}`)];
  const texts = written.map((step) => {
    const text = [...lines, `${step},3e-4,2.6`].join('\n');
    const analysis = analyseTables([parseText(text, { fileName: 'run.csv' })], { bootstrapSamples: 0 });
    const [flagged] = analysis.findings.filter((f) => f.code === 'step-implausible');
    assert.equal(flagged?.line, 52, step);
    return locatedCell(flagged, (_, line) => text.split('\n')[line - 1]).message;
  });
  assert.match(texts[0], /^Step "1000000000000000000000" is beyond/);
  assert.match(texts[1], /^Step "9007199254740993" is beyond/);
  assert.match(texts[2], /"9{39}…"/);
  for (const text of texts) assert.doesNotMatch(text, /e\+|9007199254740992|9{41}/, text);
});

test('every step finding shows the step as the file writes it: a negative one, one far beyond the spacing', () => {
  // A negative step was shown as its double ("Step -1500" for -1.5e3), a far one as its digits (35000000000 for 3.5e10).
  const lines = ['step,lr,loss', ...regular.map((s) => `${s},3e-4,${lossAt(s)}`)];
  const cases = [
    { code: 'step-negative', row: '-1.5e3,3e-4,2.6', shown: /^Step "-1\.5e3" is negative/ },
    { code: 'step-negative', row: '-7.0,3e-4,2.6', shown: /^Step "-7\.0" is negative/ },
    { code: 'step-implausible', row: '3.5e10,3e-4,2.6', shown: /^1 row of "run" from step "3\.5e10" on lie/ },
  ];
  for (const { code, row, shown } of cases) {
    const text = [...lines, row].join('\n');
    const analysis = analyseTables([parseText(text, { fileName: 'run.csv' })], { bootstrapSamples: 0 });
    const flagged = analysis.findings.find((f) => f.code === code);
    assert.equal(flagged?.line, 52, row);
    const message = locatedCell(flagged, (_, line) => text.split('\n')[line - 1]).message;
    assert.match(message, shown, message);
  }
});

test(
  'an LR of 0 every other row, which the loss-drop sums cannot compress, is refused by the multi-power law saying why; warm restarts are fitted',
  { timeout: 120_000 },
  () => {
    // Each block of the compressed sum is split until ln(LR) varies little inside it: every other LR at 0 split them
    // to single steps, so each point took terms in proportion to its step (800 such rows: 1 GB and 42 s of CPU).
    const alternating = ['step,lr,loss'];
    for (let i = 1; i <= 400; i++) alternating.push(`${i * 100},${i % 2 ? 3e-4 : 0},${lossAt(i * 100)}`);
    const table = parseText(alternating.join('\n'), { fileName: 'run.csv' });
    const mpl = analyseTables([table], { bootstrapSamples: 0, law: 'mpl' });
    assert.equal(mpl.fits.length, 0);
    const failed = mpl.findings.find((f) => f.code === 'fit-failed');
    assert.match(
      failed?.message ?? JSON.stringify(mpl.findings),
      /the LR of "run" moves by large factors .* cannot be compressed: it takes over 4096 terms a point.* correct the LR column/,
    );
    const auto = analyseTables([table], { bootstrapSamples: 0 });
    assert.equal(auto.fits[0]?.law, 'lr-annealing');
    assert.match(auto.fits[0].selection?.reason ?? '', /MPL could not be fitted.*cannot be compressed/);
    // Cosine cycles with warm restarts (about 2,000 terms a point) stay within the budget.
    const restarts = ['step,lr,loss'];
    for (let s = 200; s <= 100_000; s += 200)
      restarts.push(`${s},${1.5e-4 * (1 + Math.cos((Math.PI * (s % 10_000)) / 10_000))},${lossAt(s)}`);
    const warm = analyseTables([parseText(restarts.join('\n'), { fileName: 'warm.csv' })], {
      bootstrapSamples: 0,
      law: 'mpl',
    });
    assert.ok(!warm.findings.some((f) => f.code === 'fit-failed'), JSON.stringify(warm.findings));
    assert.equal(warm.fits[0]?.law, 'mpl');
  },
);

test(
  'a held-out run whose LR is 0 every other row is named, not predicted row by row with single-step sums',
  { timeout: 120_000 },
  () => {
    // The term budget covered the fit curves only: such a held-out run was predicted with every row's sum split to
    // single steps (20,000 rows: 20 s; these 1,000 rows to step 100,000: 5e7 terms).
    const fitTables = ['constant', 'cosine'].map((name) =>
      parseText(readFileSync(`examples/loss/${name}.csv`, 'utf8'), { fileName: `${name}.csv` }),
    );
    const held = ['step,lr,loss'];
    for (let i = 1; i <= 1000; i++) held.push(`${i * 100},${i % 2 ? 3e-4 : 0},${lossAt(i * 100)}`);
    const tables = [...fitTables, parseText(held.join('\n'), { fileName: 'osc.csv' })];
    const options = { bootstrapSamples: 0, fitOn: ['constant', 'cosine'] };
    const mpl = analyseTables(tables, { ...options, law: 'mpl' });
    assert.equal(mpl.fits.length, 0);
    const failed = mpl.findings.find((f) => f.code === 'fit-failed');
    assert.match(failed?.message ?? JSON.stringify(mpl.findings), /the LR of "osc" moves by large factors/);
    const auto = analyseTables(tables, options);
    assert.equal(auto.fits[0]?.law, 'lr-annealing');
    assert.match(auto.fits[0].selection?.reason ?? '', /MPL could not be fitted.*"osc".*cannot be compressed/);
    // The same fit curves with a held-out run on a decaying schedule are fitted and predicted by it.
    const decaying = ['step,lr,loss'];
    for (let s = 1; s <= 3000; s++) decaying.push(`${s},${1.5e-4 * (1 + Math.cos((Math.PI * s) / 3000))},${lossAt(s)}`);
    const fine = analyseTables([...fitTables, parseText(decaying.join('\n'), { fileName: 'cos.csv' })], {
      ...options,
      law: 'mpl',
    });
    assert.equal(fine.fits[0]?.law, 'mpl');
    assert.equal(fine.curves.find((c) => c.name === 'cos')?.role, 'heldout');
  },
);
