// What the loss-curve pipeline (lossAnalysis.ts) needs of a law of the loss under an LR schedule: fit some curves,
// predict every query of every curve with exact sums, draw bootstrap refits, and describe itself in a FitResult.
// The LR-annealing law (tissueLoss.ts) and the multi-power law (mplLoss.ts) implement it, so reports, bands,
// predictions, held-out metrics, findings and the automatic choice (lawChoice.ts) are written once for both.
import type { RobustFit } from '../fit/robust';
import type { PreparedCurve } from './lossAreas';
import type { AnalysisOptions } from './options';
import type { FitResult, LawId, LawRefits, LossLawId, OneStepLanding, SizeLawId } from './types';

/** What a fit sees: every usable curve with the steps it is queried at, and which of them are fitted. */
export interface LossFitInput {
  prepared: PreparedCurve[];
  /** Indices into `prepared` of the curves whose points are fitted. */
  fitted: number[];
  options: AnalysisOptions;
  /** 'backtest': predictions only score a law against others, so cheaper sums that agree to ~1e-6 will do. */
  purpose?: 'report' | 'backtest';
  /**
   * This law's fit of an earlier state of the same curves (a live run that has grown since): its optimum is the
   * start of a single refinement on every point (a warm start), instead of the multi-start search.
   */
  previous?: LossLawFit;
}

/** Bootstrap refits of a fit: what bands and intervals are made of. */
export interface LossReplicates {
  count: number;
  /**
   * Each replicate's predicted loss at some queries (ascending indices) of prepared curve i; only the first `count`
   * replicates when given (a mean's band mixes as many of each law's as the law with the fewest has: 24 of 200).
   */
  at(i: number, queries: Int32Array, count?: number): Float64Array[];
  /** Log residuals of the fit at the points the replicates resampled: the noise a band adds. */
  residuals: Float64Array;
  /** How the replicates were drawn and refitted, for the fit's settings.band. */
  method: string;
  /** The refits' solver parameters: what predicts a schedule never logged the way `at` predicts a curve. */
  refits?: LawRefits;
}

/** The FitResult fields a law owns; the pipeline adds quality, held-out metrics and the selection. */
export type LossLawDescription = Pick<
  FitResult,
  'law' | 'formula' | 'params' | 'units' | 'normalized' | 'intervals' | 'settings' | 'undetermined' | 'oneStepLanding'
>;

export interface LossLawFit {
  law: LossLawId;
  solver: RobustFit;
  /** Solver parameters held by their bounds: the fit curves did not pin them down. */
  atBounds: string[];
  /** Whether the fit curves pin down every term the law's extrapolation relies on. */
  identified: boolean;
  /** The multi-power law's on curves that drop to one LR only (FitResult.oneStepLanding). */
  oneStepLanding?: OneStepLanding;
  /** The predicted loss at every query of prepared curve i. */
  predict(i: number): Float64Array;
  bootstrap(samples: number): LossReplicates;
  describe(replicates: LossReplicates): LossLawDescription;
  /**
   * The same fit predicting with the sums a backtest uses (agreeing to ~1e-6, far cheaper for some laws), for a law
   * that is only compared and drawn (the runner-up of an automatic choice). Absent: its sums are already cheap.
   */
  forComparison?(): LossLawFit;
}

export interface LossCurveLaw {
  id: LossLawId;
  /** The law in a sentence, by the name every surface gives it (LAW_NAMES): "The MPL". */
  name: string;
  coefficients: number;
  /**
   * Fits the law; null when no start gave a finite fit. `warm`: a fit of this law on curves these are part of
   * (a backtest's prefixes), to start from with fewer starts and points.
   */
  fit(input: LossFitInput, warm?: LossLawFit): LossLawFit | null;
}

/** The first `count` of some replicates' sets (all when undefined): what LossReplicates.at predicts with. */
export function firstReplicates<T>(sets: T[], count?: number): T[] {
  return count === undefined ? sets : sets.slice(0, count);
}

/** No replicates: bands and intervals are off. */
export const NO_REPLICATES: LossReplicates = { count: 0, at: () => [], residuals: new Float64Array(0), method: 'none' };

/** Whether a fit or curve is of a loss-curve law (what lenses, charts and what-ifs of loss curves read). */
export function isLossLaw(law: LawId | undefined): law is LossLawId {
  return law === 'lr-annealing' || law === 'mpl';
}

/** Whether a fit or curve is of a law over model sizes (sizeAnalysis.ts): its curves carry a model size. */
export function isSizeLaw(law: LawId | undefined): law is SizeLawId {
  return law === 'lr-annealing-size' || law === 'mpl-size';
}
