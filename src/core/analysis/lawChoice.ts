// The automatic choice between the loss-curve laws (`law: 'auto'`, README, Choosing the loss-curve law), from the fit curves only.
// Both laws are fitted on every fit curve. A backtest then cuts each fit curve at 60, 70 and 80 % of its loss rows,
// refits each law on the prefixes (warm-started from its full fit) and scores the mean relative error on the rows
// after the cut. The more flexible multi-power law wins only when its loss-drop term is identified (not held by the
// box in the full fit) AND its backtest error is clearly lower; otherwise the LR-annealing law, which extrapolates
// more safely when the fit curves do not show drops of several sizes.
import { pick, thinIndices } from '../util/arrays';
import { prepare } from './lossAreas';
import type { LossCurveLaw, LossFitInput, LossLawFit } from './lossLaw';
import type { LossCurve } from './lossCurves';
import { mplLossLaw } from './mplLoss';
import { tissueLossLaw } from './tissueLoss';
import type { LawCandidate, LawSelection } from './types';

export const BACKTEST_CUTS = [0.6, 0.7, 0.8];
/** MPL must beat the LR-annealing law's backtest error by this fraction of it: a marginal win can cost 40 %. */
export const MPL_MARGIN = 0.1;
/** A prefix needs this many loss rows to be fitted, a suffix one to be scored. */
const MIN_PREFIX_ROWS = 5;
/**
 * Rows of a fit curve a backtest works on, evenly thinned: the error after a cut is a mean over rows and the prefix fit
 * needs the curve's shape, so a million-row log costs what a two-thousand-row one does.
 */
export const BACKTEST_ROWS = 2000;

export interface LawChoice {
  law: LossCurveLaw;
  fit: LossLawFit | null;
  selection?: LawSelection;
  /** The law not chosen, fitted on the same curves (selection.runnerUp), for the surfaces that show it. */
  runnerUp?: LossLawFit;
}

/** Fits both laws, backtests them, and returns the chosen one's full fit with the reasons. */
export function chooseLossLaw(input: LossFitInput): LawChoice {
  const tissue = tissueLossLaw.fit(input);
  const mpl = mplLossLaw.fit(input);
  if (!tissue || !mpl) {
    // One law could not be fitted at all: the other one, with no comparison to report.
    return mpl && !tissue ? { law: mplLossLaw, fit: mpl } : { law: tissueLossLaw, fit: tissue };
  }
  const candidates: LawCandidate[] = [
    candidate(tissue, backtest(tissueLossLaw, tissue, input)),
    candidate(mpl, backtest(mplLossLaw, mpl, input)),
  ];
  const [t, m] = candidates;
  const verdict = decide(t, m);
  return {
    law: verdict.chosen === 'mpl' ? mplLossLaw : tissueLossLaw,
    fit: verdict.chosen === 'mpl' ? mpl : tissue,
    runnerUp: verdict.chosen === 'mpl' ? tissue : mpl,
    selection: {
      candidates,
      chosen: verdict.chosen,
      runnerUp: verdict.chosen === 'mpl' ? 'lr-annealing' : 'mpl',
      reason: verdict.reason,
      cuts: BACKTEST_CUTS,
    },
  };
}

function candidate(fit: LossLawFit, backtestError: number): LawCandidate {
  return { law: fit.law, backtestError, atBounds: fit.atBounds, identified: fit.identified };
}

const percent = (e: number) => `${(e * 100).toFixed(3)} %`;

/** The rule: MPL only when identified and clearly better in the backtest. */
export function decide(tissue: LawCandidate, mpl: LawCandidate): Pick<LawSelection, 'chosen' | 'reason'> {
  if (!mpl.identified) {
    return {
      chosen: 'lr-annealing',
      reason: `the fit curves do not pin down the multi-power law's loss-drop term (${mpl.atBounds.join(', ')} at their bounds), so its predictions of other schedules would be a guess`,
    };
  }
  if (!Number.isFinite(mpl.backtestError)) {
    return { chosen: 'lr-annealing', reason: 'the multi-power law could not be backtested on these curves' };
  }
  const gain = 1 - mpl.backtestError / tissue.backtestError;
  if (gain >= MPL_MARGIN) {
    return {
      chosen: 'mpl',
      reason: `the multi-power law's backtest error (${percent(mpl.backtestError)}) is ${(gain * 100).toFixed(0)} % below the LR-annealing law's (${percent(tissue.backtestError)}), and its loss-drop term is identified`,
    };
  }
  return {
    chosen: 'lr-annealing',
    reason: `the multi-power law's backtest error (${percent(mpl.backtestError)}) is not at least ${MPL_MARGIN * 100} % below the LR-annealing law's (${percent(tissue.backtestError)}); the simpler law is kept`,
  };
}

/**
 * Mean relative error on the rows after each cut of each fit curve, the law refitted on the prefixes (with the
 * full schedules: the backtest asks how well the law carries the known LR schedule past the cut). Infinity when a
 * refit fails.
 */
export function backtest(law: LossCurveLaw, full: LossLawFit, input: LossFitInput): number {
  const errors: number[] = [];
  for (const cut of BACKTEST_CUTS) {
    const parts = input.fitted.flatMap((i) => {
      const curve = thinRows(input.prepared[i].curve, BACKTEST_ROWS);
      const n = Math.floor(cut * curve.steps.length);
      if (n < MIN_PREFIX_ROWS || n >= curve.steps.length) return [];
      // The scored rows are the prefix's targets, so one fit-and-predict gives them.
      return [
        { prepared: prepare(prefix(curve, n), Array.from(curve.steps.subarray(n))), rest: curve.loss.subarray(n) },
      ];
    });
    if (parts.length === 0) continue;
    const prepared = parts.map((part) => part.prepared);
    const prefixes = {
      prepared,
      fitted: prepared.map((_, i) => i),
      options: input.options,
      purpose: 'backtest' as const,
    };
    const fit = law.fit(prefixes, full);
    if (!fit) return Infinity;
    parts.forEach(({ prepared: p, rest }, i) => {
      const predicted = fit.predict(i);
      let sum = 0;
      p.targetIndex.forEach((q, t) => (sum += Math.abs(predicted[q] - rest[t]) / rest[t]));
      errors.push(sum / rest.length);
    });
  }
  return errors.length ? errors.reduce((s, e) => s + e, 0) / errors.length : Infinity;
}

/** At most `max` of a curve's loss rows, evenly spaced (the first and last kept), with its whole LR schedule. */
export function thinRows(curve: LossCurve, max: number): LossCurve {
  if (curve.steps.length <= max) return curve;
  const idx = thinIndices(curve.steps.length, max);
  return {
    ...curve,
    steps: pick(curve.steps, idx),
    loss: pick(curve.loss, idx),
    lines: Int32Array.from(idx, (k) => curve.lines[k]),
  };
}

/** The first n loss rows of a curve, with its whole LR schedule. */
export function prefix(curve: LossCurve, n: number): LossCurve {
  return {
    ...curve,
    steps: curve.steps.subarray(0, n),
    loss: curve.loss.subarray(0, n),
    lines: curve.lines.subarray(0, n),
  };
}
