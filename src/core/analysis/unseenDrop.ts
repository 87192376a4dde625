// A loss-curve law's answer to an LR drop is pinned down only by drops the fit curves show. When they show none
// (dropLevels: no curve ends below DROP_END of its peak LR or holds an LR that low for a stretch), the law's drop
// term is free (the LR-annealing law's C runs to its bound, the multi-power law's drop term is anywhere), and its
// prediction of a curve whose LR falls lower than theirs ever did is a guess: fitted on a constant-LR run, the
// LR-annealing law predicts a cosine run's loss below zero. Such predictions are withheld from the step the LR falls
// that low (trust.ts's rule: say why instead of showing a number); the curve's rows before it are still predicted
// and scored. With drops in the fit curves a law carries them to deeper ones: that is what it is for.
import { finding } from '../findings';
import { formatCount } from '../util/format';
import { dropStart, lowestShare, PLATEAU_TOLERANCE, showsDrop } from './dropLevels';
import type { LossCurve } from './lossCurves';
import { scorePredictions } from './metrics';
import type { Finding, FitResult, LawId, Metrics } from './types';
import { minOf } from '../util/arrays';

/** Where a curve's predictions stop being shown, and why (CurveReport.withheldFrom): a drop, or its reach (areaReach.ts). */
export interface WithheldFrom {
  /** The first step whose prediction is withheld. */
  from: number;
  reason: string;
}

/** The step a curve's LR falls lower than the fit curves' ever did. */
export interface UnseenDrop extends WithheldFrom {
  /** The lowest LR the fit curves were logged at, as a fraction of their peak. */
  seen: number;
}

const NEVER_LOWER = 'never lower their LR';

/** How far the fit curves' LR fell, in words. */
export const fell = (seen: number) =>
  seen >= 1 - PLATEAU_TOLERANCE / 2
    ? NEVER_LOWER
    : `never lower their LR below ${Math.round(seen * 100)} % of its peak`;

/**
 * The lowest LR the fit curves were logged at, as a fraction of their peak, when they show no LR drop (dropLevels);
 * undefined when they show one (or have no LR to tell).
 */
export function lrFloor(fitted: readonly LossCurve[], warmupSteps: number | undefined): number | undefined {
  if (fitted.length === 0 || showsDrop(fitted, warmupSteps)) return undefined;
  const seen = minOf(fitted.map(lowestShare).filter(Number.isFinite));
  return Number.isFinite(seen) ? seen : undefined;
}

/** The LR, as a fraction of its peak, below which a curve goes lower than the fit curves did (logged LRs carry rounding). */
const floorOf = (seen: number) => seen * (1 - PLATEAU_TOLERANCE);

/** Whether an LR, as a fraction of its peak, falls below what the fit curves saw. */
export const belowFloor = (share: number, seen: number) => share < floorOf(seen);

/**
 * Per curve (in the order given), the drop its predictions are withheld from; undefined where they are all shown.
 * A fitted curve's own logged rows are never withheld (the fit saw them): only its schedule past its last loss row.
 */
export function unseenDrops(
  curves: readonly LossCurve[],
  isFitted: (i: number) => boolean,
  seen: number | undefined,
): (UnseenDrop | undefined)[] {
  if (seen === undefined) return curves.map(() => undefined);
  const floor = floorOf(seen);
  return curves.map((c, i) => {
    const from = dropStart(c, floor, isFitted(i) && c.steps.length ? c.steps[c.steps.length - 1] : -Infinity);
    return from === undefined
      ? undefined
      : {
          from,
          reason: `the fit curves ${fell(seen)}, and this curve's LR falls lower from step ${formatCount(from)}: how the loss answers such a drop is not in the data, so the law's value there is a guess`,
          seen,
        };
  });
}

/** Each law's loss-drop term and its coefficients, whose values only an LR drop in the fit curves determines. */
const DROP_TERM: Partial<Record<LawId, { term: string; names: string[] }>> = {
  'lr-annealing': { term: 'C·S2', names: ['C'] },
  'lr-annealing-size': { term: 'C·S2·N^gamma', names: ['C', 'gamma'] },
  mpl: { term: 'B·LD', names: ['B', 'C', 'beta', 'gamma'] },
  'mpl-size': { term: 'B·N^zeta·LD', names: ['B', 'C', 'beta', 'gamma', 'zeta'] },
};

/**
 * Marks the fit's coefficients that its curves do not determine (FitResult.undetermined): when they never lower their
 * LR, S2 is 0 at every fitted point, so the drop term's coefficients stay where the fit started and every bootstrap
 * refit returns them again (a band of zero width). Their intervals are dropped: no surface shows such a band. The
 * runner-up (the multi-power law beside a mean of both laws) was fitted on the same curves: one rule marks it too.
 */
