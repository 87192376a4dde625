// Learning-rate schedules as the LR-annealing law sees them: a per-step LR rebuilt from logged rows, and the two
// areas under it, S1 (forward area) and S2 (annealing area), accumulated by O(T) recursions (docs/laws-loss.md, The schedule as the laws see it).

import { maxOf } from '../util/arrays';

/** Logged (step, lr) pairs: sorted ascending, unique steps, finite LR >= 0. */
export interface LoggedSchedule {
  steps: Float64Array;
  lr: Float64Array;
}

export type WarmupConvention = 'peak' | 'actual';

export interface AreaOptions {
  /** Decay factor of the annealing momentum; the paper uses 0.999. */
  lambda: number;
  /**
   * 'peak' (the paper): warmup steps count as if the LR sat at its peak, adding W*eta_max to S1 and nothing to S2.
   * 'actual' (Luo et al.): S1 sums the real warmup LRs; S2 still ignores the warmup rise.
   */
  warmup: WarmupConvention;
  /** A linear warmup from 0 that ended at this step, for logs whose warmup rows are absent. */
  warmupSteps?: number;
}

export interface Areas {
  s1: Float64Array;
  s2: Float64Array;
}

/**
 * Peak LR of each logged LR column, by the column: several stages of one analysis (each law's scale, its drop
 * schedule, the checks whether its sums fit) build a StepLr of the same schedule, and each would scan a million rows.
 * A column is never written once its curve is made (a grown schedule is a new array), so its peak stays true.
 */
const peaks = new WeakMap<Float64Array, number>();

function peakOf(lr: Float64Array): number {
  let peak = peaks.get(lr);
  if (peak === undefined) peaks.set(lr, (peak = Math.max(0, maxOf(lr))));
  return peak;
}

/** The LR at every step 1..T, computed on the fly so a million-step curve never needs a per-step array. */
export class StepLr {
  readonly peak: number;
  /** Last step of the warmup (0 when the log shows none and none was given). */
  readonly warmupEnd: number;
  /**
   * Last step before the logged warmup starts (loggedWarmupStart): the steps up to it were not trained, LR 0 under
   * either convention. 0 when the log does not show its warmup starting.
   */
  readonly untrained: number;
  private cursor = 0;

  constructor(
    private readonly schedule: LoggedSchedule,
    private readonly warmupSteps?: number,
  ) {
    this.peak = peakOf(schedule.lr);
    this.warmupEnd = warmupSteps ?? detectWarmupEnd(schedule, this.peak);
    this.untrained = warmupSteps === undefined && this.warmupEnd > 0 ? loggedWarmupStart(schedule, this.peak) : 0;
  }

  /** The step from which the LR holds at its last logged value: past it, sums over the schedule have closed forms. */
  get constantFrom(): number {
    const n = this.schedule.steps.length;
    return Math.max(1, n ? this.schedule.steps[n - 1] : 0, this.warmupEnd, this.warmupSteps ?? 0);
  }

  /** LR at integer step i >= 1; steps must be asked in increasing order (the cursor only moves forward). */
  at(i: number): number {
    const { steps, lr } = this.schedule;
    const n = steps.length;
    if (this.warmupSteps !== undefined && i <= this.warmupSteps) {
      // Logged rows may cover the warmup: they win. Otherwise a linear ramp from 0 to the LR where warmup ends.
      if (n > 0 && i >= steps[0]) return this.interpolate(i);
      return (this.lrAtWarmupEnd() * i) / this.warmupSteps;
    }
    if (n === 0) return 0;
    if (i <= steps[0]) {
      if (this.warmupSteps !== undefined && this.warmupSteps < steps[0]) {
        const w = this.warmupSteps;
        return this.lrAtWarmupEnd() + ((lr[0] - this.lrAtWarmupEnd()) * (i - w)) / (steps[0] - w);
      }
      // A logged warmup's ramp from 0, back to where it starts; nothing before it.
      const u = this.untrained;
      if (u > 0) return i <= u ? 0 : (lr[0] * (i - u)) / (steps[0] - u);
      return lr[0];
    }
    if (i >= steps[n - 1]) return lr[n - 1];
    return this.interpolate(i);
  }

