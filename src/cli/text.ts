// Human-readable CLI output: aligned tables of fits, curves, predictions and findings, each finding with its hints
// phrased as the flags that apply them (the editor phrases the same hints as settings: src/server/hints.ts).
import type {
  Analysis,
  CurveReport,
  FileSummary,
  Finding,
  FitResult,
  LawSelection,
  Prediction,
  Series,
} from '../core/analysis/types';
import { departureLabel } from '../core/analysis/departureText';
import { hasValue } from '../core/analysis/trust';
import { undeterminedGroups } from '../core/analysis/unseenDrop';
import {
  fitLawName,
  LAW_NAMES,
  meanWeighing,
  notPinnedText,
  shortLawName,
  weightText,
} from '../core/analysis/lawNames';
import { HINT_OPTION_LABELS, withHints, type Hint, type HintOption } from '../core/findings';
import { DEFAULT_MAX_BYTES } from '../core/table';
import { formatBytes } from '../core/table/problems';
import {
  formatBanded,
  formatFlop,
  formatNumber,
  formatR2,
  formatPercent,
  plural,
  pluralNoun,
} from '../core/util/format';
import {
  assumptionText,
  beyondFittedText,
  computeOptimumText,
  newRunEnds,
  predictionAt,
} from '../core/analysis/describe';
import { LAW_OPTIONS } from '../core/options/schema';
import { displayWidth, nameOnLine, oneLine } from './terminal';
import { maxOf } from '../core/util/arrays';

/**
 * A cell that is a number, with a unit or per cent sign at most (`0.945 %`, `4.4e-5`, `42M`, `1.9 s`), or empty: a
 * run named `0/run` or `2024-run` is a name, and its column is left-aligned.
 */
const NUMBER_CELL = /^([-+]?(\d[\d,]*\.?\d*|\.\d+)(e[-+]?\d+)?( ?(%|[kMBTG]|ms|s|x))?)?$/;

