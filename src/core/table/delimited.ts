// CSV/TSV tokenizer over bytes (RFC 4180 quoting, CRLF or LF, '#' comment lines, blank lines skipped).
// Unquoted numeric cells are parsed straight from the bytes; a string is made only for text, suffixed numbers and
// quoted fields (on the fast path, only for text not seen lately: see TextMemo). Records are staged in RecordCells
// and passed on only when complete, so a record cut by a chunk boundary is re-parsed from its start once more bytes
// arrive (the window keeps it). Runs of the usual records take the fast path (delimitedFast.ts) first.

import { CR, HASH, indexOfByte, lastIndexOfByte, LF, QUOTE, SPACE, TAB } from './bytes';
import { splitDecimal } from './decimalComma';
import { loneCrIn, type LoneCrWatch } from './lineEnds';
import { PlainRecordScanner, unquotedText } from './delimitedFast';
import type { TableBuilder } from './tableBuilder';
import { plural } from '../util/format';
import { formatBytes, quote } from './problems';
import { isDotGroupedInteger, scanNumber, scanNumberTo, type NumberCellOptions, type NumberScan } from './number';
import { CELL_EMPTY, CELL_SUFFIXED, CELL_TEXT, parseCell, RecordCells, type ParsedCell, type RowSink } from './record';
import type { ChunkParser } from './stream';

/** The record needs bytes past the end of the window. */
const INCOMPLETE = -1;
/** The data ended inside a quoted field. */
const UNCLOSED = -2;
const COMMA = 44;

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
  /** With `sink`: the names of that header, so that a line repeating it is told (see repeatsHeader). */
  header?: readonly string[];
  /** Told when the header is written again in another order: field i now holds what field order[i] held. */
  reordered?(order: readonly number[]): void;
  /** In a CRLF file, the records the fast path does not take are looked at for a lone CR (see LineEnds). */
  lineEnds?: LoneCrWatch;
  /** The file's line the first byte is on (a later part of a file; default 1). */
  firstLine?: number;
  /**
   * A followed file (see ReaderTuning.holdOpenQuote): at the end of the data, a record of at most this many bytes whose
   * quote is still open is held, not rejected (default 0: none).
   */
  holdOpenQuote?: number;
}

export class DelimitedParser implements ChunkParser {
  /** 1-based line of the next record, in the file (from options.firstLine). */
  private line: number;
  headerLine = 0;
  /** The line the header ends on: past headerLine when a quoted name holds line breaks (0: none yet). */
  headerLastLine = 0;
  private sink: RowSink | null = null;
  /** The header's names, trimmed: a data line with just these is the header again (see repeatsHeader). */
  private headerNames: readonly string[] = [];
  /**
   * Those names as a data line's cells read (a column called "1" reads as a number there); none when no name is text:
   * such a header cannot be told from a row of numbers.
   */
  private headerCells: readonly ParsedCell[] = [];
  private record = new RecordCells(0, true);
  /** The fast path for the usual records (delimitedFast.ts). */
  private readonly plain: PlainRecordScanner;
  private readonly scan: NumberScan = { value: 0 };
  /** scanNumberTo's output slot. */
  private readonly scanned = new Float64Array(1);
  /**
   * Offset of the last line feed of the data being consumed (-1: none). An unquoted number starting at or before it
   * ends by it at the latest, so it is scanned without end checks (scanNumberTo).
   */
  private lastLf = -1;
  private readonly delimiter: number;
  /** Line feeds inside quoted fields of the record being parsed. */
  private quotedLines = 0;
  /** Offset of the first quote of the record being parsed whose field holds a line feed, or -1. */
  private multilineQuote = -1;
  /** Offset of the quote still open when the last parse stopped, or -1. */
  private openQuote = -1;
  /** The field that quote opens: quote-unclosed is underlined from it to the line's end (the field as the line has it). */
  private openQuoteField = 0;
  /** Discarding the rest of an over-long line. */
  private skipping = false;
  /** The data ended in a record whose quote is still open, held (not consumed) for its writer to close it. */
  held = false;
  /**
   * Bytes at the start of the unconsumed data known to hold no line feed, from the last call. A record cannot end
   * before the next LF, so a long line is not re-parsed from its start on every chunk (that was quadratic).
   */
  private lfFree = 0;

  constructor(private readonly options: DelimitedOptions) {
    this.delimiter = options.delimiter;
    this.line = options.firstLine ?? 1;
    this.plain = new PlainRecordScanner(options.delimiter, options.numbers);
    if (options.sink !== undefined) this.openData(options.sink, options.header ?? []);
  }

