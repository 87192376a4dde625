// JSON Lines: one object per line, nested objects flattened to "a/b" column names (the W&B convention), columns
// created as keys are first seen. A bad line is reported and skipped; the rest of the file is still read.

import { CR, LF, indexOfByte, lastIndexOfByte } from './bytes';
import type { ColumnBuilder } from './columnBuilder';
import type { TableBuilder } from './tableBuilder';
import { FlatLine, FlatLineScanner, MISS, VALUE_FALSE, VALUE_NUMBER, VALUE_STRING, VALUE_TRUE } from './jsonlFast';
import { JsonRecordWriter, type JsonObject } from './jsonRecord';
import { loneCrIn, type LoneCrWatch } from './lineEnds';
import { formatBytes } from './problems';
import type { ChunkParser } from './stream';
import { asError } from '../util/errors';

/** Fast-path misses in a row after which it rests for FAST_PAUSE lines (a file of lines it does not take). */
const FAST_MISSES = 8;
const FAST_PAUSE = 256;

export interface JsonlOptions {
  table: TableBuilder;
  /** A line longer than this is skipped (it is not a metrics row). */
  maxRecordBytes: number;
  /** In a CRLF file, the lines the fast path does not take are looked at for a lone CR (see LineEnds). */
  lineEnds?: LoneCrWatch;
  /** The file's line the first byte is on (a later part of a file; default 1). */
  firstLine?: number;
}

export class JsonlParser implements ChunkParser {
  /** 1-based line of the next record, in the file (from options.firstLine). */
  private line: number;
  /** Writes each line's object into the table's columns. */
  private readonly writer: JsonRecordWriter;
  private skipping = false;
  private readonly scanner = new FlatLineScanner();
  private readonly flat = new FlatLine();
  /** Fast-path misses in a row, and lines left before it is tried again (see consume). */
  private misses = 0;
  private pause = 0;
  /** The line being written, as text when the JSON.parse path decoded it, else where its bytes are (see lineText). */
  private text: string | null = null;
  private textSource: Buffer = Buffer.alloc(0);
  private textStart = 0;
  private textEnd = 0;
  /** Where in the line's text the last key was found (keys are looked for in order, see where). */
  private keyCursor = 0;

  constructor(private readonly options: JsonlOptions) {
    this.line = options.firstLine ?? 1;
    this.writer = new JsonRecordWriter(options.table, (column, key) => this.where(column, key));
  }

  /** Lines consumed so far (every line feed before the next record). */
  get linesConsumed(): number {
    return this.line - (this.options.firstLine ?? 1);
  }

  /** True between records: nothing of a line is left to skip. */
  get idle(): boolean {
    return !this.skipping;
  }

  consume(buf: Buffer, start: number, end: number, eof: boolean): number {
    let pos = start;
    // A line starting at or before the last line feed ends by it: the fast path needs no end checks there.
    let lastLf = lastIndexOfByte(buf, LF, pos, end);
    this.scanner.release();
    const table = this.options.table;
    while (pos < end && !table.stopped) {
      if (pos <= lastLf && !this.skipping && this.wantsFast()) {
        const next = this.scanner.scan(buf, pos, lastLf, this.flat);
        if (next !== MISS) {
          this.writeFlat(buf, pos);
          this.line++;
          pos = next;
          continue;
        }
        this.missed();
      }
      if (!this.skipping && this.options.lineEnds?.watching === true && loneCrIn(buf, pos, end)) {
        this.options.lineEnds.found(buf, pos, end, eof, this.line);
        lastLf = lastIndexOfByte(buf, LF, pos, end);
        this.scanner.release(); // its copy of the bytes is stale
        continue;
      }
      let lf = indexOfByte(buf, LF, pos, end);
      if (lf < 0 || lf >= end) {
        if (!eof && !this.skipping && end - pos <= this.options.maxRecordBytes) break;
        if (!eof) return this.skipLongLine(end);
        lf = end;
      }
      if (this.skipping) this.skipping = false;
      else this.parseLine(buf.toString('utf8', pos, buf[lf - 1] === CR && lf > pos ? lf - 1 : lf), lf === end);
      this.line++;
      pos = Math.min(lf + 1, end);
    }
    return pos;
  }

  /** Not after a run of misses (a file of lines the fast path does not take): it rests for a while. */
  private wantsFast(): boolean {
    if (this.pause === 0) return true;
    this.pause--;
    return false;
  }

  private missed(): void {
    if (++this.misses < FAST_MISSES) return;
    this.misses = 0;
    this.pause = FAST_PAUSE;
  }

  /** Writes a line the fast path scanned: the same cells flatten() writes for the object JSON.parse gives. */
  private writeFlat(buf: Buffer, pos: number): void {
    const flat = this.flat;
    const table = this.options.table;
    this.misses = 0;
    this.text = null;
    this.textSource = buf;
    this.textStart = pos;
    this.textEnd = flat.contentEnd;
    this.keyCursor = 0;
    const row = table.beginRow();
    this.writer.line = this.line;
    for (let i = 0; i < flat.count; i++) {
      const entry = flat.slots[i].entry;
      const column = (entry.column ??= this.writer.column(entry.name));
      if (column === null) continue;
      const kind = flat.kinds[i];
      if (kind === VALUE_NUMBER) column.setNumber(row, flat.values[i]);
      else if (kind === VALUE_STRING) this.writer.setCell(column, row, flat.cells[i], flat.slots[i].key);
      else if (kind === VALUE_TRUE || kind === VALUE_FALSE)
        column.setText(row, String(kind === VALUE_TRUE), this.where(column, flat.slots[i].key));
      else column.setEmpty(row);
    }
    table.endRow(this.line);
  }