/** Left-aligned text columns, right-aligned numbers, two spaces apart; a long name shortened before it sets a width. */
export function table(header: string[], cells: string[][]): string {
  const rows = cells.map((r) => r.map(nameOnLine));
  const widths = header.map((h, j) => Math.max(displayWidth(h), maxOf(rows.map((r) => displayWidth(r[j] ?? '')))));
  const numeric = header.map((_, j) => rows.length > 0 && rows.every((r) => NUMBER_CELL.test(r[j] ?? '')));
  const line = (cells: string[]) =>
    cells
      .map((c, j) => {
        const pad = ' '.repeat(widths[j] - displayWidth(c));
        return numeric[j] ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(header), line(header.map((_, j) => '-'.repeat(widths[j]))), ...rows.map(line)].join('\n');
}

/** The flag that sets each option; null when the command line has none. */
const OPTION_FLAGS: Record<HintOption, string | null> = {
  breakTolerance: '--break-tolerance X',
  fitFirst: '--fit-first K',
  powerX: '--power-x NAME',
  fitOn: '--fit-on NAME[,NAME...]',
  maxBytes: null,
  sizes: '--size CURVE=N',
  sizeExponent: '--size-exponent X',
  departureSigmas: '--departure-sigmas X',
  departurePoints: '--departure-points K',
  warmupSteps: '--warmup-steps N',
};

/** One hint as a sentence naming the flag. */
export function cliHint(hint: Hint): string {
  switch (hint.kind) {
    case 'map-role':
      return hint.roles.length
        ? `Map columns with --columns ${hint.roles.map((role) => `${role}=NAME`).join(',')}.`
        : 'Map columns with --columns role=NAME,... (e.g. --columns step=iter,loss=val_loss,lr=learning_rate).';
    case 'choose-law':
      return hint.law
        ? `Or choose the law with --law ${hint.law}.`
        : `Choose the law with --law ${LAW_OPTIONS.filter((law) => law !== 'auto').join('|')}.`;
    case 'set-option': {
      const label = HINT_OPTION_LABELS[hint.option];
      const flag = OPTION_FLAGS[hint.option];
      return flag
        ? `Set ${label} with ${flag}.`
        : `The command line has no option for ${label} (${formatBytes(DEFAULT_MAX_BYTES)}).`;
    }
  }
}

/**
 * A finding's message as the command line prints it: the core's words, then the flags that fix it; on one line, since
 * it quotes file text (an MLflow param's value, a key) that may hold a newline and would print a line of its own.
 */
export function cliMessage(f: Pick<Finding, 'message' | 'hints'>): string {
  return oneLine(withHints(f.message, (f.hints ?? []).map(cliHint)));
}

function location(f: Finding): string {
  return `${nameOnLine(f.file)}${f.line ? `:${f.line}` : ''}${f.line && f.column ? `:${f.column}` : ''}`;
}

export function formatFindings(findings: Finding[]): string {
  if (findings.length === 0) return '';
  const order = { error: 0, warning: 1, info: 2 } as const;
  const sorted = [...findings].sort((a, b) => order[a.severity] - order[b.severity]);
  return [
    pluralNoun(sorted.length, 'Finding'),
    ...sorted.map(
      (f) =>
        `  ${f.severity.padEnd(7)} ${location(f)}  ${cliMessage(f)} [${f.code}]${f.group ? ` (${nameOnLine(f.group)})` : ''}`,
    ),
  ].join('\n');
}

function formatFit(fit: FitResult): string {
  // Titled by what predicts, as every surface names it; the law choice below gives a mean's full name and weighing.
  const head = `${shortLawName(fit)}${fit.group ? ` · ${nameOnLine(fit.group)}` : ''}${coefficientsOf(fit)}: ${oneLine(fit.formula)}`;
  const status = `${fit.converged ? 'converged' : 'NOT converged'} (${fit.stopReason}, ${fit.iterations} iterations, ${fit.startsTried} starts) · objective ${formatNumber(fit.objective, 6)}`;
  const settings = Object.entries(fit.settings)
    // A mean's weights are the law choice's to list (formatSelection), once.
    .filter(([k]) => !['objective', 'band', 'runBand', 'combination'].includes(k))
    .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : oneLine(String(v))}`)
    // Some values are lists themselves ("500, 500": one per curve): the settings are told apart by a semicolon.
    .join('; ');
  const rows = Object.entries(fit.params).map(([name, value]) => {
    // Its value is no measurement (FitResult.undetermined): why is said under the table, no number shown.
    if (fit.undetermined?.[name]) return [name, 'not determined', '', fit.units[name] ?? ''];
    const ci = fit.intervals?.[name];
    const banded = ci ? formatBanded(value, ci[0], ci[1]) : null;
    return [
      name,
      banded ? banded.value : formatNumber(value, 5),
      banded ? `[${banded.low}, ${banded.high}]` : '',
      fit.units[name] ?? '',
    ];
  });
  const q = fit.quality;
  const quality = `in-sample: R² ${formatR2(q.r2)} · RMSE ${formatNumber(q.rmse)} · PredE ${formatPercent(q.predE)}`;
  const heldOut = fit.heldOut
    ? `\n  held-out mean: PredE ${formatPercent(fit.heldOut.predE)} · WorstE ${formatPercent(fit.heldOut.worstE)} · R² ${formatR2(fit.heldOut.r2)}`
    : '';
  const chosen = fit.selection ? `\n${formatSelection(fit, fit.selection)}` : '';
  const normal = fit.normalized
    ? `\n  solver parametrisation: ${Object.entries(fit.normalized.params)
        .map(([k, v]) => (undeterminedSolver(fit, k) ? `${k}~ not determined` : `${k}~=${formatNumber(v, 5)}`))
        .join(', ')} (${fit.normalized.note})`
    : '';
  return [
    head,
    `  fitted on ${fit.fittedOn.map(nameOnLine).join(', ')} (${fit.points} points) · ${status}`,
    `  ${settings}`,
    indent(table(['coefficient', 'value', '95 % interval', 'unit'], rows), 2),
    ...undeterminedGroups(fit.undetermined).map(({ names, why }) => `  ${names.join(', ')} ${why}`),
    `  ${quality}${heldOut}${chosen}${normal}`,
    ...(fit.unsupported ? [`  NOT SUPPORTED by the data, no prediction from it: ${unsupportedText(fit)}`] : []),
    // Said of a fit whose predictions are shown: an unsupported one shows no band of any kind.
    ...(fit.noRunBand && !fit.unsupported ? [`  ${fit.noRunBand}`] : []),
  ].join('\n');
}

/** Under a mean, whose coefficients and formula follow: one law's, though the mean predicts. */
function coefficientsOf(fit: FitResult): string {
  return fit.selection?.weights ? ` · ${LAW_NAMES[fit.law]}'s coefficients` : '';
}

