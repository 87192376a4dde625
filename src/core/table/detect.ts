// Format and dialect detection from the first bytes of a file: text or binary, JSONL or delimited, which
// delimiter, and (from the header) the two export conventions people feed in most: TensorBoard and W&B panels.

import { CR, HASH, indexOfByte, lastIndexOfByte, LF, QUOTE, SPACE, TAB } from './bytes';
import { delimiterFromName } from './delimiterNames';
import { formatBytes, quote } from './problems';
import type { FileFormat } from './types';

const OPEN_BRACE = 123;
const OPEN_BRACKET = 91;

/** Delimiters tried, in the order preferred when several fit equally well. */
const CANDIDATES = [',', '\t', ';', '|'] as const;
/** Records looked at when choosing the delimiter. */
const MAX_SNIFF_RECORDS = 1000;
/** Share of bytes that may be invalid UTF-8 or control characters before a file counts as binary. */
const MAX_NON_TEXT_SHARE = 0.3;

export type Sniffed =
  | { kind: 'empty' }
  | { kind: 'jsonl'; recordBytes: number }
  /** recordBytes: mean size of a data record in the sample (0 if none), to pre-size the columns. */
  | { kind: 'delimited'; delimiter: string; recordBytes: number };

export const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

export function hasBom(buf: Uint8Array, end: number): boolean {
  return end >= 3 && buf[0] === UTF8_BOM[0] && buf[1] === UTF8_BOM[1] && buf[2] === UTF8_BOM[2];
}

export function extensionOf(fileName: string): string {
  const match = /\.([A-Za-z0-9]+)$/.exec(fileName);
  return match ? match[1].toLowerCase() : '';
}

/** The format to report when there is no content to go by. */
export function formatFromExtension(fileName: string): FileFormat {
  const ext = extensionOf(fileName);
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  return ext === 'tsv' ? 'tsv' : 'csv';
}

/**
 * End of the sample to sniff: the complete lines within the first `sniffBytes` bytes (all of it when the file is
 * shorter), or the whole first line when that is longer (up to `maxBytes`). Returns -1 when more bytes are needed.
 * Depends on the content only, not on how it was chunked, so every chunk size detects the same dialect.
 */
export function sampleEnd(buf: Buffer, filled: number, eof: boolean, sniffBytes: number, maxBytes: number): number {
  if (eof && filled <= sniffBytes) return filled;
  if (filled < sniffBytes && !eof) return -1;
  const limit = Math.min(filled, sniffBytes);
  const last = lastIndexOfByte(buf, LF, 0, limit);
  if (last >= 0) return last + 1;
  const next = indexOfByte(buf, LF, limit, filled);
  if (next >= 0) return next + 1;
  return eof || filled >= maxBytes ? filled : -1;
}

/**
 * Decides how to read the sample buf[start, end), text already (see binaryReason). `delimiter` is a forced delimiter,
 * if any.
 */
export function sniff(buf: Buffer, start: number, end: number, fileName: string, delimiter?: string): Sniffed {
  if (end === start) return { kind: 'empty' };
  const first = firstContentByte(buf, start, end); // -1 (only comments so far): read as delimited
  const ext = extensionOf(fileName);
  const jsonlByName = ext === 'jsonl' || ext === 'ndjson';
  if (delimiter === undefined && (first === OPEN_BRACE || (jsonlByName && first === OPEN_BRACKET))) {
    return { kind: 'jsonl', recordBytes: meanLineBytes(buf, start, end) };
  }
  const preferred = ext === 'tsv' ? '\t' : ',';
  const chosen = delimiter ?? chooseDelimiter(buf, start, end, preferred);
  return { kind: 'delimited', delimiter: chosen, recordBytes: meanRecordBytes(buf, start, end, chosen.charCodeAt(0)) };
}

/**
 * The delimiter named by a first line "sep=;" (Excel's CSV export writes one in locales whose list separator is not
 * a comma), and the offset of the line after it; null when the sample at start has no such line.
 */
