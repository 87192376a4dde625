// The steps a loss analysis evaluates the LR-annealing law at, and the LR areas there: each curve's logged steps
// merged with its target steps into one ascending query list, so its areas are computed once, in one pass.
import { carryLogOfS1, lrAnnealingLaw, type AreaPoints } from '../laws/lrAnnealing';
import { lrAreas, StepLr, type AreaResume } from '../laws/schedule';
import { concat, lowerBound, pick, samePrefix } from '../util/arrays';
import type { LossCurve } from './lossCurves';
import { areaConvention, type AnalysisOptions } from './options';

/** A curve with its areas at every step the analysis needs (its points, then its targets). */
export interface PreparedCurve {
  curve: LossCurve;
  targets: number[];
  /** Query steps, ascending unique: the union of the curve's steps and targets. */
  queries: Float64Array;
  /** Index into queries of each point and each target. */
  pointIndex: Int32Array;
  targetIndex: Int32Array;
}

/** Merges the curve's steps (ascending, unique) with its targets into one ascending query list, in one pass. */
export function prepare(curve: LossCurve, targets: number[]): PreparedCurve {
  const steps = curve.steps;
  // Targets already ascending and unique (a curve's own later steps) need no sort and no lookup by value.
  const ascending = ascendingOnce(targets);
  const sortedTargets = ascending ? targets : Array.from(new Set(targets)).sort((a, b) => a - b);
  if (ascending && (steps.length === 0 || targets.length === 0 || targets[0] > steps[steps.length - 1]))
    return preparedPastLog(curve, targets);
  const queries = new Float64Array(steps.length + sortedTargets.length);
  const pointIndex = new Int32Array(steps.length);
  /** The query of each sorted target. */
  const positions = new Int32Array(sortedTargets.length);
  let q = 0;
  let t = 0;
  for (let i = 0; i < steps.length; i++) {
    for (; t < sortedTargets.length && sortedTargets[t] < steps[i]; t++) {
      positions[t] = q;
      queries[q++] = sortedTargets[t];
    }
    // A target on a logged step shares its query.
    if (t < sortedTargets.length && sortedTargets[t] === steps[i]) positions[t++] = q;
    pointIndex[i] = q;
    queries[q++] = steps[i];
  }
  for (; t < sortedTargets.length; t++) {
    positions[t] = q;
    queries[q++] = sortedTargets[t];
  }
  const positionOf = ascending ? null : new Map(sortedTargets.map((s, k) => [s, positions[k]]));
  return {
    curve,
    targets,
    queries: queries.subarray(0, q),
    pointIndex,
    targetIndex: positionOf ? Int32Array.from(targets, (s) => positionOf.get(s)!) : positions,
  };
}

/** Whether values ascend, each once (a plain loop: a departure check's targets are a quarter of a million rows). */
function ascendingOnce(values: number[]): boolean {
  for (let t = 1; t < values.length; t++) if (!(values[t] > values[t - 1])) return false;
  return true;
}

/**
 * prepare's answer when every target lies past the last logged step (the usual case: twice the last step, the end of
 * the planned schedule): the steps, then the targets, without a merge step by step.
 */
function preparedPastLog(curve: LossCurve, targets: number[]): PreparedCurve {
  const n = curve.steps.length;
  const queries = new Float64Array(n + targets.length);
  queries.set(curve.steps);
  queries.set(targets, n);
  const pointIndex = new Int32Array(n);
  for (let i = 0; i < n; i++) pointIndex[i] = i;
  // A departure check's tail is a quarter of the curve's points as targets: filled in a plain loop (a typed array's
  // from() with a mapping function is several times slower).
  const targetIndex = new Int32Array(targets.length);
  for (let t = 0; t < targets.length; t++) targetIndex[t] = n + t;
  return { curve, targets, queries, pointIndex, targetIndex };
}

/**
 * A curve's areas at every query divided by the peak LR (the solver's parametrisation), in place: done once, as
 * they are computed, so no second million-row copy is made and the arrays never change after first use (the law
 * caches ln S1 per array).
 */
export function normalisedAreas(
  p: PreparedCurve,
  lambda: number,
  etaMax: number,
  options: AnalysisOptions,
): AreaPoints {
  return carriedAreas(p, lambda, etaMax, options).areas;
}

