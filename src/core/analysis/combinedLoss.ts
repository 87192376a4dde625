// A weighted combination of loss-curve law fits (lawChoice.ts uses it when the fit curves cannot tell which law
// carries LR drops to other schedules): every prediction, band and held-out score is the same weighted mean of the
// laws' own, so the pipeline (lossAnalysis.ts) reports a combination exactly as it reports one law. The law with
// the larger weight (the simpler one on a tie) names the fit and gives its coefficients.
import { concat } from '../util/arrays';
import { thinFitted } from './lossBands';
import type { LossCurveLaw, LossFitInput, LossLawFit, LossReplicates } from './lossLaw';

/** One law of a combination: its fit and the weight of its predictions (the weights sum to 1). */
export interface CombinedMember {
  law: LossCurveLaw;
  fit: LossLawFit;
  weight: number;
}

export interface CombinedFit extends LossLawFit {
  members: CombinedMember[];
  /** The member that names the fit and gives its coefficients (largest weight, the first on a tie). */
  primary: CombinedMember;
}

/** Points per fitted curve whose residuals under the combination add noise to its band (as a single law's do). */
const BAND_RESIDUAL_POINTS = 600;

export function isCombined(fit: LossLawFit | null | undefined): fit is CombinedFit {
  return fit !== null && fit !== undefined && 'members' in fit;
}

/** The members' fits combined: predictions, bootstrap replicates and the description. */
export function combineFits(input: LossFitInput, members: CombinedMember[]): CombinedFit {
  const primary = members.reduce((best, m) => (m.weight > best.weight ? m : best));
  const predictions = new Map<number, Float64Array>();
  const predict = (i: number) => {
    let p = predictions.get(i);
    if (!p) predictions.set(i, (p = weighted(members.map((m) => ({ values: m.fit.predict(i), weight: m.weight })))));
    return p;
  };
  return {
    law: primary.fit.law,
    solver: primary.fit.solver,
    atBounds: primary.fit.atBounds,
    identified: primary.fit.identified,
    members,
    primary,
    predict,
    bootstrap: (samples) => combinedReplicates(input, members, predict, samples),
    describe(replicates) {
      const own = primary.fit.describe(replicates);
      const terms = members.map((m) => `${m.weight.toFixed(2)} × ${m.law.name.replace(/^The /, 'the ')}`).join(' + ');
      return {
        ...own,
        settings: { ...own.settings, combination: `predictions are ${terms} predictions; coefficients of the first` },
      };
    },
  };
}

/**
 * Replicate r of the combination is the weighted mean of each member's replicate r, so the band is that of the
 * combined prediction; as many replicates as the member with the fewest (the multi-power law caps its refits).
 */
function combinedReplicates(
  input: LossFitInput,
  members: CombinedMember[],
  predict: (i: number) => Float64Array,
  samples: number,
): LossReplicates {
  const parts = members.map((m) => m.fit.bootstrap(samples));
  const count = Math.min(...parts.map((p) => p.count));
  const thin = thinFitted(input, predict, BAND_RESIDUAL_POINTS);
  return {
    count,
    at(i, queries) {
      const sets = parts.map((p) => p.at(i, queries));
      return Array.from({ length: count }, (_, r) =>
        weighted(members.map((m, k) => ({ values: sets[k][r], weight: m.weight }))),
      );
    },
    residuals: concat(thin.map((t) => t.logResidual)),
    method: `${count} bootstrap refits of each law, combined with the same weights as the predictions (${parts.map((p) => p.method).join('; ')})`,
  };
}

function weighted(terms: { values: Float64Array; weight: number }[]): Float64Array {
  const out = new Float64Array(terms[0].values.length);
  for (const { values, weight } of terms) for (let k = 0; k < out.length; k++) out[k] += weight * values[k];
  return out;
}
