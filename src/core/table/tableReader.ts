// One read of a run file, whoever supplies the bytes: TableReader sniffs the first bytes, picks a parser, feeds it
// chunk by chunk and builds the table; pump() feeds it from a file. The entry points (read.ts) and the two-thread
// read (parallel.ts) drive it; it is separate from both so that each holds one thing: where the bytes come from,
// how two parts of a file are joined, and what is done with the bytes. It is long because it is one read's state (the
// window, the parser, the table, the cleaning of line ends and NULs) and its methods share it; what needs none of it
// lives beside it (detect.ts, lineEnds.ts, nulBytes.ts, decimalComma.ts, delimiterNames.ts, stream.ts, tablePart.ts).

import { TableBuilder } from './tableBuilder';
import type { Placement, TablePart } from './tablePart';
import { countByte, CR, LF } from './bytes';
import {
  commaNumbers,
  sampleCommaEvidence,
  settleCommaNumbers,
  CommaEvidence,
  type CommaReading,
} from './decimalComma';
import { DelimitedParser } from './delimited';
import {
  binaryReason,
  classifyHeader,
  declaredDelimiter,
  formatFromExtension,
  hasBom,
  sampleEnd,
  sniff,
} from './detect';
import { validDelimiter } from './delimiterNames';
import { uniqueColumnNames } from './header';
import { JsonlParser } from './jsonl';
import { LineEnds, type LineEndsSeen } from './lineEnds';
import { NulLines } from './nulBytes';
import type { ParallelMode, PartShape, SplitReport } from './parallel';
import { ProblemLog, describeFsError, formatBytes, type ReadFailureCode } from './problems';
import { TableRowSink, type RecordCells, type RowSink } from './record';
import { ChunkWindow, type ReadAhead } from './stream';
import type { ColumnBuilder } from './columnBuilder';
import type { FileFormat, ReadOptions, Table } from './types';
import { WideToLongSink } from './wandb';
import { asError } from '../util/errors';

export const DEFAULT_MAX_BYTES = 4 * 1024 ** 3;

/** What a read says of a file of `size` bytes over the limit `max` (a followed file's tail says it too). */
export function tooLargeMessage(file: string, size: number, max: number): string {
  const exact = size < 1024 ? '' : ` (${size} bytes)`;
  return `${file} is ${formatBytes(size)}${exact}, over the ${formatBytes(max)} limit; raise the size limit or read a downsampled copy (e.g. every 10th row)`;
}
/** TableReader's totalBytes for a stream (a FIFO, /dev/stdin): its size is known only at its end. */
export const UNKNOWN_SIZE = -1;

/** Reader internals, exposed for tests and benchmarks; the defaults suit real files. */
export interface ReaderTuning {
  /** Bytes per read (default 1 MiB). Tests use a few bytes to cut records at every possible point. */
  chunkSize?: number;
  /** Bytes sampled to detect the format and delimiter (default 64 KiB). */
  sniffBytes?: number;
  /** Longest record accepted before it is treated as an unclosed quote or non-tabular data (default 64 MiB). */
  maxRecordBytes?: number;
  /** readTable only: parse the second half of the file in a worker thread (default 'auto': files of 32 MiB up). */
  parallel?: ParallelMode;
  /** Told whether the second thread's rows were used, and why not (tests, benchmarks). */
  onSplit?: (report: SplitReport) => void;
  /** Tests: this thread reads the end of the worker's half whenever any is left, not only when the worker is far behind. */
  stealTail?: boolean;
  /**
   * Tests: readTable calls it at the start of each read of a file (attempt 1, and 2 when the file changed under the
   * first), after noting the file's size and time, so a test can change the file under the read.
   */
  duringRead?: (attempt: number) => void | Promise<void>;
  /**
   * A followed file: opened without waiting on a FIFO (a path swapped for one since its stat would hold the read for
   * good) and read only when it is a regular file; anything else fails with this message for what it is.
   */
  regularOnly?: (kind: string) => string;
  /**
   * A later part of a file (a followed file's appended lines, read with `resume`): the line its first byte is on, so
   * rows and problems, messages included, name the file's lines (default 1).
   */
  firstLine?: number;
  /**
   * A followed file's bytes up to its last line feed: a CSV/TSV record of at most this many bytes whose quoted field
   * is still open at their end is held, not rejected: its writer may be between the lines of that field. heldLines
   * says how many line feeds it spans, so the next read starts at it (default 0: an open quote at the end is an error).
   */
  holdOpenQuote?: number;
  /**
   * A later part of a followed file: the line ends its earlier parts held (default: a LF, as a part split off at one
   * has), so a file of lone CRs is not said to mix them with LFs, and a mix said once is not said again.
   */
  lineEndsBefore?: LineEndsSeen;
}

