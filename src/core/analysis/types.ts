// The one value every consumer reads: parsed data, fits, predictions and findings for a set of run files.
// Plain JSON-serialisable data (numbers, strings, arrays), so the language server, the chart panel and the CLI's
// `--json` all share it without conversion. Field names here are a public contract: other tools read them.
import type { FindingCode, Hint } from '../findings';
import type { ColumnRole, FileFormat, FileKind, JoinedLines, MetricFileLines, Severity } from '../table/types';
import type { CarriedTerms, LossDropConvention } from '../laws/lossDrop';
import type { AreaResume, WarmupConvention } from '../laws/schedule';
import type { Reach } from './reach';

export type LawId =
  'lr-annealing' | 'mpl' | 'lr-annealing-size' | 'bleu' | 'downstream-ce' | 'chinchilla' | 'power' | 'mpl-size';

/** The laws of the loss over curves of several model sizes, fitted together (sizeAnalysis.ts). */
export type SizeLawId = 'lr-annealing-size' | 'mpl-size';

/** The laws of a loss curve under an LR schedule, among which `law: 'auto'` chooses. */
export type LossLawId = 'lr-annealing' | 'mpl';

/** One loss-curve law as the automatic choice weighed it. */
export interface LawCandidate {
  law: LossLawId;
  /** Mean |p - y| / y on the rows after each backtest cut, averaged over cuts and fit curves (a fraction). */
  backtestError: number;
  /**
   * The backtest's errors one by one: each cut of each fit curve (cut by cut, curves in fit order; a fraction). What
   * tells a clear verdict from a narrow one.
   */
  backtestErrors?: number[];
  /** Parameters of the full fit held by their bounds (solver's names), i.e. not pinned down by the fit curves. */
  atBounds: string[];
  /** Whether the fit curves pin the law's terms down (for MPL: its loss-drop term; the Tissue law always is). */
  identified: boolean;
}

/**
 * Bootstrap refits as solver parameters (the LR-annealing law's L0, A, alpha, C of `normalized`; the multi-power
 * law's MULTI_POWER_PARAMETERS, ln c for c). `centre`: for a law whose replicates are read relative to a refit of the
 * unperturbed points (the multi-power law: replicate = prediction × refit / centre, both with the compressed sum),
 * that refit; absent when a replicate is the refit's own prediction.
 */
export interface LawRefits {
  sets: number[][];
  centre?: number[];
}

/** Why a loss fit used its law, when the law was chosen automatically (`law: 'auto'`). */
export interface LawSelection {
  candidates: LawCandidate[];
  chosen: LossLawId;
  /** The runner-up, which the chart can overlay. */
  runnerUp: LossLawId;
  /** The rule's verdict in words. */
  reason: string;
  /** Fractions of each fit curve's loss rows a backtest fitted on (the rest scored). */
  cuts: number[];
  /**
   * When the predictions are a weighted mean of both laws' (the fit curves cannot tell which law carries LR drops to
   * other schedules): each law's weight, summing to 1. `chosen` then names the law whose coefficients are reported.
   */
  weights?: Record<LossLawId, number>;
  /**
   * When the weights vary with the prediction (each law weighted at each step of each curve by the inverse of its
   * bootstrap spread there): each law's lowest and highest weight; `weights` then holds each law's mean weight.
   */
  weightRange?: Record<LossLawId, [number, number]>;
  /**
   * With `weightRange`: each law's bootstrap refits its spreads were measured from (solver parameters), so that a
   * schedule never logged (a what-if) is weighed as the curves were (whatIf.ts). The LR-annealing law's coefficients
   * are the fit's `normalized`, the multi-power law's its runnerUpFit's.
   */
  spreadRefits?: Record<LossLawId, LawRefits>;
  /**
   * The LRs the fit curves drop to (where each ends, and any it holds for a tenth of its steps), as fractions of
   * their peak LR below 0.8, distinct levels only (ascending): two or more pin the multi-power law's drop term down.
   */
  dropLevels?: number[];
  /**
   * True when every fit curve that drops holds its lowered LR through every backtest tail (a two-stage run's second
   * stage): the backtest then scores how each law carries a drop on at a held LR, and counts as with two drop levels.
   */
  heldDrop?: boolean;
}

