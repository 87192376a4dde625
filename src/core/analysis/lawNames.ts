// A law's name as every surface writes it to a user (lens, hover, notification, the Runs view, the chart's title).
import { formatRange } from '../util/format';
import type { AnalysisKind, LawId, LawSelection, LossLawId } from './types';

/** What a file holds, in a user's words (the status item, the column picker, the chart's title): not its id. */
export const KIND_NAMES: Record<AnalysisKind, string> = {
  'loss-curve': 'loss curves',
  downstream: 'downstream sweep',
  compute: '(N, D) sweep',
  power: 'power law',
  unknown: 'not recognised',
};

export const LAW_NAMES: Record<LawId, string> = {
  'lr-annealing': 'LR-annealing law',
  mpl: 'MPL',
  'lr-annealing-size': 'LR-annealing law with model size',
  bleu: 'BLEU law',
  'downstream-ce': 'CE law',
  chinchilla: 'Chinchilla law',
  power: 'power law',
  'mpl-size': 'MPL with model size',
};

/**
 * The law a fit's predictions come from. An automatic choice that averages laws (`selection.weights`) reports the
 * coefficients of one of them but predicts with the mean, so it is named as the mean: "mean of LR-annealing law and
 * MPL", or "0.70 × LR-annealing law + 0.30 × MPL" when the weights differ, or "spread-weighted mean of LR-annealing
 * law and MPL" when they vary with the prediction (`selection.weightRange`).
 */
export function fitLawName(fit: { law: LawId; selection?: Pick<LawSelection, 'weights' | 'weightRange'> }): string {
  const weights = fit.selection?.weights;
  if (!weights) return LAW_NAMES[fit.law];
  const laws = Object.entries(weights) as [LossLawId, number][];
  if (fit.selection?.weightRange) return `spread-weighted mean of ${laws.map(([law]) => LAW_NAMES[law]).join(' and ')}`;
  const equal = laws.every(([, w]) => Math.abs(w - laws[0][1]) < 1e-9);
  return equal
    ? `mean of ${laws.map(([law]) => LAW_NAMES[law]).join(' and ')}`
    : laws.map(([law, w]) => `${w.toFixed(2)} × ${LAW_NAMES[law]}`).join(' + ');
}

/**
 * fitLawName in a few words, for where a line must stay narrow (a data row's hover, the law choice's answer line
 * beside the full name): "weighted mean of both laws", "mean of both laws" (equal weights), or the law's own name.
 */
export function shortLawName(fit: { law: LawId; selection?: Pick<LawSelection, 'weights' | 'weightRange'> }): string {
  const weights = fit.selection?.weights;
  if (!weights) return LAW_NAMES[fit.law];
  const w = Object.values(weights);
  const equal = !fit.selection?.weightRange && w.every((x) => Math.abs(x - w[0]) < 1e-9);
  return `${equal ? '' : 'weighted '}mean of both laws`;
}

/**
 * How a mean of laws weighs them (by spread: `selection.weightRange` is set), said once beside its name by every
 * surface that lists the weights: the reason is why it is a mean, this is how.
 */
export function meanWeighing(bySpread: boolean): string {
  return bySpread
    ? 'each law weighted at each step by the inverse of its bootstrap spread there'
    : 'equal weights (a law has no bootstrap refits to measure its spread by)';
}

/** The law the chart's runner-up toggle overlays: the other law, or beside a mean one of its laws "alone". */
export function runnerUpLawName(selection: Pick<LawSelection, 'runnerUp' | 'weights'>): string {
  return `${LAW_NAMES[selection.runnerUp]}${selection.weights ? ' alone' : ''}`;
}

/**
 * A law's weight in a mean as every surface that lists the candidates writes it: "weight 0.50", or under weights that
 * vary by step (`selection.weightRange`) "weight 0.43–0.95 by step, mean 0.54".
 */
export function weightText(weight: number, range?: readonly [number, number]): string {
  const ranged = range ? `${formatRange(range[0].toFixed(2), range[1].toFixed(2))} by step, mean ` : '';
  return `weight ${ranged}${weight.toFixed(2)}`;
}

/**
 * A candidate law whose terms sat at their bounds, as the CLI text and the header hover both say it: "not pinned down by
 * the fit curves (L0, beta, gamma at a bound)".
 */
export function notPinnedText(atBounds: readonly string[]): string {
  return `not pinned down by the fit curves (${atBounds.join(', ')} at a bound)`;
}
