// Every knob of an analysis. Their defaults, and the CLI flags and extension settings that set them, are rows of the
// options table (src/core/options/schema.ts); nothing else decides a default.
import { analysisDefaults } from '../options/schema';
import type { ColumnRole } from '../table/types';
import type { LossDropConvention } from '../laws/lossDrop';
import type { WarmupConvention } from '../laws/schedule';
import type { LawId } from './types';

/**
 * How warmup enters the loss-curve laws (docs/laws-loss.md): 'peak' is each law's own convention, 'actual' sums the
 * real warmup LR into the forward area (the multi-power law's own convention already does), 'repository' is the
 * multi-power law's published code (the loss-drop sum from step 1).
 */
export type WarmupConventionOption = WarmupConvention | 'repository';

/** The LR-annealing law's areas under the option: the authors' code of MPL sums the actual warmup LR. */
export function areaConvention(option: WarmupConventionOption): WarmupConvention {
  return option === 'peak' ? 'peak' : 'actual';
}

/** The multi-power law's loss-drop convention under the option. */
export function lossDropConvention(option: WarmupConventionOption): LossDropConvention {
  return option === 'repository' ? 'repository' : 'paper';
}

export interface AnalysisOptions {
  /** Which law to fit; 'auto' picks from the file's kind and, for loss curves, by a backtest (lawChoice.ts). */
  law: 'auto' | LawId;
  /** Column overrides by role, e.g. { loss: 'eval/ppl_loss' }. */
  columns: Partial<Record<ColumnRole, string>>;
  /** Seed of every random draw (bootstrap), so results are reproducible. */
  seed: number;
  /** Bootstrap replicates behind every uncertainty band and interval (0 disables bands). */
  bootstrapSamples: number;

  // Loss curves (LR-annealing and multi-power laws)
  /** Curves to fit; the rest are predicted and scored. Empty: fit every curve. */
  fitOn: string[];
  /** Steps to predict on every curve; empty: twice the last logged step of each curve. */
  predictSteps: number[];
  /** Annealing momentum decay; 'auto' picks the best of 0.99, 0.995, 0.999, 0.9995 by fit objective. */
  lambda: number | 'auto';
  warmupConvention: WarmupConventionOption;
  /** A linear warmup from 0 that ended at this step, for logs without warmup rows. */
  warmupSteps?: number;
  /** Huber delta on log loss. */
  lossDelta: number;
  /** Model size N (parameters) of curves, by curve name, file path or folder; for the model-size law. */
  sizes: Record<string, number>;
  /** The model-size law's exponent beta, held at this value instead of fitted (needed to predict other sizes from two). */
  sizeExponent?: number;
  /** law-departure: a point is off its law beyond this many robust standard deviations of the log residuals. */
  departureSigmas: number;
  /** law-departure: the latest points off the law must be a stretch at least this long. */
  departurePoints: number;

  // Downstream sweeps (BLEU / cross-entropy versus pretraining data)
  /** Predict at k times the largest D_p seen, for each k. */
  dataMultipliers: number[];
  /** Predict at these D_p values (in the file's own unit). */
  predictAt: number[];
  /** BLEU points: a drop or shortfall larger than this is a break. */
  breakTolerance: number;
  /** Points in the prefix fit used to judge later points. */
  fitFirst: number;
  bleuDelta: number;
  ceDelta: number;

  // (N, D) sweeps
  /** Compute budgets (FLOP) at which to report the compute-optimal N*, D* and loss. */
  computeBudgets: number[];
  chinchillaDelta: number;
  /** For law 'power': the x column of L(x) = E + A*x^(-alpha) (the y column is the loss role). */
  powerX?: string;
}

/** Every option at its default, from the options table (src/core/options/schema.ts), where every default is written. */
export const DEFAULT_OPTIONS: AnalysisOptions = analysisDefaults();

export function withDefaults(partial: Partial<AnalysisOptions> = {}): AnalysisOptions {
  const merged = { ...DEFAULT_OPTIONS };
  for (const [key, value] of Object.entries(partial) as [keyof AnalysisOptions, unknown][]) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}
