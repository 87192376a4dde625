// The number rules every surface shares (src/core/util/format.ts): a banded value gets the digits its band resolves,
// counts read as users write them, exponents as users type them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAnalysis } from '../../../src/cli/text';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { parseText } from '../../../src/core/table';
import { parseNumberCell } from '../../../src/core/table/number';
import {
  distinctDigits,
  formatBanded,
  formatCompact,
  formatCompactExact,
  formatCount,
  formatEstimate,
  formatFlop,
  formatNumber,
  formatQuantity,
  formatR2,
  formatRange,
  plural,
  pluralNoun,
} from '../../../src/core/util/format';

test('a value gets as many digits as it takes to tell it from its bounds, and its bounds the same decimal place', () => {
  // The case: never "2.5 [2.489, 2.513]".
  assert.equal(formatEstimate(2.5, 2.489, 2.513), '2.50 [2.49, 2.51]');
  assert.equal(formatEstimate(2.5012, 2.4991, 2.5033), '2.501 [2.499, 2.503]');
  assert.equal(formatEstimate(1.9, 1.89, 1.91), '1.90 [1.89, 1.91]');
  // The narrower side decides: a lopsided band still tells the value from its near bound.
  assert.equal(formatEstimate(2.6141, 2.6139, 2.9), '2.6141 [2.6139, 2.9000]');
  // A wide band: three significant digits at least.
  assert.equal(formatEstimate(36.84, 33.66, 40.37), '36.8 [33.7, 40.4]');
  assert.equal(formatEstimate(478.2, 287.1, 712.9), '478 [287, 713]');
  assert.equal(formatEstimate(2140, 1040, 6730), '2140 [1040, 6730]');
});

test('the rounded value differs from each rounded bound whenever the band is not of zero width', () => {
  // Sweep values and band widths over many decades: the printed value must never equal a printed bound.
  for (let e = -3; e <= 5; e++)
    for (const mantissa of [1, 1.234, 2.5, 7.77, 9.99])
      for (let w = -7; w <= 0; w++) {
        const value = mantissa * 10 ** e;
        const width = value * 10 ** w * 3;
        const low = value - width;
        const high = value + width / 2;
        const banded = formatBanded(value, low, high)!;
        if (Math.abs(value) * 1e-6 > width) continue; // beyond the 7 digits a value is given
        assert.notEqual(banded.value, banded.low, `${value} [${low}, ${high}] -> ${JSON.stringify(banded)}`);
        assert.notEqual(banded.value, banded.high, `${value} [${low}, ${high}] -> ${JSON.stringify(banded)}`);
      }
});

test('no band, or one of zero width: the value alone with four digits, or all three with four', () => {
  assert.equal(formatEstimate(2.61437, NaN, NaN), '2.614');
  assert.equal(formatBanded(2.61437, NaN, 3), null);
  assert.equal(formatEstimate(2.614, 2.614, 2.614), '2.614 [2.614, 2.614]');
  // Bounds a hair off the value, below its seventh digit (refits that all stopped at a coefficient's bound): the
  // same four digits, not seven that print the same number thrice.
  assert.equal(formatEstimate(4.512201e-8, 4.5122009999e-8, 4.5122010001e-8), '4.512e-8 [4.512e-8, 4.512e-8]');
  assert.equal(formatEstimate(333300.00001, 333300, 333300.00002), '333300 [333300, 333300]');
});

test('tiny and huge banded values use exponents to the same place', () => {
  assert.equal(formatEstimate(3.2e-4, 3.1e-4, 3.35e-4), '3.20e-4 [3.10e-4, 3.35e-4]');
  assert.equal(formatEstimate(1.234e7, 1.2e7, 1.3e7), '1.23e7 [1.20e7, 1.30e7]');
});

test('counts read as the file, lens and legend write them; exponents without "+"', () => {
  assert.equal(formatCompact(1.6e10), '16B');
  assert.equal(formatCompact(7e9), '7B');
  assert.equal(formatCompact(42e6), '42M');
  assert.equal(formatCompact(20000), '20k');
  // FLOP counts past a thousand T read as exponents, not "10000000000T".
  assert.equal(formatCompact(1e22), '1e22');
  assert.equal(formatCount(12345), '12345');
  assert.equal(formatCount(1.6e10), '16B');
  assert.equal(formatCount(7000000000), '7B');
  assert.equal(formatCount(2.5e6), '2.5M');
  assert.equal(formatFlop(1e22), '1e22');
  assert.equal(formatFlop(1.2956e22), '1.296e22');
  assert.equal(formatNumber(1.6e10), '1.6e10');
  assert.equal(formatNumber(3e-4), '3e-4');
  assert.equal(formatNumber(2.61437), '2.614');
});

