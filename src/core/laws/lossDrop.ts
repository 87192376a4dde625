// The loss-drop term of the multi-power law (docs/laws-loss.md) and the per-curve structure it is computed from:
//
//   LD(s) = sum_{k=k0..s} (eta_{k-1} - eta_k) * G(eta_k^(-gamma) * S_k(s)),   S_k(s) = sum_{tau=k..s} eta_tau,
//   G(x)  = 1 - (c*x + 1)^(-beta)
//
// Every LR here is in units of a reference LR eta_ref (the largest LR of the fitted curves), which is why G's
// coefficient is the normalised c = C * eta_ref^(1-gamma) (see multiPower.ts).
//
// The exact sum costs O(K) per step (K = steps where the LR changes: every step of a cosine), so O(T*K) over a curve.
// Fitting uses a compressed sum instead: exact over the last `window` steps before s, then blocks that double in
// size with their distance from s (window/2 blocks per octave), each split until ln(eta) varies by at most
// 2/window inside it. A block contributes its summed drop times G at the drop-weighted means of ln(eta_k) and of
// S_k(s). Block sums come from prefix sums over the steps, so building a point's terms costs O(blocks), not O(s).
import type { SaturationTable } from './saturation';
import { grownArray, samePrefix } from '../util/arrays';
import { StepLr, type LoggedSchedule } from './schedule';

/**
 * 'paper' (Luo et al.'s paper, the default): LD starts after warmup, at k0 = W + 1 with eta_{k0-1} = the LR at the
 * end of warmup, so the warmup rise never enters LD. 'repository' (the authors' code): LD starts at step 1 with
 * eta_0 = 0 when there is a warmup, so the warmup rise enters as negative drops. S1 sums the actual LR in both.
 */
export type LossDropConvention = 'paper' | 'repository';

export interface DropScheduleOptions {
  /** The LR every LR is divided by. */
  etaRef: number;
  convention: LossDropConvention;
  /** A linear warmup from 0 that ended at this step, for logs whose warmup rows are absent. */
  warmupSteps?: number;
}

/** Exact over this many steps before each point; the compression's accuracy follows from it (docs/laws-loss.md, the multi-power law). */
export const COMPRESSION_WINDOW = 64;

/**
 * ln(eta) is taken of max(eta, this): an LR of exactly 0 (a schedule decayed to zero) would make eta^(-gamma)
 * infinite. With the floor, G tends to 1 when later steps still have LR, and to 0 when they do not: the limits.
 */
const ETA_FLOOR = 1e-12;

/** A curve's logged schedule and its loss points' steps: what a loss-drop sum over it costs and pays for. */
export interface DropScheduleDemand {
  schedule: LoggedSchedule;
  steps: ArrayLike<number>;
}

/**
 * Whether the schedules an analysis sums loss drops over fit its budget together: 2^22 steps in all (three arrays of
 * 32 MiB), or 8 per logged point for logs longer than that. Past it no loss-drop sum is built: a token count logged as
 * the step (3.5e10) would otherwise allocate per step, so work and memory would follow the step values instead of the
 * rows. The budget is shared by every curve (fitted, held out or only predicted): held per curve, 20 runs of 20 rows
 * each to step 4e6 took 4.5 GB, and one held-out run logged from step 1e9 took 23 GB.
 */
export function dropSchedulesFit(curves: readonly DropScheduleDemand[], warmupSteps?: number): boolean {
  const points = curves.reduce((n, c) => n + c.steps.length, 0);
  return dropScheduleSteps(curves, warmupSteps) <= Math.max(MAX_DROP_STEPS, 8 * points);
}

/** The steps the loss-drop sums over these schedules hold together. */
export function dropScheduleSteps(curves: readonly DropScheduleDemand[], warmupSteps?: number): number {
  return curves.reduce((n, c) => n + new StepLr(c.schedule, warmupSteps).constantFrom, 0);
}

/** The curve whose schedule costs the loss-drop sums most steps (the one to name when they do not fit). */
export function longestDropSchedule<T extends DropScheduleDemand>(curves: readonly T[], warmupSteps?: number): T {
  const steps = (c: T) => new StepLr(c.schedule, warmupSteps).constantFrom;
  return curves.reduce((a, b) => (steps(b) > steps(a) ? b : a));
}

