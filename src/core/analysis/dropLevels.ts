// The LR drops a loss curve shows, as fractions of its peak LR: what pins a loss-curve law's answer to an LR drop
// down. The automatic choice of law counts the distinct levels the fit curves drop to (lawChoice.ts: several pin the
// multi-power law's drop term down), and a fit whose curves show none cannot say how the loss answers a drop at all
// (unseenDrop.ts withholds such predictions).
import { StepLr } from '../laws/schedule';
import { upperBound } from '../util/arrays';
import { between, nextOf, placeIn } from '../util/stepInterpolation';
import type { LossCurve } from './lossCurves';
import type { OneStepLanding } from './types';
import { formatNumber } from '../util/format';
import { LAW_NAMES } from './lawNames';

/**
 * A fit curve shows a drop when it ends below this fraction of its peak LR: a smaller decay barely moves the loss
 * (its drop term is within the noise) and says nothing about the response to a drop.
 */
export const DROP_END = 0.8;
/**
 * Two drop levels are distinct when the LRs they end at differ by at least this factor (from the top of the lower
 * level's range, Level): the drop response depends on the LR through a power (eta^-gamma, gamma ~0.4-1), so closer
 * levels probe nearly the same part of it.
 */
export const LEVEL_FACTOR = 1.5;
/** An LR is held while it stays within this fraction of where the stretch began (logged LRs carry rounding). */
export const PLATEAU_TOLERANCE = 0.01;
/** Whether LR `v` is the LR `held`, within PLATEAU_TOLERANCE of it. */
const sameLr = (v: number, held: number) => Math.abs(v - held) <= PLATEAU_TOLERANCE * held;
/**
 * A held LR is a drop level when held for at least this share of the curve's steps: long enough for the loss to show
 * its response to the drop (a cosine's flat bottom, a few per cent, is not; a step-down stage is).
 */
export const PLATEAU_SHARE = 0.1;

/**
 * An LR level a curve drops to, as fractions of its peak: the range of LRs its loss rows there were logged at. A held
 * LR is one value; a curve still decaying at its last loss row was logged, over its last interval, at LRs from its
 * last row's up to its previous row's, so where it ends is known only to that range (a decay to zero logged every
 * 200 steps "ends" at 2 % or 4 % of its peak depending on where logging stopped: the same drop).
 */
interface Level {
  low: number;
  high: number;
}

/**
 * The distinct LR levels the fit curves drop to, as fractions of each curve's peak LR (ascending): the LR at a
 * curve's last loss row and every LR it holds for a stretch (levelsOf), when below DROP_END of its peak. A level is
 * distinct from the ones below it when its range starts at least LEVEL_FACTOR above the top of theirs; otherwise it
 * is the same level (reported by the lowest LR of the group).
 */
export function dropLevels(curves: readonly LossCurve[], warmupSteps: number | undefined): number[] {
  const all = curves.flatMap((c) => levelsOf(c, warmupSteps));
  all.sort((a, b) => a.low - b.low);
  const levels: number[] = [];
  let top = -Infinity;
  for (const e of all) {
    if (levels.length === 0 || (e.low > top && e.low >= top * LEVEL_FACTOR)) levels.push(e.low);
    top = Math.max(top, e.high);
  }
  return levels;
}

/**
 * The LRs one curve drops to, as fractions of its peak: where it ends (over its last logged interval, Level), and
 * every value its logged LR holds (within PLATEAU_TOLERANCE) for at least PLATEAU_SHARE of the curve's logged steps
 * (a step-down schedule's stages). `any`: stop at the first (whether the curve drops at all), which for a curve that
 * ends low skips the pass over its schedule.
 */
function levelsOf(curve: LossCurve, warmupSteps: number | undefined, any = false): Level[] {
  const stepLr = new StepLr(curve.schedule, warmupSteps);
  const n = curve.steps.length;
  if (stepLr.peak <= 0 || n === 0) return [];
  const first = curve.steps[0];
  const last = curve.steps[n - 1];
  const before = n > 1 ? lrAt(curve, stepLr, curve.steps[n - 2]) / stepLr.peak : 0;
  const end = lrAt(curve, stepLr, last) / stepLr.peak;
  // A curve that ends in its warmup has not dropped: its LR is still rising.
  const levels: Level[] = last > stepLr.warmupEnd && end < DROP_END ? [{ low: end, high: Math.max(end, before) }] : [];
  if (any && levels.length) return levels;
  const { steps, lr } = curve.schedule;
  let start = 0;
  for (let i = 1; i <= steps.length; i++) {
    const ends = i === steps.length || steps[i] > last;
    if (!ends && sameLr(lr[i], lr[start])) continue;
    const held = Math.min(steps[i - 1], last) - Math.max(steps[start], first);
    const level = lr[start] / stepLr.peak;
    if (held >= PLATEAU_SHARE * (last - first) && level < DROP_END) {
      levels.push({ low: level, high: level });
      if (any) break;
    }
    if (ends) break;
    start = i;
  }
  return levels;
}

