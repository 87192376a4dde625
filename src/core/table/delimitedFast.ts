// The CSV/TSV fast path: runs of the usual records (exactly `width` unquoted fields of numbers, empty cells and text,
// ending in LF or CRLF) are parsed straight from the bytes into a batch of rows (PlainRows) for the sink, with no
// string for a number and none for a text seen lately (TextMemo). A record it cannot take is left, unchanged, to the
// general tokenizer (delimited.ts), which gives the same cells for every record taken here. Separate from that
// tokenizer because these loops are tuned for V8 around one module-level buffer (see PLAIN); the tokenizer decides
// where they are tried.

import { CR, HASH, LF, QUOTE, SPACE } from './bytes';
import { isNumberByte, scanNumberTo, type NumberCellOptions } from './number';
import { CELL_EMPTY, CELL_NUMBER, CELL_TEXT, PlainRows, type ParsedCell, type RowSink } from './record';
import { TextMemo } from './textMemo';

/** Records missed in a row after which the fast path rests for PLAIN_PAUSE records (quoted fields make all miss). */
const PLAIN_MISSES = 8;
const PLAIN_PAUSE = 256;
/**
 * The bytes the fast path parses, copied from the window (about a chunk per consume() call, a small cost). V8
 * compiles loops over a module-level constant buffer to tighter code than loops over one passed in: its base and
 * length are constants instead of being reloaded for every byte (a numeric CSV parses ~15 % faster). Only used
 * within one consume() call, which never yields, so parsers sharing it cannot interleave.
 */
const PLAIN = Buffer.allocUnsafe(2 * 1024 * 1024);
/** plainFields stopped at a field that is not a plain number. */
const NOT_NUMBER = -2;

/** The fast path of one DelimitedParser: when to try it, and the records it takes. */
export class PlainRecordScanner {
  /** The batch of records being staged (see records), and its text cells seen lately. */
  private rows = new PlainRows(0, PLAIN);
  private readonly memo: TextMemo;
  /** Where plainFields stopped: a field and its offset. */
  private readonly stop = new Int32Array(2);
  /** Consecutive records the fast path could not take, and records left before it is tried again. */
  private misses = 0;
  private pause = 0;
  /** PLAIN holds buf[base, base + length) (base -1: nothing of this consume() call). */
  private base = -1;
  private length = 0;
  /**
   * The fast path splits fields at every delimiter, the general path reads a number first: they agree unless the
   * delimiter can be part of a number (a forced '.', '-', 'e', digit...), where only the general path is used.
   */
  private readonly usable: boolean;
  /** False when the sink reads fewer fields than a record has (a header cut to its first columns). */
  private staging = true;
  /**
   * The header's first name that is text, its field, and all its text names: a record whose numbers stop at that field
   * with one of them there may be the header again (a record of text stops there too, in whatever order).
   */
  private firstNamed = -1;
  private names = new Set<string>();
  /** Records taken by the last records() call. */
  recordsTaken = 0;

  constructor(
    private readonly delimiter: number,
    numbers: NumberCellOptions,
  ) {
    // Not in a file of decimal commas either: its "1.000" is 1000, which the plain scan would read as 1.
    this.usable = !isNumberByte(delimiter) && numbers.decimalComma !== true;
    this.memo = new TextMemo(numbers);
  }

  /** A consume() call begins: PLAIN holds none of its data yet (PLAIN is only this parser's during the call). */
  begin(): void {
    this.base = -1;
  }

  /**
   * The header is read: data records have `width` fields, staged when `staging` (see there); `header`: its names,
   * trimmed, as data cells read them (none for a part whose header is not known, or that has no text name).
   */
  open(width: number, staging: boolean, header: readonly ParsedCell[]): void {
    this.staging = staging;
    // Names that read as numbers (a column called "1") are scanned as numbers: the first text one is where to look.
    this.firstNamed = header.findIndex((name) => name.kind === CELL_TEXT);
    this.names = new Set(header.flatMap((name) => (name.kind === CELL_TEXT ? [name.text] : [])));
    if (staging) this.rows = new PlainRows(width, PLAIN);
  }

