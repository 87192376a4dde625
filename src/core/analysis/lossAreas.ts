// The steps a loss analysis evaluates the LR-annealing law at, and the LR areas there: each curve's logged steps
// merged with its target steps into one ascending query list, so its areas are computed once, in one pass.
import { lrAnnealingLaw, type AreaPoints } from '../laws/lrAnnealing';
import { lrAreas } from '../laws/schedule';
import { concat, pick } from '../util/arrays';
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
  const ascending = targets.every((s, t) => t === 0 || s > targets[t - 1]);
  const sortedTargets = ascending ? targets : Array.from(new Set(targets)).sort((a, b) => a - b);
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
  const areas = lrAreas(p.curve.schedule, p.queries, {
    lambda,
    warmup: areaConvention(options.warmupConvention),
    warmupSteps: options.warmupSteps,
  });
  for (let q = 0; q < areas.s1.length; q++) {
    areas.s1[q] /= etaMax;
    areas.s2[q] /= etaMax;
  }
  return areas;
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