/** See dropSchedulesFit. */
export const MAX_DROP_STEPS = 1 << 22;

/**
 * Terms a compressed loss-drop sum may take per point, on average over the points fitted (dropTermsFit). A decaying
 * schedule takes a few hundred (a cosine to 0 over 1M steps: 468, at most 756), one with warm restarts about 2,000.
 */
export const MAX_TERMS_PER_POINT = 4096;

/**
 * Whether the compressed sums at these points take at most MAX_TERMS_PER_POINT terms a point on average. A block is
 * split until ln(eta) varies little inside it, so a schedule whose LR moves by large factors between logged steps
 * again and again (an LR of 0 or a stray tiny one every other row) splits to single steps: a point's terms then grow
 * with its step, and the fit's work and memory with the step values rather than the rows (800 rows at steps of 100
 * with every other LR 0: 26,000 terms a point, 1 GB and 42 s of CPU for the multi-power law alone). Counted without
 * storing a term, and stopped once past the budget.
 */
export function dropTermsFit(
  parts: readonly { schedule: DropSchedule; steps: ArrayLike<number> }[],
  window = COMPRESSION_WINDOW,
): boolean {
  const budget = MAX_TERMS_PER_POINT * parts.reduce((n, p) => n + p.steps.length, 0);
  const counter = { length: 0, push: () => counter.length++ };
  for (const { schedule, steps } of parts) {
    const sums = schedule.last - schedule.firstDrop >= window ? schedule.blockSums() : null;
    for (let i = 0; i < steps.length; i++) {
      pushPoint(schedule, sums, steps[i], window, counter);
      if (counter.length > budget) return false;
    }
  }
  return true;
}

/** A curve's per-step LR in units of eta_ref and its running sum, from step 0 to the step where the LR stops changing. */
export class DropSchedule {
  /** eta[i]: LR at step i; eta[0] is the LR "before" step 1, read only as eta_{k0-1} when k0 = 1. */
  readonly eta: Float64Array;
  /** cum[i] = eta[1] + ... + eta[i], so S_k(s) = cum[s] - cum[k-1]. */
  readonly cum: Float64Array;
  /** Past this step the LR holds at eta[last]: no drops, and sums grow linearly. */
  readonly last: number;
  /** k0: the first step whose drop enters LD. */
  readonly firstDrop: number;
  readonly warmupEnd: number;

  /**
   * `grownFrom`: the same run's schedule before it grew (a followed run). Its steps up to its last logged LR are
   * taken as they are when the logged rows before it are the same bits and the options the same (the LR at a step
   * reads the logged rows around it only), and so are the per-step sums made from them: an update then costs the
   * steps logged since, not the whole run.
   */
  constructor(
    private readonly schedule: LoggedSchedule,
    private readonly options: DropScheduleOptions,
    grownFrom?: DropSchedule,
  ) {
    const stepLr = new StepLr(schedule, options.warmupSteps);
    this.last = stepLr.constantFrom;
    this.warmupEnd = stepLr.warmupEnd;
    const kept = grownFrom ? this.sameStepsAs(grownFrom) : 0;
    // The earlier schedule's arrays, lengthened in place when they have room (grownArray).
    this.eta = grownArray(kept > 0 ? grownFrom!.eta : null, kept + 1, this.last + 1);
    this.cum = grownArray(kept > 0 ? grownFrom!.cum : null, kept + 1, this.last + 1);
    for (let i = kept + 1; i <= this.last; i++) {
      this.eta[i] = stepLr.at(i) / options.etaRef;
      this.cum[i] = this.cum[i - 1] + this.eta[i];
    }
    if (options.convention === 'paper') {
      this.firstDrop = this.warmupEnd + 1;
      this.eta[0] = this.eta[1];
    } else {
      this.firstDrop = 1;
      this.eta[0] = this.warmupEnd > 0 ? 0 : this.eta[1];
    }
    // The per-step sums the earlier schedule had made, extended now: nothing of it is kept.
    if (kept > 0 && grownFrom!.logEtaCache) this.logEtaCache = this.logEtas(grownFrom!.logEtaCache, kept);
    if (kept > 0 && grownFrom!.blockSumsCache)
      this.blockSumsCache = blockSums(this, { sums: grownFrom!.blockSumsCache, upTo: kept });
  }

