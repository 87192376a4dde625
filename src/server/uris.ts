// The one place a URI from the editor becomes a path on disk. Only a local `file:` URI names one; an `untitled:`,
// `git:` or remote document, a `file://host/...` URI (a share on another machine) and a `file:` URI that Node cannot
// turn into a path (an encoded `/` in a name) have none: their text is the open document's, never read from disk.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The path on this machine that `uri` names, or null when it names none. */
export function diskPath(uri: string): string | null {
  if (!uri.startsWith('file:')) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

/**
 * The file `uri` names by its real path (symbolic links resolved), so that a file reached through a link and by its
 * own path is one file with one analysis; its path as named when that cannot be resolved (it is not there yet), null
 * when `uri` names no path.
 */
export function realDiskPath(uri: string): string | null {
  const path = diskPath(uri);
  return path === null ? null : realPath(path);
}

/** A path with its symbolic links resolved; the path itself when it cannot be resolved (not there yet). */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
