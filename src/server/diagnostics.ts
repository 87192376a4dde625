// The Problems panel's entries for a file, as the LSP diagnostics the server sends: why its analysis failed, and its
// findings, each linked to its documentation with the rows that bear on it. Pure functions of the analysis, tested
// directly (test/server/diagnostics.test.ts).
import { isAbsolute } from 'node:path';
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

/**
 * What one analysis shows in the Problems panel, by URI: the analysed URI's own entries (why it failed, its
 * findings; empty when it has none, which clears them), and the findings of every other file it read (a folder's
 * runs: a DVCLive or MLflow metric file, a run file under it) at that file's URI, so they show without the file
 * being open. `path` is the name the analysed URI's own findings carry; findings of a file that is not a path on disk
 * have no URI to go to and are left out. `lineText` gives a line of an open document at a URI.
 */
export function analysisDiagnostics(
  analysis: Analysis<Series> | undefined,
  uri: string,
  path: string,
  failure: string | undefined,
  relatedInformation: boolean,
  lineText: (uri: string, line: number) => string | undefined,
): Map<string, Diagnostic[]> {
  const byUri = new Map<string, Diagnostic[]>([[uri, failure ? [failureDiagnostic(failure)] : []]]);
  for (const [file, findings] of findingsByFile(analysis?.findings ?? [])) {
    const target = file === path ? uri : isAbsolute(file) ? pathToFileURL(file).toString() : undefined;
    if (target === undefined) continue;
    const shown = diagnosticsOf(findings, relatedInformation, undefined, (line) => lineText(target, line));
    byUri.set(target, [...(byUri.get(target) ?? []), ...shown]);
  }
  return byUri;
}

/** Findings grouped by the file they are in, in the order the files first come. */
function findingsByFile(findings: readonly Finding[]): Map<string, Finding[]> {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  return byFile;
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
  return diagnosticsOf(
    analysis.findings.filter((f) => f.file === file),
    relatedInformation,
    maxChar,
    lineText,
  );
}

/** Findings of one file as diagnostics (see buildDiagnostics). */
function diagnosticsOf(
  findings: readonly Finding[],
  relatedInformation: boolean,
  maxChar = 10000,
  lineText?: LineText,
): Diagnostic[] {
  return findings
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
