// The FitSummary of one file: the line the language status item, the Fit command and the log show. Built here
// only, so every state (fitting, done, skipped, error) carries the same fields.
import type { Analysis, Series } from '../core/analysis/types';
import { formatCompact, formatNumber } from '../core/util/format';
import type { FitState, FitSummary } from '../shared/protocol';
import type { JobResult } from './job';
import { editorMessage } from './hints';

/** The counts and provenance of a summary; what is left out (or undefined) is zero, unknown or "not from disk". */
export type SummaryDetails = Partial<Omit<FitSummary, 'uri' | 'state' | 'message'>>;

/** A summary with defaults for what is not given; a failure with no findings behind it counts as one error. */
export function summaryOf(uri: string, state: FitState, message: string, details: SummaryDetails = {}): FitSummary {
  return {
    uri,
    state,
    kind: details.kind ?? 'unknown',
    message,
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

/** What was fitted, the first prediction and the number of law breaks, in one line. */
function headline(a: Analysis<Series>): string {
  const laws = [...new Set(a.fits.map((f) => f.law))].join(', ');
  const first = a.predictions[0];
  const prediction = first
    ? ` · ${first.metric} at ${first.xName} ${formatCompact(first.x)} = ${formatNumber(first.value, 4)}`
    : '';
  const breaks = a.findings.filter((f) => f.code === 'bleu-law-break').length;
  return `${laws}: ${a.fits.length} fit${a.fits.length === 1 ? '' : 's'}${prediction}${breaks ? ` · ${breaks} law break${breaks === 1 ? '' : 's'}` : ''}`;
}
