// A streaming JSON tokenizer that accepts what training frameworks write: Python's bare NaN, Infinity and -Infinity
// (JSON.parse rejects them). Bytes go in chunk by chunk; events come out with their line and column, so a document of
// any size is read in memory bounded by its nesting (capped) and its longest string or number. It never throws: the
// first syntax error (or a document cut short, as a run writing it leaves it) ends the read with a located message.

/**
 * Containers open at once (no real run log nests past 10). A value that opens deeper is skipped whole, by counting
 * its brackets, and stands as null: the rest of the document is still read, and `skipped` says where.
 */
export const MAX_JSON_DEPTH = 64;

/** Bytes of one string or number kept; a longer string keeps its first MAX_TOKEN_BYTES (no metric is that long). */
export const MAX_TOKEN_BYTES = 1024 * 1024;

export type JsonScalar = number | string | boolean | null;
export type JsonContainer = 'object' | 'array';

/** Where a token starts: 1-based line and character column, 0-based byte offset. */
export interface JsonPosition {
  line: number;
  column: number;
  offset: number;
}

export interface JsonEvents {
  open(kind: JsonContainer, at: JsonPosition): void;
  close(kind: JsonContainer, at: JsonPosition): void;
  key(name: string, at: JsonPosition): void;
  scalar(value: JsonScalar, at: JsonPosition): void;
}

/** Values skipped for nesting deeper than MAX_JSON_DEPTH: the first one's position, and how many. */
export interface JsonSkipped {
  at: JsonPosition;
  count: number;
}

/** Why the read stopped early. `truncated`: the bytes ended inside the document (a file still being written). */
export interface JsonStop {
  kind: 'syntax' | 'truncated';
  message: string;
  at: JsonPosition;
}

// What the next significant byte may be.
const VALUE = 0; // a value
const VALUE_OR_CLOSE = 1; // a value or ']' (just after '[')
const KEY = 2; // a key
const KEY_OR_CLOSE = 3; // a key or '}' (just after '{')
const COLON = 4;
const COMMA_OR_CLOSE = 5;
const END = 6; // the document is complete: only whitespace may follow

// Inside a token spanning chunks.
const NONE = 0;
const STRING = 1;
const BARE = 2; // a number or a literal: true, false, null, NaN, Infinity, -Infinity

const BOM = [0xef, 0xbb, 0xbf];
const OBJECT = 1;
const ARRAY = 2;

const LITERALS: Record<string, JsonScalar> = {
  true: true,
  false: false,
  null: null,
  NaN: NaN,
  Infinity: Infinity,
  '-Infinity': -Infinity,
};
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

function isBare(c: number): boolean {
  // Letters, digits, '+', '-', '.': the bytes a number or literal is made of (a wrong mix is caught when it ends).
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x2b ||
    c === 0x2d ||
    c === 0x2e
  );
}

