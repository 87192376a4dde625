// The multi-power law (docs/laws-loss.md) as a loss-curve law of the shared pipeline: fitted on the compressed
// loss-drop sum (multiPowerFit.ts), reported with the exact sum, and banded by a few warm-started refits on thinned
// points with the compressed sum (a full refit costs ~1 s; the LR-annealing law's 200 would take minutes).
import { bootstrapIntervals, bootstrapParams } from '../fit/bootstrap';
import { refineRobust } from '../fit/robust';
import { COMPRESSION_WINDOW, dropSchedulesFit, sameDropsUpTo, type DropSchedule } from '../laws/lossDrop';
import {
  concatPoints,
  multiPowerCoefficients,
  multiPowerLaw,
  multiPowerPoints,
  type MultiPowerPoints,
  withRepeats,
} from '../laws/multiPower';
import { concat, grownArray, pick, samePrefix } from '../util/arrays';
import { valuesAtSteps } from '../util/stepInterpolation';
import { formatNumber } from '../util/format';
import { grownFrom, movedWithOptimum } from './grownFit';
import { residualBlockReplicate, thinFitted, type ThinFitted } from './lossBands';
import { oneStepLanding } from './dropLevels';
import { curveKey, type LossCurve } from './lossCurves';
import type { LossCurveLaw, LossFitInput, LossLawDescription, LossLawFit, LossReplicates } from './lossLaw';
import type { OneStepLanding } from './types';
import { firstReplicates } from './lossLaw';
import {
  firstOverTermBudget,
  fitMultiPower,
  lossFromDrops,
  scheduleIn,
  type ScheduleCache,
  multiPowerDrops,
  refitGrownMultiPower,
  sameDropTerm,
  scheduleKeys,
  type MultiPowerFit,
} from './multiPowerFit';
import { lossDropConvention } from './options';
import { LAW_NAMES } from './lawNames';

/** Refits behind MPL's bands at most (the option's count applies up to this). */
export const MPL_BOOTSTRAP_SAMPLES = 24;
/** Points per fitted curve in each bootstrap refit. */
const BOOTSTRAP_POINTS = 120;
/**
 * Points in all in each bootstrap refit (thinFitted keeps a subset of the fit curves past it): 10 curves' worth, so
 * that a directory of curves (the public MPL curves: 9) is banded as before, and a refit of a sweep of thousands of
 * runs costs what one of ten curves does.
 */
const BOOTSTRAP_TOTAL_POINTS = 10 * BOOTSTRAP_POINTS;
const BOOTSTRAP_ITERATIONS = 60;
/** Points a backtest refit (warm-started) sees in all. */
const WARM_FIT_POINTS = 600;
/**
 * Iterations a warm-started refit may take: it starts at the full fit's optimum, a few steps from the prefix's; on a
 * curve that does not pin the drop term down the solver would otherwise crawl along the flat directions.
 */
const WARM_ITERATIONS = 50;
/**
 * Above this many terms (queries x steps where the LR changes), a curve's predictions use the compressed sum
 * (within ~1e-6 of the exact one, tested) instead of the exact O(queries x steps) sum: a million-step log.
 */
export const EXACT_TERMS = 3e8;
/** Drop-term parameters (solver names) whose bounds make the law's extrapolation a guess. */
const DROP_SCALE = ['b', 'ln c'];
const DROP_SHAPE = ['beta', 'gamma'];

interface MplFit extends LossLawFit {
  model: MultiPowerFit;
  /** The schedules its sums are made against (a backtest's refits of its curves share them). */
  schedules: ScheduleCache;
  /** The one curve fitted (a followed run's next fit checks it grew from it), and the Huber delta. */
  fittedCurve?: LossCurve;
  delta: number;
  /** What the next fit of the same curves grown may carry (taken once: a fit must not hold the one before it). */
  carry(): MplCarry;
}

/** A fit's loss-drop sums at every query of each curve and its bootstrap refits, for the next fit of a grown run. */
interface MplCarry {
  model: MultiPowerFit;
  drops: Map<string, CurveDrops>;
  drawn: Map<number, DrawnRefits>;
}

