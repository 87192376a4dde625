// The automatic choice between the loss-curve laws (`law: 'auto'`, README, Choosing the loss-curve law), from the fit
// curves only. Both laws are fitted on every fit curve and backtested: each fit curve is cut at 60, 70 and 80 % of its
// loss rows, each law refitted on the prefixes (warm-started from its full fit) and scored on the rows after the cut.
// A tail backtest cannot see how a law carries LR drops to schedules unlike the fit curves, and it favours the more
// flexible multi-power law (it fits the fit curves' own drops better). What pins the multi-power law's loss-drop term
// down is the fit curves' drops: drops to several LR levels (dropLevels) show how the loss responds to a drop's size.
// A backtest inside the fit curves is weak evidence, so a verdict counts only when clear. So:
//  - the multi-power law's backtest error not below the LR-annealing law's: the LR-annealing law when its lead is
//    clear (BacktestLead: larger than the lead's own scatter over the cuts and curves), otherwise both laws'
//    predictions averaged (a narrow lead on the fit curves' tails does not carry to other schedules, held out, README);
//  - drops to several levels: the multi-power law when its drop term is identified and its backtest error is clearly
//    lower; otherwise (its drop term on its bounds, or no clear margin) both laws' predictions averaged: the curves
//    do not single the multi-power law out, nor does that make the LR-annealing law the better one on other
//    schedules (held out, README), and the weights lean on the law the curves pin down;
//  - drops to one level or none: the fit curves cannot tell which law carries drops to other schedules, and the
//    backtest would favour the more flexible law, so both laws' predictions are averaged. Unless every fit curve that
//    drops holds its lowered LR through every backtest tail (a two-stage run's second stage, heldThroughBacktest):
//    each prefix then shows the drop and each tail how the loss goes on answering it at a held LR, which is where the
//    laws' drop terms differ in form (the LR-annealing law's momentum decays exponentially, the multi-power law's
//    response is a power law), so the backtest is evidence there and the rule for several levels applies. Curves
//    that never drop show nothing of a drop either way (their tails score the terms both laws share).
// An average weighs each law, at each step of each curve, by the inverse of its bootstrap spread there
// (spreadWeights.ts): the law the fit curves pin down at that prediction gets the larger weight (a run three times
// longer than the fit curves, an LR drop faster than theirs), and where both are pinned alike it is the plain mean.
import { minOf, numbersOf, pick, thinIndices } from '../util/arrays';
import { formatPercent } from '../util/format';
import { combineFits, type CombinedMember } from './combinedLoss';
import { dropLevels, holdsDropFrom, showsDrop } from './dropLevels';
import { LAW_NAMES } from './lawNames';
import { prepare } from './lossAreas';
import type { LossCurveLaw, LossFitInput, LossLawFit } from './lossLaw';
import type { LossCurve } from './lossCurves';
import { mplLossLaw } from './mplLoss';
import { dropSumsTooLong } from './multiPowerFit';
import { spreadWeights } from './spreadWeights';
import { tissueLossLaw } from './tissueLoss';
import { FIT_VERDICT } from './trust';
import type { LawCandidate, LawSelection, LossLawId } from './types';

export const BACKTEST_CUTS = [0.6, 0.7, 0.8];
/** The laws as the reasons name them: as the candidates' table beside them does (LAW_NAMES). */
const LR = `the ${LAW_NAMES['lr-annealing']}`;
const MPL = LAW_NAMES.mpl;
/**
 * The multi-power law's backtest error must be at least this fraction below the LR-annealing law's to count as a
 * clear win: the backtest's own scatter between cuts is several per cent, and a marginal win for the more flexible
 * law can cost 40 % on unseen schedules (docs/laws-loss.md).
 */
export const MPL_MARGIN = 0.1;
/**
 * The LR-annealing law's backtest lead is clear when its mean over the cuts and fit curves is at least this many times
 * its standard deviation over them (backtestLead): a one-sigma lead, which a user can read as "it wins by more than
 * its wins vary". Chosen on Schaipp et al.'s 124M runs at peak LR 5e-4 (where any value above 0.55 takes the mean
 * for the three fit sets the LR-annealing law alone lost up to 59 % on), then tested on their runs at 1e-3, the
 * public MPL split's fit sets and the synthetic cases (README, Choosing the loss-curve law).
 */