  /** Whether this schedule is in the LR unit and conventions of `options` (one built with them would be the same). */
  sameOptions(options: DropScheduleOptions): boolean {
    const a = this.options;
    return a.etaRef === options.etaRef && a.convention === options.convention && a.warmupSteps === options.warmupSteps;
  }

  /** The last step whose LR this schedule takes from `earlier` (see the constructor); 0 when none. */
  private sameStepsAs(earlier: DropSchedule): number {
    const b = this.options;
    if (!earlier.sameOptions(b)) return 0;
    const m = earlier.schedule.steps.length;
    if (m === 0 || earlier.warmupEnd !== this.warmupEnd) return 0;
    const { steps, lr } = this.schedule;
    if (!samePrefix(earlier.schedule.steps, steps, m) || !samePrefix(earlier.schedule.lr, lr, m)) return 0;
    const lastLogged = Math.floor(earlier.schedule.steps[m - 1]);
    // A synthesised warmup ramp ends at an LR read past the rows compared: not taken.
    if (b.warmupSteps !== undefined && b.warmupSteps > lastLogged) return 0;
    return Math.max(0, Math.min(lastLogged, earlier.last, this.last));
  }

  /** S1(s) = eta[1] + ... + eta[s] for any integer s >= 0. */
  area(s: number): number {
    return s <= this.last ? this.cum[s] : this.cum[this.last] + (s - this.last) * this.eta[this.last];
  }

  /** eta_{k-1} - eta_k where it enters LD, else 0. */
  drop(k: number): number {
    return k >= this.firstDrop && k <= this.last ? this.eta[k - 1] - this.eta[k] : 0;
  }

  /** ln(max(eta_k, floor)), computed once for every step: term building reads it several times per step. */
  logEta(k: number): number {
    if (!this.logEtaCache) this.logEtaCache = this.logEtas();
    return this.logEtaCache[k];
  }

  /** ln(max(eta, floor)) at every step; those up to `upTo` taken from `earlier` (the same steps' logarithms). */
  private logEtas(earlier?: Float64Array, upTo = -1): Float64Array {
    const out = grownArray(earlier, upTo + 1, this.eta.length);
    for (let i = upTo + 1; i < out.length; i++) out[i] = Math.log(Math.max(this.eta[i], ETA_FLOOR));
    return out;
  }

  private logEtaCache: Float64Array | null = null;

  /**
   * The prefix sums compressed sums read (blockSums), made once per schedule: a followed run's update sums its
   * appended rows, its refit's points and its band's queries against the same schedule, each an O(steps) pass.
   */
  blockSums(): BlockSums {
    if (!this.blockSumsCache) this.blockSumsCache = blockSums(this);
    return this.blockSumsCache;
  }

  private blockSumsCache: BlockSums | null = null;
}

/**
 * The last step whose loss-drop sum is the same under both schedules (Infinity: every step): LD(s) reads the LR of
 * steps 0..s only, so where two schedules agree on those (a followed run's schedule before and after it grew) a sum
 * computed under one holds under the other. -1 when they differ from the start.
 */
export function sameDropsUpTo(a: DropSchedule, b: DropSchedule): number {
  if (a.firstDrop !== b.firstDrop || !Object.is(a.eta[0], b.eta[0])) return -1;
  const last = Math.min(a.last, b.last);
  let s = 1;
  while (s <= last && a.eta[s] === b.eta[s]) s++;
  // Both hold the same LR from the same step on: they agree everywhere.
  return s > last && a.last === b.last ? Infinity : s - 1;
}

/**
 * LD's terms, flattened over points: term t adds weight[t] * G(z) with z = ln c - gamma * logEta[t] + logArea[t]
 * (logArea = ln S_k(s)). Logarithms are stored because G is evaluated as a function of z (saturation.ts).
 */
export interface DropTerms {
  weight: Float64Array;
  logEta: Float64Array;
  logArea: Float64Array;
}

