// The LR-annealing law with model size (laws/lrAnnealingSize.ts) as a law of the sized analysis (sizeAnalysis.ts):
// lambda chosen by fit objective over the LR-annealing law's grid, starts searched on thinned points and refined on
// all, and bands from moving-block bootstrap refits of every size together, as the LR-annealing law's are
// (lossBands.ts). The size parameters held depend on how many sizes were fitted (docs/laws-loss.md).
import { bootstrapParams } from '../fit/bootstrap';
import { parametersAtBounds } from '../fit/bounds';
import { fitRobustThinned, type RobustFit } from '../fit/robust';
import {
  denormaliseSized,
  LR_ANNEALING_SIZE_PARAMETERS,
  lrAnnealingSizeLaw,
  lrAnnealingSizeStarts,
  type SizedAreaPoints,
  type SizeParameter,
} from '../laws/lrAnnealingSize';
import type { Law } from '../laws/law';
import { StepLr } from '../laws/schedule';
import { concat, maxOf } from '../util/arrays';
import { derivedIntervals } from './bands';
import { areasAt, atQueries, normalisedAreas } from './lossAreas';
import { residualBlockReplicate, thinFitted } from './lossBands';
import { firstReplicates, NO_REPLICATES, type LossReplicates } from './lossLaw';
import { LAMBDA_GRID } from './tissueLoss';
import type { AnalysisOptions } from './options';
import type { SizedFitInput, SizedLaw } from './sizeAnalysis';
import type { FitResult } from './types';
import { formatCompact, formatNumber } from '../util/format';
import { LAW_NAMES } from './lawNames';

/** Points per fitted curve in each bootstrap refit: bands need shape, not every row. */
const BOOTSTRAP_POINTS = 600;

interface SizeFit {
  lambda: number;
  fit: RobustFit;
  /** Normalised areas at every query of each curve, in the order of the curves. */
  areas: SizedAreaPoints[];
}

/** The LR-annealing law with model size (lrAnnealingSize.ts): lambda chosen by objective, bootstrap refits. */
export const tissueSizeLaw: SizedLaw = {
  id: 'lr-annealing-size',
  name: `The ${LAW_NAMES['lr-annealing-size']}`,
  coefficients: LR_ANNEALING_SIZE_PARAMETERS.length,
  sizeTerm: ['B', 'beta'],
  fit(input) {
    const { sized, fitted, fittedSizes, options } = input;
    const scales: Scales = {
      etaMax: maxOf(fitted.map((i) => new StepLr(sized[i].prepared.curve.schedule, options.warmupSteps).peak)),
      nRef: fittedSizes[fittedSizes.length - 1],
    };
    const fixed = heldParameters(fittedSizes.length, options.sizeExponent);
    const law = lrAnnealingSizeLaw(fixed);
    const chosen = chooseLambda(input, law, fixed, scales);
    if (!chosen) return null;
    const predictions = sized.map((_, i) => predictWith(law, chosen.fit.params, chosen.areas[i]));
    return {
      solver: chosen.fit,
      atBounds: parametersAtBounds(law, chosen.fit.params).map((hit) => hit.name),
      predict: (i) => predictions[i],
      bootstrap(samples) {
        const { replicates, sets } = bootstrapSized(law, chosen, input, predictions, samples);
        return { replicates, intervals: sizeIntervals(sets, chosen.fit.params, scales, fixed) };
      },
      describe: () => ({ ...sizeDescription(chosen, scales), settings: sizeSettings(chosen, scales, fixed, options) }),
    };
  },
};

/** Parameters held instead of fitted, by how many sizes were fitted and whether the user gave beta. */
function heldParameters(sizeCount: number, sizeExponent: number | undefined): Partial<Record<SizeParameter, number>> {
  // One size: the size term is a constant beside L0 and gamma one factor of C; hold them (beta then has no effect).
  if (sizeCount < 2) return { B: 0, beta: sizeExponent ?? 0.5, gamma: 0 };
  return sizeExponent === undefined ? {} : { beta: sizeExponent };
}

interface Scales {
  etaMax: number;
  nRef: number;
}

/** Fits the law at each lambda tried and keeps the best (lambda 'auto': the grid of the LR-annealing law). */
function chooseLambda(
  { sized, fitted, options }: SizedFitInput,
  law: Law<SizedAreaPoints>,
  fixed: Partial<Record<SizeParameter, number>>,
  scales: Scales,
): SizeFit | null {
  const observed = concat(fitted.map((i) => sized[i].prepared.curve.loss));
  let chosen: SizeFit | null = null;
  for (const lambda of options.lambda === 'auto' ? LAMBDA_GRID : [options.lambda]) {
    const areas = sized.map((s) => {
      const { s1, s2 } = normalisedAreas(s.prepared, lambda, scales.etaMax, options);
      return { s1, s2, n: new Float64Array(s1.length).fill(s.size / scales.nRef) };
    });
    const points = fitted.map((i) => sizedAt(areas[i], sized[i].prepared.pointIndex));
    const fit = fitSized(law, fixed, concatSized(points), observed, options.lossDelta);
    if (fit && (!chosen || fit.objective < chosen.fit.objective)) chosen = { lambda, fit, areas };
  }
  return chosen;
}

