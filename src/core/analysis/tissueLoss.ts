// The LR-annealing law (docs/laws-loss.md) as a loss-curve law of the shared pipeline: lambda chosen by fit
// objective, the LR areas of every curve computed once at all its queries, bootstrap refits on thinned points.
import { bootstrapIntervals, bootstrapStream } from '../fit/bootstrap';
import { parametersAtBounds } from '../fit/bounds';
import { fitRobustThinned, refineOnModel, refineRobust, type RobustFit } from '../fit/robust';
import { denormalise, lrAnnealingLaw, lrAnnealingStarts, type AreaPoints } from '../laws/lrAnnealing';
import { StepLr } from '../laws/schedule';
import { concat, maxOf } from '../util/arrays';
import { areasAt, carriedAreas, concatAreas, predictAt, type AreaCarry, type PreparedCurve } from './lossAreas';
import {
  anchored,
  grownFrom,
  MODEL_GROWTH,
  MODEL_MOVE,
  movedWithin,
  movedWithOptimum,
  type Anchor,
  type AnchoredFit,
} from './grownFit';
import type { LossCurve } from './lossCurves';
import { residualBlockReplicate, thinFitted, type ThinFitted } from './lossBands';
import type { LossCurveLaw, LossFitInput, LossLawDescription, LossLawFit, LossReplicates } from './lossLaw';
import { firstReplicates } from './lossLaw';
import { formatNumber } from '../util/format';
import { LAW_NAMES } from './lawNames';

export const LAMBDA_GRID = [0.99, 0.995, 0.999, 0.9995];
/** Points per curve used in each bootstrap refit: bands need shape, not every row. */
const BOOTSTRAP_POINTS = 600;
/** Points in all per bootstrap refit (thinFitted keeps a subset of the fit curves past it): 10 curves' worth. */
const BOOTSTRAP_TOTAL_POINTS = 10 * BOOTSTRAP_POINTS;

function fitAll(data: AreaPoints, observed: Float64Array, delta: number, start?: Float64Array): AnchoredFit | null {
  // A warm start sits near the optimum: one refinement on every point, as the cold path ends with.
  if (start) return anchored(refineRobust(lrAnnealingLaw, data, observed, start, { delta }), observed.length);
  return anchored(fitRobustThinned(lrAnnealingLaw, data, observed, delta, lrAnnealingStarts), observed.length);
}

interface LambdaFit {
  lambda: number;
  /** Normalised areas at every query of each prepared curve. */
  areas: AreaPoints[];
  /** The same areas as the next fit of a grown run extends them. */
  carries: AreaCarry[];
  fit: AnchoredFit;
}

/**
 * Fits the law at each lambda tried and keeps the best. Its own frame, so the fit's inputs are garbage once it
 * returns. `previous`: a grown run's last fit, whose areas are extended rather than computed again.
 */
function chooseLambda(
  input: LossFitInput,
  etaMax: number,
  lambdas: number[],
  start?: Float64Array,
  previous?: TissueFit,
): LambdaFit | null {
  const { prepared, fitted, options } = input;
  const observed = concat(fitted.map((i) => prepared[i].curve.loss));
  let chosen: LambdaFit | null = null;
  for (const lambda of lambdas) {
    const carried = prepared.map((p) => carriedAreas(p, lambda, etaMax, options, carryOf(previous, p)));
    const areas = carried.map((c) => c.areas);
    const data = concatAreas(fitted.map((i) => areasAt(areas[i], prepared[i].pointIndex)));
    const anchor = start && previous && grownAnchor(previous, input, carried);
    const fit = anchor
      ? refitGrown(anchor, data, observed, start, options.lossDelta)
      : fitAll(data, observed, options.lossDelta, start);
    if (fit && (!chosen || fit.objective < chosen.fit.objective))
      chosen = { lambda, areas, carries: carried.map((c) => c.carry), fit };
  }
  return chosen;
}

/**
 * The previous fit's anchor when this fit's points are its points and more: one curve fitted, grown from the one
 * fitted before (its losses the same bits, its earlier points' areas carried), with the same Huber delta. Null
 * otherwise (the refit then makes a pass over every point).
 */
function grownAnchor(previous: TissueFit, input: LossFitInput, carried: { extended: number }[]): Anchor | null {
  const anchor = previous.solver.anchor;
  const [i] = input.fitted;
  const before = previous.fittedCurves[0];
  if (
    !anchor ||
    input.fitted.length !== 1 ||
    previous.fittedCurves.length !== 1 ||
    previous.delta !== input.options.lossDelta
  )
    return null;
  const now = input.prepared[i].curve;
  // The anchor's points are a prefix of the previous fit's, whose losses were checked against the anchor's the same
  // way: comparing with the previous curve compares with the anchor's.
  const n = before.steps.length;
  if (carried[i].extended < n || !grownFrom(before, now, n)) return null;
  return anchor;
}

/**
 * A grown run refitted without a pass over the points its anchor covers: their objective is its quadratic model,
 * the points appended since are evaluated (refineOnModel); the anchor is kept for the next update. When the points
 * appended since have grown past MODEL_GROWTH or the optimum moved past MODEL_MOVE, one refinement on every point
 * instead, from the model's optimum (its first pass usually confirms it), and a new anchor there.
 */
