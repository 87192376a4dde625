// What-if schedule knobs and the LR they give at each step. No law here, so the webview can share the defaults.
import type { WhatIfDefaults, WhatIfSpec } from './types';
import { lowerBound } from '../util/arrays';

/** A million steps is already a long run; the recursion is O(steps), so cap what a slider can ask for. */
export const MAX_WHATIF_STEPS = 2_000_000;

/**
 * What-ifs one request predicts, at most: the form compares two (A and B). Each may be 2M steps of the server's only
 * thread (about a second), so a request of forty held hovers and lenses for 35 s.
 */
export const MAX_WHATIF_SPECS = 2;

/** The total steps of a default schedule run longer than the fit curves' `totalSteps`: twice as long. */
export function longerSteps(totalSteps: number): number {
  return Math.min(2 * totalSteps, MAX_WHATIF_STEPS);
}

export function defaultSpec(
  defaults: Pick<WhatIfDefaults, 'peakLr' | 'warmupSteps' | 'totalSteps' | 'sizes'>,
  shape: WhatIfSpec['shape'] = 'cosine',
): WhatIfSpec {
  const sizes = defaults.sizes?.fitted;
  return {
    shape,
    peakLr: defaults.peakLr,
    warmupSteps: defaults.warmupSteps,
    totalSteps: defaults.totalSteps,
    minLrRatio: 0.1,
    decayFraction: 0.2,
    decayShape: 'linear',
    milestones: [0.5, 0.75],
    factor: 0.1,
    ...(sizes?.length && { modelSize: sizes[sizes.length - 1] }),
  };
}

/**
 * The LR at step s (1..T) of a spec. Warmup rises linearly from peak/W to the peak over the first W steps. A 'logged'
 * spec's LR is the log's, not the knobs' (whatIf.ts reads it): NaN here. For many steps, take lrOfSpec once.
 */
export function lrAt(spec: WhatIfSpec, s: number): number {
  return lrOfSpec(spec)(s);
}

/**
 * The LR of a spec as a function of the step, its milestones sorted once: a whole schedule costs O(T log M), not the
 * O(T * M) of walking every milestone at every step (1000 milestones over 2M steps took 5 s).
 */
export function lrOfSpec(spec: WhatIfSpec): (s: number) => number {
  const { peakLr: peak, totalSteps: T } = spec;
  if (spec.shape === 'logged') return () => NaN;
  const W = Math.min(spec.warmupSteps, T);
  const floor = peak * spec.minLrRatio;
  const decayed = decayedLr(spec, W, floor);
  return (s) => {
    if (W > 0 && s <= W) return (peak * s) / W;
    return decayed(s, T > W ? (s - W) / (T - W) : 1);
  };
}

/** The LR after warmup of each shape, at step s, `progress` the fraction of the steps after warmup done. */
function decayedLr(spec: WhatIfSpec, W: number, floor: number): (s: number, progress: number) => number {
  const { peakLr: peak, totalSteps: T } = spec;
  switch (spec.shape) {
    case 'logged': // its LR is the log's: lrOfSpec answers NaN before warmup
      return () => NaN;
    case 'constant':
      return () => peak;
    case 'cosine':
      return (_, progress) => floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress));
    case 'wsd': {
      const decaySteps = Math.max(1, Math.round(spec.decayFraction * (T - W)));
      return (s) => {
        const into = s - (T - decaySteps);
        if (into <= 0) return peak;
        const t = into / decaySteps;
        const fall =
          spec.decayShape === 'cosine'
            ? 0.5 * (1 - Math.cos(Math.PI * t))
            : spec.decayShape === 'sqrt'
              ? Math.sqrt(t)
              : t;
        return peak - (peak - floor) * fall;
      };
    }
    case 'multistep': {
      // The LR once k milestones are passed (s > m*T), multiplied down one drop at a time as it always was.
      const bounds = spec.milestones.map((m) => m * T).sort((a, b) => a - b);
      const levels = [peak];
      for (let k = 0; k < bounds.length; k++) levels.push(levels[k] * spec.factor);
      return (s) => levels[lowerBound(bounds, s)];
    }
  }
}

/** The shapes a what-if may take, and a WSD decay's: a raw request may name others, which no schedule knows. */
const SHAPES: readonly WhatIfSpec['shape'][] = ['constant', 'cosine', 'wsd', 'multistep', 'logged'];
const DECAY_SHAPES: readonly WhatIfSpec['decayShape'][] = ['linear', 'cosine', 'sqrt'];

/** A finite number: what a knob must be (a raw request may send a string, null, or an overflowed 1e999). */
function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * Why a spec cannot be predicted, or null when it can. A spec from a raw request is any JSON: every knob is checked
 * for its type as well as its range, so a bad one is this message, never an exception that loses the other specs.
 */
export function checkSpec(spec: WhatIfSpec): string | null {
  if (typeof spec !== 'object' || spec === null) return 'A what-if must be a schedule: a shape and its knobs.';
  if (!SHAPES.includes(spec.shape)) return `The schedule shape must be one of ${SHAPES.join(', ')}.`;
  if (!isNumber(spec.totalSteps) || spec.totalSteps < 2 || spec.totalSteps > MAX_WHATIF_STEPS)
    return `Total steps must be between 2 and ${MAX_WHATIF_STEPS.toLocaleString('en-US')}.`;
  if (!(isNumber(spec.peakLr) && spec.peakLr > 0)) return 'The peak LR must be a positive finite number.';
  if (spec.modelSize !== undefined && !(isNumber(spec.modelSize) && spec.modelSize > 0))
    return 'The model size N must be a positive number of parameters (e.g. 1e9).';
  // A logged schedule has its own warmup: the knob is not shown for it, so it is not checked either.
  if (
    spec.shape !== 'logged' &&
    !(isNumber(spec.warmupSteps) && spec.warmupSteps >= 0 && spec.warmupSteps < spec.totalSteps)
  )
    return 'Warmup steps must be at least 0 and fewer than the total steps.';
  if (!(isNumber(spec.minLrRatio) && spec.minLrRatio >= 0 && spec.minLrRatio <= 1))
    return 'The final LR ratio must be between 0 and 1.';
  if (spec.shape === 'wsd' && !(isNumber(spec.decayFraction) && spec.decayFraction > 0 && spec.decayFraction <= 1))
    return 'The WSD decay fraction must be in (0, 1].';
  if (spec.shape === 'wsd' && !DECAY_SHAPES.includes(spec.decayShape))
    return `The WSD decay shape must be one of ${DECAY_SHAPES.join(', ')}.`;
  if (
    spec.shape === 'multistep' &&
    (!(isNumber(spec.factor) && spec.factor > 0 && spec.factor <= 1) ||
      !Array.isArray(spec.milestones) ||
      spec.milestones.some((m) => !(isNumber(m) && m > 0 && m < 1)))
  )
    return 'Multi-step needs a factor in (0, 1] and milestones between 0 and 1 (fractions of the steps).';
  return null;
}