/**
 * A curve's normalised areas as one fit computed them, and where their pass stopped: a followed run that only grew
 * since (its schedule and steps the same, then more) has the areas of its earlier points again, as they are, and
 * only those of its new queries computed (src/core/live: an update's cost follows the rows appended).
 */
export interface AreaCarry {
  /** The curve the areas are of: its arrays are compared with the grown curve's. */
  curve: LossCurve;
  lambda: number;
  etaMax: number;
  warmupConvention: AnalysisOptions['warmupConvention'];
  warmupSteps: number | undefined;
  /** The schedule's peak and warmup end: a grown schedule with others has other areas everywhere. */
  peak: number;
  warmupEnd: number;
  /** The query steps the areas are at. */
  queries: Float64Array;
  areas: AreaPoints;
  /** Leading queries that are points at or before resume.step: their areas hold whatever comes after. */
  kept: number;
  resume: AreaResume;
}

/**
 * normalisedAreas, extending `carry` (the same curve's areas before it grew) when it applies, else from step 1; the
 * values are the same either way (tested), only the work differs.
 */
export function carriedAreas(
  p: PreparedCurve,
  lambda: number,
  etaMax: number,
  options: AnalysisOptions,
  carry?: AreaCarry,
): { areas: AreaPoints; carry: AreaCarry; extended: number } {
  const schedule = p.curve.schedule;
  const picked = carry && pickedFrom(carry, p, lambda, etaMax, options);
  if (carry && picked)
    return { areas: picked, carry: { ...carry, queries: p.queries, areas: picked, kept: 0 }, extended: 0 };
  const stepLr = new StepLr(schedule, options.warmupSteps);
  const from = carry && extends_(carry, p, lambda, etaMax, options, stepLr) ? carry : undefined;
  const start = from?.kept ?? 0;
  const areaOptions = { lambda, warmup: areaConvention(options.warmupConvention), warmupSteps: options.warmupSteps };
  const rest = lrAreas(schedule, p.queries.subarray(start), areaOptions, from?.resume);
  const n = p.queries.length;
  const areas = { s1: new Float64Array(n), s2: new Float64Array(n) };
  if (from) {
    areas.s1.set(from.areas.s1.subarray(0, start));
    areas.s2.set(from.areas.s2.subarray(0, start));
  }
  dividedInto(areas.s1, rest.s1, start, etaMax);
  dividedInto(areas.s2, rest.s2, start, etaMax);
  // The law's ln S1 of the carried queries too: a million logs per update otherwise.
  if (from) carryLogOfS1(areas.s1, from.areas.s1, start);
  // The points at or before where the pass stopped stepping keep their areas when the curve grows.
  const kept = keptPoints(p, rest.resume.step);
  return {
    areas,
    extended: start,
    carry: {
      curve: p.curve,
      lambda,
      etaMax,
      warmupConvention: options.warmupConvention,
      warmupSteps: options.warmupSteps,
      peak: stepLr.peak,
      warmupEnd: stepLr.warmupEnd,
      queries: p.queries,
      areas,
      kept,
      resume: rest.resume,
    },
  };
}

/**
 * out[start + k] = values[k] / by. A function of its own: inside carriedAreas the million-row loop was compiled on the
 * stack mid-loop and thrown away on the code after it, which had run too rarely to be typed (a followed run's update
 * recompiled it each time: "Insufficient type feedback" under --trace-deopt).
 */
function dividedInto(out: Float64Array, values: Float64Array, start: number, by: number): void {
  for (let k = 0; k < values.length; k++) out[start + k] = values[k] / by;
}

/** The leading queries that are points at or before `step` (a function of its own, as dividedInto). */
function keptPoints(p: PreparedCurve, step: number): number {
  const points = p.pointIndex;
  let kept = 0;
  while (kept < points.length && points[kept] === kept && p.queries[kept] <= step) kept++;
  return kept;
}

/** Whether a carry was computed with these settings (and so, on the same schedule, holds the same areas). */
function sameSettings(carry: AreaCarry, lambda: number, etaMax: number, options: AnalysisOptions): boolean {
  return (
    carry.lambda === lambda &&
    carry.etaMax === etaMax &&
    carry.warmupConvention === options.warmupConvention &&
    carry.warmupSteps === options.warmupSteps
  );
}

