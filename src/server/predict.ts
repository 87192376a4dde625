// "Predict at...": the file is analysed once more with the target added to its options, and the answer is the
// predictions at that target. The cached analysis is left as it is (the lenses keep the configured targets).
import type { AnalysisOptions } from '../core/analysis/options';
import type { Prediction } from '../core/analysis/types';
import { targetValueProblem, type PredictResult, type PredictTarget } from '../shared/protocol';
import type { FileCache } from './fileCache';
import { notificationText } from '../shared/markdown';

export async function predict(cache: FileCache, uri: string, target: PredictTarget): Promise<PredictResult> {
  // A raw request may ask where no law answers (step 0.3): say so, not that the file has no curve.
  const problem = targetValueProblem(target);
  if (problem) return { predictions: [], message: problem };
  if (!(await cache.ensure(uri, 'request')))
    return { predictions: [], message: cache.summary(uri)?.message ?? 'This file has no fit to predict from.' };
  const result = await cache.analyseWith(uri, targetOptions(target));
  // Shown in a notification: a file's name or text in it must not become a link.
  if (!result.ok) return { predictions: [], message: notificationText(result.message) };
  const predictions = result.analysis.predictions.filter((p) => matchesTarget(p, target));
  return predictions.length
    ? { predictions }
    : { predictions, message: `No ${fitFor(target)} in this file to predict from.` };
}

/** The analysis options that put a prediction at the target (and only there, for downstream sweeps). */
function targetOptions(target: PredictTarget): Partial<AnalysisOptions> {
  switch (target.kind) {
    case 'step':
      return { predictSteps: [target.value] };
    case 'dataMultiplier':
      return { dataMultipliers: [target.value], predictAt: [] };
    case 'dataValue':
    case 'powerX':
      // The power law is predicted where the downstream laws are: at the values asked, without the multiples.
      return { predictAt: [target.value], dataMultipliers: [] };
    case 'compute':
      return { computeBudgets: [target.value] };
  }
}

function matchesTarget(p: Prediction, target: PredictTarget): boolean {
  switch (target.kind) {
    case 'step':
      return p.metric === 'loss' && p.step === Math.round(target.value);
    case 'compute':
      return p.xName === 'C';
    case 'powerX':
      return p.metric === 'loss' && p.step === undefined && p.x === target.value;
    default:
      return p.metric === 'bleu' || p.metric === 'ce';
  }
}

/** The kind of fit a target needs, as the user knows it. */
const FIT_FOR: Record<PredictTarget['kind'], string> = {
  step: 'loss curve',
  compute: '(N, D) fit',
  powerX: 'power-law fit',
  dataMultiplier: 'downstream fit',
  dataValue: 'downstream fit',
};

function fitFor(target: PredictTarget): string {
  return FIT_FOR[target.kind];
}
