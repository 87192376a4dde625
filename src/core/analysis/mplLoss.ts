// The multi-power law (docs/laws-loss.md) as a loss-curve law of the shared pipeline: fitted on the compressed
// loss-drop sum (multiPowerFit.ts), reported with the exact sum, and banded by a few warm-started refits on thinned
// points with the compressed sum (a full refit costs ~1 s; the LR-annealing law's 200 would take minutes).
import { bootstrapIntervals, bootstrapParams } from '../fit/bootstrap';
import { refineRobust } from '../fit/robust';
import { COMPRESSION_WINDOW, type DropSchedule } from '../laws/lossDrop';
import {
  concatPoints,
  multiPowerCoefficients,
  multiPowerLaw,
  multiPowerPoints,
  type MultiPowerPoints,
} from '../laws/multiPower';
import { concat } from '../util/arrays';
import { residualBlockReplicate, thinFitted, type ThinFitted } from './lossBands';
import type { LossCurveLaw, LossFitInput, LossLawDescription, LossLawFit, LossReplicates } from './lossLaw';
import { fitMultiPower, modelSchedule, predictMultiPower, type MultiPowerFit } from './multiPowerFit';
import { lossDropConvention } from './options';

/** Refits behind MPL's bands at most (the option's count applies up to this). */
export const MPL_BOOTSTRAP_SAMPLES = 24;
/** Points per fitted curve in each bootstrap refit. */
const BOOTSTRAP_POINTS = 120;
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
}

export const mplLossLaw: LossCurveLaw = {
  id: 'mpl',
  name: 'The multi-power law',
  coefficients: 7,
  fit(input: LossFitInput, warm?: LossLawFit): MplFit | null {
    const { prepared, fitted, options } = input;
    const warmModel = (warm as MplFit | undefined)?.model;
    // A grown run's previous optimum starts a refinement on every point, uncapped (the cold fit's answer).
    const previousModel = input.previous?.law === 'mpl' ? (input.previous as MplFit).model : undefined;
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
    );
    // Not kept by the fit: each fit of a followed run would hold the one before it.
    return model && mplFit({ ...input, previous: undefined }, model);
  },
};

/**
 * The loss-drop term is identified when its scale (b, ln c) is off its bounds and at most one of its shape
 * exponents sits on one (docs/laws-loss.md, the multi-power law: with a constant and a cosine only, ln c, beta and gamma all do).
 */
export function dropTermIdentified(atBounds: string[]): boolean {
  const shapeHeld = atBounds.filter((n) => DROP_SHAPE.includes(n)).length;
  return !atBounds.some((n) => DROP_SCALE.includes(n)) && shapeHeld <= 1;
}

function mplFit(input: LossFitInput, model: MultiPowerFit): MplFit {
  const { prepared } = input;
  const schedules = new Map<number, DropSchedule>();
  const scheduleOf = (i: number) => {
    let ds = schedules.get(i);
    if (!ds) schedules.set(i, (ds = modelSchedule(model, prepared[i].curve.schedule)));
    return ds;
  };
  const predictions = new Map<number, Float64Array>();
  const predict = (i: number) => {
    let p = predictions.get(i);
    if (!p) {
      const ds = scheduleOf(i);
      const queries = prepared[i].queries;
      const cheap = input.purpose === 'backtest' || queries.length * Math.max(1, ds.last) > EXACT_TERMS;
      // A long log's every row (hovers, residuals) is interpolated between checked sums; the targets a user reads
      // are summed (a backtest's or the departure check's targets are the rows it scores, interpolated as rows).
      const sums = cheap ? 'interpolated' : 'exact';
      p = predictMultiPower(model, ds, queries, sums);
      if (sums === 'interpolated' && input.purpose !== 'backtest') {
        const targets = prepared[i].targetIndex;
        const exact = predictMultiPower(
          model,
          ds,
          Float64Array.from(targets, (q) => queries[q]),
          'compressed',
        );
        targets.forEach((q, t) => (p![q] = exact[t]));
      }
      predictions.set(i, p);
    }
    return p;
  };
  const atBounds = model.atBounds.map((h) => h.name);
  let paramSets: Float64Array[] = [];
  const drawn = new Map<number, { sets: Float64Array[]; replicates: LossReplicates }>();
  return {
    law: 'mpl',
    model,
    solver: model.fit,
    atBounds,
    identified: dropTermIdentified(atBounds),
    predict,
    bootstrap(requested: number): LossReplicates {
      const samples = Math.min(requested, MPL_BOOTSTRAP_SAMPLES);
      // The same refits are asked for twice under a spread-weighted combination (its weights, then its band).
      const known = drawn.get(samples);
      if (known) {
        paramSets = known.sets;
        return known.replicates;
      }
      const thin = thinFitted(input, predict, BOOTSTRAP_POINTS);
      const data = thin.map((t) => pointsAt(model, scheduleOf(t.curve), prepared[t.curve].queries, t.queries));
      const sets =
        samples > 0
          ? bootstrapParams(model.law, model.params, residualBlockReplicate(thin, data, concatPoints), {
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
      paramSets = sets;
      const centre = sets.length ? centreOf(model, thin, data, input.options.lossDelta) : model.params;
      const law = multiPowerLaw(Infinity);
      const at = (params: Float64Array, points: MultiPowerPoints) => {
        const out = new Float64Array(points.logX1.length);
        law.predict(params, points, out);
        return out;
      };
      const replicates: LossReplicates = {
        count: sets.length,
        at: (i, queries) => {
          const points = pointsAt(model, scheduleOf(i), prepared[i].queries, queries);
          const exact = predict(i);
          const base = at(centre, points);
          return sets.map((params) => at(params, points).map((v, k) => (exact[queries[k]] * v) / base[k]));
        },
        residuals: concat(thin.map((t) => t.logResidual)),
        method:
          samples > 0
            ? `${samples} moving-block bootstrap refits of the log residuals on ${BOOTSTRAP_POINTS} points per fit curve, refined from the fit by damped Gauss-Newton (at most ${BOOTSTRAP_ITERATIONS} iterations, compressed loss-drop sum), plus residual noise; 95 % percentile band`
            : 'none (0 bootstrap samples)',
      };
      drawn.set(samples, { sets, replicates });
      return replicates;
    },
    describe: (replicates) => describeMpl(input, model, paramSets, replicates.method),
    forComparison: () => mplFit({ ...input, purpose: 'backtest' }, model),
  };
}

/** The fit refined on the thinned points the replicates resample, unperturbed: where their refits are centred. */
function centreOf(model: MultiPowerFit, thin: ThinFitted[], data: MultiPowerPoints[], delta: number): Float64Array {
  const observed = concat(thin.map((t) => t.predicted.map((v, k) => v * Math.exp(t.logResidual[k]))));
  // The same solver, start and cap as each replicate's refit (bootstrapParams).
  const refit = refineRobust(model.law, concatPoints(data), observed, model.params, {
    delta,
    maxIterations: BOOTSTRAP_ITERATIONS,
  });
  return refit?.params ?? model.params;
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
): LossLawDescription {
  const { options } = input;
  const intervals = bootstrapIntervals(
    model.coefficients,
    paramSets.map((s) => multiPowerCoefficients(s, model.scale)),
  );
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
      note: `LRs divided by eta_ref = ${etaRef} and S1 by S1max = ${s1Max}: a = A·S1max^(-alpha), b = B·eta_ref, c = C·eta_ref^(1-gamma)`,
    },
    intervals,
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