export const CLEAR_LEAD = 1;
/** A prefix needs this many loss rows to be fitted, a suffix one to be scored. */
const MIN_PREFIX_ROWS = 5;
/**
 * Rows of a fit curve a backtest works on, evenly thinned: the error after a cut is a mean over rows and the prefix fit
 * needs the curve's shape, so a million-row log costs what a two-thousand-row one does.
 */
export const BACKTEST_ROWS = 2000;

export interface LawChoice {
  /** The law that names the fit (under a combination, the one whose coefficients are reported). */
  law: LossCurveLaw;
  fit: LossLawFit | null;
  selection?: LawSelection;
  /**
   * The other candidate's full fit, when both were fitted (what the chart can overlay, what the evaluation scores).
   * Under a combination, the member that does not name the fit (the multi-power law): the fit gives the
   * LR-annealing law's coefficients and the runner-up the multi-power law's, and the chart sets that law alone beside
   * the mean.
   */
  runnerUp?: LossLawFit;
  /** Under a combination: each law with its own fit and weight (a followed run's next fit refits each). */
  members?: CombinedMember[];
}

/** What decide() says: the law whose predictions are used, or the weights of a combination, and why. */
export type Verdict = Pick<LawSelection, 'chosen' | 'reason' | 'weights'>;

/** Fits both laws, backtests them, and returns the chosen one's full fit (or the combination) with the reasons. */
export function chooseLossLaw(input: LossFitInput): LawChoice {
  const tissue = tissueLossLaw.fit(input);
  const mpl = mplLossLaw.fit(input);
  if (!tissue || !mpl) {
    // One law could not be fitted at all: the other one, with no comparison to report (but why, when it is MPL).
    if (mpl && !tissue) return { law: mplLossLaw, fit: mpl };
    const alone = tissue && [candidate(tissue, backtestErrors(tissueLossLaw, tissue, input))];
    return {
      law: tissueLossLaw,
      fit: tissue,
      ...(alone && { selection: soleSelection(alone, tooFewPointsForMpl(input) ?? mplFailed(input)) }),
    };
  }
  const short = tooFewPointsForMpl(input);
  const candidates: LawCandidate[] = [
    candidate(tissue, backtestErrors(tissueLossLaw, tissue, input)),
    candidate(mpl, short ? null : backtestErrors(mplLossLaw, mpl, input)),
  ];
  if (short) return { law: tissueLossLaw, fit: tissue, selection: soleSelection(candidates, short) };
  const levels = dropLevels(
    input.fitted.map((i) => input.prepared[i].curve),
    input.options.warmupSteps,
  );
  const held = heldThroughBacktest(input);
  const verdict = decide(candidates[0], candidates[1], levels, held);
  const chosenMpl = verdict.chosen === 'mpl';
  const selection: LawSelection = {
    candidates,
    chosen: verdict.chosen,
    runnerUp: chosenMpl ? 'lr-annealing' : 'mpl',
    reason: verdict.reason,
    cuts: BACKTEST_CUTS,
    dropLevels: levels,
    ...(held && { heldDrop: true }),
  };
  if (verdict.weights) return combination(input, tissue, mpl, selection);
  return {
    law: chosenMpl ? mplLossLaw : tissueLossLaw,
    fit: chosenMpl ? mpl : tissue,
    runnerUp: chosenMpl ? tissue : mpl,
    selection,
  };
}

/**
 * Whether every fit curve that drops (showsDrop) holds its lowered LR through every backtest tail, and one does:
 * holdsDropFrom at the last prefix row of the first cut, on the rows the backtest thins to (later cuts' prefixes end
 * later, in the same hold).
 */
