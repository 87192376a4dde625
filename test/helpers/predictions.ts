// Tests read a prediction's number only after checking it has one: a withheld prediction fails with its reason.
import assert from 'node:assert/strict';
import { hasValue } from '../../src/core/analysis/trust';
import type { PredictedValue, Prediction, PredictionBase } from '../../src/core/analysis/types';

/** The prediction, which must have a value (status 'ok'). */
export function valued(p: Prediction | undefined): PredictionBase & PredictedValue {
  assert.ok(p, 'expected a prediction');
  if (!hasValue(p)) assert.fail(`the prediction at ${p.xName} ${p.x} was withheld (${p.status}): ${p.statusReason}`);
  return p;
}