/** A cell by its column: a JSON key, or a field of delimited text by its position on the row. */
export interface FindingCell {
  /** The column's name (a header name, or a JSON key). */
  name: string;
  /** Delimited text: the field's 0-based position on the row and the delimiter; absent for a JSON line. */
  field?: number;
  delimiter?: string;
  /**
   * JSON whose records are pretty-printed objects (a trainer_state.json's log_history entries): the finding's line is
   * the record's opening `{`, and the key lies on a line of its own below it.
   */
  inObject?: true;
  /**
   * With inObject, where the table knows it: the 1-based column of the record's `{` on the finding's line, so a record
   * written on one line among others is searched alone (Table.objectColumns).
   */
  objectAt?: number;
  /** The value's 1-based character column on its line, where the table knows it (a value in a JSON column array). */
  at?: number;
  /**
   * The cell's value as the message shows it, where that may not be how the file writes it: the table holds `1e400`
   * (past the doubles) or `inf` as Infinity, `-0` or `1e-400` (below them) as 0, so the shells quote the cell's text
   * in its place where it differs (locatedCell).
   */
  shown?: string;
}

/** Where a finding points. Lines and columns are 1-based; line 0 means the file as a whole. */
export interface Finding {
  /** A code of the catalogue (src/core/findings.ts), documented under the same anchor in README.md. */
  code: FindingCode;
  severity: Severity;
  /** What is wrong and what it means; never a CLI flag or an editor setting (the shells phrase `hints`). */
  message: string;
  file: string;
  line: number;
  column?: number;
  /** The column just past what the finding points at on `line`, when known (a located cell); else one character. */
  endColumn?: number;
  /**
   * The cell of the row a finding is about, where the table knows it but not its character column (the parsed table
   * keeps no positions): the shells find the column on the line's text (cellColumn.ts).
   */
  cell?: FindingCell;
  /** Last line of the range the finding covers (defaults to `line`). */
  endLine?: number;
  curve?: string;
  group?: string;
  /** For a finding about many rows of the same kind: how many (the first is `line`, the next few are `related`). */
  rows?: number;
  /** For a finding about many curves or groups of the same kind: how many (the first is `curve` or `group`, the next few
   * are `related`). */
  curves?: number;
  /** Other rows that bear on the finding (e.g. the points that disagree with a break). */
  related?: { file: string; line: number; message: string }[];
  /** Fixes outside the file, as data; each shell says how in its own terms. */
  hints?: Hint[];
}

/** The metrics of docs/laws-loss.md, Metrics, for one curve or group. Relative errors are fractions (0.0021 = 0.21 %). */
export interface Metrics {
  predE: number;
  worstE: number;
  r2: number;
  mae: number;
  rmse: number;
  points: number;
  /**
   * A fit's in-sample R² over its points without gross outliers (metrics.ts scoreFit), when R² itself is low enough
   * for the fit-quality verdict to turn on it: one spike of a loss log takes R² to 0 on its own.
   */
  r2WithoutOutliers?: number;
}

