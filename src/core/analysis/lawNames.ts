// A law's name as every surface writes it to a user (lens, hover, notification, the Runs view, the chart's title).
import type { LawId, LawSelection, LossLawId } from './types';

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
