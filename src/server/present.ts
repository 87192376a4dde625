// The words shared by what a user reads in the editor (lenses.ts, hovers.ts and headerHover.ts, diagnostics.ts): line
// ranges, metric names, how a withheld prediction and a group are written, and the column picker's answer. Pure
// functions of the analysis, tested directly (test/server/present.test.ts).
import { basename } from 'node:path';
import type { Range } from 'vscode-languageserver';
import type {
  Analysis,
  CurveReport,
  FitResult,
  LawId,
  LossLawId,
  Prediction,
  Series,
  WithheldValue,
} from '../core/analysis/types';
import { fitLawName, LAW_NAMES } from '../core/analysis/lawNames';
import type { ColumnsResult, RunNamed } from '../shared/protocol';

/** Wider than any line a diagnostic or related row spans to its end (LSP clamps ranges to the line). */
const LINE_END = 1000;

/** A whole 0-based line, or the lines from `line` to `endLine`, up to `endCharacter`. */
export function lineRange(line: number, character = 0, endLine = line, endCharacter = LINE_END): Range {
  return { start: { line, character }, end: { line: endLine, character: endCharacter } };
}

/** A metric's name as lenses and hovers write it. */
export const METRIC_NAMES: Record<Prediction['metric'], string> = { loss: 'Loss', bleu: 'BLEU', ce: 'CE' };

/** What a lens says of a fit the data do not support (its findings say why, in the Problems panel). */
export const UNSUPPORTED = '⚠ not supported by the data';

/** How a lens starts where a number would be and none is shown; the core's reason follows. */
export const NO_PREDICTION = '⚠ no prediction, ';

/** A withheld prediction where a number would be: the target, then why there is none. */
export function withheldText(at: string, p: WithheldValue): string {
  return `${at}: ${NO_PREDICTION}${p.statusReason}`;
}

/** The curves read from `file`. */
export function fileOf(analysis: Analysis<Series>, file: string): CurveReport<Series>[] {
  return analysis.curves.filter((c) => c.file === file);
}

/** The columns of a file and the role each was taken for, for the "Select Columns and Law" picker. */
export function columnsOf(analysis: Analysis<Series> | undefined, path?: string): ColumnsResult {
  const summary = analysis?.files[0];
  if (!summary) return { columns: [], roles: {}, kind: 'unknown' };
  const roles: ColumnsResult['roles'] = {};
  for (const c of summary.columns) if (c.role) roles[c.role] = c.name;
  const run = runNamedOf(analysis, path);
  return { columns: summary.columns.map((c) => c.name), roles, kind: summary.kind, ...(run && { run }) };
}

/**
 * The run folder an analysis is of, when it is one DVCLive or MLflow run and `path` is that folder: named by its folder
 * (a DVCLive run's name, an MLflow run's id), as a metric file's run is (fileCache runPartOf).
 */
function runNamedOf(analysis: Analysis<Series>, path: string | undefined): RunNamed | undefined {
  const [only, ...others] = analysis.files;
  if (others.length > 0 || only.file !== path || (only.format !== 'dvclive' && only.format !== 'mlflow'))
    return undefined;
  return { format: only.format, run: basename(path) };
}

/** The law a provisional analysis's law is still being compared with, in a user's words. */
const COMPARED_WITH: Record<LossLawId, string> = {
  'lr-annealing': LAW_NAMES.mpl,
  mpl: `the ${LAW_NAMES['lr-annealing']}`,
};

/**
 * What a provisional analysis's law adds to its name (its numbers may change when auto's choice replaces it), or ''
 * for any other fit: "provisional: comparing with MPL…" (the laws named as the name beside it names them).
 */
export function provisionalNote(analysis: Analysis<Series>, law: LawId | undefined): string {
  const provisional = analysis.provisional;
  if (!provisional || law !== provisional.law) return '';
  return `provisional: comparing with ${COMPARED_WITH[provisional.law]}…`;
}

/** A fit's law as lenses, hovers and the status write it: "LR-annealing law (provisional: comparing with …)". */
export function shownLawName(
  analysis: Analysis<Series>,
  fit: Pick<FitResult, 'law' | 'selection'>,
  name: (fit: Pick<FitResult, 'law' | 'selection'>) => string = fitLawName,
): string {
  const note = provisionalNote(analysis, fit.law);
  return note ? `${name(fit)} (${note})` : name(fit);
}
