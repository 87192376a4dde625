// The fit document's text, made a chunk at a time: what `fit --json` writes to stdout and Export Fit sends the editor
// a page at a time. Made whole, a 1,000,000-row log's document (236 MB of text, its pairs as arrays, then the text)
// peaked the language server at 1.1 GB and the CLI at 3.2 GB for 2,000,000 rows.
import { randomUUID } from 'node:crypto';
import type { Analysis, Series } from '../analysis/types';
import { documentJson, fitDocument, type CurveDocument, type FitDocumentOf, type PointRows } from './fitDocument';

/** Rows of a per-point array made at a time: a chunk of a few hundred kB. */
const ROWS_PER_CHUNK = 4096;

/** The document with its per-point arrays as stand-ins (strings), as `fitDocumentText`'s `shape` is handed it. */
export type StandInDocument = FitDocumentOf<CurveDocument<string>>;

/**
 * The text `documentJson(shape(fitDocument(analysis, version)))` writes, and its final newline, to the byte, in chunks
 * made as they are asked for: the per-point arrays are stand-ins in the stringified rest and are written row by row in
 * their place. A stand-in holds a random id, so no text from a file can be taken for one. `shape` may change the
 * document's other fields (the CLI's error around it, the editor's findings located), never a stand-in.
 */
export function* fitDocumentText(
  analysis: Analysis<Series>,
  version: string,
  shape: (document: StandInDocument) => unknown = (document) => document,
): Generator<string, void, undefined> {
  const mark = `scaling-lens-points-${randomUUID()}`;
  const deferred: PointRows[] = [];
  const text = documentJson(shape(fitDocument(analysis, version, (rows) => `${mark}:${deferred.push(rows) - 1}`)));
  const found = new RegExp(`"${mark}:(\\d+)"`, 'g');
  let from = 0;
  for (const m of text.matchAll(found)) {
    yield text.slice(from, m.index);
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    const indent = /^ */.exec(text.slice(lineStart, m.index))![0];
    yield* rowsText(deferred[Number(m[1])], indent);
    from = m.index + m[0].length;
  }
  yield `${text.slice(from)}\n`;
}

/** One per-point array as JSON.stringify(array, null, 2) writes it at this indent. */
function* rowsText(rows: PointRows, indent: string): Generator<string, void, undefined> {
  if (rows.length === 0) return yield '[]';
  const inner = `${indent}  `;
  yield '[\n';
  for (let start = 0; start < rows.length; start += ROWS_PER_CHUNK) {
    const end = Math.min(rows.length, start + ROWS_PER_CHUNK);
    const parts: string[] = [];
    for (let i = start; i < end; i++)
      parts.push(`${inner}${JSON.stringify(rows.row(i), null, 2).replace(/\n/g, `\n${inner}`)}`);
    yield parts.join(',\n') + (end < rows.length ? ',\n' : `\n${indent}]`);
  }
}