export function heldThroughBacktest(input: LossFitInput): boolean {
  const w = input.options.warmupSteps;
  const dropping = input.fitted.map((i) => input.prepared[i].curve).filter((c) => showsDrop([c], w));
  return (
    dropping.length > 0 &&
    dropping.every((c) => {
      const curve = thinRows(c, BACKTEST_ROWS);
      const n = Math.floor(BACKTEST_CUTS[0] * curve.steps.length);
      return n >= MIN_PREFIX_ROWS && holdsDropFrom(curve, curve.steps[n - 1], w);
    })
  );
}

/**
 * Why the multi-power law is no candidate when the fit curves have fewer loss points than the fit verdict asks for
 * its coefficients (trust.ts, fit-points-few): alone it would be withheld, so a mean must not carry its numbers
 * (ten points gave it 0.79 of the weight), nor a runner-up show them. Undefined when it is a candidate.
 */
function tooFewPointsForMpl(input: LossFitInput): string | undefined {
  const points = input.fitted.reduce((n, i) => n + input.prepared[i].curve.steps.length, 0);
  const needed = FIT_VERDICT.pointsPerCoefficient * mplLossLaw.coefficients;
  if (points >= needed) return undefined;
  return `the fit curves have ${points} loss points, too few for ${MPL}'s ${mplLossLaw.coefficients} coefficients (at least ${needed}), so it is neither backtested nor averaged in: ${LR} alone`;
}

/** Why the multi-power law gave no fit under auto (its loss-drop sums too long, or no finite start). */
function mplFailed(input: LossFitInput): string {
  const long = dropSumsTooLong(
    input.prepared.map((p) => p.curve),
    input.options.warmupSteps,
  );
  return `${MPL} could not be fitted, so it is neither backtested nor averaged in: ${LR} alone (${long ?? 'no start gave a finite loss'})`;
}

/** The selection of the LR-annealing law alone, the multi-power law no candidate (tooFewPointsForMpl, mplFailed). */
function soleSelection(candidates: LawCandidate[], reason: string): LawSelection {
  return { candidates, chosen: 'lr-annealing', runnerUp: 'mpl', reason, cuts: BACKTEST_CUTS, dropLevels: [] };
}

/**
 * Both laws' predictions combined: each weighted at each step by the inverse of its bootstrap spread there, or
 * equally when a law has no spread to measure. The LR-annealing law names the fit and gives its coefficients
 * (combinedLoss.ts), whatever the weights. A followed run's warm refit of a mean weighs its refitted laws here again
 * (lossAnalysis.ts), so the weights, the refits a what-if weighs a schedule by and the runner-up stay the fit's own.
 */
export function combination(
  input: LossFitInput,
  tissue: LossLawFit,
  mpl: LossLawFit,
  selection: LawSelection,
): LawChoice {
  const spread = spreadWeights(input, [tissue, mpl]);
  const laws = [tissueLossLaw, mplLossLaw];
  const members: CombinedMember[] = [tissue, mpl].map((fit, k) => ({
    law: laws[k],
    fit,
    weight: spread ? spread.mean[k] : EQUAL[laws[k].id],
    ...(spread && { steps: spread.byCurve[k] }),
  }));
  return {
    law: tissueLossLaw,
    fit: combineFits(input, members),
    selection: {
      ...selection,
      weights: { 'lr-annealing': members[0].weight, mpl: members[1].weight },
      ...(spread && { weightRange: { 'lr-annealing': spread.range[0], mpl: spread.range[1] } }),
      ...(spread?.refits.every(Boolean) && {
        spreadRefits: { 'lr-annealing': spread.refits[0]!, mpl: spread.refits[1]! },
      }),
    },
    members,
    runnerUp: mpl,
  };
}

function candidate(fit: LossLawFit, errors: number[] | null): LawCandidate {
  return {
    law: fit.law,
    backtestError: meanError(errors),
    ...(errors && { backtestErrors: errors }),
    atBounds: fit.atBounds,
    identified: fit.identified,
  };
}