export function declaredDelimiter(buf: Buffer, start: number, end: number): { delimiter: string; next: number } | null {
  const lf = indexOfByte(buf, LF, start, end);
  const lineEnd = lf < 0 ? end : lf;
  if (lineEnd - start > 8) return null; // "sep=", a delimiter (or the two characters \t), a CR
  const match = /^sep=(.+?)\r?$/i.exec(buf.toString('latin1', start, lineEnd));
  const delimiter = match === null ? '' : delimiterFromName(match[1]);
  if (!(CANDIDATES as readonly string[]).includes(delimiter)) return null;
  return { delimiter, next: lf < 0 ? end : lf + 1 };
}

/** First byte of the first line that is neither blank nor a '#' comment, or -1. */
function firstContentByte(buf: Uint8Array, start: number, end: number): number {
  let lineStart = true;
  let inComment = false;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c === LF) {
      lineStart = true;
      inComment = false;
      continue;
    }
    if (inComment || c === SPACE || c === TAB || c === CR) continue;
    if (lineStart && c === HASH) {
      inComment = true;
      continue;
    }
    return c;
  }
  return -1;
}

/**
 * Why the sample is not text, or null when it is. Names the likely format so the user knows what to do. NUL bytes in
 * runs are not counted against it: they are handled line by line (nulBytes.ts), so a log padded with zeros by a crash
 * is still text, and so is one with a NUL in a cell. Binary data is told by NULs scattered through it (integers,
 * offsets, floats) and by the rest of what it holds (control bytes, invalid UTF-8).
 */
export function binaryReason(buf: Uint8Array, start: number, end: number, fileName: string): string | null {
  const lfs = lfsPointerReason(buf, start, end);
  if (lfs !== null) return lfs;
  const magic = (bytes: number[]): boolean => bytes.every((b, i) => buf[start + i] === b);
  const bytes = nonTextBytes(buf, start, end);
  // UTF-32's little-endian byte order mark begins with UTF-16's: told apart first.
  if (magic([0xff, 0xfe, 0, 0]) || magic([0, 0, 0xfe, 0xff]))
    return 'is UTF-32 text; save it as UTF-8 and open it again';
  if (magic([0xff, 0xfe]) || magic([0xfe, 0xff]) || bytes.utf16)
    return 'is UTF-16 text; save it as UTF-8 and open it again';
  const scattered = bytes.scatteredNul > Math.max(MAX_SCATTERED_NUL, MAX_SCATTERED_NUL_SHARE * (end - start));
  if (!scattered && bytes.count <= MAX_NON_TEXT_SHARE * (end - start - bytes.nul)) return null;
  if (magic([0x1f, 0x8b])) return 'is gzip-compressed; decompress it (gunzip) and open the result';
  if (magic([0x50, 0x4b, 0x03, 0x04])) return 'is a zip archive (an .xlsx workbook?); export the sheet as CSV';
  if (magic([0x50, 0x41, 0x52, 0x31]))
    return 'is a Parquet file; convert it to CSV, e.g. pandas.read_parquet(p).to_csv(out)';
  if (/tfevents/i.test(fileName)) {
    return 'is a TensorBoard event file; download the scalars as CSV from TensorBoard and open that';
  }
  const why = scattered ? 'NUL bytes are scattered through it, as in binary data' : 'most of it is not UTF-8 text';
  return `does not look like a text file (${why}); Scaling Lens reads CSV, TSV and JSONL — export the data in one of those`;
}

/** The first line of a Git LFS pointer (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md). */
const LFS_POINTER = 'version https://git-lfs.github.com/spec/v1';

/**
 * A Git LFS pointer in place of the file (a clone without `git lfs pull`): text, but three lines about the file, not
 * its rows, and read as a table it is "a file of unknown columns" the user cannot act on. Null for any other text.
 */
