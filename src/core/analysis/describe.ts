// A prediction in words, the same on every surface that states one (CLI, CodeLens, hovers, Predict at...): what it
// is at, its value with the digits its band resolves, and for compute budgets N*, D* first and whether they lie past
// the runs fitted. The number rules themselves are in src/core/util/format.ts.
import { formatCompact, formatEstimate, formatFlop, formatNumber } from '../util/format';
import type { BeyondFitted, Prediction } from './types';

/** What a prediction is of and where: "L(20k)", "BLEU at 2×D_p (D_p 32B)", "loss at C = 1e23 FLOP", "loss at x 5M". */
export function predictionAt(p: Prediction): string {
  if (p.xName === 'step') return `L(${formatCompact(p.step ?? p.x)})`;
  if (p.xName === 'C') return `loss at C = ${formatFlop(p.x)} FLOP`;
  if (p.metric === 'loss') return `loss at ${p.xName} ${formatCompact(p.x)}`;
  return `${p.metric.toUpperCase()} at ${downstreamTarget(p)}`;
}

/** Where a downstream prediction is: "2×D_p (128B)" for a multiple of the largest D_p seen, else "D_p 128B". */
export function downstreamTarget(p: Prediction): string {
  return p.dataMultiplier !== undefined
    ? `${p.dataMultiplier}×D_p (${formatCompact(p.x)})`
    : `D_p ${formatCompact(p.x)}`;
}

/** A prediction's value and band: "2.501 [2.489, 2.513]". */
export function estimateText(p: Pick<Prediction, 'value' | 'low' | 'high'>): string {
  return formatEstimate(p.value, p.low, p.high);
}

/** The compute-optimal answer at a budget, model and data first: "N* 33.2B · D* 502B · D/N 15 · loss 2.03 [...]". */
export function computeOptimumText(p: Prediction): string {
  const extra = p.extra ?? {};
  const ratioBand = Number.isFinite(extra.ratioLow) && Number.isFinite(extra.ratioHigh);
  const ratio = Number.isFinite(extra.ratio)
    ? ` · D/N ${ratioBand ? formatEstimate(extra.ratio, extra.ratioLow, extra.ratioHigh) : formatNumber(extra.ratio, 3)}`
    : '';
  return `N* ${formatCompact(extra.N)} · D* ${formatCompact(extra.D)}${ratio} · loss ${estimateText(p)}`;
}

/** How far each input lies past the runs fitted: "N* 33.2B is 2.1× the largest N fitted (16.2B)"; '' when none. */
export function beyondFittedText(beyond: readonly BeyondFitted[] | undefined): string {
  if (!beyond?.length) return '';
  const parts = beyond.map(
    (b) =>
      `${b.name} ${formatCompact(b.value)} is ${formatNumber(b.value / b.largestFitted, 2)}× the largest ${b.name.replace('*', '')} fitted (${formatCompact(b.largestFitted)})`,
  );
  return `extrapolation: ${parts.join('; ')}`;
}

/** One prediction in one line, for lists (Predict at..., the fit notification, the log). */
export function describePrediction(p: Prediction): string {
  const who = p.curve ?? p.group ?? '';
  const body =
    p.xName === 'C'
      ? `C = ${formatFlop(p.x)} FLOP → ${computeOptimumText(p)}`
      : `${predictionAt(p)} = ${estimateText(p)}`;
  const beyond = beyondFittedText(p.beyondFitted);
  return `${who ? `${who}: ` : ''}${body}${beyond ? ` (${beyond})` : ''}`;
}
