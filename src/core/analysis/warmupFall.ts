// A warmup given as an option (`warmupSteps`) against the LR the log shows within it. A warmup only rises, and both
// laws read every step of it so (S2 and the multi-power law's loss drop leave it out), so a logged LR that falls
// well before the warmup given ends is a schedule the laws do not see: a 100000-step warmup given for a 24000-step
// cosine run made the whole decay warmup, and the run was fitted and predicted as if its LR never fell. A warmup that
// reaches a curve's last logged point leaves nothing of it to fit: that curve is not fitted (warmupCoversLog). So is
// a curve whose own logged LR still rises at its last point (warmupUnfinished): a run still warming up.
import { finding } from '../findings';
import { StepLr } from '../laws/schedule';
import { formatCount, formatNumber } from '../util/format';
import type { LossCurve } from './lossCurves';
import type { Finding } from './types';

/** A fall below this fraction of the LR's highest logged value so far counts (logging noise is far smaller). */
const FALL = 0.9;

/**
 * A warning per curve whose logged LR falls before the warmup given ends; a curve the warmup covers whole has the
 * error of warmupCoversLog instead, which says more.
 */
export function warmupFalls(curves: readonly LossCurve[], warmupSteps: number | undefined): Finding[] {
  if (warmupSteps === undefined) return [];
  return curves.flatMap((c) => {
    if (warmupCoversLog(c, warmupSteps)) return [];
    const { steps, lr } = c.schedule;
    let top = 0;
    for (let k = 0; k < steps.length && steps[k] <= warmupSteps; k++) {
      if (lr[k] >= top) top = lr[k];
      else if (lr[k] < FALL * top) return [fallFinding(c, warmupSteps, top, k)];
    }
    return [];
  });
}

function fallFinding(c: LossCurve, warmupSteps: number, top: number, k: number): Finding {
  const { steps, lr } = c.schedule;
  // The loss row at or after the step where the fall shows, to point at (the schedule keeps no lines of its own).
  const row = c.steps.findIndex((s) => s >= steps[k]);
  return {
    ...finding('warmup-falls', 'warning', {
      message: `The LR of "${c.name}" falls to ${formatNumber(lr[k], 3)} at step ${formatCount(steps[k])}, from ${formatNumber(top, 3)} before it, while the warmup given ends only at step ${formatCount(warmupSteps)}. A warmup only rises, and the laws read every step of it as warmup, not annealing, so this fall is not seen as an LR drop. Is the warmup's length right?`,
      file: c.file,
      line: row >= 0 ? c.lines[row] : c.firstLine,
    }),
    curve: c.name,
  };
}

/** The step of a curve's last loss point; undefined without one (a schedule-only curve is predicted, never fitted). */
function lastLoggedStep(c: LossCurve): number | undefined {
  return c.steps.length ? c.steps[c.steps.length - 1] : undefined;
}

/**
 * Whether the warmup given ends at or after a curve's last loss point: every point then lies in a warmup the laws
 * synthesise as a ramp from 0 (S1 from it, no annealing in it), so the fit would read the option, not the log. At
 * 2^53 steps the multi-power law's loss-drop sum was refused as too long for the log, which blamed the log.
 */
export function warmupCoversLog(c: LossCurve, warmupSteps: number | undefined): warmupSteps is number {
  const last = lastLoggedStep(c);
  return warmupSteps !== undefined && last !== undefined && warmupSteps >= last;
}

/** The error of a curve the warmup given covers whole (warmupCoversLog): the option is at fault, not the log. */
export function warmupCoversFinding(c: LossCurve, warmupSteps: number): Finding {
  const last = lastLoggedStep(c) ?? 0;
  return finding('warmup-covers-log', 'error', {
    message: `The warmup given ends at step ${formatCount(warmupSteps)}, and "${c.name}" logs its last loss at step ${formatCount(last)}: every logged point lies within the warmup, which the laws take as a ramp from 0 without annealing, so the curve is not fitted. Give the length of the warmup the log leaves out (below ${formatCount(last)}), or none when the log has its warmup rows.`,
    file: c.file,
    line: c.firstLine,
    curve: c.name,
  });
}

/**
 * Whether a curve's logged LR still rises at its last loss point, no warmup given: every point lies in a warmup whose
 * peak is not logged yet. Both laws read warmup steps with the LR at its peak (S1 under `peak`, no annealing in
 * either), so the fit would take the LR reached so far for the peak and hold it there to every target: a fine-tune
 * logged 640 steps into an 866-step warmup to 5e-5 was predicted at its last step 8660 with the LR held at 3.7e-5.
 */
export function warmupUnfinished(c: LossCurve, warmupSteps: number | undefined): boolean {
  const last = lastLoggedStep(c);
  const { steps } = c.schedule;
  if (warmupSteps !== undefined || last === undefined || steps.length < 2) return false;
  const end = new StepLr(c.schedule).warmupEnd;
  // An LR logged past the warmup's end has its peak logged: the run is past its warmup, and what ends inside it is
  // the curve's losses (left out: negative, NaN), which their own findings say. Fitted, it may have too few points.
  return end > 0 && end >= last && end >= steps[steps.length - 1];
}

/** The error of a curve still in its warmup (warmupUnfinished): the log stops before the schedule says anything. */
export function warmupUnfinishedFinding(c: LossCurve): Finding {
  const { steps, lr } = c.schedule;
  const last = lastLoggedStep(c) ?? 0;
  let at = steps.length - 1;
  while (at > 0 && steps[at] > last) at--;
  return finding('warmup-unfinished', 'error', {
    message: `The LR of "${c.name}" still rises at its last logged loss (${formatNumber(lr[0], 3)} at step ${formatCount(steps[0])}, ${formatNumber(lr[at], 3)} at step ${formatCount(last)}): the run is in its warmup. The laws read warmup steps with the LR at its peak, which is not logged yet, so the curve is not fitted: a prediction would hold the LR at its warmup value to the end. Fit it once the log passes the end of its warmup.`,
    file: c.file,
    line: c.lines[c.lines.length - 1] ?? c.firstLine,
    curve: c.name,
  });
}
