// What following one input means, whatever its format: each update() reads what changed since the last and says how;
// tables() are the rows as of the last update. A format that can read only its new bytes has its own tail (the text
// tables: textTail.ts; TensorBoard event files and run folders: eventTail.ts, which resumes the record reader at the
// first unconsumed byte); any other source is read again whole when it changes (wholeTail.ts). tailFor() picks one.
import type { Stats } from 'node:fs';
import type { SourceRead } from '../sources';
import { describeFsError } from '../table/problems';
import type { ParseProblem } from '../table/types';

/** How an input changed at an update. */
export type TailChange =
  /** Nothing new (or only a line still being written). */
  | 'unchanged'
  /** First read. */
  | 'read'
  /** New complete rows were appended. */
  | 'appended'
  /** The input shrank, was replaced or rewritten: read again whole. */
  | 'reread'
  /** It no longer exists; the rows read before are kept, with a problem saying so. */
  | 'deleted'
  /** It does not exist yet, or holds no complete line yet. */
  | 'waiting';

export interface TailUpdate {
  change: TailChange;
  /** Rows added by this update (appended) or in all (read, reread). */
  rows: number;
  /** Bytes read by this update. */
  bytes: number;
}

export interface Tail {
  readonly path: string;
  update(): Promise<TailUpdate>;
  /** The tables as of the last update (views that later updates do not change), and problems about a folder. */
  current(): SourceRead;
  /** Lets go of what it watches (a folder of runs' fs.watch), when following ends. */
  close?(): void;
}

/**
 * What a read says of a file it could not read at all (its permission removed, an I/O error): a tail tries such a file
 * again at each update, changed or not, since its permission given back changes neither its size nor its time.
 */
export const READ_FAILURES: ReadonlySet<string> = new Set<ParseProblem['code']>([
  'file-unreadable',
  'file-read-failed',
]);

/**
 * What a tail says of an input that is not there and was never read (not written yet, or a wrong path), as a read of
 * it says: once, at the first update; later updates find it unchanged until it appears, so nothing re-analyses it.
 */
export function notFound(file: string): ParseProblem {
  const message = describeFsError(Object.assign(new Error(), { code: 'ENOENT' }), file);
  return { code: 'file-unreadable', severity: 'error', message, file, line: 1, column: 1 };
}

/**
 * Whether a path that is there can be followed: a file or a folder. A FIFO, a device or a socket is never opened by a
 * tail: opening a FIFO waits for a writer (`watch` hung, even past SIGTERM), and a stream's bytes, once read, are gone.
 */
export function followable(info: Pick<Stats, 'isFile' | 'isDirectory'>): boolean {
  return info.isFile() || info.isDirectory();
}

/** What a tail says, once, of an input that is there but cannot be followed (see followable). */
export function notFollowableMessage(file: string): string {
  return `${file} is not a file or a folder (a FIFO, a device or a socket), so it cannot be followed: what is read from it is gone; fit it once with \`scaling-lens fit\`, or follow the file its writer writes`;
}

/** What a followed file's place holding a FIFO, a device or a socket is said to be (see followable). */
export const REPLACED_BY_STREAM =
  'was replaced by a FIFO, a device or a socket (never read: what is read from it is gone)';

/**
 * What became of a followed file that is no longer a file, as its tail says it ("<file> <what> while it was followed"):
 * a folder or a FIFO in its place is not "deleted".
 */
export function whatBecameOf(info: Pick<Stats, 'isDirectory'> | null): string {
  if (info === null) return 'was deleted';
  return info.isDirectory() ? 'was replaced by a folder' : REPLACED_BY_STREAM;
}