/** The loss-drop sums and ln S1 at a curve's queries, under its schedule as it was: what predictions are made of. */
interface CurveDrops {
  queries: Float64Array;
  ld: Float64Array;
  logArea: Float64Array;
  schedule: DropSchedule;
}

/** Bootstrap refits and the refit of the unperturbed points they are read against. */
interface DrawnRefits {
  sets: Float64Array[];
  centre: Float64Array;
  method: string;
  /** Each curve's replicate ratios at the queries its band was first drawn at (by curveKey). */
  ratios: Map<string, RatioGrid>;
}

/**
 * Each replicate's prediction over the centre's (what a band is made of) at some steps of a curve. Smooth in the
 * step, so a fit's later asks (a mean's band after its weights) read them interpolated between these steps instead of
 * summing each refit again.
 */
interface RatioGrid {
  steps: Float64Array;
  ratios: Float64Array[];
}

export const mplLossLaw: LossCurveLaw = {
  id: 'mpl',
  name: `The ${LAW_NAMES.mpl}`,
  coefficients: 7,
  fit(input: LossFitInput, warm?: LossLawFit): MplFit | null {
    const { prepared, fitted, options } = input;
    // Every curve it would predict sums its drops too, not only the fitted ones (a held-out run logged from 1e9).
    if (
      !dropSchedulesFit(
        prepared.map((p) => p.curve),
        options.warmupSteps,
      )
    )
      return null;
    const warmModel = (warm as MplFit | undefined)?.model;
    const previous = input.previous?.law === 'mpl' ? (input.previous as MplFit) : undefined;
    const carried = previous?.carry();
    // The schedules the refit sums against are the fit's: each costs a pass over the run's steps. A backtest's
    // refits of the full fit's curves (`warm`) share its schedules, the same logged ones.
    const schedules: ScheduleCache = (warm as MplFit | undefined)?.schedules ?? new Map();
    const grown = !warmModel && previous ? refitGrown(previous, carried!, input, schedules) : null;
    if (grown) return checkedMplFit({ ...input, previous: undefined }, grown, carried, schedules);
    // Otherwise a grown run's previous optimum starts a refinement on every point, uncapped (the cold fit's answer).
    const previousModel = previous?.model;
    const model = fitMultiPower(
      fitted.map((i) => prepared[i].curve),
      {
        convention: lossDropConvention(options.warmupConvention),
        warmupSteps: options.warmupSteps,
        delta: options.lossDelta,
        ...(warmModel && {
          warmStart: warmModel.coefficients,
          maxFitPoints: WARM_FIT_POINTS,
          maxIterations: WARM_ITERATIONS,
        }),
        ...(!warmModel && previousModel && { warmStart: previousModel.coefficients }),
      },
      schedules,
    );
    // Not kept by the fit: each fit of a followed run would hold the one before it.
    return model && checkedMplFit({ ...input, previous: undefined }, model, carried, schedules);
  },
};

/** A followed run's refit on its last full refinement's model (multiPowerFit.ts), when the run only grew. */
function refitGrown(
  previous: MplFit,
  carried: MplCarry,
  input: LossFitInput,
  schedules: ScheduleCache,
): MultiPowerFit | null {
  const { model, fittedCurve } = previous;
  const anchor = model.fit.anchor;
  if (!anchor || !fittedCurve || input.fitted.length !== 1 || previous.delta !== input.options.lossDelta) return null;
  const { options } = input;
  if (model.convention !== lossDropConvention(options.warmupConvention) || model.warmupSteps !== options.warmupSteps)
    return null;
  const curve = input.prepared[input.fitted[0]].curve;
  if (!grownFrom(fittedCurve, curve, anchor.points)) return null;
  // The schedule it sums against is extended from the last fit's, and kept for the fit to report with.
  const earlier = carried.drops.get(curveKey(curve))?.schedule;
  return refitGrownMultiPower(model, curve, options.lossDelta, schedules, earlier);
}

