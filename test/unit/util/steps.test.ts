import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFor, runToEnd, type Steps } from '../../../src/core/util/steps';

/** Three steps that record themselves, then a result. */
function* counted(log: number[]): Steps<string> {
  for (let i = 1; i <= 3; i++) {
    log.push(i);
    yield;
  }
  return 'done';
}

test('runFor: at least one step a slice however short, the result once the steps end; runToEnd: the rest at once', () => {
  const log: number[] = [];
  const steps = counted(log);
  assert.equal(runFor(steps, 0), undefined);
  assert.deepEqual(log, [1], 'a slice of 0 ms still makes progress');
  assert.equal(runToEnd(steps), 'done', 'what is left, without the steps already run');
  assert.deepEqual(log, [1, 2, 3]);
  assert.deepEqual(runFor(counted([]), 60_000), { value: 'done' });
});
