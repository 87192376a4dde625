// A run's rows as a curve's points: one value per step in step order (a resumed run's repeats and abandoned rows
// resolved as TensorBoard does), and where its steps leave their own scale. Used by lossCurves.ts.
import { plural } from '../util/format';
import { kthSmallest } from '../util/select';
import type { RunRows } from './runRows';

/** Rows kept (null: all, already in order), rows replaced by a later value of their step, and stale rows dropped. */
export interface PerStep {
  kept: number[] | null;
  repeated: number[];
  stale: number[];
}

/**
 * Indices of the rows to keep, in step order, one per step: the row logged LAST in the file. A resumed run re-logs
 * the steps since its checkpoint, and the later values are the ones that run actually continued from. Logs are
 * almost always in order already, which is checked first: then every row is kept (`kept` null). A log that repeats
 * steps is a resumed one and is resolved as TensorBoard does (`restarted`); one that only is out of order is sorted.
 */
export function lastPerStep(rows: RunRows): PerStep {
  return rows.increasing ? { kept: null, repeated: [], stale: [] } : stepsPerStep(rows.steps, rows.length);
}

/** lastPerStep of the first `n` steps as logged, known not to be in strictly increasing order. */
export function stepsPerStep(steps: ArrayLike<number>, n: number): PerStep {
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => steps[a] - steps[b] || a - b);
  const kept: number[] = [];
  const repeated: number[] = [];
  for (const i of order) {
    const last = kept.length - 1;
    if (last >= 0 && steps[kept[last]] === steps[i]) {
      repeated.push(kept[last]);
      kept[last] = i;
    } else kept.push(i);
  }
  return repeated.length > 0 ? restarted(steps, n) : { kept, repeated, stale: [] };
}

/**
 * A run resumed from a checkpoint at step T appends from T again: what the first attempt logged from T on belongs to
 * the attempt that was abandoned, including the steps the new attempt has not reached yet (a crash after the last
 * checkpoint, a run still catching up). Each row drops the rows before it at its step or later; O(n).
 */
function restarted(steps: ArrayLike<number>, n: number): PerStep {
  const kept: number[] = [];
  const dropped: number[] = [];
  for (let i = 0; i < n; i++) {
    while (kept.length > 0 && steps[kept[kept.length - 1]] >= steps[i]) dropped.push(kept.pop() as number);
    kept.push(i);
  }
  const final = new Set(kept.map((i) => steps[i]));
  return {
    kept,
    repeated: dropped.filter((i) => final.has(steps[i])),
    stale: dropped.filter((i) => !final.has(steps[i])),
  };
}

/** What was dropped of the abandoned attempt beyond the steps logged again, in words; empty when nothing was. */
export function staleText(stale: readonly number[], rows: RunRows): string {
  return staleSpanText(
    stale,
    (i) => rows.steps[i],
    (i) => rows.lines[i],
  );
}

/** staleText of points whose step and line `stepOf` and `lineOf` give (a step table's series). */
export function staleSpanText(
  stale: readonly number[],
  stepOf: (i: number) => number,
  lineOf: (i: number) => number,
): string {
  if (stale.length === 0) return '';
  let [from, to, line] = [Infinity, -Infinity, Infinity];
  for (const i of stale) {
    from = Math.min(from, stepOf(i));
    to = Math.max(to, stepOf(i));
    line = Math.min(line, lineOf(i));
  }
  const span = from === to ? `step ${from}` : `steps ${from} to ${to}`;
  return (
    ` ${plural(stale.length, 'point')} at ${span} (from line ${line}) were logged before the run went back to an ` +
    'earlier step and not logged again; they belong to the attempt it resumed from and are left out.'
  );
}
/** A jump past this many median gaps, to more than this many times the step before it, is not the curve's spacing. */
const IMPLAUSIBLE_GAPS = 1e4;
const IMPLAUSIBLE_RATIO = 100;

/**
 * Where a curve's sorted steps leave its own scale: the first step after a jump of more than IMPLAUSIBLE_GAPS median
 * gaps that also multiplies the step by IMPLAUSIBLE_RATIO (a token count such as 3.5e10 logged as a step, or 1e300).
 * Only a tail smaller than the rest is cut: when half the points lie past the jump, the log is not a stray value but
 * two scales, and nothing is guessed. Returns steps.length when there is no such jump.
 */
export function implausibleFrom(steps: Float64Array): number {
  const n = steps.length;
  if (n < 4 || !multipliedPast(steps, IMPLAUSIBLE_RATIO)) return n;
  const gaps = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) gaps[i - 1] = steps[i] - steps[i - 1];
  const median = kthSmallest(gaps, Math.floor((n - 1) / 2));
  for (let i = 1; i < n; i++) {
    const jump = gaps[i - 1] > IMPLAUSIBLE_GAPS * median && steps[i] > IMPLAUSIBLE_RATIO * Math.max(1, steps[i - 1]);
    if (jump) return n - i < i ? i : n;
  }
  return n;
}

/** Whether some step is more than `ratio` times the one before it: without one no jump qualifies (no median needed). */
function multipliedPast(steps: Float64Array, ratio: number): boolean {
  for (let i = 1; i < steps.length; i++) if (steps[i] > ratio * Math.max(1, steps[i - 1])) return true;
  return false;
}

/**
 * The first `length` entries of `source`, or the entries at `indices`; without a copy when that is all of it, or when
 * `view` (rows that grow in place past `length`: entries before it are never written again).
 */
export function gather<T extends Float64Array | Int32Array>(
  source: T,
  length: number,
  indices: number[] | null,
  view = false,
): T {
  if (indices === null)
    return length === source.length ? source : ((view ? source.subarray(0, length) : source.slice(0, length)) as T);
  const out = new (source.constructor as new (n: number) => T)(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = source[indices[k]];
  return out;
}

export function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