/**
 * The loss-drop term is identified when its scale (b, ln c) is off its bounds and at most one of its shape
 * exponents sits on one (docs/laws-loss.md, the multi-power law: with a constant and a cosine only, ln c, beta and gamma all do).
 * An exponent the fit curves cannot tell by their form (`undetermined`: gamma when every drop is one step to one LR,
 * oneStepLanding) says nothing about the data by where the solver left it, bound or not.
 */
export function dropTermIdentified(atBounds: string[], undetermined?: Record<string, string>): boolean {
  const held = atBounds.filter((n) => !(undetermined && n in undetermined));
  const shapeHeld = held.filter((n) => DROP_SHAPE.includes(n)).length;
  return !held.some((n) => DROP_SCALE.includes(n)) && shapeHeld <= 1;
}

/**
 * C and gamma, marked not determined when every drop of the fit curves is one step to one LR (oneStepLanding): the
 * drop term then holds them only as C·eta^(-gamma) at that LR, which is measured; either alone is where the solver
 * stopped. Undefined when the curves drop otherwise.
 */
function oneStepUndetermined(
  input: LossFitInput,
  model: MultiPowerFit,
): { undetermined: Record<string, string>; landing: OneStepLanding } | undefined {
  const fitted = input.fitted.map((i) => input.prepared[i].curve);
  const landing = oneStepLanding(fitted, input.options.warmupSteps);
  if (landing === undefined) return undefined;
  const { C, gamma } = model.coefficients;
  const product = formatNumber(C * Math.pow(landing, -gamma), 4);
  const reason = `not determined: every LR drop of the fit curves is one step to the same LR (${formatNumber(landing, 4)}), where C and gamma enter the law only as C·LR^(-gamma) = ${product}: that product is measured, neither alone`;
  return { undetermined: { C: reason, gamma: reason }, landing: { lr: landing, gamma } };
}

/**
 * mplFit, or null when a curve it would predict (held out or only predicted too, not only fitted) takes over the
 * compressed sum's budget of terms a point (firstOverTermBudget): its LR jumps by large factors every row, and its
 * predictions would cost rows x steps. The analysis then names it (dropSumsTooLong), as for a fit curve.
 */
function checkedMplFit(
  input: LossFitInput,
  model: MultiPowerFit,
  carried: MplCarry | undefined,
  schedules: ScheduleCache,
): MplFit | null {
  // Built as mplFit builds them (a grown run's extended from its last fit's), and cached for it.
  const earlier = carried ? new Map([...carried.drops].map(([key, d]) => [key, d.schedule])) : undefined;
  const parts = input.prepared.map(({ curve }) => ({
    schedule: scheduleIn(schedules, model, curve.schedule, earlier?.get(curveKey(curve))),
    steps: curve.steps,
  }));
  return firstOverTermBudget(parts) < 0 ? mplFit(input, model, carried, schedules) : null;
}

