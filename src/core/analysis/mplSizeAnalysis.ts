// The multi-power law with model size (laws/multiPowerSize.ts) as a law of the sized analysis (sizeAnalysis.ts):
// fitted as the multi-power law is (compressed loss-drop sum, variable-projection starts, quasi-Newton then damped
// Gauss-Newton), predicted with the exact sum (compressed on logs too long for it), and banded by a few refits on
// thinned points, as the multi-power law's bands are (mplLoss.ts).
import { bootstrapParams } from '../fit/bootstrap';
import { parametersAtBounds } from '../fit/bounds';
import type { Law } from '../laws/law';
import { COMPRESSION_WINDOW, DropSchedule, dropSchedulesFit, dropTermsFit, exactLossDrop } from '../laws/lossDrop';
import { concatPoints, multiPowerCoefficients, multiPowerPoints, type MultiPowerScale } from '../laws/multiPower';
import {
  MULTI_POWER_SIZE_PARAMETERS,
  multiPowerSizeLaw,
  multiPowerSizeStarts,
  type SizedMultiPowerPoints,
} from '../laws/multiPowerSize';
import { StepLr } from '../laws/schedule';
import { concat, minOf, pick, maxOf } from '../util/arrays';
import { formatNumber } from '../util/format';
import { derivedIntervals } from './bands';
import { residualBlockReplicate, thinFitted } from './lossBands';
import { firstReplicates, NO_REPLICATES, type LossReplicates } from './lossLaw';
import { EXACT_TERMS, MPL_BOOTSTRAP_SAMPLES } from './mplLoss';
import { firstOverTermBudget, keptPoints, solveFromStarts } from './multiPowerFit';
import { lossDropConvention } from './options';
import type { SizedFitInput, SizedLaw, SizedLawFit } from './sizeAnalysis';
import { LAW_NAMES } from './lawNames';

type Parameter = (typeof MULTI_POWER_SIZE_PARAMETERS)[number];

/** Points the solver sees in all (each curve thinned evenly and its points weighted), as for the multi-power law. */
const MAX_FIT_POINTS = 2000;
/** Points per fitted curve in each bootstrap refit, and the refit's iteration cap (damped Gauss-Newton). */
const BOOTSTRAP_POINTS = 120;
const BOOTSTRAP_ITERATIONS = 60;

export const mplSizeLaw: SizedLaw = {
  id: 'mpl-size',
  name: `The ${LAW_NAMES['mpl-size']}`,
  coefficients: MULTI_POWER_SIZE_PARAMETERS.length,
  sizeTerm: ['e', 'eps'],
  fit: fitMplSize,
};

/** The fit's frame: scales, schedules and the law in its box, shared by predictions, refits and the description. */
interface Frame {
  input: SizedFitInput;
  scale: MultiPowerScale;
  nRef: number;
  schedules: DropSchedule[];
  law: Law<SizedMultiPowerPoints>;
  held: Partial<Record<Parameter, number>>;
}

function fitMplSize(input: SizedFitInput): SizedLawFit | null {
  const { sized, fitted, fittedSizes, options } = input;
  const curves = fitted.map((i) => sized[i].prepared.curve);
  const etaRef = maxOf(curves.map((c) => new StepLr(c.schedule, options.warmupSteps).peak));
  if (!(etaRef > 0 && etaRef < Infinity)) return null;
  if (
    !dropSchedulesFit(
      sized.map((s) => s.prepared.curve),
      options.warmupSteps,
    )
  )
    return null;
  const convention = lossDropConvention(options.warmupConvention);
  const schedules = sized.map(
    (s) => new DropSchedule(s.prepared.curve.schedule, { etaRef, convention, warmupSteps: options.warmupSteps }),
  );
  // Steps ascend, so each curve's largest S1 is at its last point.
  const s1MaxNormalised = maxOf(fitted.map((i, k) => schedules[i].area(curves[k].steps.at(-1)!)));
  const kept = keptPoints(curves, MAX_FIT_POINTS);
  if (!dropTermsFit(fitted.map((i, k) => ({ schedule: schedules[i], steps: pick(curves[k].steps, kept[k]) }))))
    return null;
  // Every curve predicted, held out too, within the terms a point a prediction may take (multiPowerFit.ts).
  if (firstOverTermBudget(sized.map((s, i) => ({ schedule: schedules[i], steps: s.prepared.curve.steps }))) >= 0)
    return null;
  const observed = concat(curves.map((c, k) => pick(c.loss, kept[k])));
  const held = heldParameters(fittedSizes.length, options.sizeExponent);
  const frame: Frame = {
    input,
    scale: { etaRef, s1Max: s1MaxNormalised * etaRef },
    nRef: fittedSizes[fittedSizes.length - 1],
    schedules,
    law: holding(multiPowerSizeLaw(minOf(observed)), held),
    held,
  };
  const data = concatSized(fitted.map((i, k) => pointsOf(frame, i, pick(curves[k].steps, kept[k]))));
  const thinned = curves.some((c, k) => kept[k].length < c.steps.length);
  const weights = thinned
    ? concat(curves.map((c, k) => new Float64Array(kept[k].length).fill(c.steps.length / kept[k].length)))
    : undefined;
  const starts = multiPowerSizeStarts(data, observed).map((start) => intoBox(frame.law, start));
  const solver = solveFromStarts(frame.law, { data, observed, weights }, starts, options.lossDelta);
  if (!solver) return null;
  const predictions = sized.map((_, i) => predictExact(frame, solver.params, i));
  return {
    solver,
    atBounds: parametersAtBounds(frame.law, solver.params)
      .map((hit) => hit.name)
      .filter((name) => !(name in held)),
    predict: (i) => predictions[i],
    bootstrap: (samples) => bootstrap(frame, solver.params, predictions, samples),
    describe: () => describe(frame, solver.params, data.logX1.length),
  };
}

