// Numbers written with a comma. In a `,` file the comma is the delimiter, so a comma inside a number can only group
// thousands (quoted "12,000,000"), and an unquoted decimal comma ("2,95") splits its row: such a row is left out,
// not fitted (see splitDecimal). In a `;`, tab or `|` file a comma may be a decimal comma (3,958 is 3.958, as
// European locales write) or a thousands separator (3,958 is 3958): reading one as the other is silently wrong by a
// factor of a thousand, so the file decides as a whole, from the cells that can only be one of them:
//   - decimal:   a `0,` start (0,001: a thousands group never starts with 0), a group of other than three digits
//                (2,95 or 0,0003), more than three digits before the comma (1234,5), `1.234,5`; or a column whose
//                cells are all `d,ddd` (a loss or LR written with three decimals; thousands would all be 1000-9999);
//   - thousands: two groups or more (1,234,567), or a group and a decimal point (1,234.5).
// Decimal evidence alone: the file is read with decimal commas, and says so. Thousands evidence: commas group
// thousands (decimal-looking cells are then left out, by name). Neither (only cells like 3,958): the cells are left
// out with a warning naming the two readings. The first 64 KiB decide how cells are parsed as they stream; cells
// left as text are settled when the whole file has been read (settleCommaNumbers).

import { characterColumn, countByte, LF, QUOTE } from './bytes';
import type { ColumnBuilder } from './columnBuilder';
import { fieldCounts } from './detect';
import { parseNumberCell, type NumberCellOptions } from './number';
import { quote, type ProblemLog } from './problems';

export type CommaKind = 'decimal' | 'thousands' | 'ambiguous';
/** How a file's comma numbers are read: as decimals, as grouped thousands, or (not known yet, or neither) as text. */
export type CommaReading = 'decimal' | 'thousands' | 'text';

const THOUSANDS_ONLY = /^[+-]?[1-9]\d{0,2}(?:(?:,\d{3}){2,}(?:\.\d+)?|,\d{3}\.\d+)$/;
const AMBIGUOUS = /^[+-]?[1-9]\d{0,2},\d{3}$/;
/** Ambiguous with one digit before the comma: the shape of a value below 10 written with three decimals. */
const ONE_DIGIT = /^[+-]?\d,\d{3}$/;
const DECIMAL_ONLY = /^[+-]?(?:\d*,\d+(?:[eE][+-]?\d+)?|[1-9]\d{0,2}(?:\.\d{3})+,\d+)$/;

/** Which reading a cell's text allows, or null when it is no number written with a comma. */
export function commaKind(text: string): CommaKind | null {
  const t = text.trim();
  if (!t.includes(',')) return null;
  if (THOUSANDS_ONLY.test(t)) return 'thousands';
  if (AMBIGUOUS.test(t)) return 'ambiguous';
  return DECIMAL_ONLY.test(t) ? 'decimal' : null;
}

/** The number options of a reading (comma numbers of the other kind stay text). */
export function commaNumbers(reading: CommaReading): NumberCellOptions {
  if (reading === 'decimal') return { thousands: false, decimalComma: true };
  return { thousands: reading === 'thousands' };
}

/** A cell that shows a kind, and where (`field`: its 0-based field on the line, when known, to underline it whole). */
export interface CommaExample {
  text: string;
  line: number;
  column: number;
  field?: number;
}

/** Per column of the sample: `d,ddd` cells, and other non-empty cells. */
interface ColumnTally {
  oneDigit: number;
  other: number;
  first: CommaExample | null;
}

/** What the cells seen so far say about the file's commas. */
export class CommaEvidence {
  readonly examples: Partial<Record<CommaKind, CommaExample>> = {};
  private readonly columns: ColumnTally[] = [];

