// A law's name as every surface writes it to a user (lens, hover, notification, the Runs view).
import type { LawId } from './types';

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
