// A downstream group of far more points than a function call takes arguments: the checks after BLEU's peak read the
// extremes with a loop (util/arrays.ts), where a spread into Math.max threw "Maximum call stack size exceeded" and
// the whole analysis failed with an internal error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ceBleuDivergence, type SweepPoint } from '../../../src/core/analysis/breaks';

test('the CE-against-BLEU check on a group of 300,000 points', () => {
  const n = 300_000;
  const dp = (i: number) => 1e6 * (i + 1);
  // BLEU holds its peak over the first tenth and falls by 2 points; CE keeps improving.
  const bleu: SweepPoint[] = Array.from({ length: n }, (_, i) => ({
    dp: dp(i),
    value: i < n / 10 ? 30 : 28,
    line: i + 2,
  }));
  const ce: SweepPoint[] = Array.from({ length: n }, (_, i) => ({ dp: dp(i), value: 3 - i / n, line: i + 2 }));
  const found = ceBleuDivergence(bleu, ce, { file: 'sweep.csv', group: 'all rows', tolerance: 1, fitFirst: 4 });
  assert.equal(found.length, 1);
  assert.match(found[0].message, /BLEU falls by up to 2\.00 BLEU after its peak/);
});
