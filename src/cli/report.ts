// How the CLI writes the `--json` document (src/core/report/fitDocument.ts builds it): in chunks, and around an error
// when the command did not succeed.
import type { Analysis, Series } from '../core/analysis/types';
import { fitDocumentText, type StandInDocument } from '../core/report/documentText';

/**
 * How a command ended without doing what it was asked, as `--json` says it: `usage` (exit 2, the arguments), `no-data`
 * (exit 1, no input held data rows), `nothing-fitted` (exit 1), `internal` (exit 1, a bug to report), `deadline`
 * (exit 3). Scripts that pipe `--json` into another tool read this instead of an empty stdout.
 */
export type CliErrorKind = 'usage' | 'no-data' | 'nothing-fitted' | 'internal' | 'deadline';

export interface CliJsonError {
  kind: CliErrorKind;
  /** The sentence also printed on stderr, without the `scaling-lens: ` prefix. */
  message: string;
  /** The process's exit status. */
  exitCode: number;
}

/**
 * The `--json` document of a command that ended on an error: the report made so far (a fit's or an inspection's,
 * whole when the error came after it; `findings` empty when none was made) with `error` added. A successful
 * command's document has no `error`.
 */
export type JsonErrorDocument = {
  tool: 'scaling-lens';
  version: string;
  error: CliJsonError;
  findings: unknown[];
} & Record<string, unknown>;

/** The error document around whatever report exists (`partial`), or a bare one. */
export function jsonErrorDocument(
  error: CliJsonError,
  version: string,
  partial: Record<string, unknown> = {},
): JsonErrorDocument {
  return {
    tool: 'scaling-lens',
    version,
    ...partial,
    findings: (partial.findings as unknown[] | undefined) ?? [],
    error,
  };
}

/**
 * The `--json` document (fitDocumentText: in chunks, never whole in memory), around `error` when the command did not
 * succeed.
 */
export async function writeJsonReport(
  analysis: Analysis<Series>,
  version: string,
  write: (text: string) => Promise<void>,
  error?: CliJsonError,
): Promise<void> {
  const shape = (report: StandInDocument) => (error ? jsonErrorDocument(error, version, report) : report);
  for (const chunk of fitDocumentText(analysis, version, shape)) await write(chunk);
}