/**
 * The terms of each point. Offsets are Float64Arrays on purpose: the fitter cuts every per-point Float64Array of a
 * law's data into blocks of points, and the offsets must travel with their points; `terms` is an object, so every
 * block shares it.
 */
export interface PointTerms {
  termStart: Float64Array;
  termEnd: Float64Array;
  terms: DropTerms;
}

/** Where a point's terms go as they are built: stored for fitting, or summed at once for a prediction. */
interface TermSink {
  push(weight: number, logEta: number, area: number): void;
}

/** A growing store of terms: the count per point is known only once its blocks are split. */
class TermBuffer implements TermSink {
  weight = new Float64Array(1024);
  logEta = new Float64Array(1024);
  logArea = new Float64Array(1024);
  length = 0;

  push(weight: number, logEta: number, area: number): void {
    if (this.length === this.weight.length) this.grow();
    this.weight[this.length] = weight;
    this.logEta[this.length] = logEta;
    // Rounding can leave an S that should be 0 a hair below it; ln 0 = -Infinity is handled (G = 0).
    this.logArea[this.length] = Math.log(Math.max(area, 0));
    this.length++;
  }

  private grow(): void {
    const size = 2 * this.weight.length;
    for (const key of ['weight', 'logEta', 'logArea'] as const) {
      const next = new Float64Array(size);
      next.set(this[key]);
      this[key] = next;
    }
  }

  finish(): DropTerms {
    return {
      weight: this.weight.slice(0, this.length),
      logEta: this.logEta.slice(0, this.length),
      logArea: this.logArea.slice(0, this.length),
    };
  }
}

/** Prefix sums over k of one sign of the drops d_k: of d_k, d_k*ln(eta_k) and d_k*cum[k-1]. */
interface SignedPrefix {
  weight: Float64Array;
  logEta: Float64Array;
  cumBefore: Float64Array;
}

/**
 * What any block's contribution needs, as prefix sums. Positive and negative drops (LR re-warmup, or the warmup
 * rise in the repository convention) are summed apart: a drop-weighted mean over drops of both signs can fall
 * anywhere, even outside the block.
 */
interface BlockSums {
  positive: SignedPrefix;
  negative: SignedPrefix | null;
  /** Prefix of |ln eta_k - ln eta_{k-1}|: the total variation bounds how much ln(eta) varies inside a block. */
  variation: Float64Array;
}

/**
 * `earlier`: the sums of the same run's schedule before it grew, the same up to step `upTo` (DropSchedule's
 * constructor): every prefix sum up to it is theirs, copied.
 */
function blockSums(ds: DropSchedule, earlier?: { sums: BlockSums; upTo: number }): BlockSums {
  const n = ds.last + 1;
  const from = earlier && earlier.upTo >= ds.firstDrop ? earlier.upTo + 1 : ds.firstDrop;
  // Below `from` every sum is the earlier schedule's (0 below k0), lengthened in place when it can be (grownArray).
  const taken = from > ds.firstDrop ? earlier!.sums : null;
  const prefix = (source: SignedPrefix | null | undefined): SignedPrefix => ({
    weight: grownArray(source?.weight, source ? from : 0, n),
    logEta: grownArray(source?.logEta, source ? from : 0, n),
    cumBefore: grownArray(source?.cumBefore, source ? from : 0, n),
  });
  const positive = prefix(taken?.positive);
  let hasNegative = taken !== null && taken.negative !== null;
  for (let k = from; k <= ds.last; k++) if (ds.drop(k) < 0) hasNegative = true;
  const negative = hasNegative ? prefix(taken?.negative) : null;
  const variation = grownArray(taken?.variation, taken ? from : 0, n);
  // Entries below k0 stay 0: a block's sums read index lo - 1 >= k0 - 1.
  for (let k = from; k < n; k++) {
    carry(positive, k);
    if (negative) carry(negative, k);
    const logEta = ds.logEta(k);
    variation[k] = k > ds.firstDrop ? variation[k - 1] + Math.abs(logEta - ds.logEta(k - 1)) : 0;
    const d = ds.drop(k);
    if (d === 0) continue;
    const p = d > 0 ? positive : negative!;
    p.weight[k] += d;
    p.logEta[k] += d * logEta;
    p.cumBefore[k] += d * ds.cum[k - 1];
  }
  return { positive, negative, variation };
}

