// A fit is named for the law its predictions come from: one law by its name, a mean of laws as the mean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitLawName, LAW_NAMES, shortLawName, weightText } from '../../../src/core/analysis/lawNames';

test('one law by its name; a mean of laws named as the mean, with the weights when they differ, or how they vary', () => {
  assert.equal(fitLawName({ law: 'mpl' }), LAW_NAMES.mpl);
  assert.equal(fitLawName({ law: 'lr-annealing', selection: {} }), 'LR-annealing law');
  assert.equal(
    fitLawName({ law: 'lr-annealing', selection: { weights: { 'lr-annealing': 0.5, mpl: 0.5 } } }),
    'mean of LR-annealing law and MPL',
  );
  assert.equal(
    fitLawName({ law: 'lr-annealing', selection: { weights: { 'lr-annealing': 0.7, mpl: 0.3 } } }),
    '0.70 × LR-annealing law + 0.30 × MPL',
  );
  // Weights that vary with the prediction (each law's inverse bootstrap spread at each step): named by how.
  const weightRange = { 'lr-annealing': [0.2, 0.8] as [number, number], mpl: [0.2, 0.8] as [number, number] };
  assert.equal(
    fitLawName({ law: 'lr-annealing', selection: { weights: { 'lr-annealing': 0.55, mpl: 0.45 }, weightRange } }),
    'spread-weighted mean of LR-annealing law and MPL',
  );
});

test('the short name, for a narrow line: a mean of laws as "(weighted) mean of both laws", one law by its name', () => {
  const weightRange = { 'lr-annealing': [0.2, 0.8] as [number, number], mpl: [0.2, 0.8] as [number, number] };
  assert.equal(shortLawName({ law: 'mpl' }), 'MPL');
  assert.equal(
    shortLawName({ law: 'lr-annealing', selection: { weights: { 'lr-annealing': 0.5, mpl: 0.5 } } }),
    'mean of both laws',
  );
  assert.equal(
    shortLawName({ law: 'lr-annealing', selection: { weights: { 'lr-annealing': 0.7, mpl: 0.3 } } }),
    'weighted mean of both laws',
  );
  assert.equal(
    shortLawName({ law: 'lr-annealing', selection: { weights: { 'lr-annealing': 0.5, mpl: 0.5 }, weightRange } }),
    'weighted mean of both laws',
  );
});

test("a law's weight in a mean reads alike in the CLI and the header hover: its range with an en dash, by step", () => {
  assert.equal(weightText(0.5), 'weight 0.50');
  assert.equal(weightText(0.54, [0.43, 0.95]), 'weight 0.43–0.95 by step, mean 0.54');
});
