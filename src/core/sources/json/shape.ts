// What a file's first bytes say it holds, for the recognisers: JSON Lines (a whole object on the first line, more
// after it), a trainer state (a top-level log_history key), an array of records, an object of column arrays, other
// JSON (a config, a tokenizer), or no JSON at all. Only the probe's bytes are looked at, so a document cut by the
// end of the probe is judged on what it shows.
import { parseJsonLine } from '../../table/jsonl';
import { PROBE_BYTES } from '../types';
import type { JsonContainer } from './tokenizer';
import { walkJsonBytes, type JsonPath, type JsonValue, type JsonVisitor } from './walk';

export type JsonShape = 'jsonl' | 'trainer-state' | 'records' | 'columns' | 'other' | 'not-json';

/** The first line's object when it stands alone and more follows: one object per line. */
function isJsonLines(head: Uint8Array): boolean {
  const lf = head.indexOf(0x0a);
  if (lf < 0) return false;
  const first = parseJsonLine(Buffer.from(head.buffer, head.byteOffset, lf).toString('utf8'));
  if (first === null || typeof first !== 'object' || Array.isArray(first) || first instanceof Error) return false;
  return head.subarray(lf + 1).some((c) => c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09);
}

/** Notes the top level of a document: its kind, its keys' kinds, and the first element of each array. */
class HeadVisitor implements JsonVisitor {
  root: JsonContainer | null = null;
  logHistory = false;
  /** Top-level arrays whose first element is a number, and top-level members of any other kind. */
  numericArrays = 0;
  otherMembers = 0;
  firstElementIsObject = false;

  enter(path: JsonPath, kind: JsonContainer): 'descend' | 'collect' | 'skip' {
    if (path.length === 0) {
      this.root = kind;
      return 'descend';
    }
    if (path.length === 1) {
      if (this.root === 'array') {
        if (path[0] === 0) this.firstElementIsObject = kind === 'object';
        return 'skip';
      }
      if (path[0] === 'log_history') this.logHistory = true;
      if (kind === 'array') return 'descend';
      this.otherMembers++;
    }
    return 'skip';
  }

  value(path: JsonPath, value: JsonValue): void {
    if (this.root === 'object' && path.length === 1) this.otherMembers++;
    if (this.root === 'object' && path.length === 2 && path[1] === 0 && typeof value === 'number') this.numericArrays++;
  }

  tooLarge(): void {}
}

export function jsonShape(head: Uint8Array): JsonShape {
  let first = 0;
  while (
    first < head.length &&
    (head[first] === 0x20 ||
      head[first] === 0x0a ||
      head[first] === 0x0d ||
      head[first] === 0x09 ||
      head[first] === 0xef ||
      head[first] === 0xbb ||
      head[first] === 0xbf)
  )
    first++;
  if (head[first] !== 0x7b && head[first] !== 0x5b) return isJsonScalar(head) ? 'other' : 'not-json';
  if (isJsonLines(head)) return 'jsonl';
  const visitor = new HeadVisitor();
  const stop = walkJsonBytes(head, visitor, false);
  if (visitor.logHistory) return 'trainer-state';
  if (stop !== null) return 'other';
  if (visitor.root === 'array') return visitor.firstElementIsObject ? 'records' : 'other';
  return visitor.numericArrays > 0 && visitor.otherMembers === 0 ? 'columns' : 'other';
}

/**
 * Whether the head is the whole file and that is one JSON value other than an object or array (null, 42, "text",
 * true): a document, said to be of no shape read, where the text reader took it for a CSV header.
 */
function isJsonScalar(head: Uint8Array): boolean {
  if (head.length >= PROBE_BYTES) return false;
  try {
    JSON.parse(
      Buffer.from(head.buffer, head.byteOffset, head.length)
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
    );
    return true;
  } catch {
    return false;
  }
}

/** The keys of the first line of a JSON Lines head, or null when it is not one object on its own line. */
export function firstLineKeys(head: Uint8Array): string[] | null {
  const lf = head.indexOf(0x0a);
  const text = Buffer.from(head.buffer, head.byteOffset, lf < 0 ? head.length : lf).toString('utf8');
  const first = parseJsonLine(text);
  if (first === null || typeof first !== 'object' || Array.isArray(first) || first instanceof Error) return null;
  return Object.keys(first);
}
