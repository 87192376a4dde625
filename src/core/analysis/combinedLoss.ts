// A weighted combination of loss-curve law fits (lawChoice.ts uses it when the fit curves cannot tell which law
// carries LR drops to other schedules): every prediction, band and held-out score is the same weighted mean of the
// laws' own, so the pipeline (lossAnalysis.ts) reports a combination exactly as it reports one law. The weights are
// fixed, or vary with the step of each curve (each law's inverse bootstrap spread there, spreadWeights.ts). The first
// member (the simpler law) names the fit and gives its coefficients, whatever the weights: a combination exists
// because the fit curves do not pin the other law's extra terms down, so the fit verdict (trust.ts) judges the first.
import { concat, pick, minOf } from '../util/arrays';
import { thinFitted } from './lossBands';
import type { LossCurveLaw, LossFitInput, LossLawFit, LossReplicates } from './lossLaw';
import { curveKey } from './lossCurves';
import type { OneStepLanding } from './types';
import { LAW_NAMES, meanWeighing } from './lawNames';
import { weightedAt, weightsAt, type LawWeights, type StepWeights } from './spreadWeights';

/** One law of a combination: its fit and the weight of its predictions (the weights sum to 1). */
export interface CombinedMember {
  law: LossCurveLaw;
  fit: LossLawFit;
  /** The weight of its predictions; when it varies with the step (`steps`), its mean. */
  weight: number;
  /** Its weight at some steps of each curve (by curveKey), when it varies with the step; `weight` elsewhere. */
  steps?: ReadonlyMap<string, StepWeights>;
}

export interface CombinedFit extends LossLawFit {
  members: CombinedMember[];
  /** The member that names the fit and gives its coefficients (the first). */
  primary: CombinedMember;
}

/** Points per fitted curve whose residuals under the combination add noise to its band (as a single law's do). */
const BAND_RESIDUAL_POINTS = 600;

export function isCombined(fit: LossLawFit | null | undefined): fit is CombinedFit {
  return fit !== null && fit !== undefined && 'members' in fit;
}

/** The members' fits combined: predictions, bootstrap replicates and the description. */
export function combineFits(input: LossFitInput, members: CombinedMember[]): CombinedFit {
  const primary = members[0];
  const weightsOf = memberWeights(input, members);
  const predictions = new Map<number, Float64Array>();
  const predict = (i: number) => {
    let p = predictions.get(i);
    if (!p) {
      const terms = weightsOf(i).map((weights, k) => ({ values: members[k].fit.predict(i), weights }));
      predictions.set(i, (p = weightedAt(terms, input.prepared[i].queries)));
    }
    return p;
  };
  return {
    law: primary.fit.law,
    solver: primary.fit.solver,
    atBounds: primary.fit.atBounds,
    identified: primary.fit.identified,
    // A mean with the multi-power law fitted on one-step drops predicts with the gamma its solver left, as that law does.
    get oneStepLanding() {
      return landingOf(members);
    },
    members,
    primary,
    predict,
    bootstrap: (samples) => combinedReplicates(input, members, weightsOf, predict, samples),
    describe(replicates) {
      const own = primary.fit.describe(replicates);
      const landing = landingOf(members);
      return {
        ...own,
        ...(landing && { oneStepLanding: landing }),
        settings: { ...own.settings, combination: combinationText(members) },
      };
    },
  };
}

/** The one-step landing of the member that has one (the multi-power law's), whichever member names the mean. */
function landingOf(members: CombinedMember[]): OneStepLanding | undefined {
  return members.find((m) => m.fit.oneStepLanding)?.fit.oneStepLanding;
}

/**
 * What settings.combination says: the weights, or how they vary with the step and their means. The laws are named as
 * the fit's name (fitLawName) and the candidates' table name them.
 */
function combinationText(members: CombinedMember[]): string {
  const name = (m: CombinedMember) => LAW_NAMES[m.law.id];
  if (!members.some((m) => m.steps)) {
    const terms = members.map((m) => `${m.weight.toFixed(2)} × ${name(m)}`).join(' + ');
    return `predictions are ${terms}; ${coefficientsOf(members)}`;
  }
  const means = members.map((m) => `${name(m)} ${m.weight.toFixed(2)}`).join(', ');
  return `predictions are a weighted mean of ${members.map(name).join(' and ')}, ${meanWeighing(true)} (mean weights: ${means}); ${coefficientsOf(members)}`;
}

/** Whose coefficients a mean reports (its first member's): "coefficients of the first" read as a sentence cut off. */
function coefficientsOf(members: CombinedMember[]): string {
  return `the coefficients shown are the ${LAW_NAMES[members[0].law.id]}'s`;
}

/** Each member's weights on prepared curve i (its step weights for the curve, or its fixed weight), as a function of i. */
function memberWeights(input: LossFitInput, members: CombinedMember[]): (i: number) => LawWeights[] {
  return (i) => {
    const key = curveKey(input.prepared[i].curve);
    return members.map((m) => m.steps?.get(key) ?? m.weight);
  };
}

/**
 * The combination's replicates are a mixture of its members': at each step, replicate r is member k's replicate r
 * for the k whose cumulative weight there first reaches (r + 1/2) / count. A combination exists because the fit
 * curves cannot tell which law is right, so its band is that of both laws weighted as the prediction is (Bayesian
 * model averaging): where the laws disagree by more than each one's own spread, it spans both predictions, which a
 * band of the weighted mean (each law's refit r averaged) would leave out. As many replicates as the member with the
 * fewest (the multi-power law caps its refits).
 */
function combinedReplicates(
  input: LossFitInput,
  members: CombinedMember[],
  weightsOf: (i: number) => LawWeights[],
  predict: (i: number) => Float64Array,
  samples: number,
): LossReplicates {
  const parts = members.map((m) => m.fit.bootstrap(samples));
  const count = minOf(parts.map((p) => p.count));
  const thin = thinFitted(input, predict, BAND_RESIDUAL_POINTS);
  return {
    count,
    at(i, queries) {
      // The mixture reads replicates 0..count-1 of each law: the law with more (the LR-annealing law's 200) predicts
      // only those.
      const sets = parts.map((p) => p.at(i, queries, count));
      const steps = pick(input.prepared[i].queries, queries);
      const w = weightsOf(i).map((weights) =>
        typeof weights === 'number' ? new Float64Array(steps.length).fill(weights) : weightsAt(weights, steps),
      );
      return mixReplicates(sets, w, count);
    },
    residuals: concat(thin.map((t) => t.logResidual)),
    method: `${count} bootstrap refits of each law, mixed with the predictions' weights (at each step, each law's share of the refits is its weight there: the band of both laws, not of their mean; ${parts.map((p) => p.method).join('; ')})`,
  };
}

/**
 * The mixture of some laws' replicates at some points (`sets[k][r]`: law k's replicate r there; `weights[k]`: its
 * weight at each point): replicate r at point j is law k's replicate r for the k whose cumulative weight at j first
 * reaches (r + 1/2) / count. One rule for a combination's band and the chart's band past a curve's log.
 */
export function mixReplicates(sets: Float64Array[][], weights: ArrayLike<number>[], count: number): Float64Array[] {
  const n = weights[0].length;
  return Array.from({ length: count }, (_, r) => {
    const share = (r + 0.5) / count;
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let k = 0;
      for (let cumulative = weights[0][j]; cumulative < share && k + 1 < weights.length;) cumulative += weights[++k][j];
      out[j] = sets[k][r][j];
    }
    return out;
  });
}
