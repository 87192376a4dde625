// Downstream cross-entropy versus pretraining tokens (docs/laws-downstream.md):  L(D_p) = E + A / D_p^alpha.
// The formula, gradient, bounds and starts are the saturating power law's (powerLaw.ts); only the id differs, so
// the CE law and the generic power law can never drift apart.
import { saturatingPowerLaw } from './powerLaw';

export {
  fitPower as fitDownstreamCe,
  powerStarts as downstreamCeStarts,
  powerPoints as downstreamCePoints,
  powerCoefficients as downstreamCeCoefficients,
} from './powerLaw';
export type { PowerPoints as DownstreamCePoints } from './powerLaw';

export const downstreamCeLaw = saturatingPowerLaw('downstream-ce');