function mplFit(
  input: LossFitInput,
  model: MultiPowerFit,
  carried?: MplCarry,
  schedules: ScheduleCache = new Map(),
): MplFit {
  const { prepared } = input;
  // A grown run's earlier sums hold while the drop term is the same function (the model refit holds its shape).
  const carriedDrops = carried && sameDropTerm(carried.model, model) ? carried.drops : new Map<string, CurveDrops>();
  // Schedules do not depend on the drop term: a grown run's are extended whatever the fit.
  const earlier = carried ? new Map([...carried.drops].map(([key, d]) => [key, d.schedule])) : undefined;
  const drops = new Map<string, CurveDrops>();
  const scheduleOf = (i: number) => {
    const { curve } = prepared[i];
    const key = curveKey(curve);
    const ds = scheduleIn(schedules, model, curve.schedule, earlier?.get(key));
    // Extended once: the earlier schedule is not held by this fit.
    earlier?.delete(key);
    return ds;
  };
  /** The loss-drop sums at some queries of curve i (all when `at` is null). */
  const dropsAt = (i: number, at: Int32Array | null): Float64Array => {
    const ds = scheduleOf(i);
    const { queries, targetIndex } = prepared[i];
    const steps = at === null ? queries : pick(queries, at);
    const cheap = input.purpose === 'backtest' || queries.length * Math.max(1, ds.last) > EXACT_TERMS;
    // A long log's every row (hovers, residuals) is interpolated between checked sums; the targets a user reads
    // are summed (a backtest's or the departure check's targets are the rows it scores, interpolated as rows).
    const ld = multiPowerDrops(model, ds, steps, cheap ? 'interpolated' : 'exact');
    if (cheap && input.purpose !== 'backtest') {
      const targets = at === null ? targetIndex : positionsIn(at, targetIndex);
      const summed = multiPowerDrops(model, ds, pick(steps, targets), 'compressed');
      targets.forEach((k, t) => (ld[k] = summed[t]));
    }
    return ld;
  };
  const predictions = new Map<number, Float64Array>();
  let twins: Int32Array | undefined;
  /** The first prepared curve whose predictions are curve i's (twinCurves), i itself when none is. */
  const twinOf = (i: number) => (twins ??= twinCurves(prepared))[i];
  const predict = (i: number): Float64Array => {
    let p = predictions.get(i);
    if (!p) {
      const { queries, curve } = prepared[i];
      const key = curveKey(curve);
      const before = carriedDrops.get(key);
      carriedDrops.delete(key);
      const twin = before ? i : twinOf(i);
      if (twin !== i) {
        // The same sums as the twin's, copied: a grown run's next fit may lengthen a carried array in place.
        predictions.set(i, (p = predict(twin).slice()));
        const made = drops.get(curveKey(prepared[twin].curve))!;
        drops.set(key, { ...made, queries, ld: made.ld.slice(), logArea: made.logArea.slice() });
        return p;
      }
      const ds = scheduleOf(i);
      const sums = (at: Int32Array | null) => ({ ld: dropsAt(i, at), logArea: logAreas(ds, queries, at) });
      const { ld, logArea } = before ? carriedSums(before, ds, queries, sums) : sums(null);
      drops.set(key, { queries, ld, logArea, schedule: ds });
      predictions.set(i, (p = lossFromDrops(model, ld, logArea)));
    }
    return p;
  };
  const atBounds = model.atBounds.map((h) => h.name);
  // Asked of the full fit only (its identification, its description, its landing), not of every backtest refit: a
  // pass over the schedules, a million rows on a followed run.
  let oneStep: ReturnType<typeof oneStepUndetermined> | null = null;
  const oneStepOnce = () => (oneStep === null ? (oneStep = oneStepUndetermined(input, model)) : oneStep);
  let paramSets: Float64Array[] = [];
  const drawn = new Map<number, { refits: DrawnRefits; replicates: LossReplicates }>();
  /** The refits behind `samples` replicates: carried from a grown run's last fit (moved with its optimum), or drawn. */
  const refitsFor = (samples: number, thin: ThinFitted[]): DrawnRefits => {
    const before = carried && sameDropTerm(carried.model, model) ? carried.drawn.get(samples) : undefined;
    if (before) return movedRefits(before, carried!.model.params, model);
    const data = thin.map((t) => pointsAt(model, scheduleOf(t.curve), prepared[t.curve].queries, t.queries));
    const join = joinedWithRepeats(thin, prepared);
    const sets =
      samples > 0
        ? bootstrapParams(model.law, model.params, residualBlockReplicate(thin, data, join), {
            samples,
            seed: input.options.seed,
            delta: input.options.lossDelta,
            maxIterations: BOOTSTRAP_ITERATIONS,
            gaussNewton: true,
          })
        : [];
    // Replicates are refitted on thinned points with the compressed sum, whose own optimum differs slightly from
    // the fit's: each replicate is read relative to the refit of the unperturbed thinned points (the centre), and
    // that ratio is applied to the fit's exact prediction, so the band is centred on what is reported.
    const centre = sets.length ? centreOf(model, thin, join(data), input.options.lossDelta) : model.params;
    const method =
      samples > 0
        ? `${samples} moving-block bootstrap refits of the log residuals on ${BOOTSTRAP_POINTS} points per fit curve (${BOOTSTRAP_TOTAL_POINTS} in all at most, over evenly chosen fit curves), refined from the fit by damped Gauss-Newton (at most ${BOOTSTRAP_ITERATIONS} iterations, compressed loss-drop sum), plus residual noise; 95 % percentile band`
        : 'none (0 bootstrap samples)';
    return { sets, centre, method, ratios: new Map() };
  };
  return {
    law: 'mpl',
    model,
    schedules,
    fittedCurve: input.fitted.length === 1 ? prepared[input.fitted[0]].curve : undefined,
    delta: input.options.lossDelta,
    solver: model.fit,
    atBounds,
    get identified() {
      return dropTermIdentified(atBounds, oneStepOnce()?.undetermined);
    },
    get oneStepLanding() {
      return oneStepOnce()?.landing;
    },
    predict,
    carry: () => ({ model, drops, drawn: new Map([...drawn].map(([n, d]) => [n, d.refits])) }),
    bootstrap(requested: number): LossReplicates {
      const samples = Math.min(requested, MPL_BOOTSTRAP_SAMPLES);
      // The same refits are asked for twice under a spread-weighted combination (its weights, then its band).
      const known = drawn.get(samples);
      if (known) {
        paramSets = known.refits.sets;
        return known.replicates;
      }
      const thin = thinFitted(input, predict, BOOTSTRAP_POINTS, BOOTSTRAP_TOTAL_POINTS);
      const refits = refitsFor(samples, thin);
      const { sets, centre } = refits;
      paramSets = sets;
      // One law per parameter set: a law's table is built for one beta, and each set has its own, so a law shared
      // by all rebuilt it 25 times per curve (most of a sweep's replicate predictions).
      const [centreAt, ...setsAt] = [centre, ...sets].map(predictorOf);
      // Ratios by twin curve (twinCurves) and the queries they were summed at: a twin's at the same queries are its.
      const summedRatios = new Map<number, { queries: Int32Array; ratios: Float64Array[] }[]>();
      /** Each replicate's ratio to the centre at some queries of curve i, summed (or copied from its twin's). */
      const ratiosAt = (i: number, queries: Int32Array): Float64Array[] => {
        const twin = twinOf(i);
        const made = summedRatios.get(twin) ?? [];
        const same = made.find((m) => sameQueries(m.queries, queries));
        if (same) return same.ratios.map((r) => r.slice());
        const points = pointsAt(model, scheduleOf(i), prepared[i].queries, queries);
        const base = centreAt(points);
        const ratios = setsAt.map((at) => at(points).map((v, k) => v / base[k]));
        summedRatios.set(twin, [...made, { queries, ratios }]);
        return ratios;
      };
      const replicates: LossReplicates = {
        count: sets.length,
        at: (i, queries, count) => {
          const exact = predict(i);
          const all = prepared[i].queries;
          const key = curveKey(prepared[i].curve);
          const grid = refits.ratios.get(key);
          const ratios = grid ? ratiosOnGrid(grid, all, queries, (q) => ratiosAt(i, q)) : ratiosAt(i, queries);
          if (!grid) refits.ratios.set(key, { steps: pick(all, queries), ratios });
          // The ratios of every refit are kept (the grid serves later calls); the first `count` are predicted.
          return firstReplicates(ratios, count).map((r) => r.map((v, k) => exact[queries[k]] * v));
        },
        residuals: concat(thin.map((t) => t.logResidual)),
        method: refits.method,
        refits: { sets: sets.map((p) => Array.from(p)), centre: Array.from(centre) },
      };
      drawn.set(samples, { refits, replicates });
      return replicates;
    },
    describe: (replicates) => {
      const once = oneStepOnce();
      return {
        ...describeMpl(input, model, paramSets, replicates.method, once?.undetermined),
        ...(once && { oneStepLanding: { ...once.landing } }),
      };
    },
    forComparison: () => mplFit({ ...input, purpose: 'backtest' }, model),
  };
}