  private lrAtWarmupEnd(): number {
    const { steps, lr } = this.schedule;
    if (steps.length === 0) return 0;
    return this.warmupSteps !== undefined && this.warmupSteps >= steps[0]
      ? this.interpolateAnywhere(this.warmupSteps)
      : lr[0];
  }

  private interpolate(i: number): number {
    const { steps, lr } = this.schedule;
    while (this.cursor < steps.length - 2 && steps[this.cursor + 1] < i) this.cursor++;
    return lerp(steps, lr, this.cursor, i);
  }

  private interpolateAnywhere(i: number): number {
    const { steps, lr } = this.schedule;
    let k = 0;
    while (k < steps.length - 2 && steps[k + 1] < i) k++;
    return lerp(steps, lr, k, i);
  }
}

function lerp(steps: Float64Array, lr: Float64Array, k: number, i: number): number {
  if (steps.length === 1) return lr[0];
  const x0 = steps[k];
  const x1 = steps[k + 1];
  if (i <= x0) return lr[k];
  if (i >= x1) return lr[k + 1];
  return lr[k] + ((lr[k + 1] - lr[k]) * (i - x0)) / (x1 - x0);
}

/** Warmup is the initial rise of the logged LR up to (almost) its peak; none if the log starts at the peak. */
export function detectWarmupEnd(schedule: LoggedSchedule, peak: number): number {
  const { steps, lr } = schedule;
  if (steps.length < 2 || !(peak > 0)) return 0;
  let k = 0;
  while (k < lr.length && lr[k] < 0.999 * peak) k++;
  if (k === 0 || k >= lr.length) return 0;
  for (let j = 1; j <= k; j++) if (lr[j] < lr[j - 1]) return 0; // not a monotone rise: no warmup to speak of
  return steps[k];
}

/** A first logged LR at most this share of the peak is the start of a warmup logged from its beginning. */
const WARMUP_START_SHARE = 0.25;

/**
 * The last step before a warmup the log shows from its beginning (its first LR a small share of the peak, rising):
 * where the line through its first two rows meets 0. A step counter carried over from another run, or counting
 * tokens, starts far above 1 (1e9), and neither convention may count those steps as trained (`peak` counted them at
 * the peak LR: 1e9 steps of it). 0 when the ramp meets 0 at or before step 1, as a warmup logged from step 1 does.
 */
export function loggedWarmupStart(schedule: LoggedSchedule, peak: number): number {
  const { steps, lr } = schedule;
  // Rows of LR 0 before the first LR above it trained nothing: the ramp starts at the last of them (zeroLrUntil).
  const k = Math.max(0, firstAboveZero(lr) - 1);
  if (steps.length < k + 2 || !(lr[k] <= WARMUP_START_SHARE * peak) || !(lr[k + 1] > lr[k])) return 0;
  const zero = Math.floor(steps[k] - (lr[k] * (steps[k + 1] - steps[k])) / (lr[k + 1] - lr[k]));
  return zero >= 1 ? Math.min(zero, Math.floor(steps[k])) : 0;
}

/**
 * The last step of the rows a schedule starts with that log an LR of 0, before its first LR above 0 (a frozen start,
 * or a scheduler that logs 0 until its warmup begins); 0 when it starts above 0 or never rises. No step up to it
 * changed the model: S1 is 0 there, under either warmup convention, and neither law is defined.
 */
export function zeroLrUntil(schedule: LoggedSchedule): number {
  const first = firstAboveZero(schedule.lr);
  return first > 0 && first < schedule.lr.length ? Math.floor(schedule.steps[first - 1]) : 0;
}

/** The index of the first LR above 0; the length when there is none. */
function firstAboveZero(lr: ArrayLike<number>): number {
  let i = 0;
  while (i < lr.length && !(lr[i] > 0)) i++;
  return i;
}

