import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyseDownstream } from '../../../src/core/analysis/downstream';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { withDefaults } from '../../../src/core/analysis/options';
import type { Finding, LawAnalysis } from '../../../src/core/analysis/types';
import { parseText } from '../../../src/core/table';
import { normal, seededRandom } from '../../../src/core/util/random';
import { generate } from '../../../scripts/examples/downstream';
import { alignedLaw, alignedRows, ceLaw, dpGrid, HEADER, sweepTable } from './sweep';
import { valued } from '../../helpers/predictions';
import { hasValue } from '../../../src/core/analysis/trust';
import { scratchDir } from '../../helpers/scratch';
import { bandCoverage, coverageLine } from '../../helpers/bandCoverage';

const FAST = withDefaults({ bootstrapSamples: 0 });

function run(rows: (string | number)[][], options = FAST, header = HEADER): LawAnalysis {
  const { table, roles } = sweepTable(rows, header);
  return analyseDownstream(table, roles, options);
}
const codes = (a: LawAnalysis) => a.findings.map((f) => f.code);
const find = (a: LawAnalysis, code: string): Finding => {
  const f = a.findings.find((x) => x.code === code);
  assert.ok(f, `expected ${code}; got ${codes(a).join(', ')}`);
  return f;
};

/** A BLEU-only group (mix, D_p, BLEU) analysed as the CLI does, the verdict included (trust.ts). */
function judged(rows: (string | number)[][], options: Parameters<typeof analyseTables>[1]) {
  const text = ['mix,D_p,bleu', ...rows.map((r) => r.join(','))].join('\n') + '\n';
  return analyseTables([parseText(text, { fileName: 'sweep.csv' })], { law: 'bleu', ...options });
}