/**
 * A grown run's last refits moved with its optimum (`from` to the fit's parameters), instead of new ones: the
 * parameters' uncertainty is the same around a nearby optimum, as the LR-annealing law carries its own (tissueLoss.ts).
 * The refits are drawn again at the next full refinement, whose drop term differs. Their ratios to the centre are
 * summed again (at the few hundred steps per curve a band or a mean's weights ask for first), not carried: the last
 * ones were the unmoved refits', and a mean's weights must come from the refits it keeps (selection.spreadRefits),
 * or a what-if of the file's own schedule misses the lens's number (by 4e-4 on the example cosine run).
 */
function movedRefits(before: DrawnRefits, from: Float64Array, model: MultiPowerFit): DrawnRefits {
  // In the law's box but for L0's cap, the curve's lowest loss (multiPowerLaw): it falls as a run anneals, and the
  // centre and the refits clamped to it by different amounts are no longer what was drawn (on the example cosine run
  // one append made MPL's spread mid-run 6 times the drawn one's, and its weight in a mean fell from 0.49 to 0.14).
  const box = { lower: model.law.lower, upper: model.law.upper.map((v, j) => (j === 0 ? Infinity : v)) };
  const [centre, ...sets] = movedWithOptimum([before.centre, ...before.sets], from, model.params, box);
  return { sets, centre, method: before.method, ratios: new Map() };
}