function carry(p: SignedPrefix, k: number): void {
  p.weight[k] = p.weight[k - 1];
  p.logEta[k] = p.logEta[k - 1];
  p.cumBefore[k] = p.cumBefore[k - 1];
}

/**
 * The LD terms at each step. `window` = Infinity gives the exact sum (every step with a drop is its own term);
 * a finite window gives the compressed sum described at the top of this file.
 */
export function dropTerms(ds: DropSchedule, steps: ArrayLike<number>, window = COMPRESSION_WINDOW): PointTerms {
  const n = steps.length;
  const termStart = new Float64Array(n);
  const termEnd = new Float64Array(n);
  const out = new TermBuffer();
  const sums = Number.isFinite(window) && ds.last - ds.firstDrop >= window ? ds.blockSums() : null;
  for (let i = 0; i < n; i++) {
    termStart[i] = out.length;
    pushPoint(ds, sums, steps[i], window, out);
    termEnd[i] = out.length;
  }
  return { termStart, termEnd, terms: out.finish() };
}

/** One point's terms: exact over the window before s, blocks behind it (when `sums` is given). */
function pushPoint(ds: DropSchedule, sums: BlockSums | null, s: number, window: number, out: TermSink): void {
  const areaAtS = ds.area(s);
  const exactFrom = sums ? Math.max(ds.firstDrop, s - window + 1) : ds.firstDrop;
  for (let k = Math.min(s, ds.last); k >= exactFrom; k--) pushStep(ds, k, areaAtS, out);
  if (sums) pushBlocks(ds, sums, s, areaAtS, window, out);
}

/** Sums terms as they come (the same G as a stored term's, lossDropSum), so a prediction stores none. */
class LossDropAccumulator implements TermSink {
  sum = 0;
  constructor(
    private readonly logC: number,
    private readonly gamma: number,
    private readonly table: SaturationTable,
  ) {}
  push(weight: number, logEta: number, area: number): void {
    this.sum += weight * this.table.g(this.logC - this.gamma * logEta + Math.log(Math.max(area, 0)));
  }
}

/**
 * The compressed LD at each step, summed as its terms are built: the value lossDropSum gives over dropTerms' terms,
 * without storing them (a prediction at every row of a million-step log would store hundreds of millions).
 */
export function compressedLossDrop(
  ds: DropSchedule,
  steps: ArrayLike<number>,
  logC: number,
  gamma: number,
  table: SaturationTable,
  window = COMPRESSION_WINDOW,
): Float64Array {
  const sums = Number.isFinite(window) && ds.last - ds.firstDrop >= window ? ds.blockSums() : null;
  const out = new Float64Array(steps.length);
  const sink = new LossDropAccumulator(logC, gamma, table);
  for (let i = 0; i < steps.length; i++) {
    sink.sum = 0;
    pushPoint(ds, sums, steps[i], window, sink);
    out[i] = sink.sum;
  }
  return out;
}

/**
 * The compressed LD's terms at the step from which the LR holds (ds.last), carried forward to later steps: no step
 * past it drops, so at a later step s every term's S_k(s) is its S_k(last) plus the held LR times (s - last), and the
 * same terms (summed drop, mean ln eta, mean cum[k-1]) give LD(s). Their blocks are those of the sum at `last`, finer
 * relative to s than s's own. One pass over the schedule builds them, without BlockSums' per-step prefix sums (seven
 * arrays of the schedule's length, most of a million-step chart's 0.2 s): only ln(eta) and its variation are per step.
 */
export class CarriedDrops {
  /** `terms`: carriedTerms' (of a schedule, maybe summed in another thread). */
  constructor(readonly terms: CarriedTerms) {}

  /** S1(s) past the last change of LR, as DropSchedule.area gives it. */
  area(s: number): number {
    return this.terms.area + (s - this.terms.last) * this.terms.eta;
  }

