// The language status item's words (src/client/statusText.ts), without a VS Code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statusText } from '../../../src/client/statusText';
import type { FitSummary } from '../../../src/shared/protocol';

const summary = (kind: FitSummary['kind']): FitSummary => ({
  uri: 'file:///w/cosine.csv',
  state: 'done',
  kind,
  message: 'LR-annealing law fitted on cosine',
  fits: 1,
  warnings: 0,
  errors: 0,
  ms: 5100,
  fromDisk: false,
});

test('the status item says what a file holds in words, not its kind id ("loss-curve")', () => {
  assert.equal(statusText(summary('loss-curve')).text, 'Scaling Lens: loss curves · 1 fit · 5.1 s');
  assert.equal(statusText(summary('downstream')).text, 'Scaling Lens: downstream sweep · 1 fit · 5.1 s');
  assert.equal(statusText(summary('compute')).text, 'Scaling Lens: (N, D) sweep · 1 fit · 5.1 s');
  assert.equal(statusText(summary('unknown')).text, 'Scaling Lens: 1 fit · 5.1 s');
  assert.equal(statusText(summary('loss-curve')).tooltip, 'LR-annealing law fitted on cosine');
});
