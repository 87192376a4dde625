// Files inside a run folder (an event file, metrics.csv, trainer_state.json, hparams.yaml, an MLflow metric) are read
// only when they are regular files: opening a FIFO blocks until some process writes to it (forever, in a folder no one
// writes to), and a device behind a symbolic link (/dev/zero) never ends. A file the user names is another matter: the
// table reader reads a FIFO or /dev/stdin named on the command line as a stream.
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { readTable } from '../table/read';
import { ProblemLog } from '../table/problems';
import { TableBuilder } from '../table/tableBuilder';
import type { FileFormat, Table } from '../table/types';
import type { SourceOptions } from './types';

import { specialKind } from '../util/fileKind';

export { specialKind };

/** The message for a file of a run folder that is not read because of what it is. */
export function notRegularMessage(display: string, kind: string): string {
  return (
    `${display} is ${kind}, not a regular file: a file inside a run folder is read only when it is a regular file, ` +
    'so it is left out'
  );
}

/** The special kind of the file at `path` (following symbolic links), or null for a regular file, a folder or none. */
export async function specialKindAt(path: string): Promise<string | null> {
  return specialKind(await stat(path).catch(() => null));
}

/** The error a read of a file that is not regular fails with; its message is notRegularMessage's. */
export class NotRegularFileError extends Error {}

/**
 * Opens a file for reading without blocking on a FIFO (O_NONBLOCK, which changes nothing for a regular file) and
 * refuses anything but a regular file, so the check and the read are of the same file. `refuse` words the refusal
 * (a file of a run folder by default; a followed file says it cannot be followed).
 */
export async function openRegularFile(
  path: string,
  display = path,
  refuse: (kind: string) => string = (kind) => notRegularMessage(display, kind),
): Promise<FileHandle> {
  // O_NONBLOCK is POSIX; Windows has neither it nor FIFOs on disk.
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  const kind = specialKind(await handle.stat().catch(() => null));
  if (kind === null) return handle;
  await handle.close().catch(() => undefined);
  throw new NotRegularFileError(refuse(kind));
}

/** Why a small file was not read: absent, not a regular file, over the size asked, or another failure (its error). */
export type SmallFileFailure =
  | { reason: 'missing'; error: unknown }
  | { reason: 'not-regular'; message: string }
  | { reason: 'too-large'; size: number }
  | { reason: 'failed'; error: unknown };

/**
 * The text of a small regular file (a param, a tag, a config) of at most `maxBytes`, from one open checked by its
 * descriptor (openRegularFile, then its size by fstat and the bytes read from it): a file replaced or removed after
 * someone looked at it is read as what the open found, or not at all, never one file's size with another's bytes,
 * and a FIFO swapped in is never waited on. Bytes written past `maxBytes` while it is read make it too large.
 */
export async function readSmallFile(
  path: string,
  display: string,
  maxBytes: number,
): Promise<{ text: string } | SmallFileFailure> {
  let handle: FileHandle;
  try {
    handle = await openRegularFile(path, display);
  } catch (error) {
    if (error instanceof NotRegularFileError) return { reason: 'not-regular', message: error.message };
    return { reason: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'failed', error };
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) return { reason: 'too-large', size };
    // Room for the size the open found and one byte more, to see it grow (a param is a few bytes, its limit 4 KiB; a
    // config's limit is 1 MiB, not to be allocated for each run's few hundred bytes).
    let buffer = Buffer.allocUnsafe(size + 1);
    let filled = 0;
    for (let n = -1; n !== 0 && filled <= maxBytes; filled += n) {
      if (filled === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]);
      ({ bytesRead: n } = await handle.read(buffer, filled, Math.min(buffer.length, maxBytes + 1) - filled, filled));
    }
    if (filled > maxBytes) return { reason: 'too-large', size: filled };
    return { text: buffer.subarray(0, filled).toString('utf8') };
  } catch (error) {
    return { reason: 'failed', error };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * The up to `count` bytes of an open file before `end`: a follower keeps them where its last read ended, and other
 * bytes there mean the file was rewritten, not grown (text tails, MLflow metric files).
 */
export async function bytesBefore(handle: FileHandle, end: number, count: number): Promise<Buffer> {
  const start = Math.max(0, end - count);
  const buf = Buffer.alloc(end - start);
  const { bytesRead } = await handle.read(buf, 0, buf.length, start);
  return buf.subarray(0, bytesRead);
}

/** A table that holds nothing but the error of a file not read for what it is. */
export function notRegularTable(display: string, kind: string, format: FileFormat): Table {
  const problems = new ProblemLog(display);
  problems.add('file-unreadable', 'error', 1, 1, notRegularMessage(display, kind));
  return new TableBuilder(problems).finish({ format, headerLine: 0, bytesRead: 0 });
}

/** A text table inside a run folder (metrics.csv, a DVCLive .tsv, a W&B history): read when it is a regular file. */
export async function readFolderTable(path: string, options: SourceOptions, format: FileFormat): Promise<Table> {
  const kind = await specialKindAt(path);
  return kind === null ? readTable(path, options) : notRegularTable(options.displayName ?? path, kind, format);
}
