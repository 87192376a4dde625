// Entry points. readTable (a file on disk) and parseText (an open editor's text) drive the same TableReader
// (tableReader.ts); the only difference is where the bytes of each chunk come from, so both give identical tables for
// identical content. A large file on disk is read by two threads (parallel.ts), with the same result. A FIFO or a
// character device (/dev/stdin) is read as a stream: in order, of unknown size, on one thread. A file that changes
// while it is read (a run that restarts and rewrites its log) is read again; if it changes again, the table says so.

import { open, stat, type FileHandle } from 'node:fs/promises';
import { constants, type BigIntStats } from 'node:fs';
import { formatFromExtension } from './detect';
import { findSplit, readSplit, wantsSplit } from './parallel';
import { leaveOutCutValue, TAIL_BYTES } from './cutValue';
import { describeFsError, formatBytes, ProblemLog, type ReadFailureCode } from './problems';
import { ReadAhead } from './stream';
import { TableBuilder } from './tableBuilder';
import { pump, TableReader, UNKNOWN_SIZE, type ReadTableOptions } from './tableReader';
import type { ParseProblem, Table } from './types';
import { asError } from '../util/errors';
import { specialKind } from '../util/fileKind';

/** Reads a run file from disk in chunks. Never throws for bad input: problems are in Table.problems. */
export async function readTable(path: string, options: ReadTableOptions = {}): Promise<Table> {
  const file = options.displayName ?? path;
  const first = await readOnce(path, file, options, 1);
  if (first.change === null) return first.table;
  const second = await readOnce(path, file, options, 2);
  if (second.change === null) return second.table;
  return withProblem(second.table, changedProblem(file, first.change, second.change));
}

/** How a file changed between the start and the end of a read. */
interface FileChange {
  before: BigIntStats;
  after: BigIntStats;
  /** The path names another file now (replaced by a rename): the handle read the old one. */
  replaced: boolean;
}

/** One read of the file at `path`, and whether it changed under the read (never for a stream: it cannot be re-read). */
async function readOnce(
  path: string,
  file: string,
  options: ReadTableOptions,
  attempt: number,
): Promise<{ table: Table; change: FileChange | null }> {
  let handle: FileHandle;
  try {
    handle = await open(path, options.regularOnly ? constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) : 'r');
  } catch (error) {
    return { table: failedTable(file, path, 'file-unreadable', describeFsError(error, file)), change: null };
  }
  try {
    const before = await handle.stat({ bigint: true });
    if (options.regularOnly && !before.isFile()) {
      const message = options.regularOnly(specialKind(before) ?? 'a folder');
      return { table: failedTable(file, path, 'file-unreadable', message), change: null };
    }
    // A FIFO is a stream (a pipe through /dev/stdin); a device is none a run wrote (/dev/zero read 4 GiB to the limit).
    if (before.isFIFO()) return { table: await readStream(handle, path, file, options), change: null };
    const kind = specialKind(before);
    if (kind !== null || !before.isFile()) {
      const what = kind ?? 'a folder';
      const message = `${file} is ${what}, not a regular file or a pipe, so it is not read; open a CSV, TSV or JSONL file.`;
      return { table: failedTable(file, path, 'file-unreadable', message), change: null };
    }
    await options.duringRead?.(attempt);
    const table = await readFile(handle, path, file, options, Number(before.size));
    const after = await handle.stat({ bigint: true });
    const now = await stat(path, { bigint: true }).catch(() => null);
    const replaced = now !== null && (now.ino !== before.ino || now.dev !== before.dev);
    const changed = replaced || after.size !== before.size || after.mtimeNs !== before.mtimeNs;
    return { table, change: changed ? { before, after, replaced } : null };
  } finally {
    await handle.close();
  }
}

/**
 * A regular file of known size: positional reads ahead of the parser, on two threads when it is large; its head only
 * with options.headBytes.
 */
async function readFile(
  handle: FileHandle,
  path: string,
  file: string,
  options: ReadTableOptions,
  size: number,
): Promise<Table> {
  if (options.headBytes !== undefined) {
    // Its first bytes only, their complete lines (a line cut by the limit would read as a malformed row), parsed as a
    // document of that size is: its rows are not estimated from the whole file's size.
    const head = Buffer.alloc(Math.min(size, options.headBytes));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const lines = completeLines(head.subarray(0, bytesRead), bytesRead < size);
    return parseBytes(lines, { ...options, fileName: path, displayName: file });
  }
  const reader = new TableReader(file, path, options, size);
  if (reader.refuseSize(size)) return reader.result();
  const split = wantsSplit(options.parallel ?? 'auto', size) ? await findSplit(handle, size) : -1;
  if (split < 0) {
    await pump(reader, new ReadAhead(handle, reader.chunkSize), file);
  } else {
    reader.allocateShared();
    await readSplit(reader, handle, { path, file, size, split, options });
  }
  const table = reader.result();
  const tail = Buffer.alloc(Math.min(size, TAIL_BYTES));
  const { bytesRead } = await handle.read(tail, 0, tail.length, size - tail.length);
  return withCutValueLeftOut(table, tail.subarray(0, bytesRead), bytesRead === size);
}

