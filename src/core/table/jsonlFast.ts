// The JSONL fast path: a line holding one JSON object of numbers, plain strings, booleans, nulls and nested objects
// of the same is scanned straight from the bytes, with no string for the line, no JSON.parse and no object. The
// keys of the last line are kept, so a key is usually matched by comparing its bytes, not by a Map lookup.
//
// Anything else returns MISS having changed nothing, and the line takes the JSON.parse path, which gives the same
// cells for every line taken here. Misses: escapes, control characters and invalid UTF-8 in strings; NaN/Infinity;
// arrays; W&B media objects ("_type" in a nested object); repeated names (duplicate keys, "a/b" next to {"a":{"b"}});
// keys starting with a digit (JSON.parse puts array-index keys first); whitespace other than spaces and tabs (and a
// CR before the line feed); deep nesting; anything that is not valid JSON.

import { CR, LF, QUOTE, SPACE, TAB } from './bytes';
import type { ColumnBuilder } from './columnBuilder';
import { scanJsonNumber } from './number';
import type { ParsedCell } from './record';
import { TextMemo } from './textMemo';

/** The line cannot be taken here. */
export const MISS = -1;

export const VALUE_NUMBER = 1;
export const VALUE_STRING = 2;
export const VALUE_TRUE = 3;
export const VALUE_FALSE = 4;
export const VALUE_NULL = 5;

const BACKSLASH = 92;
const COLON = 58;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const MINUS = 45;
const LOWER_T = 116;
const LOWER_F = 102;
const LOWER_N = 110;
/**
 * The bytes the scanner reads, copied from the window (about a chunk per consume() call). V8 compiles loops over a
 * module-level constant buffer to tighter code than loops over one passed in (its base and length are constants,
 * not reloaded for every byte). Only used within one consume() call, which never yields, so scanners sharing it
 * cannot interleave.
 */
const LINES = Buffer.allocUnsafe(2 * 1024 * 1024);
/** Nesting deeper than this is left to JSON.parse. */
const MAX_DEPTH = 8;
const TYPE_KEY = '_type';

/** A flattened name ("train/loss"), the column it fills once a row with it is written, and the scan that last saw it. */
export interface NameEntry {
  readonly name: string;
  column: ColumnBuilder | null;
  /** Seeing a name twice in one scan is a miss: JSON.parse keeps the last duplicate key, at the first one's place. */
  stamp: number;
}

/** A key as written (its bytes) inside a given parent object's key; names may be reached through several. */
export interface KeySlot {
  readonly id: number;
  /** The key as JSON.parse gives it (not the flattened name). */
  readonly key: string;
  readonly bytes: Uint8Array;
  readonly parent: KeySlot | null;
  readonly entry: NameEntry;
}

/** The leaf values of one scanned line, in the order JSON.parse + flattening would visit them. */
export class FlatLine {
  count = 0;
  slots: KeySlot[] = [];
  kinds = new Uint8Array(16);
  values = new Float64Array(16);
  /** The cell each string value reads as (a numeric string is a number, as on the general path). */
  cells: ParsedCell[] = [];
  /** End of the line's content (before CR LF) and the offset after its line feed. */
  contentEnd = 0;
  next = 0;

  add(slot: KeySlot, kind: number): number {
    const index = this.count++;
    if (index === this.kinds.length) this.grow();
    this.slots[index] = slot;
    this.kinds[index] = kind;
    return index;
  }

  private grow(): void {
    const kinds = new Uint8Array(this.kinds.length * 2);
    kinds.set(this.kinds);
    const values = new Float64Array(this.values.length * 2);
    values.set(this.values);
    this.kinds = kinds;
    this.values = values;
  }
}

