// CSV/TSV tokenizer over bytes (RFC 4180 quoting, CRLF or LF, '#' comment lines, blank lines skipped).
// Unquoted numeric cells are parsed straight from the bytes; a string is made only for text, suffixed numbers and
// quoted fields (on the fast path, only for text not seen lately: see TextMemo). Records are staged in RecordCells
// and passed on only when complete, so a record cut by a chunk boundary is re-parsed from its start once more bytes
// arrive (the window keeps it).

import { CR, HASH, indexOfByte, lastIndexOfByte, LF, QUOTE, SPACE, TAB } from './bytes';
import type { TableBuilder } from './tableBuilder';
import { plural } from '../util/format';
import { formatBytes } from './problems';
import { isNumberByte, scanNumber, scanNumberTo, type NumberCellOptions, type NumberScan } from './number';
import { CELL_EMPTY, CELL_NUMBER, parseCell, PlainRows, RecordCells, type RowSink } from './record';
import { TextMemo } from './textMemo';
import type { ChunkParser } from './stream';

/** The record needs bytes past the end of the window. */
const INCOMPLETE = -1;
/** The data ended inside a quoted field. */
const UNCLOSED = -2;
/** plainRecords misses in a row after which it rests for PLAIN_PAUSE records (quoted fields make every record miss). */
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

export interface DelimitedOptions {
  /** The delimiter byte (',', '\t', ';', '|'). */
  delimiter: number;
  table: TableBuilder;
  /** A record longer than this is abandoned (an unclosed quote would otherwise swallow the rest of the file). */
  maxRecordBytes: number;
  numbers: NumberCellOptions;
  /** Called with the header's fields; returns where data records go (plain table or W&B reshape). */
  openSink(header: string[], record: RecordCells): RowSink;
  /** Data only: a later part of a file whose header was read elsewhere; records go straight to this sink. */
  sink?: RowSink;
}

export class DelimitedParser implements ChunkParser {
  /** 1-based line of the next record. */
  private line = 1;
  headerLine = 0;
  private sink: RowSink | null = null;
  private record = new RecordCells(0, true);
  /** The fast path's batch of records (see plainRecords), and its text cells seen lately. */
  private plain = new PlainRows(0, PLAIN);
  private readonly memo: TextMemo;
  /** Where plainFields stopped: a field and its offset. */
  private readonly stop = new Int32Array(2);
  private readonly scan: NumberScan = { value: 0 };
  /** scanNumberTo's output slot. */
  private readonly scanned = new Float64Array(1);
  /**
   * Offset of the last line feed of the data being consumed (-1: none). An unquoted number starting at or before it
   * ends by it at the latest, so it is scanned without end checks (scanNumberTo).
   */
  private lastLf = -1;
  /** Consecutive records plainRecords could not take, and records left before it is tried again. */
  private plainMisses = 0;
  private plainPause = 0;
  /** PLAIN holds buf[plainBase, plainBase + plainLength) (plainBase -1: nothing of this consume() call). */
  private plainBase = -1;
  private plainLength = 0;
  private readonly delimiter: number;
  /**
   * The fast path splits fields at every delimiter, the general path reads a number first: they agree unless the
   * delimiter can be part of a number (a forced '.', '-', 'e', digit...), where only the general path is used.
   */
  private readonly plainDelimiter: boolean;
  /** Line feeds inside quoted fields of the record being parsed. */
  private quotedLines = 0;
  /** Offset of the quote still open when the last parse stopped, or -1. */
  private openQuote = -1;
  /** Discarding the rest of an over-long line. */
  private skipping = false;
  /**
   * Bytes at the start of the unconsumed data known to hold no line feed, from the last call. A record cannot end
   * before the next LF, so a long line is not re-parsed from its start on every chunk (that was quadratic).
   */
  private lfFree = 0;

  constructor(private readonly options: DelimitedOptions) {
    this.delimiter = options.delimiter;
    this.plainDelimiter = !isNumberByte(options.delimiter);
    this.memo = new TextMemo(options.numbers);
    if (options.sink !== undefined) this.openData(options.sink);
  }

  get hasHeader(): boolean {
    return this.sink !== null;
  }

  /** Lines consumed so far (every line feed before the next record). */
  get linesConsumed(): number {
    return this.line - 1;
  }

  /** True between records: nothing of a line is left to skip (the consumed bytes ended a record). */
  get idle(): boolean {
    return !this.skipping;
  }

