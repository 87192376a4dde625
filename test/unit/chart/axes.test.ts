// The chart panel's axis labels and marker-label layout: pure functions of the webview, tested without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distinctDigits, tick, tickLabels } from '../../../src/webview/format';
import { layoutLabels, overlaps, type PlacedBox } from '../../../src/webview/labelLayout';

test('axis ticks: an LR axis gets distinct labels (never "3e-4, 3e-4, 2e-4")', () => {
  const values = [0, 5e-5, 1e-4, 1.5e-4, 2e-4, 2.5e-4, 3e-4];
  const labels = tickLabels(values, { log: false, min: 0, max: 3e-4, lengthPx: 200, minGapPx: 20 });
  const shown = labels.filter(Boolean);
  assert.equal(new Set(shown).size, shown.length, shown.join(', '));
  assert.deepEqual(shown, ['0', '5e-5', '1e-4', '1.5e-4', '2e-4', '2.5e-4', '3e-4']);
  // The digits follow the values: 2.44e-4 and 2.45e-4 need three.
  assert.equal(distinctDigits([2.44e-4, 2.45e-4]), 3);
  assert.equal(tick(1e19), '1e19');
});

test('axis ticks: a log axis in a short panel labels ticks at least a label apart, round values first', () => {
  const values: number[] = [];
  for (let v = 240; v <= 330; v++) values.push(v / 100);
  const space = { log: true, min: 2.4, max: 3.3, lengthPx: 140, minGapPx: 24 };
  const labels = tickLabels(values, space);
  const at = (v: number) => ((Math.log10(v) - Math.log10(2.4)) / (Math.log10(3.3) - Math.log10(2.4))) * 140;
  const shown = values.filter((_, i) => labels[i]);
  for (let i = 1; i < shown.length; i++) assert.ok(at(shown[i]) - at(shown[i - 1]) >= 24, shown.join(', '));
  assert.ok(shown.length >= 3 && shown.includes(3), shown.join(', '));
  // Every tick keeps its grid line: '' is an unlabelled tick, not a missing one.
  assert.equal(labels.length, values.length);
});

test('marker labels: boxes at one x or side by side never overlap, and stay in the plot', () => {
  const area = { left: 50, right: 800, top: 10, bottom: 400 };
  const boxes = [
    { x: 600, width: 220, height: 19 },
    { x: 600, width: 240, height: 19 },
    { x: 610, width: 200, height: 19 },
    { x: 790, width: 230, height: 34 },
  ];
  const placed = layoutLabels(boxes, area);
  assert.ok(placed.every((p) => p !== null));
  const ok = placed as PlacedBox[];
  for (let i = 0; i < ok.length; i++) {
    assert.ok(
      ok[i].left >= area.left && ok[i].right <= area.right && ok[i].bottom <= area.bottom,
      JSON.stringify(ok[i]),
    );
    for (let j = 0; j < i; j++)
      assert.ok(!overlaps(ok[i], ok[j]), `${JSON.stringify(ok[i])} / ${JSON.stringify(ok[j])}`);
  }
  // A box with no room left is not drawn rather than drawn over another.
  const full = layoutLabels(
    Array.from({ length: 30 }, () => ({ x: 400, width: 100, height: 19 })),
    { left: 0, right: 500, top: 0, bottom: 100 },
  );
  assert.ok(full.some((p) => p === null));
});