export type ReadTableOptions = ReadOptions & ReaderTuning;

const DEFAULT_CHUNK = 1024 * 1024;
/** What a part split off after a LF has seen of the file's line ends before it. */
const AFTER_LF: LineEndsSeen = { lf: true, loneCrLine: 0 };
const DEFAULT_SNIFF = 64 * 1024;
const DEFAULT_MAX_RECORD = 64 * 1024 * 1024;
/** Headroom on the row estimate from the sample, so a good estimate needs no regrowth. */
const ROW_ESTIMATE_SLACK = 1.1;
/**
 * Above this the estimate is not trusted for a single up-front allocation (a file whose tail is not like its first
 * 64 KiB would reserve gigabytes); growth from the rows actually read takes over.
 */
const MAX_ESTIMATED_ROWS = 2 ** 23;

/**
 * Feeds the reader from `ahead` until it is done, the range of `ahead` ends (without telling the reader the data
 * ended), or `until` holds.
 */
export async function pump(
  reader: TableReader,
  ahead: ReadAhead,
  file: string,
  until: () => boolean = () => false,
): Promise<void> {
  while (!reader.done && !until()) {
    const { offset, length } = reader.target();
    const read = await ahead.read(reader.buffer, offset, length).catch((error: unknown) => asError(error));
    if (read instanceof Error) reader.fail('file-read-failed', describeFsError(read, file));
    else if (read === 0 && ahead.cut) return;
    else reader.push(read);
  }
}

/**
 * One read: check the first bytes are text, sniff them, pick a parser, feed it chunk by chunk, then build the table.
 * The caller supplies the bytes: target() says where the next ones go, push(n) says how many arrived (0 = end).
 * Every chunk's new bytes are cleaned before a parser sees them (lone CRs made line feeds, lines with NUL bytes
 * dropped), so the parsers only ever see text split by line feeds.
 */
export class TableReader {
  private readonly window: ChunkWindow;
  private readonly problems: ProblemLog;
  private readonly table: TableBuilder;
  private readonly delimiter: string | undefined;
  private readonly lineEnds: LineEnds;
  private readonly nulLines: NulLines;
  private parser: DelimitedParser | JsonlParser | null = null;
  private format: FileFormat;
  private chosenDelimiter: string | undefined;
  /**
   * Mean record size in the sample, and the column names when field i maps to column i, with the header's names as
   * written (a later part tells a repeated header by those: "loss" twice, not "loss (2)"): see shape().
   */
  private recordBytes = 0;
  private plainNames: { names: string[]; header: string[] } | null = null;
  /** Headers written again in another order so far (see reordered). */
  private reorders = 0;
  /**
   * How comma numbers are parsed, and the sample's evidence for it (see decimalComma.ts): in a `,` file a comma in a
   * number can only group thousands, so there is nothing to weigh (null).
   */
  private commaReading: CommaReading = 'thousands';
  private commaEvidence: CommaEvidence | null = null;
  /** Where parsing starts in the window (past a BOM on the first pass). */
  private from = 0;
  /** The window's bytes before this offset are cleaned (line ends, NUL bytes); the rest is raw. */
  private cleaned = 0;
  /** The first bytes were found to be text (see checkText); a later part of a file needs no check. */
  private textChecked: boolean;
  private bytesRead = 0;
  private eof = false;
  done = false;

  readonly chunkSize: number;

