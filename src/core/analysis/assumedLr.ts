// What a loss prediction past the logged schedule assumes of the learning rate. Every loss-curve law predicts there
// with the LR held at its last logged value (schedule.ts); the chart draws that assumption dashed, and the lens,
// Predict at... and the legend say it with this one phrase.
import { formatCompact, formatNumber } from '../util/format';
import type { Series } from './types';

/** The last logged step and its LR, or undefined for an empty schedule. */
export function lastLogged(schedule: { steps: Series; lr: Series }): { step: number; lr: number } | undefined {
  const n = schedule.steps.length;
  return n ? { step: schedule.steps[n - 1], lr: schedule.lr[n - 1] } : undefined;
}

/** "LR held at 3e-5 after step 20k" for a step past the log; undefined within it (nothing is assumed there). */
export function assumedLrPhrase(schedule: { steps: Series; lr: Series }, step: number): string | undefined {
  const last = lastLogged(schedule);
  if (!last || !(step > last.step)) return undefined;
  return `LR held at ${formatNumber(last.lr, 3)} after step ${formatCompact(last.step)}`;
}