  /**
   * Whether to try records() on a record starting with byte c: not with a delimiter that may be in a number, not
   * after a run of misses (a file with quoted fields), and not on what may be a blank line, a comment or a quoted
   * field.
   */
  wants(c: number): boolean {
    if (!this.usable || !this.staging) return false;
    if (this.pause > 0) {
      this.pause--;
      return false;
    }
    return c > SPACE && c !== HASH && c !== QUOTE;
  }

  /**
   * The usual records, as many as possible from pos on (the first at `line`), each exactly `width` unquoted fields
   * (numbers, empty cells, text) ending in LF or CRLF, with no other CR; `lastLf` is the last line feed of the data.
   * They are parsed from a copy in PLAIN (see there), whose bytes end in a line feed, so no end checks are needed.
   * Returns the offset after the last record taken (pos when none: the record is parsed the general way, which gives
   * the same cells for every record taken here); recordsTaken says how many were.
   */
  records(buf: Buffer, pos: number, lastLf: number, line: number, sink: RowSink): number {
    const length = this.copyToPlain(buf, pos, lastLf);
    const rows = this.rows;
    const last = sink.width - 1;
    const stop = this.stop;
    let record = line;
    let at = pos - this.base;
    // Blank lines (which may be just a line ending, or spaces when they delimit) are the general path's.
    while (at < length && PLAIN[at] > SPACE) {
      let next = plainFields(at, 0, this.delimiter, last, rows.values, rows.base, stop);
      if (next === NOT_NUMBER)
        next = this.mayRepeatHeader() ? -1 : textRecord(at, this.delimiter, last, rows, this.memo, stop);
      if (next < 0) {
        rows.discard();
        break;
      }
      rows.add(record++, at);
      at = next;
      if (rows.count === rows.capacity) {
        this.write(sink);
        if (sink.stopped) break;
      }
    }
    this.write(sink); // before any record the general path takes
    this.recordsTaken = record - line;
    const taken = this.base + at;
    if (taken === pos) this.miss();
    else this.misses = 0;
    return taken;
  }

  /**
   * Whether the field plainFields stopped at (its first that is not a number) is the header's first text name's and
   * holds one of its names: the record may be the header again, in its order or another, which the general path
   * tells and says (DelimitedParser.repeatsHeader, reorderedHeader). Memoized like any text.
   */
  private mayRepeatHeader(): boolean {
    if (this.stop[0] !== this.firstNamed) return false;
    const start = this.stop[1];
    let end = start;
    while (PLAIN[end] !== this.delimiter && PLAIN[end] !== LF && PLAIN[end] !== CR) end++;
    const cell = this.memo.cell(PLAIN, start, end, unquotedText);
    return cell?.kind === CELL_TEXT && this.names.has(cell.text);
  }

  /**
   * Makes PLAIN hold buf from pos on, up to a line feed, unless it already does in this consume() call; returns
   * where in PLAIN the copied lines end (0: none fits).
   */
  private copyToPlain(buf: Buffer, pos: number, lastLf: number): number {
    if (this.base >= 0 && pos >= this.base && pos < this.base + this.length) return this.length;
    const end = Math.min(lastLf + 1, pos + PLAIN.length);
    buf.copy(PLAIN, 0, pos, end);
    this.base = pos;
    this.length = PLAIN.lastIndexOf(LF, end - pos - 1) + 1;
    return this.length;
  }

  private write(sink: RowSink): void {
    sink.plainRows(this.rows);
    this.rows.clear();
  }

  /** Counts a record the fast path could not take; after a run of them it rests for a while. */
  private miss(): void {
    if (++this.misses >= PLAIN_MISSES) this.pause = PLAIN_PAUSE;
  }
}

