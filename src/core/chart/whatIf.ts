// What-if schedules for the LR-annealing law: build a per-step LR from a few knobs (constant, cosine, WSD,
// multi-step, each with a linear warmup), then predict its loss curve with the fitted law. The areas come from
// lrAreas and the loss from lrAnnealingLaw.predict, exactly as in the fit: a what-if is the fit's own prediction.
import type { FitResult } from '../analysis/types';
import { lrAnnealingLaw } from '../laws/lrAnnealing';
import { lrAreas, type LoggedSchedule, type WarmupConvention } from '../laws/schedule';
import type { Outcome, WhatIfCurve, WhatIfSpec } from './types';
import { checkSpec, lrAt } from './whatIfSpec';

export { checkSpec, defaultSpec, lrAt, MAX_WHATIF_STEPS } from './whatIfSpec';

/** The spec as a logged schedule at every step, the form lrAreas reads. */
export function scheduleOf(spec: WhatIfSpec): LoggedSchedule {
  const T = Math.round(spec.totalSteps);
  const steps = new Float64Array(T);
  const lr = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    steps[i] = i + 1;
    lr[i] = lrAt(spec, i + 1);
  }
  return { steps, lr };
}

/**
 * Integer query steps, log-spaced from `from` to T (plus T itself): the curve's shape in `points` samples. `from` is
 * where the fitted runs' logs start, so a what-if is drawn over the same steps as the runs beside it.
 */
export function querySteps(total: number, points: number, from = 1): number[] {
  const T = Math.round(total);
  const start = Math.min(Math.max(1, Math.round(from)), T);
  const out = new Set<number>([start, T]);
  const [a, b] = [Math.log(start), Math.log(T)];
  for (let k = 0; k < points; k++) out.add(Math.round(Math.exp(a + ((b - a) * k) / (points - 1))));
  // A linear sprinkle too, so a decay late in a long run is resolved on a log-x or a linear-x axis.
  for (let k = 1; k < points; k++) out.add(Math.round((T * k) / points));
  return [...out].filter((s) => s >= start && s <= T).sort((x, y) => x - y);
}

/** What a what-if curve needs from the LR-annealing fit, read from the FitResult. */
export interface LawSettings {
  params: Float64Array;
  etaMax: number;
  lambda: number;
  warmup: WarmupConvention;
}

export function lawSettings(fit: FitResult): Outcome<LawSettings> {
  const p = fit.normalized?.params;
  const etaMax = Number(fit.settings.etaMax);
  const lambda = Number(fit.settings.lambda);
  if (fit.law !== 'lr-annealing' || !p || !(etaMax > 0) || !(lambda > 0))
    return { ok: false, message: 'A what-if schedule needs an LR-annealing fit; this file has none.' };
  const warmup: WarmupConvention = fit.settings.warmupConvention === 'actual' ? 'actual' : 'peak';
  return { ok: true, value: { params: Float64Array.of(p.L0, p.A, p.alpha, p.C), etaMax, lambda, warmup } };
}

/** The law's loss at ascending integer steps of a logged schedule (areas normalised by the fit's peak LR). */
export function predictLoss(law: LawSettings, schedule: LoggedSchedule, steps: ArrayLike<number>): number[] {
  const areas = lrAreas(schedule, steps, { lambda: law.lambda, warmup: law.warmup });
  const points = { s1: areas.s1.map((v) => v / law.etaMax), s2: areas.s2.map((v) => v / law.etaMax) };
  const out = new Float64Array(steps.length);
  lrAnnealingLaw.predict(law.params, points, out);
  return Array.from(out);
}

export function whatIfCurve(
  fit: FitResult,
  spec: WhatIfSpec,
  label: string,
  options: { points?: number; fromStep?: number } = {},
): Outcome<WhatIfCurve> {
  const problem = checkSpec(spec);
  if (problem) return { ok: false, message: `${label}: ${problem}` };
  const law = lawSettings(fit);
  if (!law.ok) return law;
  const steps = querySteps(spec.totalSteps, options.points ?? 300, options.fromStep);
  const loss = predictLoss(law.value, scheduleOf(spec), steps);
  return {
    ok: true,
    value: { label, spec, steps, loss, lr: steps.map((s) => lrAt(spec, s)), finalLoss: loss[loss.length - 1] },
  };
}