  /** Drops the bytes of a line too long to be a row; the rest of it is skipped up to its newline. */
  private skipLongLine(end: number): number {
    if (!this.skipping) {
      this.options.table.rowsRejected++;
      this.options.table.problems.add(
        'line-too-long',
        'error',
        this.line,
        1,
        `line ${this.line} is longer than ${formatBytes(this.options.maxRecordBytes)}, so it is skipped — check that ` +
          'this is a JSON Lines file with one record per line',
      );
    }
    this.skipping = true;
    return end;
  }

  /** `last`: the file's last line, without a line end (a writer may have stopped in the middle of it). */
  private parseLine(text: string, last: boolean): void {
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const parsed = parseJsonLine(text);
    if (parsed instanceof Error) {
      const column = errorColumn(text, parsed);
      // JSON that stops short at the end of an unended last line was cut off, not written wrong.
      if (last && column > text.trimEnd().length) return this.rejectCutOff(parsed.message, column);
      return this.reject(parsed.message, column);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      const what = Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : `a ${typeof parsed}`;
      return this.reject(`it is ${what}`, text.length - text.trimStart().length + 1);
    }
    const table = this.options.table;
    const row = table.beginRow();
    this.text = text;
    this.keyCursor = 0;
    this.writer.line = this.line;
    this.writer.write(parsed as JsonObject, row);
    table.endRow(this.line);
  }

  /** A record cut off at the file's end: its writer stopped mid-line, not wrote it wrong. */
  private rejectCutOff(why: string, column: number): void {
    this.rejectSaying(
      column,
      `the last line has no line end and its JSON stops short (${why}): a record cut off by a writer that crashed ` +
        'or is still writing; it is skipped until it is written whole',
    );
  }

  private reject(why: string, column: number): void {
    this.rejectSaying(
      column,
      `line ${this.line} is not a JSON object (${why}); it is skipped — each line must be one JSON object such as ` +
        '{"step": 1, "loss": 3.2}',
    );
  }

  private rejectSaying(column: number, message: string): void {
    this.options.table.rowsRejected++;
    this.options.table.problems.add('jsonl-bad-line', 'warning', this.line, column, message);
  }

  /**
   * Location of a column's first text cell: the key's position in the line (only worked out once per column). Keys
   * come in the line's order, so each is looked for from the last one found: a line of a million keys is searched
   * once, not once per key.
   */
  private where(column: ColumnBuilder, key: string): { line: number; column: number } | null {
    if (!column.wantsLocation) return null;
    const text = this.lineText();
    const needle = JSON.stringify(key);
    let at = text.indexOf(needle, this.keyCursor);
    if (at < 0) at = text.indexOf(needle);
    if (at >= 0) this.keyCursor = at + needle.length;
    return { line: this.line, column: Math.max(0, at) + 1 };
  }

  /** The text of the line being written (decoded only when a location needs it, for a line the fast path took). */
  private lineText(): string {
    this.text ??= this.textSource.toString('utf8', this.textStart, this.textEnd);
    return this.text;
  }
}

/**
 * JSON.parse, also accepting the bare NaN / Infinity / -Infinity that Python's json.dumps writes for non-finite
 * floats (a diverged loss is exactly what a run file may contain). Returns the parse error on failure.
 */
export function parseJsonLine(text: string): unknown {
  // Bare NaN/Infinity (Python's json writes them) are quoted before the parse, not after it fails: a thrown error
  // costs tens of microseconds, and a log of a million NaN losses took 25 s to read.
  const relaxed = NON_FINITE.some((t) => text.includes(t)) ? quoteNonFinite(text) : null;
  if (relaxed !== null) {
    try {
      return JSON.parse(relaxed);
    } catch {
      // report the error of the text as written
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    return asError(error);
  }
}

const NON_FINITE = ['-Infinity', 'Infinity', 'NaN'];

/** Puts quotes around bare NaN/Infinity tokens outside strings; null when there are none. */
function quoteNonFinite(text: string): string | null {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      continue;
    }
    const token = NON_FINITE.find((t) => text.startsWith(t, i));
    if (token === undefined) continue;
    out += `${text.slice(from, i)}"${token}"`;
    i += token.length - 1;
    from = i + 1;
  }
  return from === 0 ? null : out + text.slice(from);
}

/** 1-based column of a JSON.parse error, from "at position N" when V8 gives it. */
function errorColumn(text: string, error: Error): number {
  const position = /at position (\d+)/.exec(error.message);
  if (position) return Number(position[1]) + 1;
  if (/end of JSON input/.test(error.message)) return text.length + 1;
  return 1;
}
