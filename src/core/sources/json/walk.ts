// A JSON document walked by path, from a file read in chunks: the visitor says of each container whether to go into
// it (its members come one by one), collect it whole (one record: a log_history entry, an element of an array of
// records) or skip it. Memory is the one record being collected, and a collected record is capped in bytes.
import type { FileHandle } from 'node:fs/promises';
import {
  JsonTokenizer,
  type JsonContainer,
  type JsonEvents,
  type JsonPosition,
  type JsonScalar,
  type JsonSkipped,
  type JsonStop,
} from './tokenizer';
import { asError } from '../../util/errors';

export type JsonValue = JsonScalar | JsonValue[] | { [key: string]: JsonValue };
export type JsonPath = readonly (string | number)[];

export interface JsonVisitor {
  /** What to do with the container opening at `path` (the keys and indices leading to it). */
  enter(path: JsonPath, kind: JsonContainer, at: JsonPosition): 'descend' | 'collect' | 'skip';
  /** A scalar in a container gone into, or a collected container once it closed. */
  value(path: JsonPath, value: JsonValue, at: JsonPosition): void;
  /** A collected container passed the byte cap: it is skipped. */
  tooLarge(path: JsonPath, at: JsonPosition): void;
}

interface Collecting {
  path: JsonPath;
  at: JsonPosition;
  stack: (JsonValue[] | { [key: string]: JsonValue })[];
  key: string | null;
}

/** Turns tokenizer events into the visitor's calls. */
export class JsonWalker implements JsonEvents {
  /** The keys and indices of the containers gone into (the root has none). */
  private readonly path: (string | number)[] = [];
  /** Per container gone into: its kind and the index of its next member (arrays). */
  private readonly frames: { kind: JsonContainer; index: number }[] = [];
  private pendingKey: string | null = null;
  private skipping = 0;
  private collecting: Collecting | null = null;

  constructor(
    private readonly visitor: JsonVisitor,
    /** Bytes a collected container may span. */
    private readonly maxRecordBytes: number,
  ) {}

  /** The path of the member that comes next. */
  private next(): JsonPath {
    const frame = this.frames[this.frames.length - 1];
    if (frame === undefined) return [];
    return [...this.path, frame.kind === 'array' ? frame.index : (this.pendingKey ?? '')];
  }

  private member(): void {
    const frame = this.frames[this.frames.length - 1];
    if (frame !== undefined && frame.kind === 'array') frame.index++;
  }

  open(kind: JsonContainer, at: JsonPosition): void {
    if (this.skipping > 0) {
      this.skipping++;
      return;
    }
    if (this.collecting !== null) {
      if (this.overCap(at)) return this.open(kind, at);
      const container = kind === 'array' ? [] : {};
      this.attach(container);
      this.collecting.stack.push(container);
      return;
    }
    const path = this.next();
    const choice = this.visitor.enter(path, kind, at);
    if (choice === 'skip') this.skipping = 1;
    else if (choice === 'collect') this.collecting = { path, at, stack: [kind === 'array' ? [] : {}], key: null };
    else {
      if (this.frames.length > 0) this.path.push(path[path.length - 1]);
      this.frames.push({ kind, index: 0 });
    }
  }

  close(_kind: JsonContainer, at: JsonPosition): void {
    if (this.skipping > 0) {
      if (--this.skipping === 0) this.member();
      return;
    }
    const collecting = this.collecting;
    if (collecting !== null) {
      if (this.overCap(at)) return this.close(_kind, at);
      const done = collecting.stack.pop()!;
      if (collecting.stack.length > 0) return;
      this.collecting = null;
      this.visitor.value(collecting.path, done, collecting.at);
      return this.member();
    }
    this.frames.pop();
    if (this.frames.length > 0) this.path.pop();
    this.member();
  }

  key(name: string): void {
    if (this.skipping > 0) return;
    if (this.collecting !== null) this.collecting.key = name;
    else this.pendingKey = name;
  }

  scalar(value: JsonScalar, at: JsonPosition): void {
    if (this.skipping > 0) return;
    if (this.collecting !== null) {
      if (this.overCap(at)) return this.scalar(value, at);
      return this.attach(value);
    }
    this.visitor.value(this.next(), value, at);
    this.member();
  }

  private attach(value: JsonValue): void {
    const collecting = this.collecting!;
    const parent = collecting.stack[collecting.stack.length - 1];
    if (Array.isArray(parent)) parent.push(value);
    else parent[collecting.key ?? ''] = value;
  }

  /** Whether the record being collected passed the cap; if so it is dropped and the rest of it skipped. */
  private overCap(at: JsonPosition): boolean {
    const collecting = this.collecting!;
    if (at.offset - collecting.at.offset <= this.maxRecordBytes) return false;
    this.visitor.tooLarge(collecting.path, collecting.at);
    this.skipping = collecting.stack.length;
    this.collecting = null;
    return true;
  }
}

/** Bytes per read of a JSON document. */
const CHUNK_BYTES = 1024 * 1024;

/** How a walk of a file ended: where it stopped early (null: the whole document was read), and the bytes read. */
export interface WalkEnd {
  stop: JsonStop | null;
  /** Values nested too deep to read, left out (the rest was read). */
  skipped: JsonSkipped | null;
  bytesRead: number;
}

/**
 * Walks the JSON document in an open file (the caller checked what it is and closes it), chunk by chunk from its
 * first byte; with `headBytes`, its first that many only, a document cut there not an error (a sample of its first
 * records). Never throws: a read failure comes back as the error.
 */
export async function walkJsonFile(
  handle: FileHandle,
  visitor: JsonVisitor,
  maxRecordBytes: number,
  headBytes = Number.POSITIVE_INFINITY,
): Promise<WalkEnd | Error> {
  const tokenizer = new JsonTokenizer(new JsonWalker(visitor, maxRecordBytes));
  let bytesRead = 0;
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    for (;;) {
      const wanted = Math.min(CHUNK_BYTES, headBytes - bytesRead);
      const { bytesRead: n } = wanted > 0 ? await handle.read(buffer, 0, wanted, bytesRead) : { bytesRead: 0 };
      bytesRead += n;
      tokenizer.push(buffer.subarray(0, n), n === 0 && wanted > 0);
      if (n === 0 || tokenizer.stop !== null) break;
    }
  } catch (error) {
    return asError(error);
  }
  return { stop: tokenizer.stop, skipped: tokenizer.skipped, bytesRead };
}

/** Walks bytes already in memory (a probe's head: `eof` false, so a cut document is not an error). */
export function walkJsonBytes(bytes: Uint8Array, visitor: JsonVisitor, eof: boolean): JsonStop | null {
  const tokenizer = new JsonTokenizer(new JsonWalker(visitor, Number.MAX_SAFE_INTEGER));
  tokenizer.push(bytes, eof);
  return tokenizer.stop;
}