export class FlatLineScanner {
  /** String values read as JSON.parse + the general path's classification would (numbers with default options). */
  private readonly memo = new TextMemo({});
  private readonly names = new Map<string, NameEntry>();
  /** Slots by parent id and key. */
  private readonly slots = new Map<string, KeySlot>();
  /** The keys of the last line taken, in order (objects' own keys included): the next line likely repeats them. */
  private shape: KeySlot[] = [];
  private keyIndex = 0;
  /** Offset of the closing quote of the key key() last matched. */
  private keyEnd = 0;
  private stamp = 0;
  private line: FlatLine = new FlatLine();
  /** LINES holds buf[base, base + length) of the current consume() call (base -1: nothing yet). */
  private base = -1;
  private length = 0;

  /**
   * Scans the line at buf[pos] into `line`, from the copy in LINES (see copyLines). `lastLf` is the offset of the
   * last line feed in the data, at or after pos. Returns the offset in buf after the line feed, or MISS.
   */
  scan(buf: Buffer, pos: number, lastLf: number, line: FlatLine): number {
    if (!this.copyLines(buf, pos, lastLf)) return MISS;
    this.line = line;
    line.count = 0;
    this.keyIndex = 0;
    this.stamp++;
    let p = skipBlanks(pos - this.base);
    if (LINES[p] !== OPEN_BRACE) return MISS;
    p = this.object(p + 1, null, 0);
    if (p < 0) return MISS;
    p = skipBlanks(p);
    const c = LINES[p];
    if (c === LF) {
      line.contentEnd = this.base + p;
      line.next = this.base + p + 1;
    } else if (c === CR && LINES[p + 1] === LF) {
      line.contentEnd = this.base + p;
      line.next = this.base + p + 2;
    } else {
      return MISS;
    }
    return line.next;
  }

  /** Forgets what LINES holds: called at the start of each consume() call, as another parser may have used it. */
  release(): void {
    this.base = -1;
  }

  /**
   * Makes LINES hold buf from pos on, up to a line feed, unless it already does since release(); false when the
   * line at pos does not fit.
   */
  private copyLines(buf: Buffer, pos: number, lastLf: number): boolean {
    if (this.base >= 0 && pos >= this.base && pos < this.base + this.length) return true;
    const end = Math.min(lastLf + 1, pos + LINES.length);
    buf.copy(LINES, 0, pos, end);
    this.base = pos;
    this.length = LINES.lastIndexOf(LF, end - pos - 1) + 1;
    return this.length > 0;
  }

  /** The members of an object whose '{' is before `from`; returns the offset after its '}'. */
  private object(from: number, parent: KeySlot | null, depth: number): number {
    let p = skipBlanks(from);
    if (LINES[p] === CLOSE_BRACE) return p + 1;
    for (;;) {
      if (LINES[p] !== QUOTE) return MISS;
      const slot = this.key(p + 1, parent);
      if (slot === null) return MISS;
      p = this.keyEnd + 1;
      if (LINES[p] !== COLON) p = skipBlanks(p);
      if (LINES[p] !== COLON) return MISS;
      p = this.value(skipBlanks(p + 1), slot, depth);
      if (p < 0) return MISS;
      let c = LINES[p];
      if (c === SPACE || c === TAB) c = LINES[(p = skipBlanks(p))];
      if (c === CLOSE_BRACE) return p + 1;
      if (c !== COMMA) return MISS;
      p = skipBlanks(p + 1);
    }
  }

