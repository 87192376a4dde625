import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectWarmupEnd, lrAreas, StepLr } from '../../../src/core/laws/schedule';

const sched = (steps: number[], lr: number[]) => ({ steps: Float64Array.from(steps), lr: Float64Array.from(lr) });

/** Direct O(T) reference straight from the paper's definitions, on an explicit per-step LR array. */
function reference(eta: number[], lambda: number) {
  const s1: number[] = [];
  const s2: number[] = [];
  let a = 0,
    b = 0,
    m = 0;
  eta.forEach((e, i) => {
    a += e;
    if (i > 0) m = lambda * m + (eta[i - 1] - e);
    b += m;
    s1.push(a);
    s2.push(b);
  });
  return { s1, s2 };
}

test('S1 and S2 follow the recursions of the paper on a step decay', () => {
  const eta = [1, 1, 1, 0.5, 0.5, 0.5, 0.1, 0.1];
  const logged = sched([1, 2, 3, 4, 5, 6, 7, 8], eta);
  const ref = reference(eta, 0.9);
  const got = lrAreas(logged, [1, 2, 3, 4, 5, 6, 7, 8], { lambda: 0.9, warmup: 'peak' });
  ref.s1.forEach((v, i) => assert.ok(Math.abs(got.s1[i] - v) < 1e-12));
  ref.s2.forEach((v, i) => assert.ok(Math.abs(got.s2[i] - v) < 1e-12, `S2 at ${i + 1}`));
});

test('LR between logged rows is linearly interpolated; before the first row it is the first logged value', () => {
  const lr = new StepLr(sched([10, 20], [1, 0]));
  const values = Array.from({ length: 25 }, (_, i) => lr.at(i + 1));
  assert.equal(values[0], 1); // step 1, before the first logged row
  assert.equal(values[14], 0.5); // step 15, halfway between 10 and 20
  assert.equal(values[24], 0); // step 25, past the end: held at the last value
});

test('re-warmup makes S2 decrease (the law covers re-warmup)', () => {
  const eta = [1, 1, 0.2, 0.2, 1, 1];
  const got = lrAreas(sched([1, 2, 3, 4, 5, 6], eta), [4, 6], { lambda: 0.999, warmup: 'peak' });
  assert.ok(got.s2[1] < got.s2[0]);
});

test('warmup conventions: peak counts warmup at eta_max, actual sums the real warmup LR', () => {
  // Linear warmup over 100 steps to 1e-3 logged every 10 steps, then constant.
  const steps = Array.from({ length: 30 }, (_, k) => (k + 1) * 10);
  const lr = steps.map((s) => (s <= 100 ? (1e-3 * s) / 100 : 1e-3));
  const q = [300];
  const peak = lrAreas(sched(steps, lr), q, { lambda: 0.999, warmup: 'peak' });
  const actual = lrAreas(sched(steps, lr), q, { lambda: 0.999, warmup: 'actual' });
  assert.ok(Math.abs(peak.s1[0] - 300 * 1e-3) < 1e-12);
  // Steps 1..9 sit before the first logged row (held at its 1e-4), then a ramp: 9*1e-4 + sum_{10..100} 1e-5*i + 200*1e-3
  const expected = 9 * 1e-4 + 1e-5 * ((100 * 101) / 2 - 45) + 200 * 1e-3;
  assert.ok(Math.abs(actual.s1[0] - expected) < 1e-12, `${actual.s1[0]} vs ${expected}`);
  assert.equal(peak.s2[0], 0, 'the warmup rise adds nothing to S2');
  assert.equal(actual.s2[0], 0);
});

test('--warmup-steps: a linear warmup from 0 ending at step N fills in absent warmup rows', () => {
  const logged = sched([100, 200], [1e-3, 1e-3]);
  const actual = lrAreas(logged, [200], { lambda: 0.999, warmup: 'actual', warmupSteps: 100 });
  assert.ok(Math.abs(actual.s1[0] - ((1e-5 * (100 * 101)) / 2 + 100 * 1e-3)) < 1e-12);
  const peak = lrAreas(logged, [200], { lambda: 0.999, warmup: 'peak', warmupSteps: 100 });
  assert.ok(Math.abs(peak.s1[0] - 200 * 1e-3) < 1e-12);
});

test('warmup is detected from the initial monotone rise of the logged LR', () => {
  assert.equal(detectWarmupEnd(sched([0, 50, 100, 150], [0, 5e-4, 1e-3, 1e-3]), 1e-3), 100);
  assert.equal(detectWarmupEnd(sched([100, 150], [1e-3, 5e-4]), 1e-3), 0);
});

