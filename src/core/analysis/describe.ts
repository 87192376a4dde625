// A prediction in words, the same on every surface that states one (CLI, CodeLens, hovers, Predict at...): what it
// is at, its value with the digits its band resolves, and for compute budgets N*, D* first and whether they lie past
// the runs fitted. The number rules themselves are in src/core/util/format.ts.
import { formatBanded, formatCompact, formatEstimate, formatFlop, formatNumber } from '../util/format';
import { hasValue } from './trust';
import type { BeyondFitted, FitResult, PredictedValue, Prediction } from './types';

/** What a prediction is of and where: "L(20k)", "BLEU at 2×D_p (D_p 32B)", "loss at C = 1e23 FLOP", "L(tokens = 5M)". */
export function predictionAt(p: Prediction, name: (name: string) => string = (n) => n): string {
  if (p.xName === 'step') return `L(${formatCompact(p.step ?? p.x)})`;
  if (p.xName === 'C') return `loss at C = ${formatFlop(p.x)} FLOP`;
  if (p.metric === 'loss') return `L(${name(p.xName)} = ${formatCompact(p.x)})`;
  return `${p.metric.toUpperCase()} at ${downstreamTarget(p)}`;
}

/** Where a downstream prediction is: "2×D_p (128B)" for a multiple of the largest D_p seen, else "D_p 128B". */
export function downstreamTarget(p: Prediction): string {
  return p.dataMultiplier !== undefined
    ? `${p.dataMultiplier}×D_p (${formatCompact(p.x)})`
    : `D_p ${formatCompact(p.x)}`;
}

/**
 * A prediction's value and band, and a sweep law's new-run band after it: "2.501 [2.489, 2.513] · new run [2.46,
 * 2.55]" (the law's band, then where a new run there would land). `run` false: the law's band only (a chart's
 * label, beside the new-run band it draws: both cut the label at the canvas edge).
 */
export function estimateText(
  p: Pick<PredictedValue, 'value' | 'low' | 'high' | 'runLow' | 'runHigh'>,
  run = true,
): string {
  const runText = run ? newRunText(p) : '';
  return `${formatEstimate(p.value, p.low, p.high)}${runText ? ` · ${runText}` : ''}`;
}

/** What a sweep law's two bands are, for a hover or a tooltip beside its predictions. */
export const SWEEP_BANDS_NOTE =
  "[…]: where the law lies (95 %, its coefficients' uncertainty); new run […]: where a new run there would land (95 %, the law plus its runs' scatter about it)";

/** What the band of a power law fitted along one run's log is (FitResult.nextPointBand). */
export const NEXT_POINT_BAND_NOTE =
  "[…]: where this run's next logged point falls (95 %, the law's uncertainty and the curve's noise); no new-run band: the points are one run's logged points";

/**
 * A sweep fit's note on its bands: which is which, or why it has no new-run band; a power law's along one run's
 * steps (FitResult.nextPointBand), that its one band is where the run's next logged point falls.
 */
export function sweepBandsNote(fit: Pick<FitResult, 'noRunBand' | 'nextPointBand'>): string {
  if (fit.nextPointBand) return NEXT_POINT_BAND_NOTE;
  return fit.noRunBand ? `[…]: where the law lies (95 %); ${fit.noRunBand}` : SWEEP_BANDS_NOTE;
}

/** A sweep law's new-run band, "new run [2.46, 2.55]"; '' without one. */
export function newRunText(p: Pick<PredictedValue, 'value' | 'low' | 'high' | 'runLow' | 'runHigh'>): string {
  const ends = newRunEnds(p);
  return ends && `new run ${ends}`;
}

/** The ends of a new-run band, "[2.46, 2.55]", at the decimal place of the law's band; '' without one. */
export function newRunEnds(p: Pick<PredictedValue, 'value' | 'low' | 'high' | 'runLow' | 'runHigh'>): string {
  if (p.runLow === undefined || p.runHigh === undefined) return '';
  const banded = formatBanded(p.value, p.runLow, p.runHigh, [p.low, p.high]);
  return banded ? `[${banded.low}, ${banded.high}]` : '';
}

