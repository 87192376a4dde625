// Entry points. readTable (a file on disk) and parseText (an open editor's text) drive the same TableReader
// (tableReader.ts); the only difference is where the bytes of each chunk come from, so both give identical tables for
// identical content. A large file on disk is read by two threads (parallel.ts), with the same result.

import { open, type FileHandle } from 'node:fs/promises';
import { formatFromExtension } from './detect';
import { findSplit, readSplit, wantsSplit } from './parallel';
import { describeFsError, ProblemLog, type ReadFailureCode } from './problems';
import { ReadAhead } from './stream';
import { TableBuilder } from './tableBuilder';
import { pump, TableReader, type ReadTableOptions } from './tableReader';
import type { Table } from './types';

/** Reads a run file from disk in chunks. Never throws for bad input: problems are in Table.problems. */
export async function readTable(path: string, options: ReadTableOptions = {}): Promise<Table> {
  const file = options.displayName ?? path;
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    return failedTable(file, path, 'file-unreadable', describeFsError(error, file));
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile())
      return failedTable(file, path, 'file-unreadable', `${file} is not a regular file; open a CSV, TSV or JSONL file`);
    const reader = new TableReader(file, path, options, stat.size);
    if (reader.refuseSize(stat.size)) return reader.result();
    const split = wantsSplit(options.parallel ?? 'auto', stat.size) ? await findSplit(handle, stat.size) : -1;
    if (split < 0) {
      await pump(reader, new ReadAhead(handle, reader.chunkSize), file);
    } else {
      reader.allocateShared();
      await readSplit(reader, handle, { path, file, size: stat.size, split, options });
    }
    return reader.result();
  } finally {
    await handle.close();
  }
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
  return reader.result();
}

/** A table with no rows and one error, for files that cannot be read at all. */
function failedTable(file: string, fileName: string, code: ReadFailureCode, message: string): Table {
  const problems = new ProblemLog(file);
  problems.add(code, 'error', 1, 1, message);
  return new TableBuilder(problems).finish({ format: formatFromExtension(fileName), headerLine: 0, bytesRead: 0 });
}
