// The `--json` document. Its field names are a public contract (other tools read them): curves, fits, predictions,
// findings, files. Pairs like [step, loss] are what plotting scripts expect, so series are emitted as pairs here.
import { randomUUID } from 'node:crypto';
import type { Analysis, CurveReport } from '../core/analysis/types';
import { jsonShown } from './terminal';

/** A per-point array of a curve, made row by row when it is written (a million-row log has four of them per curve). */
interface PointRows {
  length: number;
  row(i: number): number | number[];
}

/** How a curve's per-point arrays enter the document: as arrays, or as stand-ins written later (writeJsonReport). */
type PointArrays = (rows: PointRows) => unknown;

const asArray: PointArrays = (rows) => Array.from({ length: rows.length }, (_, i) => rows.row(i));

function pairs(xs: number[], ys: number[]): PointRows {
  return { length: xs.length, row: (i) => [xs[i], ys[i]] };
}

/** A curve of the document; without `points` (a watch update), its per-point arrays are left out. */
function curveJson(c: CurveReport, points = true, arrays: PointArrays = asArray) {
  const head = {
    name: c.name,
    file: c.file,
    role: c.role === 'fit' ? 'fit' : c.role === 'heldout' ? 'heldout' : 'unfitted',
    law: c.law,
    metric: c.metric,
    xName: c.xName,
    group: c.group,
    groupFields: c.groupFields,
    points: c.points.x.length,
    metrics: c.metrics ?? null,
    // Where the run's latest points left its law (the finding law-departure); its predictions are withheld.
    ...(c.departure && { departure: c.departure }),
    // Where the curve's predictions stop, its LR lower than the fit curves' ever was (the finding drop-unseen).
    ...(c.withheldFrom && { withheldFrom: c.withheldFrom }),
    // The model size N the model-size law knows the curve by.
    ...(c.modelSize !== undefined && { modelSize: c.modelSize }),
  };
  if (!points) return head;
  const { x, observed, predicted, low, high, lines } = c.points;
  return {
    ...head,
    observed: arrays(pairs(x, observed)),
    predicted: predicted.length ? arrays(pairs(x, predicted)) : [],
    band: low.length ? arrays({ length: x.length, row: (i) => [x[i], low[i], high[i]] }) : [],
    lines: arrays({ length: lines.length, row: (i) => lines[i] }),
    // Indices into `observed` of the points a fitted curve's law did not use (a BLEU group's from its break on).
    ...(c.notFitted && { notFitted: c.notFitted }),
    metrics: c.metrics ?? null,
    excludedBy: c.excludedBy,
    // Under law auto: the runner-up law's prediction, [step, value, low, high] at some steps (fits[].runnerUpFit).
    ...(c.runnerUp && {
      runnerUp: {
        law: c.runnerUp.law,
        predicted: c.runnerUp.x.map((x, i) => [x, c.runnerUp!.predicted[i], c.runnerUp!.low[i], c.runnerUp!.high[i]]),
      },
    }),
  };
}

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

export function toJsonReport(analysis: Analysis, version: string, points = true, arrays: PointArrays = asArray) {
  return {
    tool: 'scaling-lens' as const,
    version,
    kind: analysis.kind,
    files: analysis.files,
    curves: analysis.curves.map((c) => curveJson(c, points, arrays)),
    fits: analysis.fits,
    predictions: analysis.predictions,
    findings: analysis.findings,
    timings: analysis.timings,
  };
}

/** Rows of a per-point array written at a time: a chunk of a few hundred kB. */
const ROWS_PER_CHUNK = 4096;

/**
 * The document as `JSON.stringify(toJsonReport(...), jsonShown, 2)` writes it, to the byte, written in chunks: the
 * per-point arrays are stand-ins in the stringified rest and are written row by row in their place. Stringified
 * whole, a 2,000,000-row log's document (480 MB of text, its pairs as arrays, and the text copied on the way out)
 * peaked at 3.2 GB. A stand-in holds a random id, so no text from a file can be taken for one.
 */
export async function writeJsonReport(
  analysis: Analysis,
  version: string,
  write: (text: string) => Promise<void>,
  error?: CliJsonError,
): Promise<void> {
  const mark = `scaling-lens-points-${randomUUID()}`;
  const deferred: PointRows[] = [];
  const standIn: PointArrays = (rows) => `${mark}:${deferred.push(rows) - 1}`;
  const report = toJsonReport(analysis, version, true, standIn);
  const text = JSON.stringify(error ? jsonErrorDocument(error, version, report) : report, jsonShown, 2);
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
