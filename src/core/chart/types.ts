// The chart panel's view model: what the server sends the webview, already downsampled. Plain JSON, like Analysis.
// Everything a file supplied (curve, group and column names) travels here as data and is rendered as text.
import type { AnalysisKind, LawId, Prediction, Series } from '../analysis/types';

export type PanelId = 'main' | 'secondary';

export interface ChartPanelSpec {
  id: PanelId;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Defaults: log where the law is a power law. The user's toggles override them. */
  logX: boolean;
  logY: boolean;
}

export type SeriesKind =
  /** Observed rows (points). */
  | 'observed'
  /** The fitted law: through the observed x and on to the targets. */
  | 'law'
  /** Uncertainty band of the law: y = low, y2 = high. */
  | 'band'
  /** A sweep law's new-run band (where a new run would land: the law plus its runs' scatter), drawn lighter. */
  | 'run-band'
  /** Per-step LR as logged. */
  | 'schedule'
  /** The LR the law assumes after the log (held at its last value), to the furthest target: drawn dashed. */
  | 'schedule-assumed'
  /** Predictions at the targets (points). */
  | 'target'
  /** The not-pretrained baseline (dashed horizontal line). */
  | 'baseline'
  /** The compute-optimal frontier L*(C). */
  | 'frontier'
  /** The runner-up law of an automatic choice (CurveReport.runnerUp), through the observed x and on to the targets. */
  | 'runner-up'
  /** The runner-up law's own band: y = low, y2 = high. */
  | 'runner-up-band';

/**
 * `S`: number[] as sent (sampled); the full-resolution model (series.ts ChartModel) holds the analysis's own arrays,
 * typed in the language server, where converting a million-row log's to number[] for the chart cost it 0.2 s.
 */
export interface ChartSeries<S extends Series = number[]> {
  /** Stable across refreshes and windows: the webview matches datasets by it. */
  id: string;
  label: string;
  kind: SeriesKind;
  panel: PanelId;
  /** The group-filter key (curve name, downstream group, model size); '' = always shown. */
  group: string;
  /** Fitted, held out (predicted from other curves), not fitted, or flagged in the file to leave out (greyed). */
  role?: 'fit' | 'heldout' | 'unfitted' | 'excluded';
  x: S;
  y: S;
  /** Upper edge of a band. */
  y2?: S;
  /** The law's prediction at each observed point (residuals, tooltips). */
  predicted?: S;
  /** Source line of each point, for tooltips. */
  lines?: S;
  /** Points at or after this x left the law (a BLEU break, a loss curve's law-departure): drawn highlighted. */
  breakX?: number;
  /** Points before downsampling (and windowing). */
  total: number;
}

export interface ChartMarker {
  panel: PanelId;
  kind: 'target' | 'break';
  x: number;
  /** A target's predicted value: its label, split from others at its x, sits near it. */
  y?: number;
  label: string;
  group: string;
}

export interface ChartFit {
  law: LawId;
  /** The law its predictions come from, by name (a mean of laws named as such: lawNames.ts fitLawName). */
  name: string;
  group?: string;
  formula: string;
  params: Record<string, number>;
  /** Coefficients the fit curves do not determine (FitResult.undetermined): shown as such, not as their number. */
  undetermined?: string[];
}

/** Defaults for the what-if form, from the loss-curve fit; absent when the file has no such fit. */
export interface WhatIfDefaults {
  /** The law the what-if curves are predicted with, named for the form's title (whatIfLawName). */
  law: string;
  peakLr: number;
  warmupSteps: number;
  totalSteps: number;
  /** First logged step of the fitted runs: what-if curves start there too. */
  fromStep: number;
  /** The file's own schedule, which the 'logged' shape continues: the fitted run logged longest, its last row. */
  logged?: { curve: string; lastStep: number; lastLr: number };
  /**
   * The model-size law's fitted sizes N, ascending, and whether it can predict other sizes (three sizes or more, or
   * the size exponent held); absent for the other laws.
   */
  sizes?: { fitted: number[]; extrapolates: boolean };
  /**
   * The fit's curves never lower their LR (FitResult.lrFloor): the lowest LR they were logged at, as a fraction of
   * their peak. A what-if that falls lower is refused, so the defaults compare schedules that stay above it.
   */
  lrFloor?: number;
  /**
   * The fit's logs start far from their runs' start (FitResult.s1Reach): the most total steps a schedule held at the
   * peak LR may run before its S1 leaves their reach, so the defaults compare schedules the fit can predict.
   */
  reachSteps?: number;
  /**
   * Why the law predicts no what-if, as the lens withholds its runs' predictions (status 'law-departed'): `all` when
   * every fitted run left it, `logged` when the run whose schedule 'logged' continues did. Absent when none did.
   */
  departed?: { all?: string; logged?: string };
}

/** `S`: as ChartSeries's. */
export interface ChartData<S extends Series = number[]> {
  kind: AnalysisKind;
  panels: ChartPanelSpec[];
  series: ChartSeries<S>[];
  markers: ChartMarker[];
  /** Group-filter entries in display order. */
  groups: string[];
  fits: ChartFit[];
  predictions: Prediction[];
  /** Things a user should know about what is (not) drawn, e.g. rows with x <= 0 on a log axis. */
  notes: string[];
  whatIf?: WhatIfDefaults;
  /** The legend lists each group once, under the group's name, however few the groups (the model-size law's N=25M). */
  legendByGroup?: boolean;
  /** Loss curves under `law: 'auto'` with a runner-up to overlay: both laws by name and why the chosen one won. */
  lawChoice?: LawChoiceText;
  /** The x window these series were sampled for (absent: the whole range). */
  window?: XWindow;
  /** Whether x was sampled in log space. */
  logX: boolean;
}

/** How the loss-curve law was chosen, in a user's words (LawSelection). */
export interface LawChoiceText {
  chosen: string;
  runnerUp: string;
  reason: string;
  /** The largest relative difference of the runner-up's predictions from the chosen law's at the targets. */
  targetGap?: number;
  /** Why the data do not support the runner-up (RunnerUpFit.unsupported), which is then drawn through the log only. */
  unsupported?: string;
}

export interface XWindow {
  xMin: number;
  xMax: number;
}

/** A schedule to try with the fitted LR-annealing law. Fractions are of the total steps. */
export interface WhatIfSpec {
  /**
   * 'logged': the file's own schedule as logged (WhatIfDefaults.logged), scaled so that its peak is `peakLr`, cut at
   * `totalSteps` and held at its last LR past the log, as every prediction beyond the log assumes.
   */
  shape: 'constant' | 'cosine' | 'wsd' | 'multistep' | 'logged';
  peakLr: number;
  warmupSteps: number;
  totalSteps: number;
  /** Final LR as a fraction of the peak (cosine, WSD). */
  minLrRatio: number;
  /** WSD: fraction of the steps spent decaying. */
  decayFraction: number;
  /** WSD: how the LR falls during the decay. */
  decayShape: 'linear' | 'cosine' | 'sqrt';
  /** Multi-step: where the LR is multiplied by `factor`, as fractions of the steps. */
  milestones: number[];
  factor: number;
  /** The model size N (parameters) to predict, for the model-size law (default: the largest fitted size). */
  modelSize?: number;
}

export interface WhatIfCurve {
  label: string;
  spec: WhatIfSpec;
  steps: number[];
  loss: number[];
  lr: number[];
  finalLoss: number;
  /** What the prediction assumes beyond the fit curves, in a phrase (Prediction.assumption): a gamma not determined. */
  assumption?: string;
}

/** Errors as values: every chart request answers with data or a message a person can act on. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; message: string };