test('query steps must be ascending integers >= 1', () => {
  assert.throws(() => lrAreas(sched([1], [1]), [0], { lambda: 0.999, warmup: 'peak' }), RangeError);
  assert.throws(() => lrAreas(sched([1], [1]), [3, 2], { lambda: 0.999, warmup: 'peak' }), RangeError);
});

test('past the last logged row the areas follow the closed form, equal to stepping through every step', () => {
  const logged = sched([10, 20, 30], [1, 0.5, 0.2]);
  const far = [5, 30, 31, 40, 1000, 5000];
  const closed = lrAreas(logged, far, { lambda: 0.99, warmup: 'peak' });
  // Reference: log the flat tail explicitly so the stepping loop covers it.
  const explicit = sched([10, 20, 30, 5000], [1, 0.5, 0.2, 0.2]);
  const stepped = lrAreas(explicit, far, { lambda: 0.99, warmup: 'peak' });
  far.forEach((_, k) => {
    assert.ok(Math.abs(closed.s1[k] - stepped.s1[k]) < 1e-9 * Math.max(1, stepped.s1[k]), `S1 at ${far[k]}`);
    assert.ok(
      Math.abs(closed.s2[k] - stepped.s2[k]) < 1e-9 * Math.max(1, Math.abs(stepped.s2[k])),
      `S2 at ${far[k]}: ${closed.s2[k]} vs ${stepped.s2[k]}`,
    );
  });
  const huge = lrAreas(logged, [1e12], { lambda: 0.999, warmup: 'peak' });
  assert.ok(Number.isFinite(huge.s1[0]) && Number.isFinite(huge.s2[0]));
});

/** The recursions stepped one step at a time over StepLr, as lrAreas did before it summed long stretches. */
function stepped(
  schedule: { steps: Float64Array; lr: Float64Array },
  queries: number[],
  options: { lambda: number; warmup: 'peak' | 'actual'; warmupSteps?: number },
) {
  const lr = new StepLr(schedule, options.warmupSteps);
  const s1: number[] = [];
  const s2: number[] = [];
  let sum1 = 0,
    sum2 = 0,
    m = 0,
    previous = NaN;
  for (let i = 1, k = 0; k < queries.length; i++) {
    const eta = lr.at(i);
    const inWarmup = i <= lr.warmupEnd;
    const annealed = inWarmup ? lr.peak : eta;
    sum1 += inWarmup && i > lr.untrained && options.warmup === 'peak' ? lr.peak : eta;
    if (i > 1) m = options.lambda * m + (previous - annealed);
    sum2 += m;
    previous = annealed;
    for (; k < queries.length && queries[k] === i; k++) {
      s1.push(sum1);
      s2.push(sum2);
    }
  }
  return { s1, s2 };
}

test('long stretches between logged rows are summed in closed form with the step-by-step result', () => {
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let trial = 0; trial < 40; trial++) {
    // Rows 300..5000 steps apart: a warmup rise, a decay, a re-warmup; queries on and between the rows.
    const steps: number[] = [];
    const lr: number[] = [];
    // Some trials' warmup is logged from near 0 at a step counter far past 1: nothing before it was trained.
    const late = trial % 2 === 1 && trial % 3 !== 0;
    let step = 1 + Math.floor(random() * 2000) + (late ? 100_000 : 0);
    for (let k = 0; k < 12; k++, step += 300 + Math.floor(random() * 4700)) {
      steps.push(step);
      lr.push(k === 0 && late ? 1e-5 : k < 3 ? 1e-4 * (k + 1) : k === 8 ? 2.5e-4 : 3e-4 * random());
    }
    if (late) assert.ok(new StepLr(sched(steps, lr)).untrained > 90_000, `trial ${trial} starts late`);
    const queries = [...new Set(Array.from({ length: 15 }, () => 1 + Math.floor(random() * (step + 3000))))].sort(
      (a, b) => a - b,
    );
    const warmupSteps = trial % 3 === 0 ? 1 + Math.floor(random() * steps[0]) : undefined;
    for (const lambda of [0.999, 0.99, 1])
      for (const warmup of ['peak', 'actual'] as const) {
        const options = { lambda, warmup, warmupSteps };
        const fast = lrAreas(sched(steps, lr), queries, options);
        const slow = stepped(sched(steps, lr), queries, options);
        queries.forEach((s, k) => {
          const what = `trial ${trial} λ=${lambda} ${warmup} at ${s}`;
          assert.ok(Math.abs(fast.s1[k] - slow.s1[k]) <= 1e-12 * Math.max(1, Math.abs(slow.s1[k])), `S1 ${what}`);
          assert.ok(
            Math.abs(fast.s2[k] - slow.s2[k]) <= 1e-9 * Math.max(1e-3, Math.abs(slow.s2[k])),
            `S2 ${what}: ${fast.s2[k]} vs ${slow.s2[k]}`,
          );
        });
      }
  }
});