/**
 * The areas of a part of the same curve (a backtest's or a departure check's prefix, thinned, with later points as
 * targets: the same schedule object) picked from the whole curve's, when every query is one of its steps: a lookup
 * instead of a pass over the whole schedule. Null otherwise.
 */
function pickedFrom(
  carry: AreaCarry,
  p: PreparedCurve,
  lambda: number,
  etaMax: number,
  options: AnalysisOptions,
): AreaPoints | null {
  if (carry.curve.schedule !== p.curve.schedule || !sameSettings(carry, lambda, etaMax, options)) return null;
  const from = carry.queries;
  const index = new Int32Array(p.queries.length);
  let k = 0;
  for (let q = 0; q < p.queries.length; q++) {
    const step = p.queries[q];
    // The next query is most often the next step (a tail); a thinned prefix's jumps are searched, not walked: a
    // followed million-row run's departure check otherwise steps through the three quarters of the curve it thins.
    if (k < from.length && from[k] < step)
      k = k + 1 < from.length && from[k + 1] >= step ? k + 1 : lowerBound(from, step, k + 1);
    if (k === from.length || from[k] !== step) return null;
    index[q] = k;
  }
  return { s1: pick(carry.areas.s1, index), s2: pick(carry.areas.s2, index) };
}

/**
 * Whether a carry's areas are those of this curve's first `kept` queries: same settings, same peak and warmup, its
 * schedule and points a prefix of this curve's (compared in full, by bytes: a rewrite, a restart or another schedule
 * anywhere falls back to the pass from step 1), and the resumed pass steps past where the carried one stopped.
 */
function extends_(
  carry: AreaCarry,
  p: PreparedCurve,
  lambda: number,
  etaMax: number,
  options: AnalysisOptions,
  stepLr: StepLr,
): boolean {
  const old = carry.curve;
  const now = p.curve;
  const kept = carry.kept;
  if (
    !sameSettings(carry, lambda, etaMax, options) ||
    carry.peak !== stepLr.peak ||
    carry.warmupEnd !== stepLr.warmupEnd ||
    kept === 0 ||
    now.steps.length <= kept ||
    now.schedule.steps.length < old.schedule.steps.length
  )
    return false;
  // The first `kept` queries must be this curve's first points (no target before them), the next one after the resume.
  if (p.pointIndex[kept - 1] !== kept - 1 || !(p.queries[kept] > carry.resume.step)) return false;
  // The resumed pass must reach the carried step as the pass from step 1 does: at a logged row or a warmup end.
  const resumeAt = carry.resume.step;
  const lastRow = old.schedule.steps[old.schedule.steps.length - 1];
  if (resumeAt !== lastRow && resumeAt !== stepLr.warmupEnd && resumeAt !== options.warmupSteps) return false;
  if (Math.min(p.queries[p.queries.length - 1], stepLr.constantFrom) < resumeAt) return false;
  return (
    samePrefix(old.steps, now.steps, kept) &&
    samePrefix(old.schedule.steps, now.schedule.steps, old.schedule.steps.length) &&
    samePrefix(old.schedule.lr, now.schedule.lr, old.schedule.lr.length)
  );
}

/**
 * Values at some queries (ascending indices). A view when those are the first queries, the usual case of a curve
 * whose targets all lie past its last point: the points then share the queries' array instead of copying it.
 */
export function atQueries(values: Float64Array, index: Int32Array): Float64Array {
  const n = index.length;
  return n === 0 || index[n - 1] === n - 1 ? values.subarray(0, n) : pick(values, index);
}

export function areasAt(areas: AreaPoints, index: Int32Array): AreaPoints {
  return { s1: atQueries(areas.s1, index), s2: atQueries(areas.s2, index) };
}

export function concatAreas(parts: AreaPoints[]): AreaPoints {
  return { s1: concat(parts.map((p) => p.s1)), s2: concat(parts.map((p) => p.s2)) };
}

/** The law at every point of `points`. */
export function predictAt(params: Float64Array, points: AreaPoints): Float64Array {
  const out = new Float64Array(points.s1.length);
  lrAnnealingLaw.predict(params, points, out);
  return out;
}