/**
 * Held instead of fitted: with one size the size terms are a constant beside L0 and a factor of B (e = 0, zeta = 0);
 * the size exponent eps when the user gives it (two sizes cannot pin it).
 */
function heldParameters(sizeCount: number, sizeExponent: number | undefined): Partial<Record<Parameter, number>> {
  if (sizeCount < 2) return { e: 0, eps: sizeExponent ?? 0.5, zeta: 0 };
  return sizeExponent === undefined ? {} : { eps: sizeExponent };
}

/** The law with some parameters held at a value (their box shrunk to it). */
function holding(law: Law<SizedMultiPowerPoints>, held: Partial<Record<Parameter, number>>) {
  const lower = [...law.lower];
  const upper = [...law.upper];
  for (const [name, value] of Object.entries(held) as [Parameter, number][]) {
    const j = MULTI_POWER_SIZE_PARAMETERS.indexOf(name);
    lower[j] = upper[j] = value;
  }
  return { ...law, lower, upper };
}

function intoBox(law: Law<SizedMultiPowerPoints>, start: Float64Array): Float64Array {
  return start.map((v, j) => Math.min(law.upper[j], Math.max(law.lower[j], v)));
}

/** The law's data (compressed loss-drop terms) at some steps of sized curve i. */
function pointsOf(frame: Frame, i: number, steps: ArrayLike<number>): SizedMultiPowerPoints {
  const points = multiPowerPoints(frame.schedules[i], steps, frame.scale.s1Max / frame.scale.etaRef);
  const logN = Math.log(frame.input.sized[i].size / frame.nRef);
  return { ...points, logN: new Float64Array(points.logX1.length).fill(logN) };
}

function concatSized(parts: SizedMultiPowerPoints[]): SizedMultiPowerPoints {
  return { ...concatPoints(parts), logN: concat(parts.map((p) => p.logN)) };
}

/**
 * The law at every query of sized curve i with the exact loss-drop sum; a log too long for it (over EXACT_TERMS
 * terms) uses the compressed one, as the multi-power law's predictions do.
 */
function predictExact(frame: Frame, params: Float64Array, i: number): Float64Array {
  const queries = frame.input.sized[i].prepared.queries;
  const ds = frame.schedules[i];
  if (queries.length * Math.max(1, ds.last) > EXACT_TERMS) return predictCompressed(frame, params, i, queries);
  const [l0, a, alpha, b, logC, beta, gamma, e, eps, zeta] = params;
  const n = frame.input.sized[i].size / frame.nRef;
  const logS1Max = Math.log(frame.scale.s1Max / frame.scale.etaRef);
  const drop = exactLossDrop(ds, queries, logC, beta, gamma);
  const sizeTerm = e * Math.pow(n, -eps);
  const dropScale = b * Math.pow(n, zeta);
  return drop.map(
    (ld, q) => l0 + a * Math.exp(-alpha * (Math.log(ds.area(queries[q])) - logS1Max)) + sizeTerm - dropScale * ld,
  );
}

function predictCompressed(frame: Frame, params: Float64Array, i: number, steps: ArrayLike<number>): Float64Array {
  const points = pointsOf(frame, i, steps);
  const out = new Float64Array(steps.length);
  frame.law.predict(params, points, out);
  return out;
}

/**
 * At most MPL_BOOTSTRAP_SAMPLES moving-block refits on BOOTSTRAP_POINTS points per fitted curve (compressed sum),
 * refined from the fit by damped Gauss-Newton. Each replicate is read relative to the fit on the same compressed
 * points and applied to the exact prediction, so the band is centred on what is reported.
 */