/**
 * The compute-optimal answer at a budget, model and data first, each flagged where it lies past the runs fitted (a
 * lens is cut at the window's edge, so the flag sits next to the number it is about):
 * "N* 48.94B (⚠ extrapolated: 7× the largest N fitted, 7B) · D* 340.5B · loss 2.02 [1.97, 2.06] · D/N 6.96 [...]".
 */
export function computeOptimumText(p: Prediction): string {
  if (!hasValue(p)) return `no answer: ${p.statusReason}`;
  const extra = p.extra ?? {};
  const flag = (name: string) => {
    const b = p.beyondFitted?.find((x) => x.name === name);
    return b ? ` (⚠ extrapolated: ${beyondPhrase(b)})` : '';
  };
  const ratioBand = Number.isFinite(extra.ratioLow) && Number.isFinite(extra.ratioHigh);
  const ratio = Number.isFinite(extra.ratio)
    ? ` · D/N ${ratioBand ? formatEstimate(extra.ratio, extra.ratioLow, extra.ratioHigh) : formatNumber(extra.ratio, 3)}`
    : '';
  return `N* ${formatCompact(extra.N)}${flag('N*')} · D* ${formatCompact(extra.D)}${flag('D*')} · loss ${estimateText(p)}${ratio}`;
}

/** "7× the largest N fitted, 7B" (or "1/20 of the smallest N fitted, 70M"): how far one input lies past the data. */
function beyondPhrase(b: BeyondFitted): string {
  const name = b.name.replace('*', '');
  if (b.smallestFitted !== undefined)
    return `1/${formatNumber(b.smallestFitted / b.value, 2)} of the smallest ${name} fitted, ${formatCompact(b.smallestFitted)}`;
  return `${formatNumber(b.value / b.largestFitted, 2)}× the largest ${name} fitted, ${formatCompact(b.largestFitted)}`;
}

/** Where a prediction's inputs lie past the runs fitted, for predictions other than compute budgets; '' when none. */
export function beyondFittedText(beyond: readonly BeyondFitted[] | undefined): string {
  if (!beyond?.length) return '';
  return `extrapolation: ${beyond.map((b) => `${b.name} ${formatCompact(b.value)} is ${beyondPhrase(b)}`).join('; ')}`;
}

/**
 * What a loss prediction past the logged schedule assumes of the LR (`assumes the LR held at 5.7e-4 after step
 * 1.5k`); '' when it assumes nothing. A run whose LR was still decaying will train below such a prediction.
 */
export function assumptionText(p: Prediction): string {
  return p.assumption ? `assumes the ${p.assumption}` : '';
}

/** One prediction in one line, for lists (Predict at..., the fit notification, the log). */
export function describePrediction(p: Prediction, text: ShownText = PLAIN): string {
  const name = p.curve ?? p.group;
  const who = name ? `${text.name(name)}: ` : '';
  if (p.xName === 'C') return `${who}C = ${formatFlop(p.x)} FLOP → ${computeOptimumText(p)}`;
  if (!hasValue(p)) return `${who}${predictionAt(p, text.name)}: no prediction — ${text.line(p.statusReason)}`;
  const beyond = beyondFittedText(p.beyondFitted);
  const assumes = p.assumption ? ` (${assumptionText(p)})` : '';
  return `${who}${predictionAt(p, text.name)} = ${estimateText(p)}${beyond ? ` (${beyond})` : ''}${assumes}`;
}

/**
 * How a surface shows the file text in a prediction's words: `name` a curve, group or column name, `line` a sentence
 * that may hold names (a withheld prediction's reason). The Predict at... document writes them as Markdown.
 */
export interface ShownText {
  name(name: string): string;
  line(text: string): string;
}

const PLAIN: ShownText = { name: (name) => name, line: (text) => text };