/** Why the data do not support a fit, its problems in one line. */
function unsupportedText(fit: FitResult): string {
  return (fit.unsupported ?? []).map((p) => p.reason).join('; ');
}

/** The candidates' names column: as wide as the longer name ("LR-annealing law"). */
const LAW_COLUMN = Math.max(LAW_NAMES['lr-annealing'].length, LAW_NAMES.mpl.length);

/** How `--law auto` chose the loss-curve law: each candidate's backtest error (and held-out PredE), then the reason. */
function formatSelection(fit: FitResult, selection: LawSelection): string {
  const heldOut = (law: string) =>
    (law === fit.law ? fit.heldOut : fit.runnerUpFit?.law === law ? fit.runnerUpFit.heldOut : undefined)?.predE;
  const rows = selection.candidates.map((c) => {
    const held =
      fit.heldOut && fit.runnerUpFit?.heldOut ? ` · held-out PredE ${formatPercent(heldOut(c.law) ?? NaN)}` : '';
    const weight = selection.weights?.[c.law];
    const mark =
      weight === undefined
        ? c.law === selection.chosen
          ? '  <- chosen'
          : ''
        : `  <- ${weightText(weight, selection.weightRange?.[c.law])}`;
    // A law with no backtest was no candidate (too few points, said under why): how its terms sat is beside the point.
    const backtest = c.backtestErrors
      ? `backtest error ${formatPercent(c.backtestError)}${held}${c.identified ? '' : ` · ${notPinnedText(c.atBounds)}`}`
      : `not backtested${held}`;
    return `    ${LAW_NAMES[c.law].padEnd(LAW_COLUMN)} ${backtest}${mark}`;
  });
  return [
    selection.weights
      ? `  law chosen automatically by backtest (cuts ${selection.cuts.join(', ')}): the ${fitLawName(fit)}, in predictions and bands:`
      : `  law chosen automatically by backtest (cuts ${selection.cuts.join(', ')}):`,
    ...rows,
    // How the weights beside the rows are made, said once under them.
    ...(selection.weights ? [`    weights: ${meanWeighing(!!selection.weightRange)}`] : []),
    `    why: ${selection.reason}`,
  ].join('\n');
}

function indent(text: string, n: number): string {
  return text
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');
}

/**
 * The predictions table: where, the value and its band by the band rule (compute budgets lead, above); a curve that
 * left its law below it keeps its numbers, flagged in the note (one above it has none: its row says why).
 */
function formatPredictions(predictions: Prediction[], curves: CurveReport<Series>[], fits: FitResult[]): string {
  const departed = new Map(curves.flatMap((c) => (c.departure ? [[c.name, `⚠ ${departureLabel(c.departure)}`]] : [])));
  const listed = predictions.filter((p) => p.xName !== 'C');
  // A sweep law's new-run band gets a column of its own, beside the law's band, where some prediction has one.
  const runs = listed.some((p) => hasValue(p) && p.runLow !== undefined);
  const rows = listed.map((p) => {
    // A withheld prediction has no number to print: its row says why instead.
    if (!hasValue(p))
      return [p.curve ?? p.group ?? '', p.metric, predictionAt(p), 'none', '', ...(runs ? [''] : []), p.statusReason];
    const banded = formatBanded(p.value, p.low, p.high);
    return [
      p.curve ?? p.group ?? '',
      p.metric,
      predictionAt(p),
      banded ? banded.value : formatNumber(p.value, 5),
      banded ? `[${banded.low}, ${banded.high}]` : '',
      ...(runs ? [newRunEnds(p)] : []),
      [beyondFittedText(p.beyondFitted), assumptionText(p), departed.get(p.curve ?? '') ?? '']
        .filter(Boolean)
        .join('; '),
    ];
  });
  if (!rows.length) return '';
  const header = ['curve / group', 'metric', 'at', 'value', 'band', ...(runs ? ['new run'] : []), 'note'];
  const title = runs
    ? `${pluralNoun(rows.length, 'Prediction')} (95 % bands: the law's, and a new run's: the law's plus the runs' scatter about it)`
    : fits.some((f) => f.nextPointBand)
      ? `${pluralNoun(rows.length, 'Prediction')} (95 % band: where the run's next logged point falls)`
      : `${pluralNoun(rows.length, 'Prediction')} (95 % band)`;
  return `${title}\n${indent(table(header, rows), 2)}`;
}

