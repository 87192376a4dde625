// A warmup given as an option (`warmupSteps`) against the LR the log shows within it. A warmup only rises, and both
// laws read every step of it so (S2 and the multi-power law's loss drop leave it out), so a logged LR that falls
// well before the warmup given ends is a schedule the laws do not see: a 100000-step warmup given for a 24000-step
// cosine run made the whole decay warmup, and the run was fitted and predicted as if its LR never fell.
import { finding } from '../findings';
import { formatCount, formatNumber } from '../util/format';
import type { LossCurve } from './lossCurves';
import type { Finding } from './types';

/** A fall below this fraction of the LR's highest logged value so far counts (logging noise is far smaller). */
const FALL = 0.9;

/** A warning per curve whose logged LR falls before the warmup given ends. */
export function warmupFalls(curves: readonly LossCurve[], warmupSteps: number | undefined): Finding[] {
  if (warmupSteps === undefined) return [];
  return curves.flatMap((c) => {
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