/**
 * Stretches longer than this between two knots of the schedule (logged rows, warmup ends, queries) are summed in
 * closed form; shorter ones step by step, as the recursions are written. Work is then bounded by rows and queries
 * times this constant, never by step values: a token count logged as a step (3.5e10) or a stray 1e300 costs the same
 * as any other row.
 */
const LONG_STRETCH = 256;

/** The running sums of the recursions after some step: S1, S2, the momentum m and the last annealed LR. */
interface AreaState {
  sum1: number;
  sum2: number;
  momentum: number;
  previous: number;
}

/**
 * Where lrAreas stopped stepping (the step from which the LR is held, or the last query before it) and its sums
 * there: a schedule that only grew since (the same rows, then more) resumes from it instead of from step 1, with the
 * same sums a pass from step 1 gives, since this step is a knot of that pass too.
 */
export interface AreaResume extends AreaState {
  step: number;
}

/**
 * S1 and S2 at each query step (ascending integers >= 1). S1(s) = sum_{i<=s} eta_i; m_1 = 0,
 * m_i = lambda*m_{i-1} + (eta_{i-1} - eta_i); S2(s) = sum_{i<=s} m_i. Returned in the LR's own units (not normalised).
 */
export function lrAreas(
  schedule: LoggedSchedule,
  queries: ArrayLike<number>,
  options: AreaOptions,
  from?: AreaResume,
): Areas & { resume: AreaResume } {
  const stepLr = new StepLr(schedule, options.warmupSteps);
  const peak = stepLr.peak;
  const w = stepLr.warmupEnd;
  const q = queries.length;
  const s1 = new Float64Array(q);
  const s2 = new Float64Array(q);
  if (q === 0) return { s1, s2, resume: { step: 0, sum1: 0, sum2: 0, momentum: 0, previous: NaN } };
  const last = queries[q - 1];
  for (let k = 0; k < q; k++) {
    const s = queries[k];
    // A programming error, not bad input: curves are cleaned (sorted, step >= 1) before they get here.
    if (!Number.isInteger(s) || s < 1 || (k > 0 && s < queries[k - 1]))
      throw new RangeError('lrAreas: query steps must be ascending integers >= 1');
  }
  const lambda = options.lambda;
  // What step i adds to S1 and what it anneals from, by the warmup convention.
  // Steps before a logged warmup starts were not trained: they add nothing, at the peak or otherwise.
  const u = stepLr.untrained;
  const forwardAt = (i: number, eta: number) => (i <= w && i > u && options.warmup === 'peak' ? peak : eta);
  const annealedAt = (i: number, eta: number) => (i <= w ? peak : eta);
  // Resumed: the queries start after `from.step` (the caller has the areas before it). A resume past where this pass
  // stops stepping cannot be used: the pass then starts from step 1, which is only slower.
  const resumed = from !== undefined && from.step <= Math.min(last, stepLr.constantFrom) ? from : undefined;
  const state: AreaState = resumed
    ? { sum1: resumed.sum1, sum2: resumed.sum2, momentum: resumed.momentum, previous: resumed.previous }
    : { sum1: 0, sum2: 0, momentum: 0, previous: NaN };
  const advance = (i: number): void => {
    const eta = stepLr.at(i);
    const annealed = annealedAt(i, eta);
    state.sum1 += forwardAt(i, eta);
    if (i > 1) state.momentum = lambda * state.momentum + (state.previous - annealed);
    state.sum2 += state.momentum;
    state.previous = annealed;
  };
  // Past the last logged row (and any warmup) the LR is constant, so the recursions have a closed form: predicting
  // at step 10^9 costs no more than at the last logged step.
  const flatFrom = stepLr.constantFrom;
  const stepped = Math.min(last, flatFrom);
  const knots = new KnotCursor(schedule.steps, [u, w, options.warmupSteps ?? 0, stepped], queries);
  let next = 0;
  let i = resumed ? resumed.step : 0;
  while (i < stepped) {
    const to = Math.min(stepped, knots.after(i));
    if (to - i <= LONG_STRETCH && to <= Number.MAX_SAFE_INTEGER) for (let t = i + 1; t <= to; t++) advance(t);
    else {
      // The first step may cross a knot (where the warmup convention switches); from there the LR is linear in the
      // step up to `to`, so every later drop is the same.
      advance(i + 1);
      linearStretch(state, i + 1, to, stepLr, forwardAt, annealedAt, lambda);
    }
    i = to;
    while (next < q && queries[next] <= i) {
      s1[next] = state.sum1;
      s2[next] = state.sum2;
      next++;
    }
  }
  const resume = { step: stepped, ...state };
  const flatLr = stepLr.at(stepped + 1);
  for (; next < q; next++) {
    const ahead = queries[next] - stepped;
    s1[next] = state.sum1 + ahead * flatLr;
    // m_(k+j) = lambda^j * m_k once the LR stops changing (the one drop at k+1 is from `previous` to flatLr).
    const first = lambda * state.momentum + (state.previous - flatLr);
    s2[next] = state.sum2 + (lambda === 1 ? first * ahead : (first * (1 - Math.pow(lambda, ahead))) / (1 - lambda));
  }
  return { s1, s2, resume };
}