  /** One member's value at p; returns the offset after it. */
  private value(p: number, slot: KeySlot, depth: number): number {
    const line = this.line;
    const c = LINES[p];
    if ((c >= DIGIT_0 && c <= DIGIT_9) || c === MINUS) {
      const index = line.add(slot, VALUE_NUMBER); // first: it may grow line.values
      return scanJsonNumber(LINES, p, line.values, index);
    }
    if (c === QUOTE) {
      const end = stringEnd(p + 1);
      const cell = end < 0 ? null : this.memo.cell(LINES, p + 1, end, decode);
      if (cell === null) return MISS;
      line.cells[line.add(slot, VALUE_STRING)] = cell;
      return end + 1;
    }
    if (c === OPEN_BRACE) return depth < MAX_DEPTH ? this.object(p + 1, slot, depth + 1) : MISS;
    if (c === LOWER_T && LINES[p + 1] === 114 && LINES[p + 2] === 117 && LINES[p + 3] === 101)
      return literal(line, slot, VALUE_TRUE, p + 4);
    if (c === LOWER_F && LINES[p + 1] === 97 && LINES[p + 2] === 108 && LINES[p + 3] === 115 && LINES[p + 4] === 101)
      return literal(line, slot, VALUE_FALSE, p + 5);
    if (c === LOWER_N && LINES[p + 1] === 117 && LINES[p + 2] === 108 && LINES[p + 3] === 108)
      return literal(line, slot, VALUE_NULL, p + 4);
    return MISS;
  }

  /**
   * The slot of the key whose bytes start at `start`, under `parent`; keyEnd is set to its closing quote. The last
   * line's key at this position is tried first, in one pass over the bytes (its bytes hold no quote or escape).
   */
  private key(start: number, parent: KeySlot | null): KeySlot | null {
    const index = this.keyIndex++;
    let slot: KeySlot | null | undefined = this.shape[index];
    if (
      slot !== undefined &&
      slot.parent === parent &&
      startsWith(start, slot.bytes) &&
      LINES[start + slot.bytes.length] === QUOTE
    ) {
      this.keyEnd = start + slot.bytes.length;
    } else {
      const end = stringEnd(start);
      slot = end < 0 ? null : this.lookup(start, end, parent);
      if (slot === null) return null;
      this.shape[index] = slot;
      this.keyEnd = end;
    }
    const entry = slot.entry;
    if (entry.stamp === this.stamp) return null;
    entry.stamp = this.stamp;
    return slot;
  }

  private lookup(start: number, end: number, parent: KeySlot | null): KeySlot | null {
    const first = LINES[start];
    if (first >= DIGIT_0 && first <= DIGIT_9) return null; // maybe an array index, which Object.keys puts first
    const key = decode(LINES, start, end);
    if (key === null || (parent !== null && key === TYPE_KEY)) return null;
    const id = `${parent === null ? '' : parent.id}:${key}`;
    let slot = this.slots.get(id);
    if (slot === undefined) {
      const name = parent === null ? key : `${parent.entry.name}/${key}`;
      let entry = this.names.get(name);
      if (entry === undefined) this.names.set(name, (entry = { name, column: null, stamp: 0 }));
      slot = { id: this.slots.size, key, bytes: new Uint8Array(LINES.subarray(start, end)), parent, entry };
      this.slots.set(id, slot);
    }
    return slot;
  }
}

function literal(line: FlatLine, slot: KeySlot, kind: number, end: number): number {
  line.add(slot, kind);
  return end;
}

function skipBlanks(from: number): number {
  let p = from;
  let c = LINES[p];
  while (c === SPACE || c === TAB) c = LINES[++p];
  return p;
}

/** Offset of the quote closing a string whose content starts at `from`; MISS at an escape or a control character. */
function stringEnd(from: number): number {
  let p = from;
  let c = LINES[p];
  while (c !== QUOTE) {
    if (c < SPACE || c === BACKSLASH) return MISS;
    c = LINES[++p];
  }
  return p;
}

/** LINES holds `bytes` at start (they hold no line feed, so a mismatch comes by the line's end at the latest). */
function startsWith(start: number, bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (LINES[start + i] !== bytes[i]) return false;
  return true;
}

/** The string of buf[start, end) as UTF-8; null when it holds a replacement character (invalid UTF-8: left to JSON.parse). */
function decode(buf: Buffer, start: number, end: number): string | null {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (buf[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return buf.toString('latin1', start, end);
  const text = buf.toString('utf8', start, end);
  return text.includes('\ufffd') ? null : text;
}