export function markUndetermined(fit: FitResult): void {
  // A mean's coefficients are the chosen law's (LawSelection.weights).
  markDropTerm(fit, fit.selection?.weights ? fit.selection.chosen : fit.law, fit.lrFloor);
  if (fit.runnerUpFit) markDropTerm(fit.runnerUpFit, fit.runnerUpFit.law, fit.lrFloor);
}

/** A fit's or a runner-up's drop-term coefficients marked undetermined, as law `law`'s, when `lrFloor` never fell. */
function markDropTerm(
  fit: Pick<FitResult, 'params' | 'intervals' | 'undetermined'>,
  law: LawId,
  lrFloor: number | undefined,
): void {
  if (lrFloor === undefined || fell(lrFloor) !== NEVER_LOWER) return;
  const drop = DROP_TERM[law];
  if (!drop) return;
  for (const name of drop.names) {
    if (!(name in fit.params)) continue;
    fit.undetermined = {
      ...fit.undetermined,
      [name]: `not determined: the fit curves ${NEVER_LOWER}, so the term ${drop.term} is 0 at every fitted point and ${name} is where the fit started, not a measurement`,
    };
    if (fit.intervals) delete fit.intervals[name];
  }
}

/** A fit's undetermined coefficients grouped by their reason (C and gamma share one), in the order first named. */
export function undeterminedGroups(
  undetermined: Record<string, string> | undefined,
): { names: string[]; why: string }[] {
  const groups = new Map<string, string[]>();
  for (const [name, why] of Object.entries(undetermined ?? {})) groups.set(why, [...(groups.get(why) ?? []), name]);
  return [...groups].map(([why, names]) => ({ names, why }));
}

/** The earlier of two cuts of a curve's predictions (either may be absent). */
export function earlierCut(a: WithheldFrom | undefined, b: WithheldFrom | undefined): WithheldFrom | undefined {
  return !a ? b : !b ? a : b.from < a.from ? b : a;
}

/** A fit's predictions at a curve's queries with those from the drop on withheld (NaN): a copy, the fit's own stay. */
export function withheldFrom(
  predicted: Float64Array,
  queries: Float64Array,
  drop: WithheldFrom | undefined,
): Float64Array {
  if (!drop) return predicted;
  const shown = Float64Array.from(predicted);
  for (let q = 0; q < queries.length; q++) if (queries[q] >= drop.from) shown[q] = NaN;
  return shown;
}

/**
 * The score of a curve's predictions at its points, over the rows before its drop (every row without one); undefined
 * when the drop comes before its first row (nothing was predicted to score).
 */
export function scoreShown(
  curve: LossCurve,
  pointPredicted: Float64Array,
  drop: WithheldFrom | undefined,
): Metrics | undefined {
  let n = curve.steps.length;
  if (drop) while (n > 0 && curve.steps[n - 1] >= drop.from) n--;
  if (n === 0 && curve.steps.length > 0) return undefined;
  return scorePredictions(curve.loss.subarray(0, n), pointPredicted.subarray(0, n));
}

/** One finding for every curve whose predictions are withheld past a drop, at the first of them; null when none. */
export function unseenDropFinding(curves: readonly LossCurve[], drops: (UnseenDrop | undefined)[]): Finding | null {
  const hit = curves.flatMap((c, i) => (drops[i] ? [{ c, from: drops[i].from, seen: drops[i].seen }] : []));
  if (hit.length === 0) return null;

  const listed = hit.map(({ c, from }) => `"${c.name}" from step ${formatCount(from)}`).join(', ');
  return finding('drop-unseen', 'warning', {
    file: hit[0].c.file,
    line: hit[0].c.firstLine,
    curve: hit[0].c.name,
    message: `No loss is predicted for ${listed}, where the LR falls lower than the fit curves' ever did: the curves the law was fitted on ${fell(hit[0].seen)}, so nothing in them shows how the loss answers an LR drop, and the law's drop term is a guess (fitted on a constant LR, it can predict a decayed run's loss below zero). Fit on a run whose LR decays as well (a cosine, or a WSD cooldown) to predict these.`,
  });
}

/**
 * What an analysis of loss curves needs of all this: the fit curves' LR floor (FitResult.lrFloor), each curve's drop
 * its predictions are withheld from, and the finding that says so (added to `findings`).
 */
export function findUnseenDrops(
  curves: readonly LossCurve[],
  isFitted: (i: number) => boolean,
  warmupSteps: number | undefined,
  findings: Finding[],
): { floor: number | undefined; drops: (UnseenDrop | undefined)[] } {
  const floor = lrFloor(
    curves.filter((_, i) => isFitted(i)),
    warmupSteps,
  );
  const drops = unseenDrops(curves, isFitted, floor);
  const found = unseenDropFinding(curves, drops);
  if (found) findings.push(found);
  return { floor, drops };
}