  consume(buf: Buffer, start: number, end: number, eof: boolean): number {
    let pos = start;
    if (!eof && !this.skipping && this.lfFree > 0) {
      const lf = indexOfByte(buf, LF, pos + this.lfFree, end);
      if (lf < 0 || lf >= end) {
        this.lfFree = end - pos;
        if (end - pos <= this.options.maxRecordBytes) return pos;
      }
    }
    this.lfFree = 0;
    this.lastLf = lastIndexOfByte(buf, LF, pos, end);
    this.plainBase = -1; // PLAIN is only this parser's during this call
    while (pos < end) {
      if (pos <= this.lastLf && this.sink !== null && !this.skipping && this.wantsPlain(buf[pos])) {
        const next = this.plainRecords(buf, pos, this.sink);
        if (next > pos) {
          pos = next;
          continue;
        }
      }
      this.openQuote = -1;
      let next = this.skipping ? this.skipRestOfLine(buf, pos, end) : this.skipBlankOrComment(buf, pos, end, eof);
      if (next === pos) next = this.parseRecord(buf, pos, end, eof);
      if (next === UNCLOSED) next = this.rejectUnclosed(buf, end, 'is never closed');
      if (next === INCOMPLETE) {
        if (end - pos <= this.options.maxRecordBytes) {
          const lf = indexOfByte(buf, LF, pos, end);
          if (lf < 0 || lf >= end) this.lfFree = end - pos;
          break;
        }
        next = this.abandonLongRecord(buf, pos, end);
      }
      pos = next;
    }
    return pos;
  }

  /**
   * Whether to try plainRecords on a record starting with byte c: not with a delimiter that may be in a number, not
   * after a run of misses (a file with quoted fields), and not on what may be a blank line, a comment or a quoted
   * field.
   */
  private wantsPlain(c: number): boolean {
    if (!this.plainDelimiter) return false;
    if (this.plainPause > 0) {
      this.plainPause--;
      return false;
    }
    return c > SPACE && c !== HASH && c !== QUOTE;
  }

  /**
   * The fast path for the usual records: as many as possible from pos on, each exactly `width` unquoted fields
   * (numbers, empty cells, text) ending in LF or CRLF, with no other CR. They are parsed from a copy in PLAIN (see
   * there), whose bytes end in a line feed, so no end checks are needed. Returns the offset after the last record
   * taken (pos when none: the record is parsed the general way, which gives the same cells for every record taken
   * here).
   */
  private plainRecords(buf: Buffer, pos: number, sink: RowSink): number {
    const length = this.copyToPlain(buf, pos);
    const rows = this.plain;
    const last = sink.width - 1;
    const stop = this.stop;
    let at = pos - this.plainBase;
    // Blank lines (which may be just a line ending, or spaces when they delimit) are the general path's.
    while (at < length && PLAIN[at] > SPACE) {
      let next = plainFields(at, 0, this.delimiter, last, rows.values, rows.base, stop);
      if (next === NOT_NUMBER) next = textRecord(at, this.delimiter, last, rows, this.memo, stop);
      if (next < 0) {
        rows.discard();
        break;
      }
      rows.add(this.line++, at);
      if (rows.count === rows.capacity) this.writePlain(sink);
      at = next;
    }
    this.writePlain(sink); // before any record the general path takes
    const taken = this.plainBase + at;
    if (taken === pos) this.missPlain();
    else this.plainMisses = 0;
    return taken;
  }

  /**
   * Makes PLAIN hold buf from pos on, up to a line feed, unless it already does in this consume() call; returns
   * where in PLAIN the copied lines end (0: none fits).
   */
  private copyToPlain(buf: Buffer, pos: number): number {
    if (this.plainBase >= 0 && pos >= this.plainBase && pos < this.plainBase + this.plainLength)
      return this.plainLength;
    const end = Math.min(this.lastLf + 1, pos + PLAIN.length);
    buf.copy(PLAIN, 0, pos, end);
    this.plainBase = pos;
    this.plainLength = PLAIN.lastIndexOf(LF, end - pos - 1) + 1;
    return this.plainLength;
  }

  private writePlain(sink: RowSink): void {
    sink.plainRows(this.plain);
    this.plain.clear();
  }

  /** Counts a record the fast path could not take; after a run of them it rests for a while. */
  private missPlain(): void {
    if (++this.plainMisses >= PLAIN_MISSES) this.plainPause = PLAIN_PAUSE;
  }

