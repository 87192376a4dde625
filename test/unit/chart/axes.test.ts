// The chart panel's axis labels and marker-label layout: pure functions of the webview, tested without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distinctDigits } from '../../../src/core/util/format';
import { logGridValues, MAX_LOG_GRID, tick, tickLabels } from '../../../src/webview/format';
import { fitText, layoutLabels, layoutStacks, overlaps, type PlacedBox } from '../../../src/webview/labelLayout';

test('axis ticks: an LR axis gets distinct labels (never "3e-4, 3e-4, 2e-4")', () => {
  const values = [0, 5e-5, 1e-4, 1.5e-4, 2e-4, 2.5e-4, 3e-4];
  const labels = tickLabels(values, { log: false, min: 0, max: 3e-4, lengthPx: 200, minGapPx: 20 });
  const shown = labels.filter(Boolean);
  assert.equal(new Set(shown).size, shown.length, shown.join(', '));
  assert.deepEqual(shown, ['0', '5e-5', '1e-4', '1.5e-4', '2e-4', '2.5e-4', '3e-4']);
  // The digits follow the values: 2.44e-4 and 2.45e-4 need three.
  assert.equal(distinctDigits([2.44e-4, 2.45e-4], tick, 1, 6), 3);
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

/** The grid values of a log axis 330 px long, and which of them a y-axis labels. */
function logGrid(min: number, max: number, lengthPx = 330): { grid: number[]; labelled: number[] } {
  const grid = logGridValues(min, max, lengthPx);
  const labels = tickLabels(grid, { log: true, min, max, lengthPx, minGapPx: 20 });
  return { grid, labelled: grid.filter((_, i) => labels[i] !== '') };
}

test('log grid: a narrow loss range gets even round lines, not a crowd near its bottom', () => {
  // A fine-tune's 2.6 to 3.4: chart.js drew 2.6, 2.61, 2.62 … 2.69 then 2.7, 2.8 …; here one line per 0.1, all labelled.
  assert.deepEqual(logGrid(2.6, 3.4), {
    grid: [2.6, 2.7, 2.8, 2.9, 3, 3.1, 3.2, 3.3, 3.4],
    labelled: [2.6, 2.7, 2.8, 2.9, 3, 3.1, 3.2, 3.3, 3.4],
  });
  // The cosine example near its end (2.42 to 3.2): no line at the odd minimum.
  assert.deepEqual(logGrid(2.42, 3.2).grid, [2.5, 2.6, 2.7, 2.8, 2.9, 3, 3.1, 3.2]);
  // A short panel gets fewer lines, still round.
  assert.deepEqual(logGridValues(2.42, 3.2, 100), [2.6, 2.8, 3, 3.2]);
  // Just across a decade: 0.8 to 1.3 in steps of 0.05, not 0.8, 0.81, … under a bare 1 to 1.3.
  assert.deepEqual(logGridValues(0.8, 1.3, 330), [0.8, 0.85, 0.9, 0.95, 1, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3]);
});

test('log grid: a wider range keeps its log look (1..9 or 1-2-5 a decade), labels where there is room', () => {
  // 2 to 10: a line per unit, closer together upwards as on any log axis; in a shorter panel the top ones keep their
  // line without a label, for lack of room.
  assert.deepEqual(logGrid(2, 10).labelled, [2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const short = logGrid(2, 10, 250);
  assert.deepEqual(short.grid, [2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(short.labelled, [2, 3, 4, 5, 6, 7, 8, 10]);
  // A step axis from 100 to 40k: 1..9 a decade (labelled 100, 300, 1k, …) while they stand 6 px apart, else 1-2-5.
  const steps = logGrid(100, 40_000, 380);
  // Thousands as every other surface writes them (the lens's L(40k)), not Intl's "1K".
  const labels = tickLabels(steps.grid, { log: true, min: 100, max: 40_000, lengthPx: 380, minGapPx: 20 }).filter(
    Boolean,
  );
  assert.deepEqual(labels, ['100', '200', '300', '500', '700', '1k', '2k', '3k', '5k', '7k', '10k', '20k', '30k']);
  assert.deepEqual(
    [1.5e3, 2e6, 3e9, 4e12].map((v) => tick(v)),
    ['1.5k', '2M', '3B', '4T'],
  );
  assert.equal(steps.grid.length, 9 + 9 + 4);
  assert.deepEqual(steps.labelled.slice(0, 5), [100, 200, 300, 500, 700]);
  assert.deepEqual(logGridValues(100, 40_000, 200), [100, 200, 500, 1000, 2000, 5000, 10_000, 20_000]);
  // A compute sweep's loss from 2 to 5 (within a decade): halves, not a bare 2, 3, 4, 5; 0.8 to 5 crosses 1 and
  // keeps 1..9 a decade (halves would leave 0.8 to 1 bare).
  assert.deepEqual(logGridValues(2, 5, 330), [2, 2.5, 3, 3.5, 4, 4.5, 5]);
  assert.deepEqual(logGridValues(0.8, 5, 330), [0.8, 0.9, 1, 2, 3, 4, 5]);
  // BLEU from 5 to 35, and from 20 to 35 (under a decade: even steps of 2).
  assert.deepEqual(logGridValues(5, 35, 300), [5, 6, 7, 8, 9, 10, 20, 30]);
  assert.deepEqual(logGridValues(20, 35, 300), [20, 22, 24, 26, 28, 30, 32, 34]);
  // FLOPs over 7 decades: each power of ten (chart.js drew 9 lines a decade, 2.5 px apart); over 20, every other one.
  assert.deepEqual(logGridValues(1e17, 1e24, 380), [1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24]);
  assert.deepEqual(logGridValues(1e10, 1e30, 380), [1e10, 1e12, 1e14, 1e16, 1e18, 1e20, 1e22, 1e24, 1e26, 1e28, 1e30]);
});

test('log grid: under a decade never more than MAX_LOG_GRID lines, and nothing for a range that is not one', () => {
  for (const [min, max] of [
    [2.5, 2.51],
    [1.7, 9.9],
    [0.31, 0.97],
    [3e-5, 2.9e-4],
  ]) {
    const grid = logGridValues(min, max, 2000);
    assert.ok(grid.length >= 2 && grid.length <= MAX_LOG_GRID, `${min}..${max}: ${grid}`);
    assert.ok(
      grid.every((v) => v >= min && v <= max),
      `${min}..${max}: ${grid}`,
    );
  }
  assert.deepEqual(logGridValues(0, 10, 300), []);
  assert.deepEqual(logGridValues(3, 3, 300), []);
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

test('marker labels: a box moves off the data under its highest spot, and still goes somewhere on a full plot', () => {
  const area = { left: 0, right: 800, top: 0, bottom: 400 };
  // A run's points along the top of the plot (a flat BLEU near the y axis' top) and a line falling through the middle.
  const x: number[] = [];
  const y: number[] = [];
  for (let px = 0; px <= 800; px += 5) {
    x.push(px, px);
    y.push(20, 100 + px / 4);
  }
  const [box] = layoutLabels([{ x: 300, width: 200, height: 19 }], area, { x, y }) as PlacedBox[];
  const covered = x.filter(
    (px, i) => px >= box.left - 4 && px <= box.right + 4 && y[i] >= box.top - 4 && y[i] <= box.bottom + 4,
  );
  assert.equal(covered.length, 0, JSON.stringify(box));
  assert.ok(box.top > 20 && box.bottom < 100 + box.left / 4, JSON.stringify(box)); // the gap between the two
  // Without the points the box takes the plot's top, as before.
  assert.equal((layoutLabels([{ x: 300, width: 200, height: 19 }], area)[0] as PlacedBox).top, 3);
  // Points everywhere: the box is still drawn (labels matter more than a few points under a translucent box).
  const dense = { x: [] as number[], y: [] as number[] };
  for (let px = 0; px <= 800; px += 4)
    for (let py = 0; py <= 400; py += 4) {
      dense.x.push(px);
      dense.y.push(py);
    }
  assert.ok(layoutLabels([{ x: 300, width: 200, height: 19 }], area, dense)[0] !== null);
});

test('marker labels: a marker near the right edge gets its label left of it, not pushed over its line', () => {
  const area = { left: 0, right: 1000, top: 0, bottom: 500 };
  const [box] = layoutLabels([{ x: 990, width: 100, height: 20 }], area) as PlacedBox[];
  assert.deepEqual(box, { left: 886, top: 3, right: 986, bottom: 23 });
  // Too wide for either side: pushed inside, as before.
  const [wide] = layoutLabels([{ x: 500, width: 900, height: 20 }], area) as PlacedBox[];
  assert.ok(wide.left >= 0 && wide.right <= 1000, JSON.stringify(wide));
});

test('marker labels: a stack of lines that would cover data is split into a line per box, each off the data', () => {
  const area = { left: 0, right: 400, top: 0, bottom: 300 };
  // Three runs' points across the plot, 80 px apart (a model-size sweep's three sizes): no gap holds nine lines.
  const points = { x: [] as number[], y: [] as number[] };
  for (let px = 0; px <= 400; px += 4)
    for (const py of [60, 140, 220]) {
      points.x.push(px);
      points.y.push(py);
    }
  const size = { line: 15, pad: 4 };
  const nine = { x: 398, widths: Array.from({ length: 9 }, () => 200) };
  const placed = layoutStacks([nine], area, points, size);
  assert.equal(placed.length, 9, 'a box per line');
  assert.deepEqual(
    placed.map((p) => [p.from, p.to]),
    Array.from({ length: 9 }, (_, i) => [i, i + 1]),
  );
  for (const [i, p] of placed.entries()) {
    assert.ok(p.box, `line ${i} is drawn`);
    assert.equal(p.covers, 0, JSON.stringify(p));
    for (const q of placed.slice(0, i)) assert.ok(!overlaps(p.box!, q.box!), JSON.stringify([p, q]));
  }
  // Split, each line sits as near its own value as the gaps allow, and the lines read in their values' order: the
  // first target's value lowest, its line lowest.
  const ys = Array.from({ length: 9 }, (_, i) => 280 - 30 * i);
  const near = layoutStacks([{ ...nine, ys }], area, points, size);
  const line = (i: number) => near.find((p) => p.from === i)!.box!;
  for (let i = 1; i < 9; i++) assert.ok(line(i - 1).top > line(i).top, JSON.stringify(near));
  for (const p of near) assert.equal(p.covers, 0, JSON.stringify(p));
  // Where the stack has room off the data it keeps one box.
  const two = layoutStacks([{ x: 398, widths: [200, 180] }], area, points, size);
  assert.deepEqual(
    two.map((p) => [p.from, p.to, p.covers]),
    [[0, 2, 0]],
  );
});

test('a label wider than the plot is cut to it with an ellipsis, whole when it fits', () => {
  const measure = (t: string) => 6 * t.length; // a monospaced 6 px font
  const label = 'spiked: left its law at step 540 (spike)';
  assert.equal(fitText(label, 6 * label.length, measure), label);
  const cut = fitText(label, 120, measure);
  assert.ok(cut.endsWith('…') && measure(cut) <= 120, cut);
  assert.ok(label.startsWith(cut.slice(0, -1)), cut);
  assert.equal(cut, 'spiked: left its la…'); // the longest start that fits (20 characters of 6 px)
  assert.equal(fitText(label, 3, measure), '…');
});
