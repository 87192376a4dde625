// How the CLI writes the `--json` document (src/core/report/fitDocument.ts builds it): in chunks, and around an error
// when the command did not succeed.
import { randomUUID } from 'node:crypto';
import type { Analysis, Series } from '../core/analysis/types';
import { documentJson, fitDocument, type PointArrays, type PointRows } from '../core/report/fitDocument';

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

/** Rows of a per-point array written at a time: a chunk of a few hundred kB. */
const ROWS_PER_CHUNK = 4096;

/**
 * The document as `documentJson(fitDocument(...))` writes it, to the byte, written in chunks: the
 * per-point arrays are stand-ins in the stringified rest and are written row by row in their place. Stringified
 * whole, a 2,000,000-row log's document (480 MB of text, its pairs as arrays, and the text copied on the way out)
 * peaked at 3.2 GB. A stand-in holds a random id, so no text from a file can be taken for one.
 */
export async function writeJsonReport(
  analysis: Analysis<Series>,
  version: string,
  write: (text: string) => Promise<void>,
  error?: CliJsonError,
): Promise<void> {
  const mark = `scaling-lens-points-${randomUUID()}`;
  const deferred: PointRows[] = [];
  const standIn: PointArrays<string> = (rows) => `${mark}:${deferred.push(rows) - 1}`;
  const report = fitDocument(analysis, version, standIn);
  const text = documentJson(error ? jsonErrorDocument(error, version, report) : report);
  const found = new RegExp(`"${mark}:(\\d+)"`, 'g');
  let from = 0;
  for (const m of text.matchAll(found)) {
    await write(text.slice(from, m.index));
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    const indent = /^ */.exec(text.slice(lineStart, m.index))![0];
    await writeRows(deferred[Number(m[1])], indent, write);
    from = m.index + m[0].length;
  }
  await write(`${text.slice(from)}\n`);
}

/** One per-point array as JSON.stringify(array, null, 2) writes it at this indent. */
async function writeRows(rows: PointRows, indent: string, write: (text: string) => Promise<void>): Promise<void> {
  if (rows.length === 0) return write('[]');
  const inner = `${indent}  `;
  await write('[\n');
  for (let start = 0; start < rows.length; start += ROWS_PER_CHUNK) {
    const end = Math.min(rows.length, start + ROWS_PER_CHUNK);
    const parts: string[] = [];
    for (let i = start; i < end; i++)
      parts.push(`${inner}${JSON.stringify(rows.row(i), null, 2).replace(/\n/g, `\n${inner}`)}`);
    await write(parts.join(',\n') + (end < rows.length ? ',\n' : `\n${indent}]`));
  }
}
