// Sample values of each column, for the "Select Columns and Law" picker: read from the head of the file only (at most
// SAMPLE_BYTES, whatever its size and format: a CSV, a TensorBoard event file), or a run folder's joined table of the
// heads of its files (RUN_HEAD_BYTES each), with the same reader as the fit, so a column is shown as the fit reads it.
import { stat } from 'node:fs/promises';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { isTextTable, PROBE_BYTES, readSource } from '../core/sources';
import { completeLines, parseBytes, textAt, type Column, type Table } from '../core/table';
import { formatNumber } from '../core/util/format';

/** How much of a file the samples are read from: a few hundred rows of a typical log. */
const SAMPLE_BYTES = 64 * 1024;
/** Values shown per column. */
const SAMPLES_PER_COLUMN = 3;
/**
 * How much of each of a run folder's files the samples are read from: hundreds of a metric's first records, of which
 * the picker shows three. A 2M-row run read whole held the server's thread 2.4 s (DVCLive) to 6.4 s (MLflow).
 */
const RUN_HEAD_BYTES = 16 * 1024;

/**
 * The first values of each of `columns` (names as the analysis gave them), in that order; an empty list for a column
 * the head of the file has no value of. Never throws: an unreadable file gives empty lists.
 */
export async function columnSamples(
  path: string,
  onDisk: boolean,
  document: TextDocument | undefined,
  columns: string[],
): Promise<string[][]> {
  const table = await sampleTable(path, onDisk, document);
  if (!table) return columns.map(() => []);
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  return columns.map((name) => {
    const column = byName.get(name);
    return column ? firstValues(column, table.rowCount) : [];
  });
}

/**
 * What the samples are read from, by the source that reads it for the fit: a run folder (a metric file's run, a run
 * fitted from the explorer), its metric files joined on the step, so each column has its own values; a file on disk
 * (a CSV, an event file, a trainer_state.json), its head; an open CSV, TSV or JSONL document, the head of its text.
 */
async function sampleTable(
  path: string,
  onDisk: boolean,
  document: TextDocument | undefined,
): Promise<Table | undefined> {
  const head = document && Buffer.from(document.getText().slice(0, SAMPLE_BYTES), 'utf8');
  // An open text table is fitted from its text, unsaved edits included (job.ts); any other file from disk.
  if (head && isTextTable(path, head.subarray(0, PROBE_BYTES), undefined))
    return parseBytes(completeLines(head, head.length >= SAMPLE_BYTES), { fileName: path, displayName: path });
  // A document on no disk (untitled, a git revision, a remote file) has only its text: no path to read.
  if (!onDisk) return undefined;
  // A folder of runs shows its first run's columns (analysis.files[0]): only that run is read, the head of each file.
  const folder = !document && (await stat(path).catch(() => null))?.isDirectory() === true;
  const options = folder ? { scan: { maxRuns: 1 }, headBytes: RUN_HEAD_BYTES } : { headBytes: SAMPLE_BYTES };
  return (await readSource(path, options).catch(() => undefined))?.tables[0];
}

/** A column's first non-empty cells as the user would read them. */
function firstValues(column: Column, rows: number): string[] {
  const values: string[] = [];
  for (let row = 0; row < rows && values.length < SAMPLES_PER_COLUMN; row++) {
    const text = textAt(column, row);
    if (text !== undefined) values.push(text);
    else if (!Number.isNaN(column.values[row])) values.push(formatNumber(column.values[row], 6));
  }
  return values;
}