function refitGrown(
  anchor: Anchor,
  data: AreaPoints,
  observed: Float64Array,
  start: Float64Array,
  delta: number,
): AnchoredFit | null {
  const n = anchor.points;
  const added = { s1: data.s1.subarray(n), s2: data.s2.subarray(n) };
  // Converged far tighter (ftol) than a pass over every point could afford: its evaluations cost the points appended
  // since the anchor, and the answer is the model's optimum, not any point within the full refinement's stopping rule.
  const model =
    observed.length - n <= MODEL_GROWTH * n
      ? refineOnModel(lrAnnealingLaw, added, observed.subarray(n), anchor.evaluation, start, { delta, ftol: 1e-14 })
      : null;
  if (model && movedWithin(anchor.evaluation.params, model.params, MODEL_MOVE)) return { ...model, anchor };
  return fitAll(data, observed, delta, model?.params ?? start);
}

/** The previous fit's areas of the same curve (by name and file), if any. */
function carryOf(previous: TissueFit | undefined, p: PreparedCurve): AreaCarry | undefined {
  return previous?.carries.find((c) => c.curve.name === p.curve.name && c.curve.file === p.curve.file);
}

interface TissueFit extends LossLawFit {
  solver: AnchoredFit;
  /** Each prepared curve's areas, for the next fit of the same curves grown (a followed run). */
  carries: AreaCarry[];
  /** The curves fitted and the Huber delta: what the solver's anchor is over. */
  fittedCurves: LossCurve[];
  delta: number;
  lambda: number;
  /**
   * The bootstrap refits' normalised parameters, by the number of samples asked for: a mean of both laws asks for
   * the spread's 24 and the band's (spreadWeights.ts), and a warm refit carries each.
   */
  replicates(): ReadonlyMap<number, Float64Array[]>;
  /** The peak LR the normalised parameters are in units of. */
  etaMax: number;
}

export const tissueLossLaw: LossCurveLaw = {
  id: 'lr-annealing',
  name: `The ${LAW_NAMES['lr-annealing']}`,
  coefficients: 4,
  fit(input: LossFitInput, warm?: LossLawFit): TissueFit | null {
    const { prepared, fitted, options } = input;
    const etaMax = maxOf(fitted.map((i) => new StepLr(prepared[i].curve.schedule, options.warmupSteps).peak));
    // A refit of part of the same curves keeps the lambda the full fit chose.
    const warmLambda = (warm as TissueFit | undefined)?.lambda;
    const lambdas = warmLambda ? [warmLambda] : options.lambda === 'auto' ? LAMBDA_GRID : [options.lambda];
    // A grown run's previous optimum, or the full fit a backtest refits part of, starts a single refinement.
    const previous =
      warmFrom(input.previous as TissueFit | undefined, etaMax, lambdas) ??
      warmFrom(warm as TissueFit | undefined, etaMax, lambdas);
    // Its areas are extended (a grown run) or picked from (a part of the same curves) where they apply.
    const chosen = previous
      ? chooseLambda(input, etaMax, [previous.lambda], previous.solver.params, previous)
      : chooseLambda(input, etaMax, lambdas);
    if (!chosen) return null;
    return tissueFit(input, chosen, etaMax);
  },
};

/**
 * The previous fit of a grown run, when its optimum can start this one: same peak LR (the parameters are in its
 * units) and a lambda still allowed. Its lambda is kept: the grid is searched again by the next cold fit.
 */
function warmFrom(previous: TissueFit | undefined, etaMax: number, lambdas: number[]): TissueFit | null {
  if (previous?.law !== 'lr-annealing' || previous.etaMax !== etaMax || !lambdas.includes(previous.lambda)) return null;
  return previous;
}