  constructor(
    file: string,
    private readonly fileName: string,
    private readonly options: ReadTableOptions,
    private readonly totalBytes: number,
    /** Set for a later part of a file: no sniffing, no header, parse as the first part found. */
    private readonly resume: PartShape | null = null,
    /** A later part's rows go into the first part's arrays (see TableBuilder.share). */
    placement: Placement | null = null,
  ) {
    this.chunkSize = Math.max(1, Math.floor(options.chunkSize ?? DEFAULT_CHUNK));
    this.window = new ChunkWindow(this.chunkSize);
    this.problems = new ProblemLog(file, options.maxProblems);
    const sized = totalBytes !== UNKNOWN_SIZE;
    this.table = new TableBuilder(this.problems, sized ? () => this.estimateRowsFromProgress() : null, placement, () =>
      sized ? Math.max(totalBytes, this.bytesRead) : this.bytesRead,
    );
    this.format = formatFromExtension(fileName);
    this.delimiter = validDelimiter(options.delimiter, this.problems);
    this.lineEnds = new LineEnds(this.problems, resume === null ? null : (options.lineEndsBefore ?? AFTER_LF));
    this.nulLines = new NulLines(this.problems, () => this.table.rowsRejected++);
    this.textChecked = resume !== null;
  }

  get buffer(): Buffer {
    return this.window.buffer;
  }

  target(): { offset: number; length: number } {
    const target = this.window.target();
    // The first read only needs the sample: the dialect and header come sooner (a worker waits for them).
    if (this.bytesRead === 0 && this.resume === null)
      target.length = Math.min(target.length, Math.max(1, this.sniffBytes));
    return target;
  }

  private get sniffBytes(): number {
    return this.options.sniffBytes ?? DEFAULT_SNIFF;
  }

  /** Refuses content over options.maxBytes: checked on the file size first, then on the bytes actually read. */
  refuseSize(size: number): boolean {
    const max = this.options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (size <= max) return false;
    this.fail('file-too-large', tooLargeMessage(this.problems.file, size, max));
    return true;
  }

  /** Ends the read with an error; rows parsed so far are kept. */
  fail(code: ReadFailureCode, message: string): void {
    this.problems.add(code, 'error', 1, 1, message);
    this.done = true;
  }

  push(bytes: number): void {
    this.bytesRead += bytes;
    if (this.refuseSize(this.bytesRead)) return; // the file grew past the limit while being read
    this.window.filled += bytes;
    this.eof = bytes === 0;
    if (!this.textChecked && !this.checkText()) return;
    this.clean();
    if (this.parser === null && !this.start()) return;
    const parser = this.parser;
    if (parser !== null) {
      const consumed = parser.consume(this.window.buffer, this.from, this.window.filled, this.eof);
      this.window.discard(consumed);
      this.cleaned = Math.max(0, this.cleaned - consumed);
      this.from = 0;
      if (this.table.stopped) return this.stopAtBudget();
    }
    if (this.eof) this.done = true;
  }

  /**
   * Refuses a file whose first bytes are not text (binary, UTF-16), before they are cleaned (dropping the lines with
   * NULs would hide UTF-16); false while fewer than the sample's bytes are in.
   */
  private checkText(): boolean {
    const buf = this.window.buffer;
    if (this.window.filled < this.sniffBytes && !this.eof) return false;
    const end = Math.min(this.window.filled, this.sniffBytes);
    const reason = binaryReason(buf, hasBom(buf, end) ? 3 : 0, end, this.fileName);
    if (reason !== null) {
      this.fail('file-not-text', `${this.problems.file} ${reason}`);
      return false;
    }
    this.textChecked = true;
    return true;
  }

  /** Cleans the window's new bytes: lone CRs become line feeds, lines with NUL bytes are dropped (see there). */
  private clean(): void {
    const buf = this.window.buffer;
    let from = this.cleaned;
    // CRs just before: settled while watching (see LineEnds), they are settled again with the bytes after them.
    while (from > 0 && buf[from - 1] === CR) from--;
    const filled = this.window.filled;
    if (from === filled && !this.eof) return;
    const lineOf = (offset: number) => this.windowLine() + countByte(buf, LF, 0, offset);
    const settled = this.lineEnds.normalize(buf, from, filled, this.eof, lineOf);
    const end = this.nulLines.drop(buf, from, settled, lineOf);
    if (end < settled) {
      buf.copy(buf, end, settled, filled); // the CRs still unsettled follow what is left
      this.window.filled -= settled - end;
    }
    this.cleaned = end;
    // The parser may have scanned these bytes before they were cleaned (a partial record waiting for its line feed).
    if (this.parser instanceof DelimitedParser && (end < settled || this.lineEnds.changed)) this.parser.restartScan();
    if (this.eof) this.nulLines.finish();
  }