/**
 * How clearly the LR-annealing law leads the backtest: the log ratio of the multi-power law's error to its own, cut by
 * cut and curve by curve (a ratio, so that every curve counts alike whatever its noise), as its mean over the parts
 * and that mean in units of their standard deviation (Infinity when the parts agree exactly; NaN with fewer than two
 * comparable parts). Parts of one curve overlap (its later cuts score part of the same tail), so their scatter is
 * a lower bound of the verdict's uncertainty, never an overstatement of it.
 */
export function backtestLead(tissue: LawCandidate, mpl: LawCandidate): { mean: number; sigmas: number } {
  const [t, m] = [tissue.backtestErrors ?? [], mpl.backtestErrors ?? []];
  const ratios = t.flatMap((e, j) => (e > 0 && m[j] > 0 && Number.isFinite(m[j] / e) ? [Math.log(m[j] / e)] : []));
  if (ratios.length < 2 || ratios.length !== t.length) return { mean: NaN, sigmas: NaN };
  const mean = ratios.reduce((s, r) => s + r, 0) / ratios.length;
  const sd = Math.sqrt(ratios.reduce((s, r) => s + (r - mean) ** 2, 0) / (ratios.length - 1));
  return { mean, sigmas: sd > 0 ? mean / sd : mean > 0 ? Infinity : NaN };
}

/**
 * A combination's weights as decide() states them, and its fallback: equal (with no evidence of which law carries
 * drops better, the mean is at most halfway to the worse); chooseLossLaw weighs them by their spread where it can.
 */
const EQUAL: Record<LossLawId, number> = { 'lr-annealing': 0.5, mpl: 0.5 };

/**
 * The rule (README, Choosing the loss-curve law). `levels`: the distinct LR levels the fit curves drop to
 * (dropLevels); two or more pin the multi-power law's drop term down. The LR-annealing law alone when even the
 * backtest does not favour the multi-power law; the multi-power law alone when the fit curves single it out;
 * otherwise a mean of both laws (weighted by chooseLossLaw), with the reason it is not one law.
 */
export function decide(tissue: LawCandidate, mpl: LawCandidate, levels: number[], held = false): Verdict {
  // The reason says which rule applied; the candidates' backtest errors and weights are listed beside it on every
  // surface (CLI, hover, JSON), so it does not repeat them. Laws are named as LAW_NAMES names them.
  if (!Number.isFinite(mpl.backtestError)) {
    return { chosen: 'lr-annealing', reason: `${MPL} could not be backtested on these curves: ${noBacktest(mpl)}` };
  }
  const gain = 1 - mpl.backtestError / tissue.backtestError;
  // Two digits, so that a decay to 0 (a cosine's 1e-9 of the peak) does not read as a level of "0 %".
  const shown = levels.map((l) => formatPercent(l, 2)).join(', ');
  const mean = (why: string): Verdict => ({ chosen: 'lr-annealing', weights: EQUAL, reason: why });
  // One drop level or none, not held through the tails: nothing in the fit curves tells how either law carries LR
  // drops to other schedules, and a lead in a backtest on their own tails does not carry there either (either way
  // round: it favours the more flexible law, and on a single cosine the LR-annealing law led it by 1-2 times its
  // scatter where the multi-power law was the better held out, README).
  if (levels.length < 2 && !held) {
    const drops = levels.length ? `drop to one LR level only (${shown} of the peak)` : 'show no LR drop';
    return mean(
      `the fit curves ${drops}: neither they nor a backtest on their tails can tell which law carries LR drops to other schedules`,
    );
  }
  // The backtest favours the more flexible law: when even it does not show the multi-power law better, and the
  // LR-annealing law's lead is clear, nothing does; a narrow lead is no verdict.
  if (!(gain > 0)) {
    const lead = backtestLead(tissue, mpl);
    const spread = Number.isFinite(lead.sigmas)
      ? `${lead.sigmas.toFixed(2)} times its scatter over the cuts and curves`
      : lead.sigmas === Infinity
        ? 'the same at every cut of every curve'
        : 'not measurable: too few cuts were scored';
    if (lead.sigmas >= CLEAR_LEAD)
      return {
        chosen: 'lr-annealing',
        reason: `${LR}'s backtest lead is clear (${spread}), and a backtest favours the more flexible ${MPL}`,
      };
    return mean(
      `${LR}'s backtest lead is not clear (${spread}, under ${CLEAR_LEAD}), and a backtest on the fit curves' tails is weak evidence of other schedules`,
    );
  }
  // What the fit curves show of the drop response: drops to several levels, or drops held through every tail.
  const byHold = held && levels.length < 2;
  const evidence = byHold
    ? `every fit curve that drops holds its lowered LR (${shown} of the peak) through every backtest tail`
    : `the fit curves drop to several LR levels (${shown} of the peak)`;
  // A drop term on its bounds is not pinned down either way: alone, MPL would be withheld (trust.ts, fit-at-bounds).
  if (!mpl.identified) {
    return mean(`${evidence}, yet ${MPL}'s loss-drop term sits on its bounds, so they do not pin it down`);
  }
  if (gain >= MPL_MARGIN) {
    const why = byHold
      ? `so the backtest scores how each law goes on answering the drop at a held LR, and ${MPL}'s`
      : `which pin ${MPL}'s loss-drop term down, and its`;
    return {
      chosen: 'mpl',
      reason: `${evidence}, ${why} backtest error is at least ${MPL_MARGIN * 100} % below ${LR}'s`,
    };
  }
  return mean(`${evidence}, but ${MPL}'s backtest error is not ${MPL_MARGIN * 100} % below ${LR}'s`);
}