export interface FitResult {
  law: LawId;
  /** Display name of what was fitted: the group label for per-group laws, undefined for a fit across curves. */
  group?: string;
  groupFields?: Record<string, string | number>;
  formula: string;
  /** Coefficients in the user's units (raw LR, tokens as written in the file, ...). */
  params: Record<string, number>;
  /** Unit of each coefficient, e.g. { A: 'loss · (LR·step)^alpha' }. */
  units: Record<string, string>;
  /** The same law in the parametrisation the solver used (e.g. LR areas divided by the peak LR), when different. */
  normalized?: { params: Record<string, number>; note: string };
  /** 95 % intervals per coefficient when a bootstrap was run. */
  intervals?: Record<string, [number, number]>;
  objective: number;
  converged: boolean;
  stopReason: string;
  iterations: number;
  startsTried: number;
  /** Names of the curves (or the group) whose points were fitted. */
  fittedOn: string[];
  points: number;
  /** Settings that shaped the fit: lambda, warmup convention, Huber delta, log base, units, ... */
  settings: Record<string, string | number | boolean>;
  /** In-sample quality on the fitted points. */
  quality: Metrics;
  /** Average over held-out curves of their metrics (docs/laws-loss.md, Metrics), when some curves were held out. */
  heldOut?: Metrics;
  /** Loss curves under `law: 'auto'`: the candidate laws, their backtest errors and why this one was chosen. */
  selection?: LawSelection;
  /** Solver parameters held by their bounds (solver names, fixed parameters left out); absent when not checked. */
  atBounds?: string[];
  /**
   * Loss curves under `law: 'auto'`: the law not chosen (selection.runnerUp), fitted on the same curves, so that its
   * predictions can be shown beside the chosen law's (each curve's CurveReport.runnerUp). Absent on a live update's
   * warm refit, which refits the chosen law only.
   */
  runnerUpFit?: RunnerUpFit;
  /**
   * Why the data do not support this fit (fitVerdict.ts), one entry per problem; absent when they do. An unsupported
   * fit's predictions have no value (Prediction.status 'fit-unsupported').
   */
  unsupported?: FitProblem[];
  /**
   * Loss-curve fits whose fit curves never lower their LR (unseenDrop.ts): the lowest LR they were logged at, as a
   * fraction of their peak. A prediction (a curve's, a what-if's) whose LR falls lower is withheld: nothing in the fit
   * curves shows how the loss answers that drop. Absent when they show a drop.
   */
  lrFloor?: number;
  /**
   * Coefficients the fit curves do not determine, each with why (unseenDrop.ts, markUndetermined): their value in
   * `params` is where the fit started, not a measurement, and they have no interval. Every surface says so instead of
   * showing the number. Absent when every coefficient is determined.
   */
  undetermined?: Record<string, string>;
  /**
   * The multi-power law fitted on curves whose every LR drop is one step to one LR (dropLevels.ts oneStepLanding):
   * that LR and the gamma its solver left. A schedule that falls to other LRs is predicted with that gamma, which the
   * fit curves do not determine (gammaAssumed says so).
   */
  oneStepLanding?: OneStepLanding;
  /**
   * Loss-curve fits: the lowest and highest peak LR of the fit curves (lrPeaks.ts). A what-if schedule whose LR lies
   * far outside them is refused (whatIf.ts).
   */
  lrPeaks?: { lowest: number; highest: number };
  /**
   * Loss-curve and model-size fits whose logs start far from their runs' start (areaReach.ts): their reach in S1 (the LR summed from
   * step 1, under the `warmup` convention), past which a prediction (a curve's target, a what-if's step) is withheld.
   * Absent when the logs start near their runs' start.
   */
  s1Reach?: Reach & { warmup: WarmupConvention };
  /**
   * Sweep laws without a new-run band (Prediction.runLow/runHigh): why (too few fitted points to measure how runs
   * scatter about the law). Absent when the band is given, and for the loss-curve laws.
   */
  noRunBand?: string;
  /**
   * A power law fitted along one run's log (a loss curve's steps): its band (Prediction.low/high) is where that run's
   * next logged point falls, the law's uncertainty and the curve's noise, as a loss-curve law's band is, not where
   * the law lies; it has no new-run band (noRunBand says why). Absent for every other fit.
   */
  nextPointBand?: true;
}

/** The runner-up law's fit as a fit reports it: its coefficients, the settings its predictions need, its scores. */
export type RunnerUpFit = Pick<
  FitResult,
  | 'law'
  | 'formula'
  | 'params'
  | 'units'
  | 'normalized'
  | 'intervals'
  | 'settings'
  | 'objective'
  | 'converged'
  | 'unsupported'
  | 'undetermined'
> & {
  /** In-sample quality on the fitted points, and the mean over held-out curves when some were held out. */
  quality: Metrics;
  heldOut?: Metrics;
};

