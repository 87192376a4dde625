// A followed run's LR areas extended from its last fit (lossAreas.ts, carriedAreas): the same bits as a pass from
// step 1 over the grown curve, whatever the schedule's shape or logging interval; anything else about the past
// changed (a rewritten row, another LR, another peak) and the pass starts from step 1 again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { carriedAreas, prepare, type AreaCarry } from '../../../src/core/analysis/lossAreas';
import type { LossCurve } from '../../../src/core/analysis/lossCurves';
import { withDefaults, type AnalysisOptions } from '../../../src/core/analysis/options';
import { logOfS1 } from '../../../src/core/laws/lrAnnealing';

/** A curve logged every `every` steps up to `last`, with the LR `lr(step)` on the same rows. */
function curve(last: number, every: number, lr: (s: number) => number): LossCurve {
  const steps = Float64Array.from({ length: Math.floor(last / every) }, (_, k) => (k + 1) * every);
  return {
    name: 'run',
    file: 'run.csv',
    steps,
    loss: steps.map((s) => 3 + 1 / Math.sqrt(s)),
    lines: Int32Array.from(steps, (_, k) => k + 2),
    schedule: { steps, lr: steps.map(lr) },
    firstLine: 2,
  };
}

const cosine = (total: number, warmup: number) => (s: number) =>
  s <= warmup ? (3e-4 * s) / warmup : 3e-4 * (0.1 + 0.45 * (1 + Math.cos((Math.PI * (s - warmup)) / total)));
const stepDown = (s: number) => (s < 3000 ? 1e-3 : s < 6000 ? 3e-4 : 1e-4);

/** Areas of the curve grown from `before` to `after` rows: extended from the carry, and from step 1. */
function both(grownFrom: LossCurve, grown: LossCurve, options: AnalysisOptions, lambda = 0.999) {
  const etaMax = 3e-4;
  const first = carriedAreas(prepare(grownFrom, [2 * last(grownFrom)]), lambda, etaMax, options);
  const p = prepare(grown, [2 * last(grown)]);
  return {
    extended: carriedAreas(p, lambda, etaMax, options, first.carry),
    fresh: carriedAreas(p, lambda, etaMax, options),
    carry: first.carry,
  };
}
const last = (c: LossCurve) => c.steps[c.steps.length - 1];

/** The first n rows of a curve (what the file held before it grew). */
function head(c: LossCurve, n: number): LossCurve {
  return {
    ...c,
    steps: c.steps.slice(0, n),
    loss: c.loss.slice(0, n),
    lines: c.lines.slice(0, n),
    schedule: { steps: c.schedule.steps.slice(0, n), lr: c.schedule.lr.slice(0, n) },
  };
}

const cases: { name: string; curve: LossCurve; options: Partial<AnalysisOptions> }[] = [
  { name: 'every step, warmup and cosine', curve: curve(10_000, 1, cosine(10_000, 100)), options: {} },
  {
    name: 'every 10 steps, actual warmup',
    curve: curve(50_000, 10, cosine(50_000, 500)),
    options: { warmupConvention: 'actual' },
  },
  { name: 'every 1000 steps (closed-form stretches)', curve: curve(2_000_000, 1000, cosine(2e6, 2e4)), options: {} },
  { name: 'step-down stages, warmup steps given', curve: curve(9_000, 3, stepDown), options: { warmupSteps: 50 } },
];

for (const { name, curve: full, options: partial } of cases) {
  test(`areas extended over appended rows are the bits of a pass from step 1: ${name}`, () => {
    const options = withDefaults(partial);
    const n = full.steps.length;
    for (const [from, to] of [
      [Math.floor(n / 2), Math.floor(n / 2) + 1],
      [Math.floor(n / 2), n - 7],
      [n - 100, n],
    ]) {
      const { extended, fresh } = both(head(full, from), head(full, to), options);
      assert.ok(extended.carry.kept > 0 && extended.carry.kept === fresh.carry.kept);
      assert.deepEqual(extended.areas.s1, fresh.areas.s1, `S1, ${from} -> ${to} rows`);
      assert.deepEqual(extended.areas.s2, fresh.areas.s2, `S2, ${from} -> ${to} rows`);
      assert.deepEqual(extended.carry.resume, fresh.carry.resume);
    }
  });
}