/**
 * The mean relative error on the rows after each cut of each fit curve (cut by cut, curve by curve), the law refitted
 * on the prefixes (with the full schedules: the backtest asks how well the law carries the known LR schedule past the
 * cut). Null when a refit fails.
 */
export function backtestErrors(law: LossCurveLaw, full: LossLawFit, input: LossFitInput): number[] | null {
  const errors: number[] = [];
  for (const cut of BACKTEST_CUTS) {
    const parts = input.fitted.flatMap((i) => {
      const curve = thinRows(input.prepared[i].curve, BACKTEST_ROWS);
      const n = Math.floor(cut * curve.steps.length);
      if (n < MIN_PREFIX_ROWS || n >= curve.steps.length) return [];
      // The scored rows are the prefix's targets, so one fit-and-predict gives them.
      return [
        { prepared: prepare(prefix(curve, n), numbersOf(curve.steps.subarray(n))), rest: curve.loss.subarray(n) },
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
    if (!fit) return null;
    parts.forEach(({ prepared: p, rest }, i) => {
      const predicted = fit.predict(i);
      let sum = 0;
      p.targetIndex.forEach((q, t) => (sum += Math.abs(predicted[q] - rest[t]) / rest[t]));
      errors.push(sum / rest.length);
    });
  }
  return errors;
}

/** The backtest error: backtestErrors averaged over cuts and curves; Infinity when a refit fails or none was made. */
export function backtest(law: LossCurveLaw, full: LossLawFit, input: LossFitInput): number {
  return meanError(backtestErrors(law, full, input));
}

const meanError = (errors: number[] | null) =>
  errors?.length ? errors.reduce((s, e) => s + e, 0) / errors.length : Infinity;

/**
 * Why a law has no backtest error: no fit curve is long enough to cut (each cut's prefix needs MIN_PREFIX_ROWS rows
 * and one row after it), or a refit on a prefix failed.
 */
function noBacktest(c: LawCandidate): string {
  const first = minOf(BACKTEST_CUTS);
  const rows = Math.ceil(MIN_PREFIX_ROWS / first);
  return c.backtestErrors?.length === 0
    ? `no fit curve has enough loss points to cut (${rows} or more: ${MIN_PREFIX_ROWS} to refit on before its first cut at ${formatPercent(first, 2)} of its points, and some after it to score), so ${LR} is used alone; log the loss more often to compare the laws`
    : `its refit on the curves' first points failed, so ${LR} is used alone`;
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