/** The table, with its last value left out and said when the file's end cut it off (cutValue.ts). */
function withCutValueLeftOut(table: Table, tail: Uint8Array, wholeFile: boolean): Table {
  const problem = leaveOutCutValue(table, tail, wholeFile);
  return problem === null ? table : withProblem(table, problem);
}

/** The bytes up to their last line break when more of the file follows (`cut`); all of them when none does. */
export function completeLines(head: Buffer, cut: boolean): Buffer {
  if (!cut) return head;
  const end = head.lastIndexOf(0x0a);
  return end > 0 ? head.subarray(0, end + 1) : head;
}

/** A FIFO or a character device: read in order from where it is, until a read returns nothing. */
async function readStream(handle: FileHandle, path: string, file: string, options: ReadTableOptions): Promise<Table> {
  const reader = new TableReader(file, path, options, UNKNOWN_SIZE);
  while (!reader.done) {
    const { offset, length } = reader.target();
    const read = await handle.read(reader.buffer, offset, length, null).then(
      (result) => result.bytesRead,
      (error: unknown) => asError(error),
    );
    if (read instanceof Error) reader.fail('file-read-failed', describeFsError(read, file));
    else reader.push(read);
  }
  return reader.result();
}

/** Says that the file changed under both reads: what changed, and how far the rows can be trusted. */
function changedProblem(file: string, first: FileChange, second: FileChange): Omit<ParseProblem, 'file'> {
  const grew = (change: FileChange) => !change.replaced && change.after.size > change.before.size;
  const sizes = `${formatBytes(Number(first.before.size))}, then ${formatBytes(Number(second.after.size))}`;
  if (grew(first) && grew(second))
    return {
      code: 'file-changed',
      severity: 'info',
      line: 1,
      column: 1,
      message: `${file} grew while it was read (${sizes}: a run still writing it); the rows are those written when it was read — read it again for the rest`,
    };
  const how = second.replaced ? 'was replaced by another file' : 'was rewritten or cut short';
  return {
    code: 'file-changed',
    severity: 'warning',
    line: 1,
    column: 1,
    message: `${file} changed while it was read, and again when it was read a second time (${sizes}; it ${how}, as a run that restarts does); the rows may mix two versions of it — read it again once it stops changing`,
  };
}

/** The table with one more problem, in file order (a problem found after the read). */
export function withProblem(table: Table, problem: Omit<ParseProblem, 'file'>): Table {
  const problems = [...table.problems, { ...problem, file: table.file }];
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ...table, problems, problemCount: table.problemCount + 1 };
}

/** Parses an in-memory document (an open editor) exactly as readTable would parse the same bytes on disk. */
export function parseText(text: string, options: ReadTableOptions & { fileName?: string } = {}): Table {
  return parseBytes(Buffer.from(text, 'utf8'), options);
}

/**
 * A document already encoded as UTF-8 (the language server hands its worker bytes, not a string: a string would be
 * copied into the worker and then encoded, two more copies of a large file than the bytes alone).
 */
export function parseBytes(bytes: Uint8Array, options: ReadTableOptions & { fileName?: string } = {}): Table {
  const source = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fileName = options.fileName ?? '';
  const reader = new TableReader(options.displayName ?? (fileName || 'untitled'), fileName, options, source.length);
  if (reader.refuseSize(source.length)) return reader.result();
  let position = 0;
  while (!reader.done) {
    const { offset, length } = reader.target();
    const copied = source.copy(reader.buffer, offset, position, position + length);
    position += copied;
    reader.push(copied);
  }
  const tailStart = Math.max(0, source.length - TAIL_BYTES);
  return withCutValueLeftOut(reader.result(), source.subarray(tailStart), tailStart === 0);
}

/** A table with no rows and one error, for files that cannot be read at all. */
export function failedTable(file: string, fileName: string, code: ReadFailureCode, message: string): Table {
  const problems = new ProblemLog(file);
  problems.add(code, 'error', 1, 1, message);
  return new TableBuilder(problems).finish({ format: formatFromExtension(fileName), headerLine: 0, bytesRead: 0 });
}
