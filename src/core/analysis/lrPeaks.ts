// The peak LRs a loss-curve fit's curves were trained at: how far in LR its law was seen to hold. A what-if schedule
// far outside them is refused (whatIf.ts): the laws' LR enters through areas the runs never had.
import { StepLr } from '../laws/schedule';
import type { LossCurve } from './lossCurves';
import type { FitResult } from './types';
import { minOf, maxOf } from '../util/arrays';

/** The lowest and highest of the fit curves' peak LRs (FitResult.lrPeaks); undefined without a positive one. */
export function fittedLrPeaks(
  fitted: readonly LossCurve[],
  warmupSteps: number | undefined,
): FitResult['lrPeaks'] | undefined {
  const peaks = fitted.map((c) => new StepLr(c.schedule, warmupSteps).peak).filter((p) => p > 0);
  return peaks.length ? { lowest: minOf(peaks), highest: maxOf(peaks) } : undefined;
}