/**
 * A loss curve under the runner-up law of an automatic choice, at the steps a chart draws it rather than at every row
 * (a million-row log keeps a few hundred values): some of its logged steps, evenly and log-spaced, then its targets.
 */
export interface RunnerUpSeries {
  law: LossLawId;
  /** Steps, ascending. */
  x: number[];
  predicted: number[];
  /** The runner-up's own 95 % band at each step (NaN when it was not bootstrapped). */
  low: number[];
  high: number[];
}

/** One reason the data do not support a fit, with the finding code that reports it. */
export interface FitProblem {
  code: Extract<
    FindingCode,
    'fit-points-few' | 'fit-at-bounds' | 'fit-interval-wide' | 'fit-r2-low' | 'curves-disagree' | 'compute-levels-few'
  >;
  /** What is wrong, in a user's words, short enough for a lens ("R² -0.02: the law explains none of the loss"). */
  reason: string;
}

/**
 * Whether a prediction has a value. 'ok': it has; 'law-broken': the law left the data before this x (a BLEU law
 * break), so it does not hold here; 'fit-unsupported': the data do not support the fit (FitResult.unsupported);
 * 'law-departed': the run's latest points have left its law (CurveReport.departure).
 */
export type PredictionStatus = 'ok' | 'law-broken' | 'fit-unsupported' | 'law-departed';

/** The one LR every drop of a fit's curves lands at, and the gamma the solver left (FitResult.oneStepLanding). */
export interface OneStepLanding {
  lr: number;
  gamma: number;
}

/** What every prediction carries besides its value. */
export interface PredictionBase {
  metric: 'loss' | 'bleu' | 'ce';
  curve?: string;
  group?: string;
  groupFields?: Record<string, string | number>;
  /** For loss curves: the step predicted. */
  step?: number;
  /** The x the prediction is at, with its name (step, D_p, C, ...). */
  x: number;
  xName: string;
  /** For downstream targets set as a multiple of the largest D_p seen: that multiple. */
  dataMultiplier?: number;
  /** Why this target: 'configured', 'data-multiplier ×2', 'end of schedule', 'compute budget', ... */
  reason: string;
  /** Extra named values (e.g. N*, D* on the compute-optimal frontier). */
  extra?: Record<string, number>;
  /** What the prediction assumes beyond the data, in a phrase: "LR held at 3e-5 after step 20k" (loss curves). */
  assumption?: string;
  /** The inputs of the prediction that lie past the largest value fitted (an extrapolation), e.g. N* past every N. */
  beyondFitted?: BeyondFitted[];
}

/**
 * One input of a prediction outside the data: its value and the largest value of the same input among the fitted rows
 * (and the smallest, when it lies below that).
 */
export interface BeyondFitted {
  name: string;
  value: number;
  largestFitted: number;
  /** Set when the value lies below the smallest value of the input fitted (an extrapolation downward). */
  smallestFitted?: number;
}

/** A prediction with its value and 95 % band (NaN band ends when no bootstrap ran). */
export interface PredictedValue {
  status: 'ok';
  value: number;
  /** The law's band: where the fitted law lies (for a sweep law, its coefficients' uncertainty only). */
  low: number;
  high: number;
  /**
   * Sweep laws (compute, power, BLEU, CE): the 95 % band of a new run's value here, the law's refits each plus a
   * residual drawn from the fit (bands.ts newRunBand); NaN ends when no bootstrap ran. Absent for the loss-curve
   * laws, whose band already holds the runs' noise, and for a sweep law whose fit says why in FitResult.noRunBand.
   */
  runLow?: number;
  runHigh?: number;
}

/** A prediction withheld: the law broke before this x, or the data do not support the fit. No number, a reason. */
export interface WithheldValue {
  status: Exclude<PredictionStatus, 'ok'>;
  value: null;
  low: null;
  high: null;
  /** Why there is no value, in a user's words. */
  statusReason: string;
}

export type Prediction = PredictionBase & (PredictedValue | WithheldValue);

/**
 * A per-point series. The Analysis as written out (JSON, the CLI) holds number[]; inside the language server a loss
 * curve's series stay the typed arrays the analysis computed them in (a million-row log would otherwise be copied to
 * number[] and back on its way between threads), and its chart reads them so. plainAnalysis turns one into the other.
 */
