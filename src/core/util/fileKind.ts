// What a path is when it is no file to read as a whole: said by the table reader (a device named on the command line)
// and by the folder readers (a FIFO or a device inside a run folder) in the same words.
import type { BigIntStats, Stats } from 'node:fs';

/** What a path that is neither a regular file nor a folder is, in words; null for those (or a path not there). */
export function specialKind(info: Stats | BigIntStats | null): string | null {
  if (info === null || info.isFile() || info.isDirectory()) return null;
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}