  /** Returns the offset after a blank or comment line at pos, pos itself when a record starts there. */
  private skipBlankOrComment(buf: Buffer, pos: number, end: number, eof: boolean): number {
    let p = pos;
    while (p < end && (buf[p] === SPACE || (buf[p] === TAB && this.delimiter !== TAB))) p++;
    if (p === end) return eof ? end : INCOMPLETE;
    const c = buf[p];
    if (c === LF) return this.nextLine(p + 1);
    if (c === CR && p + 1 === end) return eof ? end : INCOMPLETE;
    if (c === CR && buf[p + 1] === LF) return this.nextLine(p + 2);
    if (c !== HASH || p !== pos) return pos;
    const lf = indexOfByte(buf, LF, p, end);
    if (lf < 0 || lf >= end) return eof ? end : INCOMPLETE;
    return this.nextLine(lf + 1);
  }

  private nextLine(offset: number): number {
    this.line++;
    return offset;
  }

  /** Parses one record starting at pos; returns the offset after its line ending, INCOMPLETE or UNCLOSED. */
  private parseRecord(buf: Buffer, pos: number, end: number, eof: boolean): number {
    const record = this.record;
    const textOnly = this.sink === null; // the header: names stay text even when they look numeric
    record.reset(buf, pos, this.line);
    this.quotedLines = 0;
    let p = pos;
    let field = 0;
    for (;;) {
      let fieldEnd: number;
      if (p < end && buf[p] === QUOTE) {
        fieldEnd = this.quotedField(buf, p, end, eof, field, textOnly);
        if (fieldEnd < 0) return fieldEnd;
      } else {
        const numberEnd = textOnly ? p : this.number(buf, p, end);
        if (numberEnd > p && this.isFieldEnd(buf, numberEnd, end, eof)) {
          record.setNumber(field, this.scanned[0], p);
          fieldEnd = numberEnd;
        } else {
          fieldEnd = this.findFieldEnd(buf, numberEnd, end);
          if (fieldEnd === end && !eof) return INCOMPLETE;
          this.plainField(buf, p, fieldEnd, field, textOnly);
        }
      }
      field++;
      p = fieldEnd;
      if (p >= end) return eof ? this.endRecord(field, p, end) : INCOMPLETE;
      if (buf[p] === this.delimiter) {
        p++;
        continue;
      }
      if (buf[p] === LF) return this.endRecord(field, p, p + 1);
      // A CR here is a line ending (findFieldEnd stops at CR only before LF or at the end of the data).
      if (p + 1 >= end) return eof ? this.endRecord(field, p, end) : INCOMPLETE;
      return this.endRecord(field, p, p + 2);
    }
  }

  /** Scans a plain number at p into scanned[0]; returns its end (p when there is none). */
  private number(buf: Buffer, p: number, end: number): number {
    if (p <= this.lastLf) return scanNumberTo(buf, p, this.scanned, 0);
    const numberEnd = scanNumber(buf, p, end, this.scan);
    this.scanned[0] = this.scan.value;
    return numberEnd;
  }

  /** Is offset q at a field boundary: delimiter, line ending, or the end of the file? */
  private isFieldEnd(buf: Buffer, q: number, end: number, eof: boolean): boolean {
    if (q >= end) return eof;
    const c = buf[q];
    return c === this.delimiter || c === LF || (c === CR && (q + 1 === end || buf[q + 1] === LF));
  }

  /** Offset of the delimiter or line ending that closes an unquoted field (end when none is in the window). */
  private findFieldEnd(buf: Buffer, from: number, end: number): number {
    const delimiter = this.delimiter;
    for (let i = from; i < end; i++) {
      const c = buf[i];
      if (c === delimiter || c === LF) return i;
      if (c === CR && (i + 1 === end || buf[i + 1] === LF)) return i;
    }
    return end;
  }

  /** The string path for an unquoted field the fast path did not take. */
  private plainField(buf: Buffer, start: number, fieldEnd: number, field: number, textOnly: boolean): void {
    if (fieldEnd === start) {
      if (textOnly) this.record.setText(field, '', start);
      else this.record.setEmpty(field, start);
      return;
    }
    this.setCell(field, unquotedText(buf, start, fieldEnd), start, textOnly);
  }