function bootstrap(
  frame: Frame,
  params: Float64Array,
  predictions: Float64Array[],
  requested: number,
): { replicates: LossReplicates; intervals: Record<string, [number, number]> } {
  const samples = Math.min(requested, MPL_BOOTSTRAP_SAMPLES);
  if (samples <= 0) return { replicates: NO_REPLICATES, intervals: {} };
  const { sized, fitted, options } = frame.input;
  const prepared = sized.map((s) => s.prepared);
  const thin = thinFitted({ prepared, fitted, options }, (i) => predictions[i], BOOTSTRAP_POINTS);
  const data = thin.map((t) => pointsOf(frame, t.curve, pick(prepared[t.curve].queries, t.queries)));
  const sets = bootstrapParams(frame.law, params, residualBlockReplicate(thin, data, concatSized), {
    samples,
    seed: options.seed,
    delta: options.lossDelta,
    maxIterations: BOOTSTRAP_ITERATIONS,
    gaussNewton: true,
  });
  const replicates: LossReplicates = {
    count: sets.length,
    at: (i, queries, count) => {
      const steps = pick(prepared[i].queries, queries);
      const base = predictCompressed(frame, params, i, steps);
      return firstReplicates(sets, count).map((set) =>
        predictCompressed(frame, set, i, steps).map((v, k) => (predictions[i][queries[k]] * v) / base[k]),
      );
    },
    residuals: concat(thin.map((t) => t.logResidual)),
    method: `${samples} moving-block bootstrap refits of the log residuals on ${BOOTSTRAP_POINTS} points per fit curve (all sizes refitted together), refined from the fit by damped Gauss-Newton (at most ${BOOTSTRAP_ITERATIONS} iterations, compressed loss-drop sum), plus residual noise; 95 % percentile band`,
  };
  const intervals = derivedIntervals(sets, (set) => rawCoefficients(frame, set), params) ?? {};
  for (const name of Object.keys(frame.held)) delete intervals[name];
  return { replicates, intervals };
}

/** Raw-unit coefficients: the multi-power law's, E = e·N_ref^eps, B in units of N^zeta (B·N_ref^-zeta). */
function rawCoefficients(frame: Frame, params: Float64Array): Record<string, number> {
  const [, , , , , , , e, eps, zeta] = params;
  const mpl = multiPowerCoefficients(params.subarray(0, 7), frame.scale);
  return {
    L0: mpl.L0,
    A: mpl.A,
    alpha: mpl.alpha,
    E: e * Math.pow(frame.nRef, eps),
    eps,
    B: mpl.B * Math.pow(frame.nRef, -zeta),
    zeta,
    C: mpl.C,
    beta: mpl.beta,
    gamma: mpl.gamma,
  };
}

function describe(frame: Frame, params: Float64Array, pointsFitted: number): ReturnType<SizedLawFit['describe']> {
  const { options } = frame.input;
  const { etaRef, s1Max } = frame.scale;
  const normalised = Object.fromEntries(MULTI_POWER_SIZE_PARAMETERS.map((name, j) => [name, params[j]]));
  return {
    formula:
      'L(s, N) = L0 + A·S1(s)^(-alpha) + E·N^(-eps) - B·N^zeta·LD(s),  LD(s) = Σ_k (η_{k-1} - η_k)·(1 - (C·η_k^(-gamma)·S_k(s) + 1)^(-beta))',
    params: rawCoefficients(frame, params),
    units: {
      L0: 'loss',
      A: 'loss·(LR·steps)^alpha',
      alpha: '1',
      E: 'loss·N^eps',
      eps: '1',
      B: 'loss/LR/N^zeta',
      zeta: '1',
      C: 'LR^(gamma-1)/steps',
      beta: '1',
      gamma: '1',
    },
    normalized: {
      params: normalised,
      note: `LRs divided by eta_ref = ${formatNumber(etaRef, 10)}, S1 by S1max = ${formatNumber(s1Max, 10)} and N by N_ref = ${formatNumber(frame.nRef, 10)}: a = A·S1max^(-alpha), b = B·eta_ref·N_ref^zeta, c = C·eta_ref^(1-gamma), e = E·N_ref^(-eps)`,
    },
    settings: {
      warmupConvention: options.warmupConvention,
      lossDropConvention: lossDropConvention(options.warmupConvention),
      warmupStepsOption: options.warmupSteps ?? 'none',
      etaRef,
      s1Max,
      held:
        Object.entries(frame.held)
          .map(([name, value]) => `${name} = ${value}`)
          .join(', ') || 'none',
      huberDelta: options.lossDelta,
      objective: 'sum of Huber(ln predicted - ln observed)',
      lossDrop: `compressed sum (exact over the last ${COMPRESSION_WINDOW} steps, dyadic blocks before) for fitting; exact sum for predictions (compressed on logs too long for it)`,
      pointsFitted,
    },
  };
}