  /** The line of the window's first byte: the parser's next line (the parsers consume whole lines). */
  private windowLine(): number {
    return (this.parser?.linesConsumed ?? 0) + (this.options.firstLine ?? 1);
  }

  /** The table reached its cell budget (see TableBuilder.beginRows): the read ends, saying which rows were left out. */
  private stopAtBudget(): void {
    const line = this.windowLine();
    this.problems.addForFile(
      'rows-capped',
      'warning',
      line,
      1,
      `the rows from line ${line} on are left out: ${this.table.columns.length} columns of ${this.table.rowCount} ` +
        `rows hold more numbers than a file of ${formatBytes(this.bytesRead)} warrants (its rows are much shorter ` +
        'than its header) — keep the columns you need, or split the file',
    );
    this.done = true;
  }

  /** Sniffs once enough bytes are in; returns false while more are needed. */
  private start(): boolean {
    if (this.resume !== null) return this.resumePart(this.resume);
    const buf = this.window.buffer;
    const end = sampleEnd(buf, this.window.filled, this.eof, this.sniffBytes, this.maxRecordBytes);
    if (end < 0) return false;
    this.from = hasBom(buf, end) ? 3 : 0;
    const declared = (this.options.firstLine ?? 1) === 1 ? declaredDelimiter(buf, this.from, end) : null;
    if (declared !== null) this.from = declared.next;
    const sniffed = sniff(buf, this.from, end, this.fileName, this.delimiter ?? declared?.delimiter);
    if (sniffed.kind === 'empty') {
      this.fail('file-empty', this.emptyMessage());
    } else {
      this.recordBytes = sniffed.recordBytes;
      this.table.reserve(this.estimateRows(sniffed.recordBytes));
      if (sniffed.kind === 'jsonl') {
        this.parser = this.openJsonl();
      } else {
        // A comma in a number of a `;`, tab or `|` file may be a decimal comma: the sample says which, if it can.
        if (sniffed.delimiter !== ',') {
          this.commaEvidence = sampleCommaEvidence(
            buf,
            this.from,
            end,
            sniffed.delimiter.charCodeAt(0),
            declared === null ? 1 : 2,
          );
          this.commaReading = this.commaEvidence.reading();
        }
        this.parser = this.openDelimited(sniffed.delimiter, this.commaReading);
        if (declared !== null) this.skipDeclaration(declared.delimiter, this.parser);
      }
    }
    return true;
  }

  /**
   * Excel's "sep=" line is not data: the parser starts after it (on line 2), and `inspect` notes it quietly. A forced
   * delimiter wins over it, as over detection.
   */
  private skipDeclaration(declared: string, parser: DelimitedParser): void {
    parser.skipLine();
    const named = JSON.stringify(declared);
    const used =
      this.delimiter === undefined || this.delimiter === declared
        ? ''
        : `; the forced delimiter ${JSON.stringify(this.delimiter)} is used instead`;
    this.problems.addForFile(
      'delimiter-declared',
      'info',
      1,
      1,
      `line 1 ("sep=") names the delimiter ${named}, as Excel's CSV export writes it; the line is not data${used}`,
    );
  }

  private emptyMessage(): string {
    const file = this.problems.file;
    return this.nulLines.nuls > 0
      ? `${file} holds no text, only NUL bytes (a file allocated but never written, as a crash can leave); wait for the run to write it, or open another file`
      : `${file} is empty; add a header row and data rows (CSV, TSV or JSONL)`;
  }

  private resumePart(shape: PartShape): boolean {
    this.table.reserve(this.estimateRows(shape.recordBytes));
    if (shape.kind === 'jsonl') {
      this.parser = this.openJsonl();
    } else {
      const sink = new TableRowSink(this.table, this.admitColumns(shape.names));
      this.commaReading = shape.reading;
      // A followed file's next part is read in the order this one ends with (see reordered).
      this.plainNames = { names: shape.names, header: shape.header };
      this.parser = this.openDelimited(shape.delimiter, shape.reading, sink, shape.header);
    }
    return true;
  }

  /** What a worker needs to parse a later part of this file; null until known, or when it must stay in order. */
  shape(): PartShape | null {
    const parser = this.parser;
    if (parser instanceof JsonlParser) return { kind: 'jsonl', recordBytes: this.recordBytes };
    if (parser === null || this.plainNames === null || this.chosenDelimiter === undefined) return null;
    return {
      kind: 'delimited',
      delimiter: this.chosenDelimiter,
      ...this.plainNames,
      recordBytes: this.recordBytes,
      reading: this.commaReading,
    };
  }

