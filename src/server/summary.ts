// The FitSummary of one file: the line the language status item, the Fit command and the log show. Built here
// only, so every state (fitting, done, skipped, error) carries the same fields.
import { describePrediction } from '../core/analysis/describe';
import type { Analysis, FitResult, Series } from '../core/analysis/types';
import { formatNumber, formatR2, plural } from '../core/util/format';
import { shownOnOneLine } from '../core/util/controls';
import type { FitState, FitSummary } from '../shared/protocol';
import type { JobResult } from './job';
import { editorMessage } from './hints';
import { notificationText } from '../shared/markdown';
import { shownLawName } from './present';

/** The counts and provenance of a summary; what is left out (or undefined) is zero, unknown or "not from disk". */
export type SummaryDetails = Partial<Omit<FitSummary, 'uri' | 'state' | 'message'>>;

/** A summary with defaults for what is not given; a failure with no findings behind it counts as one error. */
export function summaryOf(uri: string, state: FitState, message: string, details: SummaryDetails = {}): FitSummary {
  return {
    uri,
    state,
    kind: details.kind ?? 'unknown',
    // File text (run and file names, a file's own words in a finding) reaches a notification and the status item.
    message: notificationText(message),
    fits: details.fits ?? 0,
    warnings: details.warnings ?? 0,
    errors: details.errors ?? (state === 'error' ? 1 : 0),
    ms: details.ms ?? 0,
    fromDisk: details.fromDisk ?? false,
    ...(details.unrecognised ? { unrecognised: true } : {}),
  };
}

/** The summary of a finished run: its headline, or why nothing was fitted. */
export function summaryOfResult(uri: string, result: JobResult, ms: number, fromDisk: boolean): FitSummary {
  if (!result.ok) return summaryOf(uri, 'error', result.message, { ms, fromDisk });
  const a = result.analysis;
  const count = (severity: string) => a.findings.filter((f) => f.severity === severity).length;
  const details: SummaryDetails = {
    kind: a.kind,
    fits: a.fits.length,
    warnings: count('warning'),
    errors: count('error'),
    ms,
    fromDisk,
  };
  if (result.skipped)
    return summaryOf(
      uri,
      'skipped',
      'Not recognised as a run file; run "Fit Scaling Law" to fit it anyway, or map its columns.',
      { ...details, unrecognised: true },
    );
  if (a.fits.length === 0) {
    const why =
      a.findings.find((f) => f.severity === 'error') ?? a.findings.find((f) => f.code === 'columns-unidentified');
    return summaryOf(uri, 'error', why ? editorMessage(why) : 'Nothing could be fitted.', details);
  }
  return summaryOf(uri, 'done', headline(a), details);
}

/**
 * The summary while a provisional analysis is shown (fileCache.ts): still fitting, with what the provisional law
 * predicts meanwhile; it counts no warnings or errors (none are published from it).
 */
export function summaryOfProvisional(
  uri: string,
  analysis: Analysis<Series>,
  ms: number,
  fromDisk: boolean,
): FitSummary {
  return summaryOf(uri, 'fitting', headline(analysis), {
    kind: analysis.kind,
    fits: analysis.fits.length,
    ms,
    fromDisk,
  });
}

/** Why a prediction has no number, in a few words (the reason itself is in the lens and Predict at...). */
const WITHHELD_WHY = {
  'law-broken': 'the law broke',
  'fit-unsupported': 'fit not supported by the data',
  'law-departed': 'the run left its law',
} as const;

/** What was fitted and how well, the first prediction, and what to watch out for, in one line a user reads. */
function headline(a: Analysis<Series>): string {
  const [fit] = a.fits;
  const what =
    a.fits.length === 1
      ? `${shownLawName(a, fit)} fitted on ${fittedOn(fit)} (R² ${formatR2(fit.quality.r2)})`
      : `${[...new Set(a.fits.map((f) => shownLawName(a, f)))].join(' and ')}: ${plural(a.fits.length, 'fit')}`;
  const first = a.predictions[0];
  const prediction = !first
    ? ''
    : first.status === 'ok'
      ? describePrediction(first)
      : `no ${first.metric} prediction (${WITHHELD_WHY[first.status]})`;
  const breaks = a.findings.filter((f) => f.code === 'bleu-law-break').length;
  // A provisional analysis's findings are not in the Problems panel (fileCache.ts).
  const warnings = a.provisional ? 0 : a.findings.filter((f) => f.severity === 'warning').length;
  return [
    what,
    prediction,
    breaks ? plural(breaks, 'law break') : '',
    warnings ? `${plural(warnings, 'warning')} in the Problems panel` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/** "240 runs", "3 curves", "cosine_10k": what one fit was fitted on. */
function fittedOn(fit: FitResult): string {
  if (fit.law === 'chinchilla') return plural(fit.points, 'run');
  if (fit.group) return fit.group;
  return fit.fittedOn.length === 1 ? fit.fittedOn[0] : plural(fit.fittedOn.length, 'curve');
}

/**
 * The solver's account of each fit, for the log (Show Log): what hovers and notifications leave out (convergence,
 * iterations, objective, the settings that shaped the fit), one line per fit.
 */
export function fitDetails(a: Analysis<Series>): string[] {
  return a.fits.map((fit) => {
    const settings = Object.entries(fit.settings)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`)
      .join('; ');
    const status = `${fit.converged ? 'converged' : 'NOT converged'} (${fit.stopReason}, ${fit.iterations} iterations, ${fit.startsTried} starts)`;
    // The group, the formula and settings may hold file text (a power law's names its columns): one line, shown.
    return shownOnOneLine(
      `  ${fit.law}${fit.group ? ` · ${fit.group}` : ''}: ${fit.formula} · ${status} · objective ${formatNumber(fit.objective, 5)} · ${settings}`,
    );
  });
}