/**
 * Replicate ratios at some queries (indices into `all`): interpolated in step on the grid inside it, summed by
 * `compute` outside it (a grown run's new rows and its targets past the log).
 */
function ratiosOnGrid(
  grid: RatioGrid,
  all: Float64Array,
  queries: Int32Array,
  compute: (queries: Int32Array) => Float64Array[],
): Float64Array[] {
  const { steps } = grid;
  if (steps.length < 2) return compute(queries);
  const [first, last] = [steps[0], steps[steps.length - 1]];
  const inside: number[] = [];
  const outside: number[] = [];
  queries.forEach((q, k) => (all[q] >= first && all[q] <= last ? inside : outside).push(k));
  const at = Float64Array.from(inside, (k) => all[queries[k]]);
  const out = grid.ratios.map((ratios) => {
    const row = new Float64Array(queries.length);
    valuesAtSteps(steps, ratios, at).forEach((v, j) => (row[inside[j]] = v));
    return row;
  });
  if (outside.length > 0) {
    const summed = compute(Int32Array.from(outside, (k) => queries[k]));
    summed.forEach((r, b) => outside.forEach((k, j) => (out[b][k] = r[j])));
  }
  return out;
}

/** ln S1 at some queries (all when `at` is null), in the model's LR units. */
function logAreas(ds: DropSchedule, queries: Float64Array, at: Int32Array | null): Float64Array {
  return at === null
    ? queries.map((s) => Math.log(ds.area(s)))
    : Float64Array.from(at, (q) => Math.log(ds.area(queries[q])));
}

/**
 * The sums at `queries` under `ds`: those of `before` (the same curve before it grew) wherever it has the same step
 * and its schedule agrees up to it (sameDropsUpTo: LD and S1 read the LR up to the step only), the rest from
 * `compute` (indices into queries).
 */