  /** Records one data cell of column `field` (`text` as read: unquoted; `at` locates it, asked for examples only). */
  add(field: number, text: string, at: () => Omit<CommaExample, 'text'>): void {
    const t = text.trim();
    if (t === '') return;
    const tally = (this.columns[field] ??= { oneDigit: 0, other: 0, first: null });
    const kind = commaKind(t);
    if (kind === null) {
      tally.other++;
      return;
    }
    this.examples[kind] ??= { text: t, ...at() };
    if (kind === 'ambiguous' && ONE_DIGIT.test(t)) {
      tally.oneDigit++;
      tally.first ??= { text: t, ...at() };
    } else tally.other++;
  }

  /** Records the comma numbers a whole column left as text (its numbers and other texts count against `d,ddd`). */
  addColumn(column: ColumnBuilder, where: (text: string) => CommaExample): void {
    const tally: ColumnTally = { oneDigit: 0, other: column.numericCount > 0 ? 1 : 0, first: null };
    for (const text of column.texts) {
      const kind = text === 'NaN' ? null : commaKind(text);
      if (kind === null) {
        tally.other++;
        continue;
      }
      this.examples[kind] ??= where(text);
      if (kind === 'ambiguous' && ONE_DIGIT.test(text)) {
        tally.oneDigit++;
        tally.first ??= where(text);
      } else tally.other++;
    }
    this.columns.push(tally);
  }

  /** Decimal evidence: a cell that can only be one, or a column of `d,ddd` cells alone (two at least). */
  private get decimal(): CommaExample | undefined {
    if (this.examples.decimal !== undefined) return this.examples.decimal;
    for (const column of this.columns)
      if (column !== undefined && column.other === 0 && column.oneDigit >= 2) return column.first!;
    return undefined;
  }

  /** The reading the evidence calls for ('text' when there is none: no comma numbers, or only ambiguous ones). */
  reading(): CommaReading {
    if (this.examples.thousands !== undefined) return 'thousands';
    return this.decimal !== undefined ? 'decimal' : 'text';
  }

  /** The cell that decided the reading. */
  example(reading: CommaReading): CommaExample | undefined {
    if (reading === 'decimal') return this.decimal;
    return reading === 'thousands' ? this.examples.thousands : this.examples.ambiguous;
  }
}

/**
 * The evidence of the data cells of the sample buf[start, end) (its first record is the header); `firstLine`: the
 * file's line `start` is on (2 after Excel's "sep=" line).
 */
export function sampleCommaEvidence(
  buf: Buffer,
  start: number,
  end: number,
  delimiter: number,
  firstLine = 1,
): CommaEvidence {
  const evidence = new CommaEvidence();
  let line = firstLine;
  let lineStart = start;
  let counted = start; // line feeds before here are counted in `line`
  fieldCounts(buf, start, end, delimiter, (record, field, from, to) => {
    const lineFeeds = countByte(buf, LF, counted, from);
    if (lineFeeds > 0) {
      line += lineFeeds;
      lineStart = buf.lastIndexOf(LF, from - 1) + 1;
    }
    counted = from;
    const at = line;
    if (record > 0)
      evidence.add(field, fieldText(buf, from, to), () => ({
        line: at,
        column: characterColumn(buf, lineStart, from),
        field,
      }));
  });
  return evidence;
}

/** A sample field's text: unquoted ("" is a quote) when it opens with a quote. */
function fieldText(buf: Buffer, from: number, to: number): string {
  const raw = buf.toString('utf8', from, to);
  if (buf[from] !== QUOTE) return raw;
  const close = raw.lastIndexOf('"');
  return raw.slice(1, close > 0 ? close : raw.length).replace(/""/g, '"');
}

/**
 * After the whole file: comma numbers still text are read when the whole file says how (they were parsed before it
 * could), and what was read or left out is said. `reading`: how cells were parsed as they streamed; `sample`: the
 * evidence that chose it.
 */
