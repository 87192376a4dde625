// A number cut off at the end of a file. A writer that crashed, or one still writing (Python flushes its buffer every
// 8 KB, wherever that falls in a line), leaves a last line without its line end whose last value may be only the first
// digits of the number: `2.` of `2.7134` reads as 2, a plausible loss, and as the last point of a curve it weighs on
// every prediction. A follower waits for the line end (textTail.ts); a one-shot read cannot wait, so it judges the
// value against the lines before it, and leaves it out only where being cut shows: written shorter than the column's
// values on every line before it, and further from the value before it than any two of those lines are apart. A
// file saved without a last line end (an export, a hand-edited log) keeps its values: they look like the others.
import { quote } from './problems';
import type { Column, ParseProblem, Table } from './types';

type TableProblem = Omit<ParseProblem, 'file'>;

/** Bytes of the file's end read for the check: the last line and a few before it, in all but absurdly wide files. */
export const TAIL_BYTES = 64 * 1024;
/** Lines before the last one that the value is judged against; at least MIN_BEFORE of them must hold a number there. */
const LINES_BEFORE = 8;
const MIN_BEFORE = 3;

const LF = 0x0a;
const CR = 0x0d;
/** A plain decimal as written (`2.`, `.5`, `1e-3`): what a cut-off number reads as. */
const PLAIN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d*,\d+$/;

/** A field of a line in the tail: its text (trimmed) and the 1-based character column it starts at. */
interface Field {
  text: string;
  column: number;
}

/**
 * Leaves the last row's last value out (an empty cell, in place) when the file's end cut it off (see the head of this
 * file), and returns the warning that says so; null when it was not cut. `tail`: the file's last bytes (at most
 * TAIL_BYTES), `wholeFile`: they are all of it.
 */
export function leaveOutCutValue(table: Table, tail: Uint8Array, wholeFile: boolean): TableProblem | null {
  const delimiter = table.delimiter;
  if (delimiter === undefined || delimiter.length !== 1 || table.rowCount <= MIN_BEFORE) return null;
  if (tail.length === 0 || tail[tail.length - 1] === LF || tail[tail.length - 1] === CR) return null;
  const lines = lastLines(tail, wholeFile, LINES_BEFORE + 1);
  const last = lines.pop();
  if (last === undefined || last.includes('"')) return null;
  const fields = splitFields(last, delimiter);
  const field = fields.length - 1;
  const cut = fields[field];
  const column = table.columns[field] as Column | undefined;
  const row = table.rowCount - 1;
  if (column === undefined || !matches(cut.text, column.values[row], delimiter)) return null;
  const before = valuesBefore(table, column, lines, field, delimiter);
  if (before.length < MIN_BEFORE || !looksCut(cut.text, column.values[row], before)) return null;
  return leaveOut(table, column, row, field, cut, delimiter);
}

/** The last `count` complete lines of the tail (the first one only when the tail starts the file), as text. */
function lastLines(tail: Uint8Array, wholeFile: boolean, count: number): string[] {
  const text = Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength).toString('utf8');
  const lines = text.split('\n');
  if (!wholeFile) lines.shift(); // cut by the tail's start
  return lines.slice(-count).map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

function splitFields(line: string, delimiter: string): Field[] {
  const fields: Field[] = [];
  let start = 0;
  for (;;) {
    const end = line.indexOf(delimiter, start);
    const raw = line.slice(start, end < 0 ? undefined : end);
    const lead = raw.length - raw.trimStart().length;
    fields.push({ text: raw.trim(), column: start + lead + 1 });
    if (end < 0) return fields;
    start = end + 1;
  }
}

/** Is `text` a plain number written as the table read it (so this field is that column, and this line that row)? */
function matches(text: string, value: number, delimiter: string): boolean {
  if (PLAIN.test(text)) return Number(text) === value;
  return delimiter !== ',' && DECIMAL_COMMA.test(text) && Number(text.replace(',', '.')) === value;
}

/**
 * The field's text and value on the rows right before the last, walking back while each line is its row's (the same
 * value as written); stops at a line that is not (a comment, a rejected row, a text cell).
 */
function valuesBefore(
  table: Table,
  column: Column,
  lines: readonly string[],
  field: number,
  delimiter: string,
): Array<{ length: number; value: number }> {
  const found: Array<{ length: number; value: number }> = [];
  const lastLine = table.lines[table.rowCount - 1];
  for (let k = 1; k <= lines.length && k < table.rowCount; k++) {
    const row = table.rowCount - 1 - k;
    if (table.lines[row] !== lastLine - k) break;
    const text = splitFields(lines[lines.length - k], delimiter)[field]?.text;
    if (text === undefined || !matches(text, column.values[row], delimiter)) break;
    found.push({ length: text.length, value: column.values[row] });
  }
  return found;
}

/**
 * Written shorter than on every line before; further from the value before it than any two lines before are apart
 * (a value that only lost digits its neighbours' scatter covers does little harm, and an epoch's `1.0` after `0.99` is
 * where its trend goes); and the first digits of a value among them (a resumed run's first loss, `2.5` after `3.4`,
 * is no number's first digits there). A number with an exponent is not judged: its cut is no prefix of its value's
 * size, and a stray size is the laws' to leave out.
 */
function looksCut(text: string, value: number, before: ReadonlyArray<{ length: number; value: number }>): boolean {
  if (/[eE]/.test(text) || !before.every((b) => text.length < b.length)) return false;
  let widest = 0;
  for (let i = 1; i < before.length; i++) widest = Math.max(widest, Math.abs(before[i - 1].value - before[i].value));
  const previous = before[0].value;
  return Math.abs(value - previous) > widest && startsNumberIn(text, previous - widest, previous + widest);
}

/** Does some number in [lo, hi] start with the digits `text` (a plain decimal without exponent) as written? */
function startsNumberIn(text: string, lo: number, hi: number): boolean {
  if (text.startsWith('-')) return startsNumberIn(text.slice(1), -hi, -lo);
  const digits = text.replace(/^\+/, '');
  const value = Number(digits);
  const point = digits.indexOf('.');
  if (point >= 0) return overlaps(value, value + 10 ** -(digits.length - point - 1), lo, hi);
  // Digits without a point go on as more digits (12 of 1234: [1200, 1300)) or as decimals (12 of 12.5); a 0 only
  // as decimals. Scales stop at the largest double, whatever hi is.
  if (value === 0) return overlaps(0, 1, lo, hi);
  for (let scale = 1; scale < 1e308 && value * scale <= hi; scale *= 10)
    if (overlaps(value * scale, (value + 1) * scale, lo, hi)) return true;
  return false;
}

/** Do [from, to) and [lo, hi] meet? */
function overlaps(from: number, to: number, lo: number, hi: number): boolean {
  return from <= hi && to > lo;
}

/** Reads the cut value as an empty cell; returns the warning at it. */
function leaveOut(
  table: Table,
  column: Column,
  row: number,
  field: number,
  cut: Field,
  delimiter: string,
): TableProblem {
  column.values[row] = NaN;
  column.numericCount--;
  column.emptyCount++;
  return {
    code: 'value-cut-off',
    severity: 'warning',
    line: table.lines[row],
    column: cut.column,
    cell: { field, delimiter },
    message:
      `the last line has no line end, and its last value ${quote(cut.text)} is shorter than the ` +
      `${quote(column.name)} values before it and far from them: a number cut off by a writer that crashed or is ` +
      'still writing, left out (the rest of the row is read) until the line is written whole; if the line is ' +
      'complete, end it with a line end',
  };
}