/**
 * The LR at one step, as StepLr gives it: within the logged rows by a binary search (StepLr walks its rows from the
 * first, a pass over a million-row schedule per call), before them (a synthesised warmup) by StepLr itself.
 */
function lrAt(curve: LossCurve, stepLr: StepLr, step: number): number {
  const { steps, lr } = curve.schedule;
  if (steps.length === 0 || step < steps[0]) return stepLr.at(step);
  const k = upperBound(steps, step) - 1;
  const next = nextOf(steps, k);
  return between(lr, k, next, placeIn(steps, k, next, step));
}

/**
 * Whether a curve holds one lowered LR (below DROP_END of its peak, within PLATEAU_TOLERANCE) from `fromStep` to its
 * last loss row, having dropped to it after its first loss row: a two-stage run's second stage. The automatic choice
 * asks it at its first backtest cut (lawChoice.ts, heldThroughBacktest): when every fit curve that drops holds so,
 * each prefix shows the drop and each tail how the loss goes on answering it at a held LR, which is where the laws'
 * drop terms differ in form.
 */
export function holdsDropFrom(curve: LossCurve, fromStep: number, warmupSteps: number | undefined): boolean {
  const stepLr = new StepLr(curve.schedule, warmupSteps);
  const n = curve.steps.length;
  if (!(stepLr.peak > 0) || n === 0) return false;
  const [first, last] = [curve.steps[0], curve.steps[n - 1]];
  if (!(first < fromStep && fromStep <= last)) return false;
  const held = lrAt(curve, stepLr, last);
  if (!(held > 0 && held < DROP_END * stepLr.peak)) return false;
  if (!sameLr(lrAt(curve, stepLr, fromStep), held) || sameLr(lrAt(curve, stepLr, first), held)) return false;
  const { steps, lr } = curve.schedule;
  for (let k = upperBound(steps, fromStep); k < steps.length && steps[k] <= last; k++)
    if (!sameLr(lr[k], held)) return false;
  return true;
}

/**
 * A fall between two logged rows is a step when the rows are at most this share of the curve's logged steps apart:
 * the LR is linear between logged rows, so a fall logged across a long interval is a decay through many LRs.
 */
const STEP_SHARE = 0.02;

/**
 * The one LR every LR drop of the curves lands at, when each drop is a step from the curve's peak straight to it: after
 * its peak, every logged LR of every curve up to its last loss row is its peak or that LR (within PLATEAU_TOLERANCE;
 * blips left out, blipBelow), and each fall from the one to the other spans a short logged interval (STEP_SHARE).
 * Undefined when a curve passes through or lands at any other LR, or none drops. Then the multi-power law's drop
 * term sees one eta_k only, so C and gamma enter it only as C·eta_k^(-gamma): the fit curves cannot tell gamma
 * (mplLoss.ts marks it not determined rather than held by its bound).
 */
export function oneStepLanding(curves: readonly LossCurve[], warmupSteps: number | undefined): number | undefined {
  let landing: number | undefined;
  for (const curve of curves) {
    const n = curve.steps.length;
    const peak = new StepLr(curve.schedule, warmupSteps).peak;
    if (!(peak > 0) || n === 0) continue;
    const { steps, lr } = curve.schedule;
    const last = curve.steps[n - 1];
    const longest = STEP_SHARE * (last - curve.steps[0]);
    // Bounds, not a closure per row: a followed run's schedule has a million rows, asked at every update.
    const [low, high] = [(1 - PLATEAU_TOLERANCE) * peak, (1 + PLATEAU_TOLERANCE) * peak];
    let atPeakBefore = -1;
    for (let k = peakIndex(lr, peak); k < lr.length && steps[k] <= last; k++) {
      const v = lr[k];
      if (v >= low && v <= high) {
        atPeakBefore = k;
        continue;
      }
      if (blipBelow(lr, k, low)) continue;
      landing ??= v;
      if (!(v > 0 && v < peak && sameLr(v, landing))) return undefined;
      // A fall from the peak row before: a step only over a short interval.
      if (atPeakBefore === k - 1 && steps[k] - steps[atPeakBefore] > longest) return undefined;
    }
  }
  return landing;
}