function lfsPointerReason(buf: Uint8Array, start: number, end: number): string | null {
  const head = Buffer.from(buf.buffer, buf.byteOffset + start, Math.min(end - start, 512)).toString('latin1');
  if (!head.startsWith(LFS_POINTER)) return null;
  const size = /^size (\d+)$/m.exec(head)?.[1];
  return `is a Git LFS pointer, not the log it stands for${size === undefined ? '' : lfsSize(size)}; fetch the file with \`git lfs pull\` and open it again`;
}

/** Past this a pointer's size is no file's: the spec's sizes are signed 64-bit integers. */
const LFS_MAX_SIZE = 2 ** 63;

/**
 * A pointer's size as a message says it: in bytes' units, or, past any file's size (a damaged or hand-made pointer),
 * as written, cut, instead of a float's Infinity.
 */
function lfsSize(digits: string): string {
  const size = Number(digits);
  return size < LFS_MAX_SIZE
    ? ` (the file itself is ${formatBytes(size)})`
    : ` (its size line says ${quote(digits.replace(/^0+/, ''), 24)} bytes, more than any file holds)`;
}

/** Shorter runs of NULs are scattered ones (a crash pads with whole blocks); a few are bad cells, more are binary. */
const NUL_RUN = 8;
const MAX_SCATTERED_NUL = 4;
const MAX_SCATTERED_NUL_SHARE = 0.002;

/**
 * Counts NULs (and those in runs shorter than NUL_RUN, not counting a run cut by the sample's end), control
 * characters and bytes of invalid UTF-8 sequences; `utf16`: NULs at every other byte, as UTF-16 without a byte order
 * mark writes ASCII (a crash-padded tail has them at both).
 */
function nonTextBytes(
  buf: Uint8Array,
  start: number,
  end: number,
): { nul: number; scatteredNul: number; count: number; utf16: boolean } {
  let nul = 0;
  let oddNul = 0;
  let scatteredNul = 0;
  let run = 0;
  let count = 0;
  let i = start;
  while (i < end) {
    const c = buf[i];
    if (c === 0) {
      nul++;
      run++;
      oddNul += (i - start) & 1;
      i++;
      continue;
    }
    if (run > 0 && run < NUL_RUN) scatteredNul += run;
    run = 0;
    if (c < 0x80) {
      if (c < 0x20 && c !== TAB && c !== LF && c !== CR && c !== 0x0c) count++;
      i++;
      continue;
    }
    const length = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (length === 0) {
      count++;
      i++;
      continue;
    }
    let valid = 1;
    while (valid < length && i + valid < end && (buf[i + valid] & 0xc0) === 0x80) valid++;
    if (valid < length && i + valid < end) count += valid; // a broken sequence (one cut by the sample end is fine)
    i += valid;
  }
  const oneSide = Math.max(oddNul, nul - oddNul);
  const utf16 = end - start >= 4 && oneSide >= 0.4 * (end - start) && nul - oneSide <= 0.05 * oneSide;
  return { nul, scatteredNul, count, utf16 };
}

/** Told of each field of the sample's complete records: its record (0: the first, the header) and its raw bytes. */
export type FieldVisitor = (record: number, field: number, start: number, end: number) => void;

/**
 * Field counts per record for one delimiter, quote-aware (a quote opens only at the start of a field), skipping
 * blank and comment lines. A record cut off by the end of the sample is left out (and not visited).
 */