  get problemCount(): number {
    return this.problems.count;
  }

  /** The rows of this part (a worker's answer). */
  part(): TablePart {
    return this.table.part(this.bytesRead, this.parser?.linesConsumed ?? 0);
  }

  /**
   * Every byte so far was consumed and no line is being skipped: the bytes end a record, so a worker that started
   * at the next byte started where a read in order would start its next record.
   */
  get atRecordBoundary(): boolean {
    const parser = this.parser;
    return !this.done && parser !== null && this.window.filled === 0 && parser.idle && !this.nulLines.dropping;
  }

  /** The table's arrays go in shared memory, for share(). */
  allocateShared(): void {
    this.table.allocateShared();
  }

  /**
   * Lets the worker reading the rest of the file write its rows into this table's arrays, after the rows expected
   * from the share `fraction` of the file this thread reads (see TableBuilder.share).
   */
  share(fraction: number): Placement | null {
    return this.table.share(Math.max(this.table.rowCount, Math.round(this.table.length * fraction)));
  }

  /** Readies the memory for the rows a worker is still parsing (see TableBuilder.prefault), as many as projected. */
  prefault(): void {
    if (this.bytesRead > 0) this.table.prefault(Math.ceil((this.table.rowCount / this.bytesRead) * this.totalBytes));
  }

  /**
   * Appends the rows parsed elsewhere from the bytes that follow (parts in file order), ending the read; false,
   * changing nothing, when they cannot be used.
   */
  absorb(parts: TablePart[]): boolean {
    const parser = this.parser;
    if (!this.atRecordBoundary || parser === null || parts.some((part) => part.problemCount > 0)) return false;
    if (this.reorders > 0) return false; // the parts were parsed in the header's first order
    // Each part's lines follow those of the parts before it.
    const shifts = [parser.linesConsumed];
    for (const part of parts.slice(0, -1)) shifts.push(shifts[shifts.length - 1] + part.linesConsumed);
    if (!this.table.admitsParts(parts, shifts)) return false;
    for (const [k, part] of parts.entries()) {
      this.table.absorb(part, shifts[k]);
      this.bytesRead += part.bytesRead;
    }
    this.done = true;
    return true;
  }

  /** Tests: take the end of the worker's half whenever anything is left (see takeTail). */
  get stealTail(): boolean {
    return this.options.stealTail === true;
  }

  /** Rows expected from the sample's mean record size, so the columns are allocated once. */
  private estimateRows(recordBytes: number): number {
    if (recordBytes <= 0 || this.totalBytes === UNKNOWN_SIZE) return 0;
    return Math.min(MAX_ESTIMATED_ROWS, Math.ceil((this.totalBytes / recordBytes) * ROW_ESTIMATE_SLACK));
  }

  /** Rows expected at the end from the rows per byte so far (used when the first estimate proves short). */
  private estimateRowsFromProgress(): number {
    if (this.bytesRead === 0) return 0;
    return Math.ceil((this.table.rowCount / this.bytesRead) * this.totalBytes * ROW_ESTIMATE_SLACK);
  }

  private openJsonl(): JsonlParser {
    this.format = 'jsonl';
    return new JsonlParser({
      table: this.table,
      maxRecordBytes: this.maxRecordBytes,
      lineEnds: this.lineEnds,
      firstLine: this.options.firstLine,
    });
  }

  private openDelimited(
    delimiter: string,
    reading: CommaReading,
    sink?: RowSink,
    header?: readonly string[],
  ): DelimitedParser {
    this.chosenDelimiter = delimiter;
    this.problems.delimiter = delimiter;
    this.format = delimiter === '\t' ? 'tsv' : 'csv';
    return new DelimitedParser({
      delimiter: delimiter.charCodeAt(0),
      table: this.table,
      maxRecordBytes: this.maxRecordBytes,
      numbers: commaNumbers(reading),
      openSink: (header, record) => this.openSink(header, record),
      sink,
      header,
      lineEnds: this.lineEnds,
      firstLine: this.options.firstLine,
      holdOpenQuote: this.options.holdOpenQuote,
      reordered: (order) => this.reordered(order),
    });
  }