/** The text of the unquoted field buf[start, end): trimmed, as the general path and TextMemo read it. */
export function unquotedText(buf: Buffer, start: number, end: number): string {
  return buf.toString('utf8', start, end).trim();
}

/**
 * The rest of a record at PLAIN[pos] after plainFields stopped at a field that is not a plain number (see there):
 * that field as text, then plainFields again from the next field, and so on. Returns the offset after the record's
 * line ending, or -1 when the record is not plain (a comment line, a quoted field, a stray CR, ragged).
 */
function textRecord(
  pos: number,
  delimiter: number,
  last: number,
  rows: PlainRows,
  memo: TextMemo,
  stop: Int32Array,
): number {
  if (PLAIN[pos] === HASH) return -1;
  for (;;) {
    const field = stop[0];
    const end = textField(stop[1], delimiter, field, rows, memo);
    if (end < 0) return -1;
    const c = PLAIN[end];
    if (field === last) return c === LF ? end + 1 : c === CR ? end + 2 : -1; // textField ends at a CR only before LF
    if (c !== delimiter) return -1;
    const next = plainFields(end + 1, field + 1, delimiter, last, rows.values, rows.base, stop);
    if (next !== NOT_NUMBER) return next;
  }
}

/**
 * Fields `firstField` on of the record being staged (see plainRecords), the first at PLAIN[from]: plain numbers and
 * empty cells, into values[base + field]. Returns the offset after the record's line ending, or NOT_NUMBER at a
 * field that is not a plain number nor empty (or is one but does not end where it should), with that field's index
 * and offset in stop[0] and stop[1]. Text is left to the caller: handling it in this loop slows it by ~10 %.
 */
function plainFields(
  from: number,
  firstField: number,
  delimiter: number,
  last: number,
  values: Float64Array,
  base: number,
  stop: Int32Array,
): number {
  const buf = PLAIN;
  let p = from;
  for (let field = firstField; ; field++) {
    const start = p;
    const c = buf[p];
    if (c === delimiter || c === LF || c === CR) {
      values[base + field] = NaN; // an empty cell; a CR is checked below: only CRLF ends a record here
    } else {
      p = scanNumberTo(buf, p, values, base + field);
    }
    const next = buf[p];
    if (field < last) {
      if (next !== delimiter) return notNumber(stop, field, start);
      p++;
      continue;
    }
    if (next === LF) return p + 1;
    if (next === CR && buf[p + 1] === LF) return p + 2;
    return notNumber(stop, field, start);
  }
}

function notNumber(stop: Int32Array, field: number, start: number): number {
  stop[0] = field;
  stop[1] = start;
  return NOT_NUMBER;
}

/**
 * An unquoted field at PLAIN[start] that is not a plain number nor empty (text, "nan", "12B", " 1.5"), as the
 * general path reads it (plainField): numbers and blank cells as values, the rest as cells of `rows`. Returns the
 * offset of the delimiter or line ending after it, or -1 for a quoted field, a CR that does not end the line, or a
 * field that is empty or a plain number after all (the record is then ragged or has a stray CR).
 */
function textField(start: number, delimiter: number, field: number, rows: PlainRows, memo: TextMemo): number {
  const buf = PLAIN;
  let end = start;
  let c = buf[end];
  if (c === QUOTE) return -1;
  while (c !== delimiter && c !== LF && c !== CR) c = buf[++end];
  if (end === start || (c === CR && buf[end + 1] !== LF)) return -1;
  const cell = memo.cell(buf, start, end, unquotedText)!; // unquotedText always reads
  if (cell.kind === CELL_EMPTY || (cell.kind === CELL_NUMBER && !Number.isNaN(cell.value)))
    rows.values[rows.base + field] = cell.value;
  else rows.setParsed(field, cell, start); // text, a suffix to keep, or a written NaN to tell from an empty cell
  return end;
}