function carriedSums(
  before: CurveDrops,
  ds: DropSchedule,
  queries: Float64Array,
  compute: (at: Int32Array) => { ld: Float64Array; logArea: Float64Array },
): { ld: Float64Array; logArea: Float64Array } {
  const upTo = sameDropsUpTo(before.schedule, ds);
  // The usual case, a run that grew: its earlier queries are the same, taken whole.
  const same = sharedPrefix(before.queries, queries, upTo);
  // When nothing of `before` past them is read (every later query lies past `upTo`: the new rows, targets past the
  // log), its arrays are lengthened in place (`before` is the last fit's, used for this carry only).
  const done = !queries.subarray(same).some((step) => step <= upTo);
  const ld = grownArray(before.ld, same, queries.length, done);
  const logArea = grownArray(before.logArea, same, queries.length, done);
  const missing = new Int32Array(queries.length - same);
  let count = 0;
  let j = same;
  for (let q = same; q < queries.length; q++) {
    const step = queries[q];
    while (j < before.queries.length && before.queries[j] < step) j++;
    if (step <= upTo && j < before.queries.length && before.queries[j] === step) {
      ld[q] = before.ld[j];
      logArea[q] = before.logArea[j];
    } else missing[count++] = q;
  }
  if (count > 0) {
    const at = missing.subarray(0, count);
    const summed = compute(at);
    at.forEach((q, k) => {
      ld[q] = summed.ld[k];
      logArea[q] = summed.logArea[k];
    });
  }
  return { ld, logArea };
}

/** How many leading queries `a` and `b` share, up to the step `upTo`. */
function sharedPrefix(a: Float64Array, b: Float64Array, upTo: number): number {
  // Queries ascend: those up to `upTo` are a prefix, found by bisection, then compared whole.
  let lo = 0;
  let hi = Math.min(a.length, b.length);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (b[mid] <= upTo) lo = mid + 1;
    else hi = mid;
  }
  return samePrefix(a, b, lo) ? lo : 0;
}

/**
 * For each prepared curve, the first one whose predictions are its own: a schedule of the same content
 * (scheduleKeys), the same query steps and the same targets among them (runs of a sweep on one schedule, logged at
 * the same steps). Sums depend on nothing else, so a twin's are the curve's, to the bit.
 */
function twinCurves(prepared: LossFitInput['prepared']): Int32Array {
  const twins = Int32Array.from(prepared, (_, i) => i);
  // Only curves of one shape (query count, target count, last query) can be twins: a curve alone in its shape (a
  // followed run's one curve, on each update) is its own without hashing its schedule (a million steps of it).
  const byShape = new Map<string, number[]>();
  prepared.forEach((p, i) => {
    const shape = `${p.queries.length}:${p.targetIndex.length}:${p.queries[p.queries.length - 1]}`;
    const group = byShape.get(shape);
    if (group) group.push(i);
    else byShape.set(shape, [i]);
  });
  for (const group of byShape.values()) {
    if (group.length < 2) continue;
    const keys = scheduleKeys(group.map((i) => prepared[i].curve.schedule));
    const seen = new Map<string, number[]>();
    group.forEach((i, g) => {
      const p = prepared[i];
      const same = seen.get(keys[g]) ?? [];
      seen.set(keys[g], same);
      const twin = same.find(
        (j) =>
          sameSteps(prepared[j].queries, p.queries) &&
          sameQueries(prepared[j].targetIndex, p.targetIndex) &&
          sameQueries(prepared[j].pointIndex, p.pointIndex),
      );
      if (twin === undefined) same.push(i);
      else twins[i] = twin;
    });
  }
  return twins;
}

const sameSteps = (a: Float64Array, b: Float64Array) => a.length === b.length && samePrefix(a, b, a.length);
const sameQueries = (a: Int32Array, b: Int32Array) => a.length === b.length && a.every((q, k) => q === b[k]);

/** The positions in `at` (indices into a curve's queries) of the queries in `wanted`. */
function positionsIn(at: Int32Array, wanted: Int32Array): Int32Array {
  const set = new Set(wanted);
  const out: number[] = [];
  at.forEach((q, k) => {
    if (set.has(q)) out.push(k);
  });
  return Int32Array.from(out);
}

/**
 * The refits' points joined, those of runs on the same schedule at the same step marked as repeats (withRepeats):
 * the law sums each once.
 */
function joinedWithRepeats(
  thin: ThinFitted[],
  prepared: LossFitInput['prepared'],
): (parts: MultiPowerPoints[]) => MultiPowerPoints {
  const keys = scheduleKeys(thin.map((t) => prepared[t.curve].curve.schedule));
  const pointKeys = thin.flatMap((t, c) => Array.from(t.queries, (q) => `${keys[c]}:${prepared[t.curve].queries[q]}`));
  return (parts) => withRepeats(concatPoints(parts), pointKeys);
}