// A hang (the step loop running to the step value) fails by the timeout.
test('work grows with rows, not step values: steps of 3.5e10 and 1e300 are summed at once', { timeout: 10_000 }, () => {
  for (const huge of [3.5e10, 1e300]) {
    const got = lrAreas(sched([100, 200, huge], [3e-4, 2e-4, 1e-4]), [100, 200, huge], {
      lambda: 0.999,
      warmup: 'peak',
    });
    assert.ok([...got.s1, ...got.s2].every(Number.isFinite), `finite areas at ${huge}`);
    assert.ok(got.s1[2] > got.s1[1]);
  }
});

test('a warmup logged from its start after a carried-over step counter (1e9): the steps before it are not trained', () => {
  // Linear warmup 0 -> 1e-3 over 1000 steps logged every 100 steps, then constant; once from step 0, once from 1e9.
  const rows = Array.from({ length: 30 }, (_, k) => (k + 1) * 100);
  const lr = rows.map((s) => (s <= 1000 ? (1e-3 * s) / 1000 : 1e-3));
  const offset = 1e9;
  const fromZero = sched(rows, lr);
  const carried = sched(
    rows.map((s) => s + offset),
    lr,
  );
  assert.equal(new StepLr(carried).untrained, offset, 'the ramp through the first two rows meets 0 at step 1e9');
  assert.equal(new StepLr(fromZero).untrained, 0, 'a warmup logged from step 1 has nothing untrained');
  for (const warmup of ['peak', 'actual'] as const) {
    const options = { lambda: 0.999, warmup };
    const got = lrAreas(carried, [offset + 100, offset + 1000, offset + 3000], options);
    // In steps at the peak LR. `peak`: the warmup's 1000 steps at the peak, not 1e9 more; `actual`: the ramp from 0.
    const expected = warmup === 'peak' ? [100, 1000, 3000] : [5.05, 500.5, 2500.5];
    expected.forEach((v, k) =>
      assert.ok(Math.abs(got.s1[k] / 1e-3 / v - 1) < 1e-9, `${warmup} S1 at query ${k}: ${got.s1[k] / 1e-3} vs ${v}`),
    );
    assert.deepEqual([...got.s2], [0, 0, 0], 'the warmup rise adds nothing to S2');
    // The same as the log from step 0 under `peak` (which counts its steps 1..99 at the peak too).
    if (warmup === 'peak') {
      const plain = lrAreas(fromZero, [100, 1000, 3000], options);
      plain.s1.forEach((v, k) => assert.ok(Math.abs(got.s1[k] - v) < 1e-12));
    }
  }
  // A first row at the peak, or an LR that starts high: no warmup start is read from it.
  assert.equal(new StepLr(sched([1e9, 1e9 + 100], [1e-3, 1e-3])).untrained, 0);
  assert.equal(new StepLr(sched([1e9, 1e9 + 100, 1e9 + 200], [5e-4, 8e-4, 1e-3])).untrained, 0);
  // Rows of LR 0 before the first above it trained nothing, whatever the ramp after them: the last of them.
  assert.equal(new StepLr(sched([9, 19, 29, 39, 49, 59], [0, 0, 0, 0, 1e-4, 9.9e-5])).untrained, 39);
  assert.equal(new StepLr(sched([10, 20, 30, 40], [0, 0, 5e-4, 1e-3])).untrained, 20);
  // Under `peak`, the warmup after them counts at the peak from there, not from step 1.
  const zeroFirst = lrAreas(sched([9, 19, 29, 39, 49, 59], [0, 0, 0, 0, 1e-4, 1e-4]), [49, 59], {
    lambda: 0.999,
    warmup: 'peak',
  });
  assert.deepEqual(
    [...zeroFirst.s1].map((v) => Math.round(v / 1e-4)),
    [10, 20],
  );
});