  /** The terms at each of `steps` (none before the schedule's last change of LR). */
  at(steps: ArrayLike<number>): PointTerms {
    const { weight, logEta, cumBefore, last } = this.terms;
    const m = weight.length;
    const n = steps.length;
    const out = { weight: new Float64Array(n * m), logEta: new Float64Array(n * m), logArea: new Float64Array(n * m) };
    const termStart = Float64Array.from({ length: n }, (_, i) => i * m);
    const termEnd = Float64Array.from({ length: n }, (_, i) => (i + 1) * m);
    for (let i = 0; i < n; i++) {
      if (!(steps[i] >= last)) throw new RangeError('CarriedDrops: a step before the LR stops changing');
      const areaAtS = this.area(steps[i]);
      for (let t = 0; t < m; t++) {
        out.weight[i * m + t] = weight[t];
        out.logEta[i * m + t] = logEta[t];
        // As TermBuffer: an S a hair below 0 from rounding is ln 0 (G = 0).
        out.logArea[i * m + t] = Math.log(Math.max(areaAtS - cumBefore[t], 0));
      }
    }
    return { termStart, termEnd, terms: out };
  }
}

/** CarriedDrops' data: plain numbers, so an analysis can carry them from its worker to the chart. */
export interface CarriedTerms {
  /** The schedule's last change of LR (DropSchedule.last), its S1 there and the LR held from it (eta_ref units). */
  last: number;
  area: number;
  eta: number;
  /** Per term: its summed drop, drop-weighted mean ln eta and mean cum[k-1]. */
  weight: number[];
  logEta: number[];
  cumBefore: number[];
}

/** The compressed sum's terms at the schedule's last change of LR (CarriedDrops), in one pass over the schedule. */
export function carriedTerms(ds: DropSchedule, window = COMPRESSION_WINDOW): CarriedTerms {
  const end = ds.last;
  const out: CarriedTerms = { last: end, area: ds.area(end), eta: ds.eta[end], weight: [], logEta: [], cumBefore: [] };
  const push = (weight: number, logEta: number, cumBefore: number) => {
    out.weight.push(weight);
    out.logEta.push(logEta);
    out.cumBefore.push(cumBefore);
  };
  // One step's drop, as pushStep's term.
  const step = (k: number) => {
    const d = ds.drop(k);
    if (d !== 0) push(d, ds.logEta(k), ds.cum[k - 1]);
  };
  // A block's drops of each sign at their drop-weighted means, as pushPart's terms (summed here, not from prefixes).
  const block = (lo: number, hi: number) => {
    if (lo === hi) return step(lo);
    const sums = [0, 0, 0, 0, 0, 0];
    for (let k = lo; k <= hi; k++) {
      const d = ds.drop(k);
      const o = d > 0 ? 0 : 3;
      sums[o] += d;
      sums[o + 1] += d * ds.logEta(k);
      sums[o + 2] += d * ds.cum[k - 1];
    }
    for (const o of [0, 3]) if (sums[o] !== 0) push(sums[o], sums[o + 1] / sums[o], sums[o + 2] / sums[o]);
  };
  const compressed = Number.isFinite(window) && ds.last - ds.firstDrop >= window;
  for (let k = end; k >= (compressed ? Math.max(ds.firstDrop, end - window + 1) : ds.firstDrop); k--) step(k);
  if (compressed) blocksBehind(ds, etaVariation(ds), end, window, block);
  return out;
}

/** BlockSums.variation alone: the prefix of |ln eta_k - ln eta_(k-1)| from k0 (0 up to it). */
function etaVariation(ds: DropSchedule): Float64Array {
  const variation = new Float64Array(ds.last + 1);
  for (let k = ds.firstDrop + 1; k <= ds.last; k++)
    variation[k] = variation[k - 1] + Math.abs(ds.logEta(k) - ds.logEta(k - 1));
  return variation;
}

function pushStep(ds: DropSchedule, k: number, areaAtS: number, out: TermSink): void {
  const d = ds.drop(k);
  if (d !== 0) out.push(d, ds.logEta(k), areaAtS - ds.cum[k - 1]);
}