  /**
   * The header was written again in another order: a later part (a followed file's next read) is read in it, and a
   * second thread's part, parsed in the order the header had when it was split off, is not joined (see absorb).
   */
  private reordered(order: readonly number[]): void {
    this.reorders++;
    const shape = this.plainNames;
    if (shape !== null)
      this.plainNames = { names: order.map((i) => shape.names[i]), header: order.map((i) => shape.header[i]) };
  }

  /** The line ends read so far (a follower hands them to its next part: lineEndsBefore). */
  get lineEndsSeen(): LineEndsSeen {
    return this.lineEnds.seen;
  }

  /** NUL bytes the read dropped (a crash's padding, a hole a writer left): a follower watches where they were. */
  get nulBytes(): number {
    return this.nulLines.nuls;
  }

  /** Line feeds in the record held at the end because its quote is still open (see holdOpenQuote); 0: none held. */
  get heldLines(): number {
    if (!(this.parser instanceof DelimitedParser) || !this.parser.held) return 0;
    return countByte(this.window.buffer, LF, 0, this.window.filled);
  }

  get maxRecordBytes(): number {
    return this.options.maxRecordBytes ?? DEFAULT_MAX_RECORD;
  }

  /**
   * The header decides the shape: W&B panel exports are reshaped, everything else maps field i to column i.
   * `header` holds the names the record kept (see RecordCells); record.count is how many fields it has. Only the
   * names the table can admit are read (see TableBuilder.admissible); the rest are left out, and said so first.
   */
  private openSink(header: string[], record: RecordCells): RowSink {
    const where = (field: number) => record.where(field);
    const width = record.count;
    const special = classifyHeader(header);
    if (special !== null) this.format = special;
    if (special === 'wandb-csv') {
      const sink = new WideToLongSink(this.table, header, record.line, where, width);
      this.table.leaveOutColumns(width - header.length, `field ${header.length + 1}`, record.line);
      this.table.reportColumnsLeftOut();
      return sink;
    }
    const kept = this.table.admissible(header.length);
    this.table.leaveOutColumns(width - kept, header[kept] ?? `field ${kept + 1}`, record.line);
    this.table.reportColumnsLeftOut();
    const names = uniqueColumnNames(header.slice(0, kept), this.problems, where);
    const columns = names.map((name) => this.table.addColumn(name, record.line)!); // admissible: never null
    // A later part of the file is parsed with these names only when every field has its column.
    if (columns.length === width) this.plainNames = { names, header };
    return new TableRowSink(this.table, columns, width);
  }

  /**
   * The columns of a later part's names (its first part admitted them all). Should this part's own budget leave one
   * out, that is a problem, so the part is not joined: the first thread reads it itself.
   */
  private admitColumns(names: readonly string[]): ColumnBuilder[] {
    const columns = names.map((name) => this.table.addColumn(name)).filter((c): c is ColumnBuilder => c !== null);
    this.table.reportColumnsLeftOut();
    return columns;
  }

  /** The line the header starts on, once read (0: none yet, or a format without one). */
  get headerLine(): number {
    return this.parser instanceof DelimitedParser ? this.parser.headerLine : 0;
  }

  /** The line the header ends on, once read: past headerLine when a quoted name holds line breaks (0: none). */
  get headerLastLine(): number {
    return this.parser instanceof DelimitedParser ? this.parser.headerLastLine : 0;
  }

  result(): Table {
    const parser = this.parser;
    // A `,` file has no evidence to weigh, but its quoted decimal commas ("2,95") are said, not left as text unsaid.
    const evidence = this.commaEvidence ?? (this.chosenDelimiter === ',' ? new CommaEvidence() : null);
    if (evidence !== null)
      settleCommaNumbers(this.table.columns, this.commaReading, evidence, this.problems, (row) =>
        this.table.lineOf(row),
      );
    if (parser instanceof DelimitedParser && !parser.hasHeader) {
      this.problems.add(
        'file-empty',
        'error',
        1,
        1,
        `${this.problems.file} has no header line (only blank lines or # comments); add a header row naming the columns`,
      );
    }
    return this.table.finish({
      format: this.format,
      delimiter: this.chosenDelimiter,
      headerLine: this.headerLine,
      bytesRead: this.bytesRead,
    });
  }
}