function describeByte(c: number): string {
  return c >= 0x21 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

export class JsonTokenizer {
  private readonly stack = new Uint8Array(MAX_JSON_DEPTH);
  private depth = 0;
  private expect = VALUE;
  private token = NONE;
  private escaped = false;
  /** The bytes of the token being read (a string's content, a bare word), grown as needed. */
  private bytes = Buffer.alloc(256);
  private length = 0;
  private tokenAt: JsonPosition = { line: 1, column: 1, offset: 0 };
  private line = 1;
  private column = 1;
  private offset = 0;
  /** Bytes of a leading byte order mark skipped so far. */
  private bom = 0;
  /** Set when the read stopped: no more events come. */
  stop: JsonStop | null = null;
  /** Values nested too deep, skipped (see MAX_JSON_DEPTH). */
  skipped: JsonSkipped | null = null;
  /** Brackets open inside the value being skipped (0: none is), and whether the skip is inside a string. */
  private skipDepth = 0;
  private skipInString = false;
  private skipAt: JsonPosition = this.tokenAt;

  constructor(private readonly events: JsonEvents) {}

  /** Whether a whole document has been read (what follows it is only whitespace so far). */
  get complete(): boolean {
    return this.expect === END && this.token === NONE;
  }

  private here(): JsonPosition {
    return { line: this.line, column: this.column, offset: this.offset };
  }

  /** Reads the bytes; `eof`: they are the last ones. */
  push(chunk: Uint8Array, eof: boolean): void {
    let i = 0;
    // Strings and numbers are taken in runs: per byte, only a comparison or two.
    while (i < chunk.length && this.stop === null) {
      if (this.skipDepth > 0) i = this.skipRun(chunk, i);
      else if (this.token === STRING) i = this.stringRun(chunk, i);
      else if (this.token === BARE) i = this.bareRun(chunk, i);
      else i = this.step(chunk, i);
    }
    if (eof && this.stop === null) this.end();
  }

  /** One byte outside a token: a space, a bracket, a separator, or the first byte of a token. */
  private step(chunk: Uint8Array, i: number): number {
    const c = chunk[i];
    // A UTF-8 byte order mark before the document is not part of it (its bytes may come in separate chunks).
    if (this.offset === this.bom && this.bom < 3 && c === BOM[this.bom]) {
      this.bom++;
      this.offset++;
      return i + 1;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0d) return this.spaceRun(chunk, i);
    if (c !== 0x0a) this.outside(c);
    this.offset++;
    if (c === 0x0a) {
      this.line++;
      this.column = 1;
    } else if ((c & 0xc0) !== 0x80) this.column++;
    return i + 1;
  }

  /** Spaces, tabs and CRs (the indentation of a pretty-printed document) at once. */
  private spaceRun(chunk: Uint8Array, from: number): number {
    let i = from;
    while (i < chunk.length && (chunk[i] === 0x20 || chunk[i] === 0x09 || chunk[i] === 0x0d)) i++;
    this.moveTo(from, i, this.column + (i - from));
    return i;
  }

  /** The bytes of a string up to its closing quote (or the chunk's end); columns count characters, not bytes. */
  private stringRun(chunk: Uint8Array, from: number): number {
    let column = this.column;
    let escaped = this.escaped;
    let i = from;
    for (; i < chunk.length; i++) {
      const c = chunk[i];
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) break;
      else if (c < 0x20) {
        this.moveTo(from, i, column);
        this.fail('syntax', 'a string holds a raw control character or line break', this.here());
        return i;
      }
      if ((c & 0xc0) !== 0x80) column++;
    }
    this.escaped = escaped;
    this.appendRun(chunk, from, i);
    this.moveTo(from, i, column);
    if (i === chunk.length) return i;
    this.offset++; // the closing quote
    this.column++;
    this.endString();
    return i + 1;
  }

  /** The bytes of a number or literal (ASCII) up to the first that cannot be part of one. */
  private bareRun(chunk: Uint8Array, from: number): number {
    let i = from;
    while (i < chunk.length && isBare(chunk[i])) i++;
    this.appendRun(chunk, from, i);
    this.moveTo(from, i, this.column + (i - from));
    if (i < chunk.length) this.endBare();
    return i;
  }

  /** The bytes of a value nested too deep, up to the bracket that closes it; it then stands as null. */
  private skipRun(chunk: Uint8Array, from: number): number {
    let i = from;
    for (; i < chunk.length && this.skipDepth > 0; i++) {
      const c = chunk[i];
      this.offset++;
      if (c === 0x0a) {
        this.line++;
        this.column = 1;
      } else if ((c & 0xc0) !== 0x80) this.column++;
      if (this.skipInString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.skipInString = false;
      } else if (c === 0x22) this.skipInString = true;
      else if (c === 0x7b || c === 0x5b) this.skipDepth++;
      else if (c === 0x7d || c === 0x5d) this.skipDepth--;
    }
    if (this.skipDepth === 0) {
      this.afterValue();
      this.events.scalar(null, this.skipAt);
    }
    return i;
  }

  private moveTo(from: number, to: number, column: number): void {
    this.offset += to - from;
    this.column = column;
  }

  private outside(c: number): void {
    const expect = this.expect;
    if (expect === VALUE || expect === VALUE_OR_CLOSE) {
      if (expect === VALUE_OR_CLOSE && c === 0x5d) return this.close(ARRAY, this.here());
      return this.value(c);
    }
    if (expect === KEY || expect === KEY_OR_CLOSE) {
      if (expect === KEY_OR_CLOSE && c === 0x7d) return this.close(OBJECT, this.here());
      if (c !== 0x22)
        return this.fail('syntax', `expected a key in double quotes, found ${describeByte(c)}`, this.here());
      return this.begin(STRING, this.here());
    }
    if (expect === COLON) {
      if (c !== 0x3a) return this.fail('syntax', `expected ":" after a key, found ${describeByte(c)}`, this.here());
      this.expect = VALUE;
      return;
    }
    if (expect === COMMA_OR_CLOSE) {
      const inObject = this.stack[this.depth - 1] === OBJECT;
      if (c === 0x2c) {
        this.expect = inObject ? KEY : VALUE;
        return;
      }
      if (c === (inObject ? 0x7d : 0x5d)) return this.close(inObject ? OBJECT : ARRAY, this.here());
      return this.fail(
        'syntax',
        `expected ${inObject ? '"," or "}"' : '"," or "]"'}, found ${describeByte(c)}`,
        this.here(),
      );
    }
    this.fail('syntax', `there is more after the end of the JSON document (${describeByte(c)})`, this.here());
  }

  private value(c: number): void {
    const at = this.here();
    if (c === 0x7b || c === 0x5b) {
      if (this.depth === MAX_JSON_DEPTH) {
        // Skipped with a counter, not a stack: a value nested 10^6 deep costs its bytes and no memory.
        this.skipDepth = 1;
        this.skipInString = false;
        this.escaped = false;
        this.skipAt = at;
        if (this.skipped === null) this.skipped = { at, count: 0 };
        this.skipped.count++;
        return;
      }
      const kind = c === 0x7b ? OBJECT : ARRAY;
      this.stack[this.depth++] = kind;
      this.expect = kind === OBJECT ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
      this.events.open(kind === OBJECT ? 'object' : 'array', at);
      return;
    }
    if (c === 0x22) return this.begin(STRING, at);
    if (isBare(c)) {
      this.begin(BARE, at);
      this.append(c);
      return;
    }
    this.fail('syntax', `expected a value, found ${describeByte(c)}`, at);
  }

  private close(kind: number, at: JsonPosition): void {
    this.depth--;
    this.afterValue();
    this.events.close(kind === OBJECT ? 'object' : 'array', at);
  }

  private afterValue(): void {
    this.expect = this.depth === 0 ? END : COMMA_OR_CLOSE;
  }

  private begin(token: number, at: JsonPosition): void {
    this.token = token;
    this.tokenAt = at;
    this.length = 0;
    this.escaped = false;
  }

  private append(c: number): void {
    if (this.length === this.bytes.length) this.grow();
    this.bytes[this.length++] = c;
  }

  /** Appends chunk[from, to) to the token, up to MAX_TOKEN_BYTES: the rest of an over-long string is dropped. */
  private appendRun(chunk: Uint8Array, from: number, to: number): void {
    const end = Math.min(to, from + MAX_TOKEN_BYTES - this.length);
    if (end <= from) return;
    while (this.length + (end - from) > this.bytes.length) this.grow();
    this.bytes.set(chunk.subarray(from, end), this.length);
    this.length += end - from;
  }

  private grow(): void {
    const grown = Buffer.alloc(this.bytes.length * 2);
    grown.set(this.bytes);
    this.bytes = grown;
  }

  private text(encoding: 'utf8' | 'latin1'): string {
    return this.bytes.toString(encoding, 0, this.length);
  }

  private endString(): void {
    this.token = NONE;
    const raw = this.text('utf8');
    let text = raw;
    if (raw.includes('\\')) {
      try {
        text = JSON.parse(`"${raw}"`) as string;
      } catch {
        return this.fail('syntax', 'a string holds an invalid escape sequence', this.tokenAt);
      }
    }
    if (this.expect === KEY || this.expect === KEY_OR_CLOSE) {
      this.expect = COLON;
      this.events.key(text, this.tokenAt);
      return;
    }
    this.afterValue();
    this.events.scalar(text, this.tokenAt);
  }

  private endBare(): void {
    this.token = NONE;
    const word = this.text('latin1');
    let value: JsonScalar;
    if (Object.hasOwn(LITERALS, word)) value = LITERALS[word];
    else if (NUMBER.test(word)) value = Number(word);
    else return this.fail('syntax', `"${word.slice(0, 40)}" is not a JSON value`, this.tokenAt);
    this.afterValue();
    this.events.scalar(value, this.tokenAt);
  }

  /** The bytes ended: a bare value may end there; anything still open means the document was cut short. */
  private end(): void {
    if (this.token === BARE) this.endBare();
    if (this.stop !== null || this.expect === END) return;
    const at = this.here();
    if (this.skipDepth > 0)
      return this.fail('truncated', `the document ends inside a value nested over ${MAX_JSON_DEPTH} levels deep`, at);
    if (this.token === STRING) return this.fail('truncated', 'the document ends inside a string', at);
    if (this.depth === 0 && this.expect === VALUE) return this.fail('syntax', 'the file holds no JSON value', at);
    this.fail('truncated', `the document ends with ${this.depth} array(s) or object(s) still open`, at);
  }

  private fail(kind: JsonStop['kind'], message: string, at: JsonPosition): void {
    this.stop = { kind, message, at };
  }
}