function sizedAt(areas: SizedAreaPoints, index: Int32Array): SizedAreaPoints {
  return { ...areasAt(areas, index), n: atQueries(areas.n, index) };
}

function concatSized(parts: SizedAreaPoints[]): SizedAreaPoints {
  return { s1: concat(parts.map((d) => d.s1)), s2: concat(parts.map((d) => d.s2)), n: concat(parts.map((d) => d.n)) };
}

function fitSized(
  law: Law<SizedAreaPoints>,
  fixed: Partial<Record<SizeParameter, number>>,
  data: SizedAreaPoints,
  observed: Float64Array,
  delta: number,
): RobustFit | null {
  return fitRobustThinned(law, data, observed, delta, (d, o) => lrAnnealingSizeStarts(d, o, fixed));
}

function sizeDescription(
  { fit }: SizeFit,
  { etaMax, nRef }: Scales,
): Pick<FitResult, 'formula' | 'params' | 'units' | 'normalized'> {
  const normalised = Object.fromEntries(LR_ANNEALING_SIZE_PARAMETERS.map((name, j) => [name, fit.params[j]]));
  return {
    formula: 'L(s, N) = L0 + A·S1(s)^(-alpha) + B·N^(-beta) - C·S2(s)·N^gamma',
    params: denormaliseSized(fit.params, etaMax, nRef),
    units: {
      L0: 'loss',
      A: 'loss·(LR·steps)^alpha',
      alpha: '1',
      B: 'loss·N^beta',
      beta: '1',
      C: 'loss/(LR·steps)/N^gamma',
      gamma: '1',
    },
    normalized: {
      params: normalised,
      note: `areas divided by the peak LR eta_max = ${formatNumber(etaMax)} and N by N_ref = ${formatCompact(nRef)}: A~ = A·eta_max^(-alpha), B~ = B·N_ref^(-beta), C~ = C·eta_max·N_ref^gamma`,
    },
  };
}

/** The settings that shaped the fit, for FitResult.settings (the band method is the bootstrap's). */
function sizeSettings(
  { lambda }: SizeFit,
  { etaMax }: Scales,
  fixed: Partial<Record<SizeParameter, number>>,
  options: AnalysisOptions,
): FitResult['settings'] {
  return {
    lambda,
    lambdaChosen: options.lambda === 'auto' ? 'best of 0.99, 0.995, 0.999, 0.9995' : 'fixed',
    warmupConvention: options.warmupConvention,
    warmupStepsOption: options.warmupSteps ?? 'none',
    etaMax,
    held:
      Object.entries(fixed)
        .map(([name, value]) => `${name} = ${value}`)
        .join(', ') || 'none',
    huberDelta: options.lossDelta,
    objective: 'sum of Huber(ln predicted - ln observed)',
  };
}

/** 95 % intervals of the raw coefficients over the bootstrap refits; held coefficients have none. */
function sizeIntervals(
  sets: Float64Array[],
  estimate: Float64Array,
  { etaMax, nRef }: Scales,
  fixed: Partial<Record<SizeParameter, number>>,
): Record<string, [number, number]> {
  const intervals = derivedIntervals(sets, (params) => denormaliseSized(params, etaMax, nRef), estimate) ?? {};
  for (const name of Object.keys(fixed)) delete intervals[name];
  return intervals;
}

/** The law at every point of `data`. */
function predictWith(law: Law<SizedAreaPoints>, params: Float64Array, data: SizedAreaPoints): Float64Array {
  const out = new Float64Array(law.size(data));
  law.predict(params, data, out);
  return out;
}

/**
 * Moving-block bootstrap refits on thinned points of the fitted curves, as the LR-annealing law draws them
 * (lossBands.ts): each replicate resamples blocks of every fitted curve's log residuals and refits all sizes together.
 */
function bootstrapSized(
  law: Law<SizedAreaPoints>,
  { fit, areas }: SizeFit,
  { sized, fitted, options }: SizedFitInput,
  predictions: Float64Array[],
  samples: number,
): { replicates: LossReplicates; sets: Float64Array[] } {
  if (samples <= 0) return { replicates: NO_REPLICATES, sets: [] };
  const input = { prepared: sized.map((s) => s.prepared), fitted, options };
  const thin = thinFitted(input, (i) => predictions[i], BOOTSTRAP_POINTS);
  const data = thin.map((t) => sizedAt(areas[t.curve], t.queries));
  const sets = bootstrapParams(law, fit.params, residualBlockReplicate(thin, data, concatSized), {
    samples,
    seed: options.seed,
    delta: options.lossDelta,
    maxIterations: 200,
  });
  const replicates: LossReplicates = {
    count: sets.length,
    at: (i, queries, count) => {
      const points = sizedAt(areas[i], queries);
      return firstReplicates(sets, count).map((params) => predictWith(law, params, points));
    },
    residuals: concat(thin.map((t) => t.logResidual)),
    method: `${samples} moving-block bootstrap refits of the log residuals of every fitted curve (all sizes refitted together), plus residual noise; 95 % percentile band`,
  };
  return { replicates, sets };
}