/** Blocks behind the exact window: window/2 blocks of 2 steps, then of 4, 8, ... back to k0. */
function pushBlocks(
  ds: DropSchedule,
  sums: BlockSums,
  s: number,
  areaAtS: number,
  window: number,
  out: TermSink,
): void {
  blocksBehind(ds, sums.variation, s, window, (lo, hi) => {
    if (lo === hi) return pushStep(ds, lo, areaAtS, out);
    pushPart(sums.positive, lo, hi, areaAtS, out);
    if (sums.negative) pushPart(sums.negative, lo, hi, areaAtS, out);
  });
}

/**
 * The blocks of the compressed sum at step s behind its exact window, latest first: window/2 blocks of 2 steps, then
 * of 4, 8, ... back to k0, each split in halves (the later first) while ln(eta) varies by more than 2/window inside it
 * (`variation`: BlockSums.variation). `visit` gets each block's first and last step.
 */
function blocksBehind(
  ds: DropSchedule,
  variation: Float64Array,
  s: number,
  window: number,
  visit: (lo: number, hi: number) => void,
): void {
  const maxSpread = 2 / window;
  const split = (lo: number, hi: number): void => {
    if (lo === hi || !(variation[hi] - variation[lo] > maxSpread)) return visit(lo, hi);
    const mid = (lo + hi) >> 1;
    split(mid + 1, hi);
    split(lo, mid);
  };
  let hi = s - window;
  for (let size = 2; hi >= ds.firstDrop; size *= 2) {
    for (let b = 0; b < window / 2 && hi >= ds.firstDrop; b++, hi -= size) {
      const lo = Math.max(ds.firstDrop, hi - size + 1);
      if (lo <= ds.last) split(lo, Math.min(hi, ds.last));
    }
  }
}

/** One sign's summed drop over steps lo..hi, at its drop-weighted mean ln(eta) and mean S_k(s). */
function pushPart(p: SignedPrefix, lo: number, hi: number, areaAtS: number, out: TermSink): void {
  const weight = p.weight[hi] - p.weight[lo - 1];
  if (weight === 0) return;
  const logEta = (p.logEta[hi] - p.logEta[lo - 1]) / weight;
  const cumBefore = (p.cumBefore[hi] - p.cumBefore[lo - 1]) / weight;
  out.push(weight, logEta, areaAtS - cumBefore);
}

/** LD over terms start..end-1 (beta as `table` was last prepared for). */
export function lossDropSum(
  terms: DropTerms,
  start: number,
  end: number,
  logC: number,
  gamma: number,
  table: SaturationTable,
): number {
  const { weight, logEta, logArea } = terms;
  let sum = 0;
  for (let t = start; t < end; t++) sum += weight[t] * table.g(logC - gamma * logEta[t] + logArea[t]);
  return sum;
}

/**
 * The exact LD at each step, without materialising terms: O(K) memory, O(K) time per step. Used for reported
 * predictions, where a curve's exact terms (points x drops) would not fit in memory.
 */
export function exactLossDrop(
  ds: DropSchedule,
  steps: ArrayLike<number>,
  logC: number,
  beta: number,
  gamma: number,
): Float64Array {
  let m = 0;
  for (let k = ds.firstDrop; k <= ds.last; k++) if (ds.drop(k) !== 0) m++;
  const dropStep = new Float64Array(m);
  const weight = new Float64Array(m);
  const scale = new Float64Array(m);
  const cumBefore = new Float64Array(m);
  for (let k = ds.firstDrop, j = 0; k <= ds.last; k++) {
    const d = ds.drop(k);
    if (d === 0) continue;
    dropStep[j] = k;
    weight[j] = d;
    scale[j] = Math.exp(logC - gamma * ds.logEta(k));
    cumBefore[j++] = ds.cum[k - 1];
  }
  const out = new Float64Array(steps.length);
  const negBeta = -beta;
  // Drops at or before the step: a pointer that only moves on while the steps ascend (they do for every curve).
  let reached = 0;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (i > 0 && s < steps[i - 1]) reached = 0;
    while (reached < m && dropStep[reached] <= s) reached++;
    const areaAtS = ds.area(s);
    let sum = 0;
    for (let j = 0; j < reached; j++) {
      const u = scale[j] * (areaAtS - cumBefore[j]);
      sum += weight[j] * (1 - Math.exp(negBeta * Math.log1p(u)));
    }
    out[i] = sum;
  }
  return out;
}