/**
 * Steps from+1..to of a stretch where the LR (and so what S1 adds and what is annealed) is linear in the step: S1
 * gains an arithmetic series, and the momentum, driven by a constant drop c, has the closed forms
 * m_(from+j) = lambda^j m + c (1 - lambda^j)/(1 - lambda) and sum_j m_(from+j) = m G + c (K - G)/(1 - lambda), with
 * G = sum_{j=1..K} lambda^j.
 */
function linearStretch(
  state: AreaState,
  from: number,
  to: number,
  stepLr: StepLr,
  forwardAt: (i: number, eta: number) => number,
  annealedAt: (i: number, eta: number) => number,
  lambda: number,
): void {
  const steps = to - from;
  if (!(steps > 0)) return;
  const firstEta = stepLr.at(from + 1);
  const lastEta = stepLr.at(to);
  const firstAnnealed = annealedAt(from + 1, firstEta);
  const lastAnnealed = annealedAt(to, lastEta);
  state.sum1 += (steps * (forwardAt(from + 1, firstEta) + forwardAt(to, lastEta))) / 2;
  const drop = steps > 1 ? (firstAnnealed - lastAnnealed) / (steps - 1) : 0;
  // The drop into from+1 comes from the step before it, which may differ from the stretch's slope.
  const c0 = state.previous - firstAnnealed;
  const m = state.momentum;
  if (lambda === 1) {
    state.sum2 += steps * (m + c0) + (drop * steps * (steps - 1)) / 2;
    state.momentum = m + c0 + drop * (steps - 1);
  } else {
    // The first step with its own drop, then steps-1 steps of constant drop.
    const m1 = lambda * m + c0;
    const k = steps - 1;
    const decayed = -Math.expm1(k * Math.log(lambda)); // 1 - lambda^k without cancellation
    const geometric = (lambda * decayed) / (1 - lambda);
    state.sum2 += m1 + m1 * geometric + (drop * (k - geometric)) / (1 - lambda);
    state.momentum = (1 - decayed) * m1 + (drop * decayed) / (1 - lambda);
  }
  state.previous = lastAnnealed;
}

/** The next knot after a step: a logged row, a warmup end, a query or the end of stepping, in O(1) amortised. */
class KnotCursor {
  private row = 0;
  private query = 0;

  constructor(
    private readonly steps: Float64Array,
    private readonly fixed: number[],
    private readonly queries: ArrayLike<number>,
  ) {}

  after(i: number): number {
    while (this.row < this.steps.length && this.steps[this.row] <= i) this.row++;
    while (this.query < this.queries.length && this.queries[this.query] <= i) this.query++;
    let knot = Infinity;
    if (this.row < this.steps.length) knot = Math.ceil(this.steps[this.row]);
    if (this.query < this.queries.length) knot = Math.min(knot, this.queries[this.query]);
    for (const f of this.fixed) if (f > i) knot = Math.min(knot, Math.ceil(f));
    return knot;
  }
}