export type Series = number[] | Float64Array | Int32Array;

/** One series of observed points with the law's prediction at each. Parallel arrays, one entry per point. */
export interface SeriesPoints<S extends Series = number[]> {
  x: S;
  observed: S;
  predicted: S;
  /** Band of the prediction at each point (same method as Prediction.low/high). */
  low: S;
  high: S;
  /** A new run's band at each point, where the predictions have one (Prediction.runLow/runHigh). */
  runLow?: S;
  runHigh?: S;
  /** Source line of each point in `file`. */
  lines: S;
  /**
   * Where a point's row was joined from records on several lines (Table.joinedLines): the other records' lines and
   * their rows' (a point's line), so a position on any record of a row finds its point.
   */
  joinedLines?: JoinedLines<S>;
  /** The metric files of its own the points' values were read from (a run folder of DVCLive or MLflow), each line's step. */
  metricFiles?: MetricFileLines<S, S>[];
  /** Where lines hold several values (JSON column arrays written ten to a line, or on one line): CellSteps. */
  cellSteps?: CellSteps<S, S>;
}

/**
 * The cells of a curve's file (its step, loss and LR, and any other column: grad_norm, tokens) on lines that hold
 * several values, by line and then 1-based character column, each with its point's step (NaN where its row gave the
 * curve no point), so a position finds the value under it rather than its line's first row.
 */
export interface CellSteps<L extends ArrayLike<number> = number[], S extends ArrayLike<number> = number[]> {
  lines: L;
  columns: L;
  steps: S;
}

export interface CurveReport<S extends Series = number[]> {
  name: string;
  file: string;
  /** fit: its points were fitted; heldout: predicted from a fit on other curves and scored; unfitted: no law applied. */
  role: 'fit' | 'heldout' | 'unfitted';
  law?: LawId;
  xName: string;
  metric: 'loss' | 'bleu' | 'ce';
  points: SeriesPoints<S>;
  /**
   * Indices of the points of a 'fit' curve that the fit did not use (a BLEU group's points from its law break on),
   * ascending; every other point of a 'fit' curve was fitted. Absent: all were. No point of another role was fitted.
   */
  notFitted?: number[];
  /** Per-step LR as logged (loss curves only), for the schedule view. */
  schedule?: { steps: S; lr: S };
  /** Metrics of the prediction on this curve's points (held-out score for held-out curves, in-sample for fitted). */
  metrics?: Metrics;
  /** The 1-based line of the curve's first row, where the extension puts its CodeLens. */
  firstLine: number;
  /** Group fields for downstream series. */
  group?: string;
  groupFields?: Record<string, string | number>;
  /** Downstream series: the group's not-pretrained baseline (D_p = 0 / 'none'), which is never fitted. */
  baseline?: { value: number; line: number };
  /** Rows the file flags to leave out of the fit (e.g. epoch_excluded = 1): the flag column's name. Never fitted. */
  excludedBy?: string;
  /** Loss curves under `law: 'auto'`: the runner-up law's prediction of this curve (FitResult.runnerUpFit). */
  runnerUp?: RunnerUpSeries;
  /** Loss curves: where its latest points left its law (the finding law-departure); absent when they did not. */
  departure?: LawDeparture;
  /** Loss curves with a schedule: its laws' sums at the log's end, to carry on past it (LogEndSums). */
  logEnd?: LogEndSums;
  /** The model size N (parameters) the model-size law knows this curve by (`lr-annealing-size` only). */
  modelSize?: number;
  /**
   * An (N, D) sweep's size curve: its law along compute at its N (a bin's geometric mean), from its first run's C to
   * COMPUTE_LINE_REACH times its last, with the law's band and a new run's there (the chart's line and bands). The
   * bands at its points are at each run's own N, off this line in a bin of many sizes.
   */
  lawLine?: LawLine;
  /**
   * Loss curves: the step from which no law value is shown, and why (the curve's LR falls lower than the fit curves
   * ever did: unseenDrop.ts); points from it on have a NaN prediction and are not scored.
   */
  withheldFrom?: { x: number; reason: string };
}

