// A run that left its law, in words, the same on every surface that says it (the finding, the lens and its tooltip,
// the Runs view, Predict at..., the CLI): what happened from which step, and how it was judged. No detection here
// (departure.ts): this module is light enough for the extension's own bundle.
import { formatCount, formatPercent } from '../util/format';
import type { DepartureKind, LawDeparture } from './types';

/** What each kind of departure is, in a phrase that follows "from step N:". */
export const KIND_PHRASES: Record<DepartureKind, string> = {
  spike: 'a loss spike it has not recovered from',
  divergence: 'a divergence (the loss rises)',
  plateau: 'a plateau (the loss stopped falling as the law expects)',
  drop: 'a drop the law does not expect',
};

/** Why a departed run's predictions have no number, short enough for a lens. */
export function departureReason(d: LawDeparture): string {
  return `the run left its law from step ${formatCount(d.step)}: ${KIND_PHRASES[d.kind]}, up to ${formatPercent(d.worst, 2)} ${d.side} it`;
}

/** How the departure was judged: its tolerance and how many of its points are off the law and outside the band. */
export function departureDetail(d: LawDeparture): string {
  const band =
    d.outsideBand === null
      ? 'no band (bootstrap off)'
      : `${formatCount(d.outsideBand)} outside the 95 % band of the fit`;
  return (
    `${formatCount(d.off)} of the ${formatCount(d.points)} points from step ${formatCount(d.step)} to ${formatCount(d.lastStep)} are ${d.side} ` +
    `the law its earlier points follow by more than the tolerance, ${formatPercent(d.tolerance, 2)} ` +
    `(${d.sigmas} robust standard deviations of its residuals; a departure must last ${d.minPoints} points); ${band}.`
  );
}

/** The departure in a few words, for a chart marker or a list: "left its law at step 540 (spike)". */
export function departureLabel(d: LawDeparture): string {
  return `left its law at step ${formatCount(d.step)} (${d.kind})`;
}
