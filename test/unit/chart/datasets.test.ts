// The labels the chart panel draws on its canvas (src/webview/datasets.ts): a series' legend entry and tooltip, and
// a what-if's, are file text (run names) shown as one line, controls and bidirectional characters escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasetsFor, whatIfDatasets, type StyleContext } from '../../../src/webview/datasets';
import type { ChartSeries, WhatIfCurve } from '../../../src/shared/chart';
import { type Theme } from '../../../src/webview/theme';
import { defaultSpec } from '../../../src/core/chart/whatIf';

const theme: Theme = {
  foreground: '#cccccc',
  grid: '#444444',
  background: '#1e1e1e',
  font: 'sans-serif',
  palette: ['#3794ff', '#f14c4c', '#89d185', '#cca700', '#d18616', '#b180d7'],
  alert: '#f14c4c',
  highContrast: false,
  light: false,
};
const ctx: StyleContext = { theme, groupIndex: new Map(), residuals: false };
/** A run named with a right-to-left override (U+202E), a bell and a line break. */
const HOSTILE = 'run\u202e1.2 = L\u0007\nb';
const SHOWN = 'run\\u202e1.2 = L\\x07\\x0ab';

const series = (kind: ChartSeries['kind'], label: string): ChartSeries => ({
  panel: 'main',
  kind,
  group: HOSTILE,
  id: `${kind}:${label}`,
  label,
  x: [1, 2],
  y: [3, 2.5],
  y2: kind === 'band' || kind === 'runner-up-band' ? [3.1, 2.6] : undefined,
  total: 2,
});

test('every series label on the canvas shows a bidi override and controls escaped, on one line', () => {
  for (const kind of ['observed', 'law', 'band', 'runner-up', 'runner-up-band', 'target'] as const) {
    const labels = datasetsFor(series(kind, `${HOSTILE} · law`), ctx).map((d) => d.label ?? '');
    assert.ok(labels.length > 0, kind);
    for (const label of labels) {
      assert.ok(label.startsWith(`${SHOWN} · law`), `${kind}: ${JSON.stringify(label)}`);
      assert.doesNotMatch(label, /[\u0000-\u001f\u202e]/, kind);
    }
  }
});

test("a what-if's legend entry escapes its label as well", () => {
  const spec = defaultSpec({ peakLr: 1e-3, warmupSteps: 0, totalSteps: 2 });
  const curve: WhatIfCurve = { label: HOSTILE, spec, steps: [1, 2], loss: [3, 2.9], lr: [1e-3, 5e-4], finalLoss: 2.9 };
  const [main] = whatIfDatasets([curve], 'main', theme);
  assert.equal(main.label, `${SHOWN} (${spec.shape})`);
});

test('a long run name is still shortened, then escaped', () => {
  const long = `\u202e${'x'.repeat(300)}`;
  const [d] = datasetsFor(series('law', long), ctx);
  assert.match(d.label ?? '', /^\\u202ex{79}… \(301 characters\)$/);
});

test('a band is filled twice as strongly on a light background as the dark theme’s faint tint was, a new run’s at half', () => {
  const alphaOf = (t: Theme, kind: 'band' | 'run-band') => {
    const [, high] = datasetsFor({ ...series('band', 'a · 95 % band'), kind, y2: [3.1, 2.6] }, { ...ctx, theme: t });
    return Number(/rgba\(.*, ([\d.]+)\)/.exec(String(high.backgroundColor))?.[1]);
  };
  const light = { ...theme, background: '#ffffff', palette: ['#005fb8'], light: true };
  const [dark, lit] = [alphaOf(theme, 'band'), alphaOf(light, 'band')];
  assert.ok(lit >= 0.3 && lit >= 1.5 * dark, `light ${lit}, dark ${dark}`);
  assert.ok(dark > 0.15, `dark ${dark}: more than the 0.15 that read faint`);
  assert.equal(alphaOf(light, 'run-band'), lit / 2);
});