test('a bound decades above its value gets as many digits as the value, not the decimal place of the value', () => {
  // A compute-optimal D/N of 5.32e-6 with a band up to 4.4e43 printed its high bound with 52 digits.
  assert.equal(formatEstimate(5.32e-6, 0, 4.402466202045131e43), '5.32e-6 [0, 4.40e43]');
  assert.equal(formatEstimate(5.32e-6, 0, 402466.2020451), '5.32e-6 [0, 402000]');
  // MPL's C on the public 25M runs, its interval out to its bound: the header hover showed [0.0372, 156.0114].
  assert.equal(formatEstimate(0.05203, 0.03716, 156.01138), '0.0520 [0.0372, 156]');
  // A bound one decade up keeps the value's decimal place (the band rule): 9.95 [9.93, 10.07], never 10.1.
  assert.equal(formatEstimate(9.95, 9.93, 10.07), '9.95 [9.93, 10.07]');
});

test('R² is never rounded up to a perfect fit it is not', () => {
  assert.equal(formatR2(0.99996), '0.9999');
  assert.equal(formatR2(0.999996, 5), '0.99999');
  assert.equal(formatR2(1), '1');
  assert.equal(formatR2(0.98765), '0.9877');
  // A curve of one point (a W&B runs table's, or a run with one validation loss beside others) has no R².
  assert.equal(formatR2(NaN), 'n/a');
  assert.equal(formatR2(-0.5), '-0.5');
});

test('counts that read alike at 4 digits get the digits that tell them apart, and no more', () => {
  const near = [1e8, 1e8 + 1, 1e8 + 2];
  const digits = distinctDigits(near);
  assert.equal(digits, 9);
  assert.deepEqual(
    near.map((n) => formatCompact(n, digits)),
    ['100M', '100.000001M', '100.000002M'],
  );
  assert.equal(distinctDigits([25e6, 1e8, 4e8]), 4, 'sizes apart at 4 digits keep 4');
  assert.equal(distinctDigits([1e8, 1e8, 1e8]), 4, 'one size given thrice is one label');
  assert.equal(distinctDigits([]), 4);
  // Two doubles one apart in the last place are told apart at 17 digits.
  const x = 123456789.12345678;
  const next = x + 2 ** -26;
  assert.notEqual(formatCompact(x, distinctDigits([x, next])), formatCompact(next, distinctDigits([x, next])));
  assert.equal(formatCompact(512, 9), '512', 'below a thousand, as before');
});

test('a count in an editable box reads back as the same number (a what-if model size of 1e8+1 is not edited to 1e8)', () => {
  for (const n of [1e8 + 1, 1.3e9 + 7, 123456789012, 1e15 + 3, 25e6, 6.7e9, 3, 512.25]) {
    const text = formatCompactExact(n);
    assert.equal(parseNumberCell(text)?.value, n, `${n} shown as ${text}`);
  }
  assert.equal(formatCompactExact(1e8 + 1), '100.000001M');
  assert.equal(formatCompactExact(124e6), '124M', 'no more digits than it needs');
  assert.equal(formatCompactExact(NaN), 'NaN');
});

// The CLI printed R² to 5 digits ("R² -0.044157", "R² 0.70053") where the lens and the hover print 4.
test("the CLI prints a fit's R² and its curves' to the digits the lens and the hover do", () => {
  const rows = Array.from({ length: 30 }, (_, i) => {
    const step = (i + 1) * 100;
    return `${step},1e-3,${(2 + 5 * Math.pow(step, -0.3) + (i % 3) * 0.0137).toFixed(6)}`;
  });
  const table = parseText(['step,lr,loss', ...rows].join('\n') + '\n', { fileName: 'r.csv', displayName: 'r.csv' });
  const analysis = analyseTables([table], { law: 'lr-annealing', bootstrapSamples: 0 });
  const fit = analysis.fits[0];
  const text = formatAnalysis(analysis);
  assert.ok(fit.quality.r2 < 0.9999, `R² ${fit.quality.r2} must have a fifth digit to round away`);
  assert.ok(text.includes(`in-sample: R² ${formatR2(fit.quality.r2)} ·`), text);
  assert.ok(!text.includes(formatR2(fit.quality.r2, 5)), text);
});

test('one voice: a quantity spaced about "=", a range with an en dash, a noun in the number of its count', () => {
  assert.equal(formatQuantity('D_p', 8e9), 'D_p = 8B');
  assert.equal(formatQuantity('N', '25M'), 'N = 25M');
  assert.equal(formatRange('0.43', '0.95'), '0.43–0.95');
  assert.equal(formatRange(formatCompact(5e8), formatCompact(4e9)), '500M–4B');
  assert.equal(pluralNoun(1, 'law'), 'law');
  assert.equal(pluralNoun(0, 'law'), 'laws');
  assert.equal(pluralNoun(2, 'law'), 'laws');
  assert.equal(plural(1, 'curve'), '1 curve');
  assert.equal(plural(3, 'curve'), '3 curves');
});