test('downstream: a clean aligned group fits both laws, predicts with bands and raises no finding', () => {
  const rows = alignedRows(seededRandom(7), { mix: 'en-de', df: '42M' });
  const a = run(rows, withDefaults({ bootstrapSamples: 100, predictAt: [1e11] }));
  assert.deepEqual(codes(a), []);
  assert.deepEqual(
    a.fits.map((f) => [f.law, f.group]),
    [
      ['bleu', 'en-de, D_f=42M'],
      ['downstream-ce', 'en-de, D_f=42M'],
    ],
  );
  const bleu = a.fits[0];
  assert.deepEqual(bleu.groupFields, { mix: 'en-de', D_f: 42e6 });
  assert.equal(bleu.settings.logBase, 'e');
  assert.ok(String(bleu.settings.DpUnit).includes('tokens'));
  assert.equal(bleu.points, 8);
  assert.ok(bleu.quality.predE < 0.02);
  assert.ok(bleu.intervals && bleu.intervals.beta[0] <= bleu.params.beta && bleu.params.beta <= bleu.intervals.beta[1]);
  // Predictions: 2 x max D_p and the configured 1e11, for BLEU and CE, each inside its band.
  assert.deepEqual(
    a.predictions.map((p) => [p.metric, p.x, p.reason]),
    [
      ['bleu', 128e9, 'data-multiplier ×2'],
      ['bleu', 1e11, 'configured'],
      ['ce', 128e9, 'data-multiplier ×2'],
      ['ce', 1e11, 'configured'],
    ],
  );
  const valuedPredictions = a.predictions.map(valued);
  for (const p of valuedPredictions)
    assert.ok(p.low <= p.value && p.value <= p.high && p.high > p.low, JSON.stringify(p));
  const truth = alignedLaw(dpGrid(), 18, 32, 1.5)(128e9);
  assert.ok(
    Math.abs(valuedPredictions[0].value - truth) < 1.5,
    `BLEU at 128B ${valuedPredictions[0].value} vs ${truth}`,
  );
  assert.ok(Math.abs(valuedPredictions[2].value / ceLaw(128e9) - 1) < 0.02);
  // Curves: one per metric, x = D_p, with source lines and band per point.
  assert.deepEqual(
    a.curves.map((c) => [c.metric, c.xName, c.role, c.points.x.length, c.firstLine]),
    [
      ['bleu', 'D_p', 'fit', 8, 2],
      ['ce', 'D_p', 'fit', 8, 2],
    ],
  );
  assert.deepEqual(a.curves[0].points.lines, [2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(a.curves[0].points.low.every((v, i) => v <= a.curves[0].points.predicted[i]));
});

test('downstream: the generated example shows an aligned mix, a broken misaligned mix and a no-gain large-D_f group', () => {
  const [path] = generate(scratchDir('downstream-'));
  const table = parseText(readFileSync(path, 'utf8'), { fileName: 'downstream_sweep.csv' });
  const { roles } = sweepTable([]);
  const a = analyseDownstream(table, roles, withDefaults({ bootstrapSamples: 50 }));
  const by = (group: string) =>
    a.findings
      .filter((f) => f.group === group)
      .map((f) => f.code)
      .sort();
  assert.deepEqual(by('aligned-en-de, D_f=42M'), []);
  assert.deepEqual(by('misaligned-en-fr, D_f=42M'), ['bleu-law-break', 'bleu-non-monotonic', 'ce-bleu-divergence']);
  assert.deepEqual(by('aligned-en-de, D_f=1.2B'), ['pretraining-no-gain']);
  const misaligned = a.fits.find((f) => f.law === 'bleu' && f.group?.startsWith('misaligned'))!;
  assert.equal(misaligned.points, 4, 'the BLEU law is fitted on the points before the break');
  // A law that broke predicts nothing past its break: no value, band or extrapolation, the break as the reason.
  const broken = a.predictions.filter((p) => p.group?.startsWith('misaligned') && p.metric === 'bleu');
  assert.ok(broken.length > 0);
  for (const p of broken) {
    assert.equal(p.status, 'law-broken');
    assert.deepEqual([p.value, p.low, p.high], [null, null, null]);
    assert.match(p.statusReason ?? '', /broke at D_p = 8B \(line 14\)/);
  }
  // Only the points before the break were fitted, and the law gives no value from the break on.
  const curve = a.curves.find((c) => c.group?.startsWith('misaligned') && c.metric === 'bleu')!;
  assert.deepEqual(curve.notFitted, [4, 5, 6, 7]);
  assert.ok(curve.points.predicted.slice(0, 4).every(Number.isFinite));
  assert.ok(curve.points.predicted.slice(4).every(Number.isNaN));
  assert.equal(curve.metrics?.points, 4, 'in-sample metrics on the fitted points only');
  // Its CE still follows its law and still predicts.
  assert.ok(a.predictions.filter((p) => p.group?.startsWith('misaligned') && p.metric === 'ce').every(hasValue));
});

test('downstream: bleu-non-monotonic names both rows of a drop', () => {
  const grid = dpGrid(5);
  const a = run(grid.map((dp, i) => ['m', '42M', dp, [20, 22, 24, 21, 25][i], 2.5 - 0.1 * i]));
  const f = find(a, 'bleu-non-monotonic');
  assert.equal(f.line, 5);
  assert.deepEqual(
    f.related!.map((r) => r.line),
    [4],
  );
  assert.equal(f.severity, 'warning');
  assert.equal(f.group, 'm, D_f=42M');
});

test('downstream: ce-bleu-divergence when CE keeps falling and BLEU goes flat', () => {
  const grid = dpGrid(7);
  const bleu = [20, 22, 24, 24.3, 24.0, 24.2, 23.9];
  const a = run(grid.map((dp, i) => ['m', '42M', dp, bleu[i], ceLaw(dp)]));
  const f = find(a, 'ce-bleu-divergence');
  assert.equal(f.line, 8);
  assert.match(f.message, /stays flat/);
});

test('downstream: pretraining-no-gain against a text-marked baseline row, and the baseline is not fitted', () => {
  for (const marker of ['none', 'baseline', 'not pretrained', 0]) {
    const rows = [
      ['m', '1200M', marker, 38.4, 1.62],
      ...dpGrid(5).map((dp, i) => ['m', '1200M', dp, 38.2 + 0.2 * (i % 2), 1.6 - 0.01 * i]),
    ];
    const a = run(rows);
    const f = find(a, 'pretraining-no-gain');
    assert.equal(f.line, 2, `marker ${marker}`);
    assert.match(f.message, /with D_f = 1.2B fine-tuning tokens/);
    assert.equal(a.fits.find((x) => x.law === 'bleu')!.points, 5);
    assert.ok(!codes(a).includes('dp-invalid'));
  }
});

test('downstream: no pretraining-no-gain when pretraining clearly beats the baseline', () => {
  const rows = [['m', '42M', 'none', 10, 3], ...alignedRows(seededRandom(3), { mix: 'm' })];
  assert.ok(!codes(run(rows)).includes('pretraining-no-gain'));
});

test('downstream: groups with 1-2 points get one too-few-points that names each, and no fit, without throwing', () => {
  const a = run([
    ['one', '42M', 1e9, 20, 2.5],
    ['two', '42M', 1e9, 20, 2.5],
    ['two', '42M', 2e9, 22, 2.4],
  ]);
  // One finding for both groups: the law's needs and the remedy said once, each group named with its points.
  const few = a.findings.filter((f) => f.code === 'too-few-points');
  assert.deepEqual(
    few.map((f) => [f.group, f.severity, f.line, f.curves, f.related?.map((r) => r.line)]),
    [['one, D_f=42M', 'info', 2, 2, [3]]],
  );
  assert.equal(
    few[0].message,
    '2 groups have too few usable points, so no law was fitted: "one, D_f=42M" (BLEU has 1, CE has 1 point(s) with D_p > 0), "two, D_f=42M" (BLEU has 2, CE has 2 point(s) with D_p > 0). Each law has 3 coefficients; the paper\'s guideline is to fit once there are at least 3 points. Add runs at more pretraining amounts (D_p).',
  );
  assert.equal(a.fits.length, 0);
  assert.ok(a.curves.every((c) => c.role === 'unfitted' && c.points.predicted.length === 0));
});

test('downstream: a group whose BLEU is short of points but whose CE is not says which law was not fitted', () => {
  // BLEU of 1e300 on every row is left out; the CE law is fitted on the 8 points, and the finding said "only 8 usable
  // point(s), so no law was fitted".
  const rows = alignedRows(seededRandom(5), { mix: 'm' }).map((r) => [r[0], r[1], r[2], 1e300, r[4]]);
  const a = run(rows);
  assert.deepEqual(
    a.fits.map((f) => f.law),
    ['downstream-ce'],
  );
  assert.match(
    find(a, 'too-few-points').message,
    /^m, D_f=42M: only 0 usable point\(s\), so no BLEU law was fitted\. BLEU has 0/,
  );
});

test('downstream: D_p <= 0, BLEU outside [0, 100], BLEU = 0 and bad CE are located findings, never exceptions', () => {
  const rows = [
    ...alignedRows(seededRandom(5), { mix: 'm' }),
    ['m', '42M', -5e9, 20, 2.5],
    ['m', '42M', 'lots', 20, 2.5],
    ['m', '42M', 2e11, 140, 1.9],
    ['m', '42M', 3e11, 0, -1],
  ];
  const a = run(rows);
  const dp = find(a, 'dp-invalid');
  assert.equal(dp.line, 10);
  assert.deepEqual(
    dp.related!.map((r) => r.line),
    [11],
  );
  assert.equal(find(a, 'bleu-out-of-range').line, 12);
  assert.equal(find(a, 'bleu-zero').line, 13);
  assert.equal(find(a, 'ce-invalid').line, 13);
  assert.equal(a.fits.find((f) => f.law === 'bleu')!.points, 8);
  assert.equal(a.fits.find((f) => f.law === 'downstream-ce')!.points, 9);
});

test('downstream: duplicate D_p rows are averaged and reported with every row', () => {
  const rows = alignedRows(seededRandom(9), { mix: 'm' });
  rows.splice(3, 0, ['m', '42M', rows[2][2], 25, 2.2]);
  const a = run(rows);
  const f = find(a, 'duplicate-dp');
  assert.equal(f.line, 5);
  assert.deepEqual(
    f.related!.map((r) => r.line),
    [4],
  );
  assert.match(f.message, /averaged/);
  const curve = a.curves.find((c) => c.metric === 'bleu')!;
  assert.equal(curve.points.x.length, 8);
  assert.ok(Math.abs(curve.points.observed[2] - (Number(rows[2][3]) + 25) / 2) < 1e-9);
});

test('downstream: mixed units — bare small numbers beside suffixed D_p warn; several suffixes are noted', () => {
  const rows = dpGrid(5).map((dp, i) => [
    'm',
    '42M',
    i === 2 ? String(dp / 1e9) : `${dp / 1e9}B`,
    20 + 2 * i,
    2.5 - 0.1 * i,
  ]);
  const a = run(rows);
  const f = find(a, 'mixed-units');
  assert.equal(f.severity, 'warning');
  assert.equal(f.line, 4);
  const b = run(
    dpGrid(5).map((dp, i) => ['m', '42M', i < 2 ? `${dp / 1e6}M` : `${dp / 1e9}B`, 20 + 2 * i, 2.5 - 0.1 * i]),
  );
  assert.equal(find(b, 'mixed-units').severity, 'info');
  assert.ok(String(b.fits[0].settings.DpUnit).includes('suffixes K/M/B/T expanded'));
});

test('downstream: missing columns and an empty table give findings, not exceptions', () => {
  const noMetric = run([['m', '42M', 1e9]], FAST, ['mix', 'D_f', 'D_p']);
  assert.deepEqual(codes(noMetric), ['downstream-missing-column']);
  const empty = run([]);
  assert.deepEqual(empty, { curves: [], fits: [], predictions: [], findings: [] });
});

test('downstream: without mix or D_f columns all rows form one group', () => {
  const rows = alignedRows(seededRandom(2)).map((r) => [r[2], r[3]]);
  const a = run(rows, FAST, ['D_p', 'bleu']);
  assert.deepEqual(
    a.fits.map((f) => f.group),
    ['all rows'],
  );
});

test('downstream: a stray D_p of 1e300 is skipped with dp-invalid on its line; the sweep is fitted and predicted without it', () => {
  const rows = alignedRows(seededRandom(8), { mix: 'm' });
  const clean = run(rows);
  const stray = run([...rows, ['m', '42M', 1e300, 30.5, 1.9]]);
  const f = find(stray, 'dp-invalid');
  assert.equal(f.line, rows.length + 2);
  assert.match(f.message, /above 1e\+18/);
  assert.deepEqual(
    stray.predictions.map((p) => [p.metric, p.x, valued(p).value]),
    clean.predictions.map((p) => [p.metric, p.x, valued(p).value]),
  );
});

test('downstream: D_p over a narrow range (1B-1.35B): 2x the largest D_p is withheld for both laws, and said', () => {
  // From BLEU = (4.24 + 0.5 ln D_p)^1.2 with 0.05 % noise the BLEU law fitted alpha 4e13, beta 0.1 (with a baseline
  // row) and gave 25.86 [25.84, 25.88] at 2.7B where the law gives 25.98: over so narrow a range its coefficients
  // trade off, and refits started at the fit stay by it.
  const noise = [0.0004, -0.0005, 0.0002, 0.0005, -0.0003, 0, -0.0004, 0.0001];
  const dps = [1e9, 1.05e9, 1.1e9, 1.15e9, 1.2e9, 1.25e9, 1.3e9, 1.35e9];
  const rows = dps.map((d, i) => [
    'en-de',
    '42M',
    d,
    ((4.24 + 0.5 * Math.log(d)) ** 1.2 * (1 + noise[i])).toFixed(3),
    (ceLaw(d) * (1 - noise[i])).toFixed(5),
  ]);
  const a = run(rows, withDefaults({ bootstrapSamples: 40 }));
  const said = find(a, 'downstream-range-short');
  assert.equal(said.line, 2);
  assert.match(said.message, /D_p = 2\.7B is 2\.3 times as far past the fitted D_p \(1B–1\.35B\)/);
  assert.deepEqual(
    a.predictions.map((p) => [p.metric, p.x, p.status]),
    [
      ['bleu', 2.7e9, 'fit-unsupported'],
      ['ce', 2.7e9, 'fit-unsupported'],
    ],
  );
  const first = a.predictions[0];
  assert.match(hasValue(first) ? '' : first.statusReason, /too far past the data: D_p = 2\.7B/);
  // Within one span past the data (up to 1.82B) both are predicted.
  const near = run(rows, withDefaults({ bootstrapSamples: 40, predictAt: [1.6e9], dataMultipliers: [] }));
  assert.ok(near.predictions.length === 2 && near.predictions.every(hasValue), JSON.stringify(near.predictions));
  assert.ok(!codes(near).includes('downstream-range-short'));
  // Each lead says the side: past the data for 2.7B, below it for a D_p under the fitted ones (reach floor 740M).
  assert.match(said.message, /is asked to predict further past its data than they reach: D_p = 2\.7B/);
  const low = run(rows, withDefaults({ bootstrapSamples: 40, predictAt: [1e8], dataMultipliers: [] }));
  const lowSaid = find(low, 'downstream-range-short');
  assert.match(
    lowSaid.message,
    /is asked to predict further below its data than they reach: D_p = 100M is [\d.]+ times as far below the fitted D_p/,
  );
  assert.ok(
    low.predictions.every((p) => p.status === 'fit-unsupported'),
    JSON.stringify(low.predictions),
  );
});

test('downstream: over D_p 1B-4B the BLEU band at 8B holds the law the points were drawn from (refits leave the valley)', () => {
  // Over a 4x range of D_p, alpha and beta trade off along a flat valley: a fit lands anywhere on it (beta 0.2-20),
  // and refits started only at the fit stopped by it, so 13 in 20 bands of 10 points with 0.05 % noise left out the
  // truth, by up to 2 widths. Each refit now also starts from the law's start grid.
  const truths = [
    { lnA: 4.24, alpha: 0.5, beta: 1.2 },
    { lnA: -10, alpha: 1.5, beta: 0.9 },
  ];
  const misses: string[] = [];
  let shown = 0;
  for (const t of truths)
    for (let seed = 1; seed <= 8; seed++) {
      const random = seededRandom(seed);
      const law = (d: number) => (t.lnA + t.alpha * Math.log(d)) ** t.beta;
      const rows = Array.from({ length: 10 }, (_, i) => {
        const d = 1e9 * 4 ** (i / 9);
        return ['en-de', d.toPrecision(6), (law(d) * (1 + 0.0005 * normal(random))).toFixed(4)];
      });
      const a = judged(rows, { bootstrapSamples: 100, predictAt: [8e9], dataMultipliers: [] });
      const p = a.predictions.find((q) => q.metric === 'bleu');
      if (!p || !hasValue(p)) continue;
      shown++;
      const truth = law(8e9);
      if (truth < p.low || truth > p.high)
        misses.push(`${JSON.stringify(t)} seed ${seed}: ${p.value} [${p.low}, ${p.high}], truth ${truth}`);
    }
  assert.ok(shown >= 14, `${shown} of 16 predicted`);
  // A 95 % band leaves out about 1 in 20; 3 of 16 is already unlikely (p ~ 4 %).
  assert.ok(misses.length <= 2, misses.join('\n'));
});

test('downstream: a BLEU sweep over 0.5B-64B with 0.3 % noise keeps its predictions, though its refits put alpha decades apart', () => {
  // Refits started from the law's grid find near-equal curves with alpha 0.004 to 2,200 (beta 0.34-13) for these
  // seeds: judged by alpha's spread (over 3 decades), the fits were withheld though their bands at 128B held the truth.
  const law = (d: number) => (4.24 + 0.5 * Math.log(d)) ** 1.2;
  for (const seed of [1, 3, 4, 6]) {
    const random = seededRandom(seed);
    const rows = dpGrid(8).map((d) => ['en-de', d, (law(d) * (1 + 0.003 * normal(random))).toFixed(4)]);
    const a = judged(rows, { bootstrapSamples: 100 });
    const [low, high] = a.fits[0].intervals!.alpha;
    assert.ok(Math.log10(high / low) > 3, `seed ${seed}: alpha [${low}, ${high}]`);
    const p = a.predictions.find((q) => q.metric === 'bleu');
    assert.ok(p && hasValue(p), `seed ${seed}: ${JSON.stringify(p)}`);
    assert.ok(p.low <= law(128e9) && law(128e9) <= p.high, `seed ${seed}: ${JSON.stringify(p)}, truth ${law(128e9)}`);
  }
});

test('downstream: CE bands at 2x and 4x the largest D_p hold the law the points were drawn from (figures printed)', () => {
  // Three laws E + A·(D_p/1B)^-alpha, 8 seeds, relative noise as real evals scatter. Refits started also from the
  // law's grid, as BLEU's are, changed nothing worth their time (30 seeds, 4 ranges, 3 noise levels, 2 targets: 16
  // of 24 cells the same figures, the 8 others at 1 % noise or over 1B-2B no better, 1-3 fewer shown): the CE law
  // has no valley to stay in, and its 84-90 % (of a nominal 95) is the percentile bootstrap's on 6-10 points.
  const cells = [
    { cell: { low: 1e9, high: 4e9, n: 10, sd: 0.0005 }, judged: true },
    { cell: { low: 1e9, high: 4e9, n: 10, sd: 0.003 }, judged: true },
    { cell: { low: 0.5e9, high: 64e9, n: 8, sd: 0.0005 }, judged: true },
    { cell: { low: 0.5e9, high: 64e9, n: 8, sd: 0.003 }, judged: true },
    // Over 1B-2B at 0.3 % noise most fits are withheld (E's interval reaches 0); the few shown lean to a high alpha
    // (a curve flattening past the data), and over 30 seeds 5 of 15 held the truth (worst 1.4 widths): printed only.
    { cell: { low: 1e9, high: 2e9, n: 6, sd: 0.003 }, judged: false },
  ];
  const analyse = (points: readonly (readonly [number, number])[], seed: number) => {
    const rows = points.map(([d, y]) => `${d.toPrecision(6)},${y.toFixed(5)}`);
    const text = ['D_p,ce', ...rows].join('\n') + '\n';
    return analyseTables([parseText(text, { fileName: 'ce.csv' })], {
      law: 'downstream-ce',
      dataMultipliers: [2, 4],
      seed,
    });
  };
  for (const { cell, judged: isJudged } of cells) {
    const f = bandCoverage(cell, analyse, { scale: 1e9, seeds: 8 });
    const name = `D_p ${cell.low / 1e9}B-${cell.high / 1e9}B (${cell.n} points), ${cell.sd * 100} % noise`;
    console.log(coverageLine(`CE bands at 2x and 4x, ${name}`, f));
    if (!isJudged) continue;
    assert.ok(f.shown >= f.total / 3, `${name}: ${f.shown} of ${f.total} shown`);
    assert.ok(f.held >= 0.8 * f.shown, `${name}: ${f.held} of ${f.shown} held`);
    assert.ok(f.worst < 1, `${name}: worst miss ${f.worst} widths`);
  }
});