/** What to train at each compute budget, first: N*, D*, the loss, and how far past the fitted runs that lies. */
function formatBudgets(predictions: Prediction[]): string {
  const budgets = predictions.filter((p) => p.xName === 'C');
  if (!budgets.length) return '';
  return [
    'Compute-optimal (95 % band)',
    ...budgets.map((p) => {
      const asked = p.reason === 'compute budget' ? '' : ` (${p.reason}; --compute C asks for others)`;
      return `  C = ${formatFlop(p.x)} FLOP${asked}: ${computeOptimumText(p)}`;
    }),
  ].join('\n');
}

function formatCurves(analysis: Analysis<Series>): string {
  const rows = analysis.curves.map((c) => [
    c.name,
    c.metric,
    c.role,
    String(c.points.x.length),
    c.metrics ? formatPercent(c.metrics.predE) : '',
    c.metrics ? formatPercent(c.metrics.worstE) : '',
    c.metrics ? formatR2(c.metrics.r2) : '',
    c.metrics ? formatNumber(c.metrics.mae) : '',
    c.metrics ? formatNumber(c.metrics.rmse) : '',
  ]);
  if (!rows.length) return '';
  return `${pluralNoun(rows.length, 'Curve')} (held-out rows score a prediction from the fit; fit rows are in-sample)\n${indent(table(['curve', 'metric', 'role', 'points', 'PredE', 'WorstE', 'R²', 'MAE', 'RMSE'], rows), 2)}`;
}

export function formatAnalysis(analysis: Analysis<Series>): string {
  const parts = [
    `Scaling Lens · ${plural(analysis.files.length, 'file')} · ${analysis.kind} · parsed in ${analysis.timings.parseMs.toFixed(0)} ms, fitted in ${analysis.timings.fitMs.toFixed(0)} ms`,
    formatBudgets(analysis.predictions),
    ...analysis.fits.map(formatFit),
    formatCurves(analysis),
    formatPredictions(analysis.predictions, analysis.curves, analysis.fits),
    formatFindings(analysis.findings),
  ];
  return parts.filter(Boolean).join('\n\n') + '\n';
}

export function formatInspection(files: FileSummary[], curves: Map<string, string[]>, findings: Finding[]): string {
  const parts = files.map((f) => {
    const cols = f.columns.map((c) => [c.name, c.role ?? '', String(c.numeric), String(c.text), String(c.empty)]);
    const names = curves.get(f.file) ?? [];
    return [
      nameOnLine(f.file),
      `  format ${f.format}${f.delimiter ? ` (delimiter ${JSON.stringify(f.delimiter)})` : ''} · kind ${f.kind} · ${f.rows} rows read · ${f.rowsRejected} rejected${f.headerLine ? ` · header on line ${f.headerLine}` : ''} · ${f.bytes} bytes`,
      indent(table(['column', 'role', 'numeric', 'text', 'empty'], cols), 2),
      names.length
        ? `  ${f.kind === 'downstream' ? 'groups' : 'curves'} (${names.length}): ${names.map(nameOnLine).join('; ')}`
        : '',
      f.notes.length ? `  notes: ${f.notes.map(oneLine).join(' ')}` : '',
    ]
      .filter(Boolean)
      .join('\n');
  });
  return [...parts, formatFindings(findings)].filter(Boolean).join('\n\n') + '\n';
}

/**
 * Whether a solver parameter stands for a coefficient the fit does not determine: the solver's names are the
 * coefficients' own or their lower-case scaled forms (MPL's b, c for B, C; "ln c" for C).
 */
function undeterminedSolver(fit: FitResult, name: string): boolean {
  const coefficient = name.replace(/^ln /, '');
  return Boolean(fit.undetermined?.[coefficient] ?? fit.undetermined?.[coefficient.toUpperCase()]);
}
