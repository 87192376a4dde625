// A sweep law's bootstrap on a group larger than BOOTSTRAP_POINTS (analysis/bands.ts) refits evenly spaced points
// with the residuals scaled by sqrt(m/n), so its intervals still narrow as the group grows (as sigma/sqrt(n)) while
// its cost stops growing; a group of fewer points is bootstrapped on every point, as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { BOOTSTRAP_POINTS } from '../../../src/core/analysis/bands';
import { parseText } from '../../../src/core/table';

/** A power-law group of n points with 1 % lognormal noise from a fixed sequence. */
function group(n: number): string {
  const rows = ['tokens,loss'];
  for (let i = 0; i < n; i++) {
    const x = 1e6 * Math.pow(1e4, i / (n - 1));
    const noise = 0.01 * Math.sin(i * 12.9898) * Math.cos(i * 4.1414) * 2;
    rows.push(`${x.toFixed(0)},${((2 + 30 * Math.pow(x, -0.3)) * Math.exp(noise)).toFixed(6)}`);
  }
  return rows.join('\n') + '\n';
}

const alphaWidth = (n: number) => {
  const a = analyseTables([parseText(group(n), { fileName: `g${n}.csv` })], {
    law: 'power',
    powerX: 'tokens',
    bootstrapSamples: 100,
  });
  const [lo, hi] = a.fits[0].intervals!.alpha;
  return hi - lo;
};

test('intervals of a group 10 times over BOOTSTRAP_POINTS are about sqrt(10) times narrower than at it', () => {
  const ratio = alphaWidth(BOOTSTRAP_POINTS) / alphaWidth(10 * BOOTSTRAP_POINTS);
  assert.ok(ratio > 2 && ratio < 5, `width ratio ${ratio} (sqrt(10) = 3.16; 1 without the residuals' scaling)`);
});