  get hasHeader(): boolean {
    return this.sink !== null;
  }

  /** Lines consumed so far (every line feed before the next record). */
  get linesConsumed(): number {
    return this.line - (this.options.firstLine ?? 1);
  }

  /** The reader consumed a line before the first record itself (Excel's "sep=" line): line numbers count it. */
  skipLine(): void {
    this.line++;
  }

  /** True between records: nothing of a line is left to skip (the consumed bytes ended a record). */
  get idle(): boolean {
    return !this.skipping;
  }

  /** The unconsumed bytes were changed (NUL lines dropped, lone CRs made LFs): look for line feeds afresh. */
  restartScan(): void {
    this.lfFree = 0;
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
    this.plain.begin();
    while (pos < end && this.sink?.stopped !== true) {
      if (pos <= this.lastLf && this.sink !== null && !this.skipping && this.plain.wants(buf[pos])) {
        const next = this.plain.records(buf, pos, this.lastLf, this.line, this.sink);
        this.line += this.plain.recordsTaken;
        if (next > pos) {
          pos = next;
          continue;
        }
      }
      this.openQuote = -1;
      if (!this.skipping && this.options.lineEnds?.watching === true && loneCrIn(buf, pos, end)) {
        this.options.lineEnds.found(buf, pos, end, eof, this.line);
        this.lastLf = lastIndexOfByte(buf, LF, pos, end);
        this.plain.begin(); // its copy of the bytes is stale
        continue;
      }
      let next = this.skipping ? this.skipRestOfLine(buf, pos, end) : this.skipBlankOrComment(buf, pos, end, eof);
      if (next === pos) next = this.parseRecord(buf, pos, end, eof);
      if (next === UNCLOSED && end - pos <= (this.options.holdOpenQuote ?? 0)) {
        this.held = true;
        break;
      }
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
    this.multilineQuote = -1;
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
    const numberEnd = this.scanPlain(buf, p, end);
    // A dot grouping thousands in a file of decimal commas (1.000): parseNumberCell reads it as 1000.
    return this.options.numbers.decimalComma && isDotGroupedInteger(buf, p, numberEnd) ? p : numberEnd;
  }

  private scanPlain(buf: Buffer, p: number, end: number): number {
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
        this.openQuoteField = field;
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
    if (lines > 0 && this.multilineQuote < 0) this.multilineQuote = open;
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
    if (this.quotedLines > 0) this.reportMultiline(record);
    this.line += 1 + this.quotedLines;
    if (this.sink === null) {
      this.openHeader(record);
      return next;
    }
    if (this.repeatsHeader(record)) return this.leaveOutHeaderRepeat(record, next);
    const order = this.reorderedHeader(record);
    if (order !== null && this.followReorderedHeader(record, order)) return next;
    if (fields !== this.sink.width && !this.keepsRagged(record, contentEnd)) return next;
    this.sink.row(record);
    return next;
  }

  private openHeader(header: RecordCells): void {
    this.headerLine = header.line;
    this.headerLastLine = this.line - 1;
    const names = header.texts.slice(0, header.count);
    this.openData(this.options.openSink(names, header), names);
  }

  private openData(sink: RowSink, header: readonly string[]): void {
    this.sink = sink;
    this.record = new RecordCells(sink.fields);
    this.headerNames = header.map((name) => name.trim());
    const cells = this.headerNames.map((name) => parseCell(name, this.options.numbers));
    this.headerCells = cells.some((cell) => cell.kind === CELL_TEXT) ? cells : [];
    // The fast path stages every field of a record: not for a header cut to its first columns.
    this.plain.open(sink.width, sink.fields === sink.width, this.headerCells);
  }

  /**
   * Whether a data record is the header again (two logs joined with `cat`, a resumed run that wrote its header
   * anew): as many fields, each the header's name (quoted or not, spaces around it aside) or empty where it is. A
   * header cut to its first columns (a wide file) is compared on those: its names past them are not kept.
   */
  private repeatsHeader(record: RecordCells): boolean {
    const cells = this.headerCells;
    if (cells.length === 0 || record.count !== this.sink?.width) return false;
    const kept = Math.min(record.count, this.sink.fields);
    for (let i = 0; i < kept; i++) if (!sameCell(cells[i], record, i)) return false;
    return true;
  }

  /**
   * Whether a data record is the header written again in another order (a resumed run whose logger orders its
   * columns anew): every field the text of a header name, each name once. Returns, for each field, the field of the
   * header that held its name; null when it is not, or when the names repeat (which "loss" is which cannot be told).
   */
  private reorderedHeader(record: RecordCells): number[] | null {
    const names = this.headerNames;
    if (this.headerCells.length === 0 || record.count !== names.length) return null;
    const fieldOf = new Map(names.map((name, field) => [name, field]));
    if (fieldOf.size !== names.length) return null;
    const order: number[] = [];
    for (let i = 0; i < record.count; i++) {
      const field = record.kinds[i] === CELL_TEXT ? fieldOf.get(record.texts[i].trim()) : undefined;
      if (field === undefined) return null;
      fieldOf.delete(record.texts[i].trim()); // each name once
      order.push(field);
    }
    return order;
  }

  /**
   * The header written again in another order: the rows after it are read by its names (their values went to the
   * columns of the old order: a loss read as the LR), and the line is left out. False when the sink cannot follow.
   */
  private followReorderedHeader(record: RecordCells, order: readonly number[]): boolean {
    const sink = this.sink!.reordered(order);
    if (sink === null) return false;
    const table = this.options.table;
    const names = order.map((field) => this.headerNames[field]);
    table.rowsRejected++;
    table.problems.add(
      'header-repeated',
      'info',
      record.line,
      1,
      `line ${record.line} writes the header again with its columns in another order ` +
        `(${quote(names.join(String.fromCharCode(this.delimiter)), 60)}: a resumed run whose logger orders them anew); ` +
        'the line is left out and the rows after it are read by its names',
    );
    this.options.reordered?.(order);
    this.openData(sink, names);
    return true;
  }

  /** Says a repeated header once, as what it is, instead of a non-numeric cell per column; the line is left out. */
  private leaveOutHeaderRepeat(record: RecordCells, next: number): number {
    const table = this.options.table;
    const header = quote(this.headerNames.join(String.fromCharCode(this.delimiter)), 60);
    table.rowsRejected++;
    table.problems.add(
      'header-repeated',
      'info',
      record.line,
      1,
      `line ${record.line} repeats the header (${header}: two logs joined into one, or a resumed run that wrote its ` +
        'header again); the line is left out and the rows after it are read',
    );
    return next;
  }

  /**
   * Reports a row with more or fewer fields than the header; returns whether it is kept. A row of numbers split by
   * decimal commas in a `,` file is not: its values are shifted, and none of them can be trusted.
   */
  private keepsRagged(record: RecordCells, contentEnd: number): boolean {
    const width = this.sink?.width ?? 0;
    const has = `line ${record.line} has ${plural(record.count, 'field')} but the header has ${width}`;
    const split = record.count > width ? this.splitDecimal(record, contentEnd, width) : null;
    if (split !== null) {
      const at = record.locate(record.start);
      this.options.table.rowsRejected++;
      this.options.table.problems.add(
        'row-ragged',
        'warning',
        at.line,
        at.column,
        `${has}, and "${split}" looks like one number written with a decimal comma, split by the delimiter; the row ` +
          `is left out — write ${split.replace(',', '.')}, or quote it ("${split}")`,
      );
      return false;
    }
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
        at.field,
      );
    }
    return true;
  }

  /** In a `,` file, the decimal-comma number an over-long unquoted row was split at, or null (see splitDecimal). */
  private splitDecimal(record: RecordCells, contentEnd: number, width: number): string | null {
    if (this.delimiter !== COMMA) return null;
    const text = record.source.toString('utf8', record.start, contentEnd);
    return text.includes('"') ? null : splitDecimal(text.split(','), width);
  }

  /** A quoted field that holds line feeds: noted for the table's one summary of them (see noteMultilineQuote). */
  private reportMultiline(record: RecordCells): void {
    const at = record.locate(this.multilineQuote);
    this.options.table.noteMultilineQuote(at.line, at.column, record.line + this.quotedLines);
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
      this.openQuoteField,
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

/**
 * Whether field `i` of a record reads as `name`, a header name read as a data cell: the same text (spaces around it
 * aside), empty where it is, or the same number where the name reads as one (a column called "1").
 */
function sameCell(name: ParsedCell, record: RecordCells, i: number): boolean {
  const kind = record.kinds[i];
  if (kind !== name.kind) return false;
  if (kind === CELL_EMPTY) return true;
  if (kind === CELL_TEXT) return record.texts[i].trim() === name.text;
  // A suffixed number ("12B") keeps its suffix as text.
  return Object.is(record.values[i], name.value) && (kind !== CELL_SUFFIXED || record.texts[i] === name.text);
}