export function fieldCounts(
  buf: Uint8Array,
  start: number,
  end: number,
  delimiter: number,
  visit?: FieldVisitor,
): { counts: number[]; bytes: number[] } {
  const counts: number[] = [];
  const bytes: number[] = [];
  let i = start;
  while (i < end && counts.length < MAX_SNIFF_RECORDS) {
    const lineEnd = skipBlankLine(buf, i, end);
    if (lineEnd !== i) {
      i = lineEnd;
      continue;
    }
    let fields = 1;
    let fieldStart = true;
    let inQuote = false;
    const starts = visit === undefined ? null : [i];
    let j = i;
    for (; j < end; j++) {
      const c = buf[j];
      if (inQuote) {
        if (c === QUOTE) {
          if (j + 1 < end && buf[j + 1] === QUOTE) j++;
          else inQuote = false;
        }
        continue;
      }
      if (c === LF) break;
      if (c === delimiter) {
        fields++;
        fieldStart = true;
        starts?.push(j + 1);
        continue;
      }
      if (c === QUOTE && fieldStart) inQuote = true;
      fieldStart = false;
    }
    if (j >= end) break; // incomplete record: not evidence
    if (starts !== null) {
      starts.push(j + 1);
      for (let f = 0; f < fields; f++) visit!(counts.length, f, starts[f], starts[f + 1] - 1);
    }
    counts.push(fields);
    bytes.push(j + 1 - i);
    i = j + 1;
  }
  return { counts, bytes };
}

/** Offset after a blank or '#' line at i, or i itself when a record starts there. */
function skipBlankLine(buf: Uint8Array, i: number, end: number): number {
  let j = i;
  if (buf[j] === HASH) {
    while (j < end && buf[j] !== LF) j++;
    return Math.min(j + 1, end);
  }
  while (j < end && (buf[j] === SPACE || buf[j] === CR)) j++;
  return j < end && buf[j] === LF ? j + 1 : i;
}

/**
 * The delimiter under which the header has several fields and the most data records have as many as the header.
 * Ties go to the preferred one (tab for .tsv, else comma), then to the one giving more fields, then CANDIDATES order.
 */
function chooseDelimiter(buf: Uint8Array, start: number, end: number, preferred: string): string {
  const scored = CANDIDATES.map((candidate, order) => {
    const { counts } = fieldCounts(buf, start, end, candidate.charCodeAt(0));
    const width = counts[0] ?? 0;
    const data = counts.slice(1);
    const score = width < 2 ? -1 : data.length === 0 ? 1 : data.filter((n) => n === width).length / data.length;
    return { candidate, score, width, order, preferred: candidate === preferred ? 1 : 0 };
  });
  scored.sort((a, b) => b.score - a.score || b.preferred - a.preferred || b.width - a.width || a.order - b.order);
  return scored[0].score < 0 ? preferred : scored[0].candidate;
}

function meanRecordBytes(buf: Uint8Array, start: number, end: number, delimiter: number): number {
  const { bytes } = fieldCounts(buf, start, end, delimiter);
  return mean(bytes.slice(1));
}

function meanLineBytes(buf: Uint8Array, start: number, end: number): number {
  const lengths: number[] = [];
  let lineStart = start;
  for (let i = start; i < end && lengths.length < MAX_SNIFF_RECORDS; i++) {
    if (buf[i] !== LF) continue;
    if (i - lineStart > 1) lengths.push(i + 1 - lineStart);
    lineStart = i + 1;
  }
  return mean(lengths);
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Recognises the exports whose column conventions differ from a plain table: TensorBoard's scalar CSV, and the
 * W&B chart-panel export ("Step", then "<run> - <metric>" columns, with __MIN/__MAX band columns).
 */
export function classifyHeader(names: readonly string[]): 'tensorboard-csv' | 'wandb-csv' | null {
  const trimmed = names.map((n) => n.trim());
  if (trimmed.join(',') === 'Wall time,Step,Value') return 'tensorboard-csv';
  if (
    trimmed.length >= 2 &&
    splitWandbSeries(trimmed[0]) === null &&
    trimmed.slice(1).every((n) => splitWandbSeries(n) !== null)
  ) {
    return 'wandb-csv';
  }
  return null;
}

/** Splits "<run> - <metric>" at the last " - " (run names may contain one; metric names rarely do). */
export function splitWandbSeries(name: string): { run: string; metric: string } | null {
  const at = name.lastIndexOf(' - ');
  if (at <= 0 || at + 3 >= name.length) return null;
  return { run: name.slice(0, at).trim(), metric: name.slice(at + 3).trim() };
}