  /** A field opening with a quote: "" is a literal quote, delimiters and newlines are data. */
  private quotedField(buf: Buffer, open: number, end: number, eof: boolean, field: number, textOnly: boolean): number {
    let i = open + 1;
    let escaped = false;
    let lines = 0;
    for (;;) {
      if (i >= end) {
        this.openQuote = open;
        return eof ? UNCLOSED : INCOMPLETE;
      }
      const c = buf[i];
      if (c === QUOTE) {
        if (i + 1 < end && buf[i + 1] === QUOTE) {
          escaped = true;
          i += 2;
          continue;
        }
        if (i + 1 >= end && !eof) return INCOMPLETE; // cannot tell a closing quote from the first half of ""
        break;
      }
      if (c === LF) lines++;
      i++;
    }
    let text = buf.toString('utf8', open + 1, i);
    if (escaped) text = text.replace(/""/g, '"');
    let after = i + 1;
    if (!this.isFieldEnd(buf, after, end, eof)) {
      // Text after the closing quote ("abc"def): keep it, as Python's csv module does.
      const fieldEnd = this.findFieldEnd(buf, after, end);
      if (fieldEnd === end && !eof) return INCOMPLETE;
      text += buf.toString('utf8', after, fieldEnd);
      after = fieldEnd;
    }
    this.quotedLines += lines;
    this.setCell(field, text, open, textOnly);
    return after;
  }

  /** Header names stay text; data cells are classified (empty, number with suffixes, separators, nan, inf, or text). */
  private setCell(field: number, text: string, start: number, textOnly: boolean): void {
    if (textOnly) this.record.setText(field, text, start);
    else this.record.setParsed(field, parseCell(text, this.options.numbers), start);
  }

  /** A record is complete: the header opens the sink, data goes to it. */
  private endRecord(fields: number, contentEnd: number, next: number): number {
    const record = this.record;
    record.count = fields;
    this.line += 1 + this.quotedLines;
    if (this.sink === null) {
      this.openHeader(record);
      return next;
    }
    if (fields !== this.sink.width) this.reportRagged(record, contentEnd);
    this.sink.row(record);
    return next;
  }

  private openHeader(header: RecordCells): void {
    this.headerLine = header.line;
    const names = header.texts.slice(0, header.count);
    this.openData(this.options.openSink(names, header));
  }

  private openData(sink: RowSink): void {
    this.sink = sink;
    this.record = new RecordCells(sink.width);
    this.plain = new PlainRows(sink.width, PLAIN);
  }

  private reportRagged(record: RecordCells, contentEnd: number): void {
    const width = this.sink?.width ?? 0;
    const has = `line ${record.line} has ${plural(record.count, 'field')} but the header has ${width}`;
    if (record.count < width) {
      const at = record.locate(contentEnd);
      this.options.table.problems.add(
        'row-ragged',
        'warning',
        at.line,
        at.column,
        `${has}; the missing cells are treated as empty`,
      );
    } else {
      const at = record.where(width);
      this.options.table.problems.add(
        'row-ragged',
        'warning',
        at.line,
        at.column,
        `${has}; the extra fields from column ${at.column} on are ignored — add names for them to the header or remove ` +
          'the extra delimiters',
      );
    }
  }

  /** Skips the line where an unclosed quote opened, resuming on the next line: earlier and later rows are kept. */
  private rejectUnclosed(buf: Buffer, end: number, state: string): number {
    const at = this.record.locate(this.openQuote);
    this.options.table.rowsRejected++;
    this.options.table.problems.add(
      'quote-unclosed',
      'error',
      at.line,
      at.column,
      `the quote opened at line ${at.line}, column ${at.column} ${state}, so the row at line ${this.record.line} is ` +
        'skipped — close the quote (or double it, "", for a literal quote)',
    );
    this.line = at.line;
    const lf = indexOfByte(buf, LF, this.openQuote, end);
    if (lf < 0 || lf >= end) {
      this.skipping = true;
      return end;
    }
    return this.nextLine(lf + 1);
  }

  /** A record bigger than maxRecordBytes: an unclosed quote, or a line that is not tabular data at all. */
  private abandonLongRecord(buf: Buffer, pos: number, end: number): number {
    const limit = formatBytes(this.options.maxRecordBytes);
    if (this.openQuote >= 0) return this.rejectUnclosed(buf, end, `is still open after ${limit}`);
    this.options.table.rowsRejected++;
    this.options.table.problems.add(
      'line-too-long',
      'error',
      this.line,
      1,
      `line ${this.line} is longer than ${limit}, so it is skipped — check that this is a CSV/TSV file`,
    );
    for (let i = pos; i < end; i++) if (buf[i] === LF) this.line++; // newlines inside closed quoted fields
    this.skipping = true;
    return end;
  }

  private skipRestOfLine(buf: Buffer, pos: number, end: number): number {
    const lf = indexOfByte(buf, LF, pos, end);
    if (lf < 0 || lf >= end) return end;
    this.skipping = false;
    return this.nextLine(lf + 1);
  }
}

/** The text of the unquoted field buf[start, end): trimmed, as the general path and TextMemo read it. */
function unquotedText(buf: Buffer, start: number, end: number): string {
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