function tissueFit(given: LossFitInput, chosen: LambdaFit, etaMax: number): TissueFit {
  // Of the previous fit only its refits are kept, to be carried: kept whole, each fit would hold the one before it
  // (a followed run every fit since its last cold one), and the previous fit's arrays would live until the bands.
  const { fit, areas, lambda, carries } = chosen;
  const earlier = earlierRefits(given.previous as TissueFit | undefined, etaMax, lambda);
  const input = { ...given, previous: undefined };
  const { options } = input;
  const predictions = new Map<number, Float64Array>();
  const predict = (i: number) => {
    let p = predictions.get(i);
    if (!p) predictions.set(i, (p = predictAt(fit.params, areas[i])));
    return p;
  };
  let paramSets: Float64Array[] = [];
  // The refits of each sample count asked for, kept for a warm refit to carry (carriedReplicates).
  const drawn = new Map<number, Float64Array[]>();
  // Made on the first bootstrap and kept: a mean's spread weights ask for 24 refits, its band then for 200, whose
  // first 24 are those (bootstrapStream), so the band refits 176.
  let stream: { thin: ThinFitted[]; refits: (samples: number) => Float64Array[] } | undefined;
  const draws = () => {
    if (stream) return stream;
    const thin = thinFitted(input, predict, BOOTSTRAP_POINTS, BOOTSTRAP_TOTAL_POINTS);
    const data = thin.map((t) => areasAt(areas[t.curve], t.queries));
    const refits = bootstrapStream(lrAnnealingLaw, fit.params, residualBlockReplicate(thin, data, concatAreas), {
      seed: options.seed,
      delta: options.lossDelta,
      maxIterations: 200,
    });
    return (stream = { thin, refits });
  };
  return {
    law: 'lr-annealing',
    carries,
    fittedCurves: input.fitted.map((i) => input.prepared[i].curve),
    delta: options.lossDelta,
    lambda,
    etaMax,
    solver: fit,
    atBounds: parametersAtBounds(lrAnnealingLaw, fit.params).map((h) => h.name),
    identified: true,
    predict,
    replicates: () => drawn,
    bootstrap(samples: number): LossReplicates {
      const { thin, refits } = draws();
      paramSets =
        drawn.get(samples) ?? carriedReplicates(earlier, fit.params, samples) ?? (samples > 0 ? refits(samples) : []);
      drawn.set(samples, paramSets);
      return {
        count: paramSets.length,
        at: (i, queries, count) => {
          const points = areasAt(areas[i], queries);
          return firstReplicates(paramSets, count).map((params) => predictAt(params, points));
        },
        residuals: concat(thin.map((t) => t.logResidual)),
        method: `${samples} moving-block bootstrap refits of the log residuals, plus residual noise; 95 % percentile band`,
        refits: { sets: paramSets.map((p) => Array.from(p)) },
      };
    },
    describe: (replicates) => describeTissue(input, fit, etaMax, lambda, paramSets, replicates.method),
  };
}

/** A previous fit's optimum and bootstrap refits: what a warm refit's bootstrap carries (carriedReplicates). */
interface EarlierRefits {
  params: Float64Array;
  drawn: ReadonlyMap<number, Float64Array[]>;
}

/** The previous fit's optimum and refits, when its parameters are in this fit's units (see warmFrom). */
function earlierRefits(previous: TissueFit | undefined, etaMax: number, lambda: number): EarlierRefits | null {
  const from = warmFrom(previous, etaMax, [lambda]);
  return from && { params: from.solver.params, drawn: from.replicates() };
}

/**
 * A warm refit's bootstrap: the previous fit's refits moved by the change of the optimum, instead of `samples` new
 * refits (most of a live update's time). A run that grew by a few rows has the same parameter uncertainty around a
 * nearby optimum; the refits are drawn again by the next cold fit (warmStart.ts). Null when they cannot be carried.
 */
function carriedReplicates(
  earlier: EarlierRefits | null,
  params: Float64Array,
  samples: number,
): Float64Array[] | null {
  const sets = earlier?.drawn.get(samples);
  if (!earlier || !sets || sets.length === 0) return null;
  // Scaled, not shifted: its optimum moves along the curved valley of A and alpha as the run grows, and refits
  // shifted along with it leave the valley, their spread growing update by update (a mean of both laws weighs the
  // laws by it: the public 25M cosine run logged at every step, followed from 20k rows 100 at a time, took MPL's
  // weight from 0.41 to 0.71, where cold fits give 0.37-0.44; scaled, 0.40-0.48).
  return movedWithOptimum(sets, earlier.params, params, lrAnnealingLaw, true);
}

function describeTissue(
  input: LossFitInput,
  fit: RobustFit,
  etaMax: number,
  lambda: number,
  paramSets: Float64Array[],
  band: string,
): LossLawDescription {
  const { prepared, fitted, options } = input;
  const raw = denormalise(fit.params, etaMax);
  const intervals = bootstrapIntervals(
    raw,
    paramSets.map((s) => denormalise(s, etaMax)),
  );
  const warmups = fitted.map((i) => new StepLr(prepared[i].curve.schedule, options.warmupSteps).warmupEnd);
  return {
    law: 'lr-annealing',
    formula: 'L(s) = L0 + A·S1(s)^(-alpha) - C·S2(s)',
    params: raw,
    units: {
      L0: 'loss',
      A: 'loss·(LR·steps)^alpha',
      alpha: '1',
      C: 'loss/(LR·steps)',
    },
    normalized: {
      params: { L0: fit.params[0], A: fit.params[1], alpha: fit.params[2], C: fit.params[3] },
      note: `areas divided by the peak LR eta_max = ${formatNumber(etaMax)}: A~ = A·eta_max^(-alpha), C~ = C·eta_max (units: loss·steps^alpha, loss/steps)`,
    },
    intervals,
    settings: {
      lambda,
      lambdaChosen: options.lambda === 'auto' ? 'best of 0.99, 0.995, 0.999, 0.9995' : 'fixed',
      warmupConvention: options.warmupConvention,
      warmupEndSteps: warmups.join(', '),
      warmupStepsOption: options.warmupSteps ?? 'none',
      etaMax,
      huberDelta: options.lossDelta,
      objective: 'sum of Huber(ln predicted - ln observed)',
      band,
    },
  };
}