/** A law along a grid of x with its bands (BandedPrediction's series as number[]). */
export interface LawLine {
  x: number[];
  value: number[];
  low: number[];
  high: number[];
  runLow?: number[];
  runHigh?: number[];
}

/**
 * A curve's sums over its schedule at the log's end under its fit's laws (the chosen and the runner-up, or a mean's
 * two), as the chart carries them past the log (chart/whatIf.ts logEndSums): summed with the analysis in its worker,
 * so the server's chart makes no pass over a long schedule. Each says what it was summed under; the chart sums again
 * for anything else.
 */
export interface LogEndSums {
  /** The LR-annealing law's areas where lrAreas stops stepping (its resume), under this lambda and convention. */
  areas?: { lambda: number; warmup: WarmupConvention; resume: AreaResume };
  /** The multi-power law's compressed loss-drop terms at the last change of LR, in this LR unit and conventions. */
  drops?: { etaRef: number; convention: LossDropConvention; warmupSteps?: number; terms: CarriedTerms };
}

/**
 * What a stretch off the law looks like: a spike (off at once, not recovered), a divergence (the loss rises), a
 * plateau (the loss falls slower than the law, so it drifted off), a drop (below the law).
 */
export type DepartureKind = 'spike' | 'divergence' | 'plateau' | 'drop';

/** Where a loss curve left its own law (docs/findings.md#law-departure), and how it was judged. */
export interface LawDeparture {
  /** First step of the stretch off the law, and its source line. */
  step: number;
  line: number;
  /** The curve's last step: the stretch runs to it. */
  lastStep: number;
  kind: DepartureKind;
  side: 'above' | 'below';
  /** Points in the stretch, those of them off the law (beyond the tolerance), and those outside the curve's 95 % band
   * (null when it has no band). */
  points: number;
  off: number;
  outsideBand: number | null;
  /** Largest relative distance from the law in the stretch (0.05 = 5 %). */
  worst: number;
  /** The distance from the law that counted as off, relative (0.012 = 1.2 %): `sigmas` robust standard deviations. */
  tolerance: number;
  sigmas: number;
  /** The shortest stretch that counts (the departurePoints option). */
  minPoints: number;
}

export interface ColumnSummary {
  name: string;
  role?: ColumnRole;
  numeric: number;
  text: number;
  empty: number;
}

export interface FileSummary {
  file: string;
  format: FileFormat;
  delimiter?: string;
  kind: FileKind;
  rows: number;
  rowsRejected: number;
  columns: ColumnSummary[];
  notes: string[];
  headerLine: number;
  bytes: number;
}

/**
 * What an analysis fitted: a kind of file (a loss curve, a downstream or an (N, D) sweep), or `power`: the one-variable
 * power law L(x) = E + A*x^(-alpha) over the column the user named (law 'power'), whatever the file is. A power law
 * fitted to a loss curve's steps is no (N, D) fit, so it is never said, charted or predicted as one.
 */
export type AnalysisKind = FileKind | 'power';

export interface Analysis<S extends Series = number[]> {
  version: 1;
  kind: AnalysisKind;
  files: FileSummary[];
  curves: CurveReport<S>[];
  fits: FitResult[];
  predictions: Prediction[];
  findings: Finding[];
  /** Milliseconds spent parsing and fitting, for the status item and benchmarks. */
  timings: { parseMs: number; fitMs: number };
  /**
   * Set only on a language server's first answer for a long log under `law: 'auto'` (finishAnalysisWith): the
   * analysis with the loss-curve law forced to `law`, shown while the automatic choice is still being made and then
   * replaced. Never set by `fit`.
   */
  provisional?: { law: LossLawId };
}

/** What one law's analysis of one file contributes to the Analysis. */
export interface LawAnalysis<S extends Series = number[]> {
  curves: CurveReport<S>[];
  fits: FitResult[];
  predictions: Prediction[];
  findings: Finding[];
}
