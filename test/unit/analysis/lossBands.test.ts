import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logBand } from '../../../src/core/analysis/lossBands';
import { seededRandom } from '../../../src/core/util/random';

test('a band of smooth refits plus residual noise is smooth: its edges do not jump from step to step', () => {
  // 48 refits of a smooth law (each a slightly different slope) and residuals as wide as the refits' spread. A
  // residual drawn afresh at every point gave each point's quantile its own noise: the edges' second differences
  // flipped sign at most steps. One residual per refit keeps each point's spread and the band as smooth as the law.
  const n = 200;
  const base = Float64Array.from({ length: n }, (_, i) => 3 + 1 / (1 + i / 20));
  const random = seededRandom(7);
  const draws = Array.from({ length: 48 }, () => {
    const tilt = (random() - 0.5) * 0.02;
    return base.map((v, i) => v * Math.exp((tilt * i) / n));
  });
  const residuals = Float64Array.from({ length: 500 }, () => (random() - 0.5) * 0.02);
  const { lo, hi } = logBand(draws, base, residuals, seededRandom(1));
  for (const edge of [lo, hi]) {
    let flips = 0;
    for (let i = 3; i < n; i++) {
      const d2 = edge[i] - 2 * edge[i - 1] + edge[i - 2];
      const before = edge[i - 1] - 2 * edge[i - 2] + edge[i - 3];
      if (Math.abs(d2) > 1e-9 && Math.abs(before) > 1e-9 && Math.sign(d2) !== Math.sign(before)) flips++;
    }
    assert.ok(flips <= 5, `the edge's second differences flip sign ${flips} times in ${n} steps`);
  }
  // Each point still carries the residuals' noise: the band is wider than the refits' alone at the start.
  assert.ok(hi[0] - lo[0] > 0.01, 'the residual noise widens the band');
});

test('a band holds the prediction it surrounds, even when every refit falls on one side of it', () => {
  // Ten refits all above the fit (a --bootstrap of 10 whose draws fell one way by chance): the quantiles alone gave
  // a band above its own prediction, printed "2.9826 [2.9827, 2.9849]".
  const base = Float64Array.of(3, 2.9, 2.8);
  const draws = Array.from({ length: 10 }, (_, b) => base.map((v) => v * (1.001 + b * 1e-4)));
  const below = Array.from({ length: 10 }, (_, b) => base.map((v) => v * (0.999 - b * 1e-4)));
  for (const set of [draws, below]) {
    const { lo, hi } = logBand(set, base, new Float64Array(0), seededRandom(1));
    for (let i = 0; i < base.length; i++) assert.ok(lo[i] <= 0 && 0 <= hi[i], `[${lo[i]}, ${hi[i]}] around 0`);
  }
  // A band of refits on both sides keeps its quantiles.
  const both = [...draws, ...below];
  const { lo, hi } = logBand(both, base, new Float64Array(0), seededRandom(1));
  assert.ok(lo[0] < -1e-3 && hi[0] > 1e-3);
});
