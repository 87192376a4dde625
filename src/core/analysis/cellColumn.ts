// The character column of a cell on a line of text, for findings about a row's cell (Finding.cell): the parsed table
// keeps no positions, so the shells, which have the text or the file, find it on the line when they show the finding.
import { parseNumberCell } from '../table/number';
import { quote } from '../table/problems';
import type { Finding, FindingCell } from './types';

/**
 * Where the cell's value lies on `line`: its 1-based first column and the column just past it (so an editor can
 * underline the whole value), or undefined when it is not there.
 */
export function cellColumn(line: string, cell: FindingCell): CellSpan | undefined {
  if (cell.at !== undefined)
    return cell.at <= line.length ? { column: cell.at, endColumn: jsonValueEnd(line, cell.at - 1) + 1 } : undefined;
  return cell.field === undefined
    ? recordValueSpan(line, line.indexOf('{'), cell.name)
    : fieldSpan(line, cell.field, cell.delimiter);
}

export interface CellSpan {
  column: number;
  endColumn: number;
}

/** Field `field` of a delimited line: delimiters inside double quotes (RFC 4180) do not count. */
function fieldSpan(line: string, field: number, delimiter = ','): CellSpan | undefined {
  let seen = 0;
  let start = field === 0 ? 0 : -1;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === delimiter || ch === '\r')) {
      if (start >= 0) return fieldCells(start, i);
      if (ch === delimiter && ++seen === field) start = i + 1;
    }
  }
  return start >= 0 ? fieldCells(start, line.length) : undefined;
}

/** A field from index `start` to before index `end`; an empty one still spans a character, to be seen. */
function fieldCells(start: number, end: number): CellSpan {
  return { column: start + 1, endColumn: Math.max(end, start + 1) + 1 };
}

/** The value of key `name` on a JSON line (the key as a key: followed by a colon). */
function jsonValueSpan(line: string, name: string): CellSpan | undefined {
  const key = JSON.stringify(name);
  for (let at = line.indexOf(key); at >= 0; at = line.indexOf(key, at + 1)) {
    let i = at + key.length;
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] !== ':') continue;
    i++;
    while (line[i] === ' ' || line[i] === '\t') i++;
    return i < line.length ? { column: i + 1, endColumn: jsonValueEnd(line, i) + 1 } : undefined;
  }
  return undefined;
}

/**
 * The value of `name` in the object opening at index `open` of `line`, named as the table flattens a record: a key of
 * the record, or "a/b" for key b of an object under key a (a JSON line's `{"train": {"loss": 2.3}}`). Undefined when
 * the object does not close on the line, or the name is not found in it or found twice (a key "a/b" beside an object
 * a with a key b): a column is never guessed.
 */
function recordValueSpan(line: string, open: number, name: string): CellSpan | undefined {
  if (open < 0 || line[open] !== '{') return undefined;
  // The flattened prefix of each object open around the position ('' for the record); null for an array (or an
  // object in one), whose keys the table does not read.
  const prefixes: (string | null)[] = [];
  let key: string | null = null;
  let found: CellSpan | undefined;
  let count = 0;
  for (let i = open; i < line.length; i++) {
    const ch = line[i];
    if (ch === '{' || ch === '[') {
      const outer = prefixes.length === 0 ? '' : prefixes[prefixes.length - 1];
      prefixes.push(ch === '[' || outer === null ? null : prefixes.length === 0 ? '' : `${outer}${key}/`);
      key = null;
    } else if (ch === '}' || ch === ']') {
      prefixes.pop();
      if (prefixes.length === 0) return count === 1 ? found : undefined;
    } else if (ch === '"') {
      const end = jsonValueEnd(line, i);
      let j = skipSpaces(line, end);
      const prefix = prefixes[prefixes.length - 1];
      if (line[j] === ':' && typeof prefix === 'string') {
        key = jsonKey(line.slice(i, end));
        j = skipSpaces(line, j + 1);
        if (line[j] !== '{' && line[j] !== '[' && j < line.length && prefix + key === name) {
          count++;
          found = { column: j + 1, endColumn: jsonValueEnd(line, j) + 1 };
        }
      }
      i = j - 1;
    }
  }
  return undefined;
}

/** Index of the first character from `i` that is no space or tab. */
function skipSpaces(line: string, i: number): number {
  while (line[i] === ' ' || line[i] === '\t') i++;
  return i;
}

/** A JSON key's text from its quoted form (escapes read); as written when it does not parse. */
function jsonKey(quoted: string): string {
  try {
    return String(JSON.parse(quoted));
  } catch {
    return quoted.slice(1, -1);
  }
}

/** Just past a JSON scalar starting at `i`: a string to its closing quote, anything else to `,`, `}`, `]` or a space. */
function jsonValueEnd(line: string, i: number): number {
  if (line[i] === '"') {
    for (let j = i + 1; j < line.length; j++) {
      if (line[j] === '\\') j++;
      else if (line[j] === '"') return j + 1;
    }
    return line.length;
  }
  let j = i;
  while (j < line.length && !',}] \t\r'.includes(line[j])) j++;
  return Math.max(j, i + 1);
}

/** Lines below a record's `{` searched for a key of it (a log entry has a dozen keys). */
export const OBJECT_LINES = 200;