/**
 * What a prediction assumes of a fit on curves that drop to one LR only (FitResult.oneStepLanding), when its LRs
 * `lr` at `steps` (a schedule's, up to the step predicted) fall below their peak to any other LR: the gamma the solver
 * left, which those curves do not determine. Undefined when the LRs stay at their peak or at that LR, passing others
 * only on a fall from the peak straight to it over a short stretch (STEP_SHARE of the steps, as oneStepLanding reads
 * a fit curve's step: a step schedule queried between two rows, a fast decay). The prediction is shown all the same:
 * such fits predicted other schedules well on the public runs (README, Choosing the loss-curve law).
 */
export function gammaAssumed(
  landing: OneStepLanding | undefined,
  lr: ArrayLike<number>,
  steps: ArrayLike<number>,
): string | undefined {
  if (!landing) return undefined;
  // After the peak: the warmup's rise is no drop.
  let top = 0;
  for (let k = 1; k < lr.length; k++) if (lr[k] > lr[top]) top = k;
  const peak = lr[top] ?? 0;
  const low = (1 - PLATEAU_TOLERANCE) * peak;
  const longest = STEP_SHARE * ((steps[lr.length - 1] ?? 0) - (steps[0] ?? 0));
  const atLanding = (v: number) => sameLr(v, landing.lr);
  for (let k = top; k < lr.length; k++) {
    if (lr[k] >= low || atLanding(lr[k]) || lr[k] < 0) continue;
    // LRs between the peak and the landing, from the row after the last at the peak to the first at the landing.
    let end = k;
    while (end < lr.length && lr[end] < low && !atLanding(lr[end]) && lr[end] > landing.lr) end++;
    const passing =
      lr[k] > landing.lr &&
      lr[k - 1] >= low &&
      end < lr.length &&
      atLanding(lr[end]) &&
      steps[end] - steps[k - 1] <= longest;
    if (!passing)
      return `${LAW_NAMES.mpl}'s gamma = ${formatNumber(landing.gamma, 3)}, which its solver left, since the fit curves drop to one LR only (${formatNumber(landing.lr, 3)}) and this schedule falls to others`;
    k = end;
  }
  return undefined;
}

/** Whether any of the curves drops to a level (dropLevels would name one), at the cost of the first it finds. */
export function showsDrop(curves: readonly LossCurve[], warmupSteps: number | undefined): boolean {
  return curves.some((c) => levelsOf(c, warmupSteps, true).length > 0);
}

/** Index of a schedule's first row at its peak LR: a drop is a fall from there (a warmup's rise is none). */
function peakIndex(lr: Float64Array, peak: number): number {
  let k = 0;
  while (k < lr.length && lr[k] < peak) k++;
  return k;
}

/**
 * The lowest LR a curve's loss rows were logged at after its peak, as a fraction of that peak (1 for a constant LR;
 * NaN without a positive LR or loss rows), blips left out (blipBelow): how far its LR ever fell while the loss was
 * watched.
 */
export function lowestShare(curve: LossCurve): number {
  const { steps, lr } = curve.schedule;
  const peak = new StepLr(curve.schedule).peak;
  const n = curve.steps.length;
  if (!(peak > 0) || n === 0) return NaN;
  const last = curve.steps[n - 1];
  let lowest = 1;
  for (let k = peakIndex(lr, peak); k < lr.length && steps[k] <= last; k++) {
    const beside = k > 0 && k + 1 < lr.length ? Math.min(lr[k - 1], lr[k + 1]) : NaN;
    if (!blipBelow(lr, k, (1 - PLATEAU_TOLERANCE) * beside)) lowest = Math.min(lowest, lr[k] / peak);
  }
  return lowest;
}

/**
 * The first logged step after `after` at which a curve's LR is below `share` of its peak, past the peak (a warmup's
 * rise is no drop) and not a blip (blipBelow); undefined when there is none. Past its last logged row a schedule holds its last LR, so a drop
 * is only ever at a logged row.
 */
export function dropStart(curve: LossCurve, share: number, after = -Infinity): number | undefined {
  const { steps, lr } = curve.schedule;
  const peak = new StepLr(curve.schedule).peak;
  if (!(peak > 0)) return undefined;
  // From the first row past `after` (a fitted run's loss rows are behind it), but never before the peak.
  let k = Math.max(upperBound(steps, after), peakIndex(lr, peak));
  for (; k < lr.length; k++) if (lr[k] < share * peak && !blipBelow(lr, k, share * peak)) return steps[k];
  return undefined;
}

/**
 * Whether row k of a schedule is a blip below `threshold`: the one logged row under it, the rows on both sides at or
 * above it (a logger's glitch, an LR of 0 written at a resumed run's first step). The loss has no time to answer
 * it, and both laws' drop terms take its fall and the rise back as cancelling, so it is no drop.
 */
function blipBelow(lr: Float64Array, k: number, threshold: number): boolean {
  return k > 0 && k + 1 < lr.length && lr[k] < threshold && lr[k - 1] >= threshold && lr[k + 1] >= threshold;
}
