// The Problems panel's entries for a file, as the LSP diagnostics the server sends: why its analysis failed, and its
// findings, each linked to its documentation with the rows that bear on it. Pure functions of the analysis, tested
// directly (test/server/diagnostics.test.ts).
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver';
import type { Analysis, Finding, Series } from '../core/analysis/types';
import { ANALYSIS_FAILED, editorMessage, findingHref } from './hints';
import { lineRange } from './present';
import { shownOnOneLine } from '../core/util/controls';
import { locatedCell } from '../core/analysis/cellColumn';

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
} as const;

/** Everything the Problems panel shows for a file: why its analysis failed, if it did, then its findings. */
export function fileDiagnostics(
  analysis: Analysis<Series> | undefined,
  file: string,
  failure: string | undefined,
  relatedInformation: boolean,
  lineText?: LineText,
): Diagnostic[] {
  return [
    ...(failure ? [failureDiagnostic(failure)] : []),
    ...(analysis ? buildDiagnostics(analysis, file, relatedInformation, undefined, lineText) : []),
  ];
}

/** The text of a 1-based line of the file, when the server has it (an open document): where findings' cells are. */
export type LineText = (line: number) => string | undefined;

/** An analysis that failed outright (a bug, or a worker that ran out of memory), on the first line. */
function failureDiagnostic(message: string): Diagnostic {
  return {
    range: lineRange(0),
    severity: DiagnosticSeverity.Error,
    source: 'Scaling Lens',
    ...ANALYSIS_FAILED,
    message: shownOnOneLine(message),
  };
}

/**
 * The findings of one file as diagnostics, each linked to its documentation. Related rows are attached when the
 * client can show them; `maxChar` is the end of a finding that covers whole lines.
 */
export function buildDiagnostics(
  analysis: Analysis<Series>,
  file: string,
  relatedInformation = true,
  maxChar = 10000,
  lineText?: LineText,
): Diagnostic[] {
  return analysis.findings
    .filter((f) => f.file === file)
    .map((f) => (lineText ? locatedCell(f, (_, line) => lineText(line)) : f))
    .map((f) => {
      const line = Math.max(0, (f.line || 1) - 1);
      const character = f.column ? f.column - 1 : 0;
      const endLine = Math.max(line, (f.endLine ?? f.line ?? 1) - 1);
      return {
        range: lineRange(line, character, endLine, f.column ? (f.endColumn ?? f.column + 1) - 1 : maxChar),
        severity: SEVERITY[f.severity],
        source: 'Scaling Lens',
        code: f.code,
        codeDescription: { href: findingHref(f.code) },
        message: shownOnOneLine(editorMessage(f)),
        relatedInformation: relatedInformation ? relatedRows(f) : undefined,
      };
    });
}

/** The rows that bear on a finding, as locations (their lines are 1-based; 0 means the file). */
function relatedRows(finding: Finding): DiagnosticRelatedInformation[] {
  return (finding.related ?? []).map((r) => ({
    location: { uri: pathToFileURL(r.file).toString(), range: lineRange(Math.max(0, r.line - 1)) },
    message: shownOnOneLine(r.message),
  }));
}