/**
 * The finding with its cell's columns found on its line's text (`lineText` of its file and line, undefined when the
 * shell cannot read it), and its `cell` dropped: the column is what the shells show. A cell in a pretty-printed
 * object (FindingCell.inObject) moves the finding to its key's line below the `{`. A value the message shows
 * otherwise than the file writes it (FindingCell.shown: Infinity for `1e400`, 0 for `-0`) is replaced there by the cell's text.
 */
export function locatedCell(finding: Finding, lineText: (file: string, line: number) => string | undefined): Finding {
  const { cell, ...rest } = finding;
  if (!cell || finding.line <= 0) return rest;
  if (finding.column !== undefined) return withCellEnd(rest, cell, lineText);
  const found = cell.inObject
    ? keyInObject(cell, finding.line, (line) => lineText(finding.file, line))
    : onLine(lineText(finding.file, finding.line), finding.line, cell);
  if (found === undefined) return cell.shown === undefined ? rest : withWrittenValue(rest, cell.shown, lineText);
  const { line, text, span } = found;
  const message = asWritten(rest.message, cell.shown, unquoted(text.slice(span.column - 1, span.endColumn - 1).trim()));
  return { ...rest, line, ...span, message };
}

/**
 * A finding that has its column (a reading problem about a cell, whose reader knew where it starts), given the end of
 * the cell found there, so the editor underlines the whole cell; as it is when the line's cell starts elsewhere.
 */
function withCellEnd(
  finding: Finding,
  cell: FindingCell,
  lineText: (file: string, line: number) => string | undefined,
): Finding {
  const span = onLine(lineText(finding.file, finding.line), finding.line, cell)?.span;
  return span !== undefined && span.column === finding.column ? { ...finding, endColumn: span.endColumn } : finding;
}

/**
 * A finding whose cell was not found on its line (a JSON record written on one line among others, a nested key), with
 * the infinity its message shows replaced by the value as the line writes it, when the line writes exactly one
 * number that reads as that infinity (`1e400`, `inf`): the message then quotes the file, as a located cell's does.
 */
function withWrittenValue(
  finding: Finding,
  shown: string,
  lineText: (file: string, line: number) => string | undefined,
): Finding {
  const text = lineText(finding.file, finding.line);
  if (text === undefined) return finding;
  const written = new Set<string>();
  for (const [token] of text.matchAll(NUMBER_TOKENS))
    if (String(parseNumberCell(token, {})?.value) === shown) written.add(token);
  if (written.size !== 1) return finding;
  const [token] = written;
  return { ...finding, message: asWritten(finding.message, shown, token) };
}

/**
 * The message with the value it shows (FindingCell.shown) quoted as the cell writes it; as it is where they agree
 * (`0`). The value is found as a word of its own: a summary's "line 20" holds a 0 before the value does.
 */
function asWritten(message: string, shown: string | undefined, written: string): string {
  if (shown === undefined || written === shown) return message;
  const apart = (i: number) => !/[\w.]/.test(message[i - 1] ?? ' ') && !/[\w.]/.test(message[i + shown.length] ?? ' ');
  for (let i = message.indexOf(shown); i >= 0; i = message.indexOf(shown, i + 1))
    if (apart(i)) return message.slice(0, i) + quote(written) + message.slice(i + shown.length);
  return message;
}

/** Number-like words on a line: decimal and exponent literals with their sign, and spelled infinities. */
const NUMBER_TOKENS = /[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|inf(?:inity)?\b)/gi;

interface FoundCell {
  line: number;
  text: string;
  span: CellSpan;
}

function onLine(text: string | undefined, line: number, cell: FindingCell): FoundCell | undefined {
  const span = text === undefined ? undefined : cellColumn(text, cell);
  return span === undefined ? undefined : { line, text: text!, span };
}

/**
 * The cell's key in the object that opens on line `start` and closes below it (a pretty-printed record): the first
 * line below, before the object closes, holding it as a key. An object that closes on its own line is searched where
 * the table says it opens (FindingCell.objectAt); without that, which of the line's records is meant is not known,
 * and it is undefined, as is a key not found.
 */
function keyInObject(
  cell: FindingCell,
  start: number,
  lineText: (line: number) => string | undefined,
): FoundCell | undefined {
  const { name, objectAt } = cell;
  const first = lineText(start);
  if (first === undefined) return undefined;
  const open = objectAt !== undefined ? objectAt - 1 : first.lastIndexOf('{');
  let depth = open < 0 ? 0 : depthChange(first.slice(open));
  // A record on one line, known by where it opens (Table.objectColumns): searched alone.
  if (depth <= 0 && objectAt !== undefined) {
    const span = recordValueSpan(first, open, name);
    return span && { line: start, text: first, span };
  }
  if (depth <= 0) return undefined;
  for (let line = start + 1; line <= start + OBJECT_LINES && depth > 0; line++) {
    const text = lineText(line);
    if (text === undefined) return undefined;
    // A key of the record itself, not of an object nested in it (the depth where its value starts).
    const span = jsonValueSpan(text, name);
    if (span !== undefined && depth + depthChange(text.slice(0, span.column - 1)) === 1) return { line, text, span };
    depth += depthChange(text);
  }
  return undefined;
}

/** How much a line opens objects and arrays minus what it closes, outside JSON strings. */
function depthChange(text: string): number {
  let change = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '{' || ch === '[') change++;
    else if (ch === '}' || ch === ']') change--;
  }
  return change;
}

/** A cell's text without the double quotes around it (a quoted CSV field, a JSON string): quote() adds its own. */
function unquoted(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}
