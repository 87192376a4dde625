import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numbersOf } from '../../../src/core/util/arrays';

test("numbersOf: a typed array's values (a view's too) as a plain array of numbers, as Array.from gives them", () => {
  const values = Float64Array.of(1, 2.5, -0, Number.NaN, 1e300, 7);
  for (const a of [values, values.subarray(2), values.subarray(6)]) assert.deepEqual(numbersOf(a), Array.from(a));
});