/** The fit refined on the thinned points the replicates resample, unperturbed: where their refits are centred. */
function centreOf(model: MultiPowerFit, thin: ThinFitted[], data: MultiPowerPoints, delta: number): Float64Array {
  const observed = concat(thin.map((t) => t.predicted.map((v, k) => v * Math.exp(t.logResidual[k]))));
  // The same solver, start and cap as each replicate's refit (bootstrapParams).
  const refit = refineRobust(model.law, data, observed, model.params, {
    delta,
    maxIterations: BOOTSTRAP_ITERATIONS,
  });
  return refit?.params ?? model.params;
}

/** The law's predictions at some points for one parameter set, with a table of its own (built once for its beta). */
function predictorOf(params: Float64Array): (points: MultiPowerPoints) => Float64Array {
  const law = multiPowerLaw(Infinity);
  return (points) => {
    const out = new Float64Array(points.logX1.length);
    law.predict(params, points, out);
    return out;
  };
}

/** The law's data (compressed loss-drop terms) at some queries of a curve. */
function pointsAt(model: MultiPowerFit, ds: DropSchedule, queries: Float64Array, at: Int32Array): MultiPowerPoints {
  const steps = Float64Array.from(at, (q) => queries[q]);
  return multiPowerPoints(ds, steps, model.scale.s1Max / model.scale.etaRef);
}

function describeMpl(
  input: LossFitInput,
  model: MultiPowerFit,
  paramSets: Float64Array[],
  band: string,
  undetermined: Record<string, string> | undefined,
): LossLawDescription {
  const { options } = input;
  const intervals = bootstrapIntervals(
    model.coefficients,
    paramSets.map((s) => multiPowerCoefficients(s, model.scale)),
  );
  // No surface shows a band for a coefficient the curves do not determine (unseenDrop.ts, markDropTerm).
  for (const name of Object.keys(undetermined ?? {})) delete intervals[name];
  const [l0, a, alpha, b, logC, beta, gamma] = model.params;
  const { etaRef, s1Max } = model.scale;
  return {
    law: 'mpl',
    formula:
      'L(s) = L0 + A·S1(s)^(-alpha) - B·LD(s),  LD(s) = Σ_k (η_{k-1} - η_k)·(1 - (C·η_k^(-gamma)·S_k(s) + 1)^(-beta))',
    params: { ...model.coefficients },
    units: {
      L0: 'loss',
      A: 'loss·(LR·steps)^alpha',
      alpha: '1',
      B: 'loss/LR',
      C: 'LR^(gamma-1)/steps',
      beta: '1',
      gamma: '1',
    },
    normalized: {
      params: { L0: l0, a, alpha, b, c: Math.exp(logC), beta, gamma },
      note: `LRs divided by eta_ref = ${formatNumber(etaRef, 10)} and S1 by S1max = ${formatNumber(s1Max, 10)}: a = A·S1max^(-alpha), b = B·eta_ref, c = C·eta_ref^(1-gamma)`,
    },
    intervals,
    ...(undetermined && { undetermined: { ...undetermined } }),
    settings: {
      warmupConvention: options.warmupConvention,
      lossDropConvention: model.convention,
      warmupStepsOption: options.warmupSteps ?? 'none',
      etaRef,
      s1Max,
      huberDelta: options.lossDelta,
      objective: 'sum of Huber(ln predicted - ln observed)',
      lossDrop: `compressed sum (exact over the last ${COMPRESSION_WINDOW} steps, dyadic blocks before) for fitting; ${input.purpose === 'backtest' ? 'compressed for predictions too (a comparison, within ~1e-6 of the exact sum)' : 'exact sum for predictions (compressed on logs too long for it)'}`,
      pointsFitted: model.pointsFitted,
      atBounds: model.atBounds.map((h) => `${h.name} at its ${h.bound} bound`).join(', ') || 'none',
      band,
    },
  };
}