export function settleCommaNumbers(
  columns: readonly ColumnBuilder[],
  reading: CommaReading,
  sample: CommaEvidence,
  problems: ProblemLog,
  lineOf: (row: number) => number,
): void {
  const where = (column: ColumnBuilder) => (text: string) => locate(column, text, lineOf);
  const whole = new CommaEvidence();
  Object.assign(whole.examples, sample.examples);
  for (const column of columns) whole.addColumn(column, where(column));
  let final = reading;
  if (reading === 'text') {
    final = whole.reading();
    const options = commaNumbers(final);
    if (final !== 'text') for (const column of columns) column.convertTexts((t) => commaValue(t, options), lineOf);
  }
  const decided = whole.example(final) ?? sample.example(final);
  if (final === 'decimal' && decided !== undefined)
    problems.addForFile(
      'decimal-comma',
      'info',
      decided.line,
      decided.column,
      `numbers are written with a decimal comma (as ${quote(decided.text)} at line ${decided.line} shows), so they ` +
        `are read as decimals: ${quote(decided.text)} is ${commaValue(decided.text, commaNumbers('decimal'))}`,
      { field: decided.field },
    );
  for (const column of columns) reportLeftOut(column, final, decided, problems, where(column));
}

/** The value of a comma number under a reading's options, or null. */
function commaValue(text: string, options: NumberCellOptions): number | null {
  return commaKind(text) === null ? null : (parseNumberCell(text, options)?.value ?? null);
}

/** One warning per column whose comma numbers stay text: why, with the first of them. */
function reportLeftOut(
  column: ColumnBuilder,
  reading: CommaReading,
  decided: CommaExample | undefined,
  problems: ProblemLog,
  where: (text: string) => CommaExample,
): void {
  const text = column.texts.find((t) => t !== 'NaN' && commaKind(t) !== null);
  if (text === undefined) return;
  const at = where(text);
  const cell = `column ${quote(column.name)} has ${quote(text)} at line ${at.line}`;
  const leftOut = 'it and the cells like it are left out';
  let message: string;
  if (reading === 'decimal' && decided !== undefined)
    message = `${cell}, a number with thousands separators, in a file written with decimal commas (${quote(decided.text)} at line ${decided.line}); ${leftOut} — write it without separators`;
  else if (reading === 'thousands' && decided !== undefined)
    message = `${cell}, a number with a decimal comma, in a file that groups thousands with commas (${quote(decided.text)} at line ${decided.line}); ${leftOut} — write it with a decimal point`;
  else if (reading === 'thousands')
    message = `${cell}, a number with a decimal comma, quoted in a file whose delimiter is the comma; ${leftOut} — write numbers with a decimal point, or separate fields with ";"`;
  else
    message = `${cell}: with a decimal comma it is ${commaValue(text, commaNumbers('decimal'))}, with a thousands separator ${commaValue(text, commaNumbers('thousands'))}, and nothing in the file tells which; ${leftOut} — write numbers with a decimal point and no separators`;
  problems.add('decimal-comma', 'warning', at.line, at.column, message, at.field);
}

/** Where a column's text first is: its first cell's location when that is the text, else its first row's line. */
function locate(column: ColumnBuilder, text: string, lineOf: (row: number) => number): CommaExample {
  const first = column.firstText;
  if (first !== null && first.text === text)
    return { text, line: first.line, column: first.column, field: first.field };
  const row = column.firstRowOf(text);
  return { text, line: row < 0 ? 1 : lineOf(row), column: 1 };
}

/**
 * In a `,` file: the number an over-long row's fields hold when some of them were one number with a decimal comma,
 * split by the delimiter ("2,95" read as "2" and "95"), or null. Only a row of numbers and empty cells whose extra
 * fields are all explained so counts (a row with text more likely has a comma in a note). Pairs are looked for from
 * the right: a row's first field is usually an integer step, which would pair with the integer part after it.
 */
export function splitDecimal(fields: readonly string[], width: number): string | null {
  const cells = fields.map((f) => f.trim());
  if (cells.some((c) => c !== '' && parseNumberCell(c) === null)) return null;
  let pairs = 0;
  let first: string | null = null;
  for (let i = cells.length - 1; i > 0; i--) {
    if (!/^\d+$/.test(cells[i]) || !/^[+-]?\d+$/.test(cells[i - 1])) continue;
    first = `${cells[i - 1]},${cells[i]}`;
    pairs++;
    i--;
  }
  return pairs > 0 && pairs >= cells.length - width ? first : null;
}