/** Whether extending used the carry: its S1 array then holds the carried values' bits at index 0 even if poisoned. */
function usedCarry(carry: AreaCarry, grown: LossCurve, options: AnalysisOptions): boolean {
  const poisoned: AreaCarry = { ...carry, areas: { s1: carry.areas.s1.map(() => -1), s2: carry.areas.s2 } };
  return carriedAreas(prepare(grown, [2 * last(grown)]), 0.999, 3e-4, options, poisoned).areas.s1[0] === -1;
}

test('a carry is used only when the past is unchanged: a rewritten LR, step or peak, another lambda start again', () => {
  const options = withDefaults({});
  const full = curve(10_000, 1, cosine(10_000, 100));
  const { carry } = both(head(full, 5000), head(full, 6000), options);
  assert.ok(usedCarry(carry, head(full, 6000), options), 'appended rows only: extended');
  const rewritten = head(full, 6000);
  rewritten.schedule.lr[1234] *= 0.5;
  assert.ok(!usedCarry(carry, rewritten, options), 'an earlier LR rewritten');
  const restarted = head(full, 6000);
  for (let k = 4000; k < 6000; k++) restarted.steps[k] += 1;
  assert.ok(!usedCarry(carry, restarted, options), 'earlier steps changed');
  const higher = head(full, 6000);
  higher.schedule.lr[5500] = 1e-3;
  assert.ok(!usedCarry(carry, higher, options), 'a new peak LR renormalises every area');
  assert.ok(!usedCarry(carry, head(full, 4000), options), 'a shorter curve');
  const other = carriedAreas(prepare(head(full, 6000), [12_000]), 0.99, 3e-4, options, carry);
  assert.deepEqual(
    other.areas,
    carriedAreas(prepare(head(full, 6000), [12_000]), 0.99, 3e-4, options).areas,
    'another lambda',
  );
});

test("the law's ln S1 of extended areas: the carried queries' logs copied, the rest computed, as from scratch", () => {
  const options = withDefaults({});
  const full = curve(10_000, 1, cosine(10_000, 100));
  const first = carriedAreas(prepare(head(full, 5000), [10_000]), 0.999, 3e-4, options);
  const known = logOfS1(first.areas.s1);
  const extended = carriedAreas(prepare(head(full, 6000), [12_000]), 0.999, 3e-4, options, first.carry);
  assert.ok(extended.extended > 0, 'extended from the carry');
  const log = logOfS1(extended.areas.s1);
  assert.deepEqual(log, extended.areas.s1.map(Math.log), 'every entry, the bits of Math.log');
  // The carried entries are the first fit's own logs (a poisoned cache shows through), the rest are new.
  known.fill(-1);
  const again = carriedAreas(prepare(head(full, 6000), [12_000]), 0.999, 3e-4, options, first.carry);
  const carried = logOfS1(again.areas.s1);
  assert.equal(carried[0], -1);
  assert.equal(carried[again.extended - 1], -1);
  assert.equal(carried[again.extended], Math.log(again.areas.s1[again.extended]));
});

test("a thinned prefix with its tail as targets: areas picked from the whole curve's, the same bits as a pass", () => {
  const options = withDefaults({});
  const whole = curve(9000, 3, cosine(9000, 300));
  const full = carriedAreas(prepare(whole, [2 * last(whole)]), 0.999, 3e-4, options);
  const at = 2000;
  const n = whole.steps.length;
  // Every 7th row of the prefix (jumps the pick searches), then every later row (steps it walks one by one).
  const keep = Int32Array.from({ length: Math.ceil(at / 7) }, (_, k) => 7 * k);
  const head: LossCurve = {
    ...whole,
    steps: Float64Array.from(keep, (k) => whole.steps[k]),
    loss: Float64Array.from(keep, (k) => whole.loss[k]),
    lines: Int32Array.from(keep, (k) => whole.lines[k]),
  };
  const tail = Array.from(whole.steps.subarray(at));
  for (const targets of [tail, [...tail.slice(0, -1), whole.steps[n - 1] + 1]]) {
    const p = prepare(head, targets);
    const picked = carriedAreas(p, 0.999, 3e-4, options, full.carry);
    const fresh = carriedAreas(p, 0.999, 3e-4, options);
    assert.deepEqual(picked.areas.s1, fresh.areas.s1);
    assert.deepEqual(picked.areas.s2, fresh.areas.s2);
  }
  // The first is a pick (no pass: nothing kept to resume from), the second (a step the whole curve lacks) a pass.
  assert.equal(carriedAreas(prepare(head, tail), 0.999, 3e-4, options, full.carry).carry.kept, 0);
});
