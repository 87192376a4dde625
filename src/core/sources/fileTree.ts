// The files under a folder, as paths relative to it with '/' between parts (an MLflow metric key, a DVCLive metric
// name), sorted, and bounded: at most MAX_COLUMNS kept (the rest said) and `maxDepth` levels, since each becomes a
// column. Each real folder is walked once and the walk reads at most MAX_ENTRIES names, so its work grows with the
// folders on disk, never with the ways symbolic links lead to them (five links to `.` in one folder: 5^8 paths).
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { MAX_COLUMNS } from '../table/limits';
import { describeFsError, quote, type ProblemLog } from '../table/problems';
import { notRegularMessage, specialKind } from './regularFile';

/** Names read at most in one walk: ten for every column kept, so a link to `/usr` costs a bounded walk. */
export const MAX_ENTRIES = 10 * MAX_COLUMNS;

/** Whether folder `outer` holds folder `inner` (both real paths), without being it. */
export function holds(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

interface Folder {
  path: string;
  /** Its path relative to the root, '/' between parts; '' for the root. */
  rel: string;
  depth: number;
}

/**
 * Files under `root` that `keep` accepts; a folder that cannot be read is said once (a missing one is no news). A
 * symbolic link to a folder inside the root is walked after the folders met by their own names, so a folder is named
 * by its own path; a link to a folder walked already, or to one that holds the root, is not followed, and said so.
 */
export async function filesUnder(
  root: string,
  log: ProblemLog,
  maxDepth: number,
  keep: (name: string) => boolean = () => true,
): Promise<string[]> {
  const files: string[] = [];
  const realRoot = await realpath(root).catch(() => root);
  const walked = new Set<string>();
  const notFollowed: string[] = [];
  const deferred: Folder[] = [];
  let entries = 0;
  /** The first file past MAX_COLUMNS, where the walk stopped; null while every file found is kept. */
  let leftOut: string | null = null;

  const walk = async ({ path, rel: prefix, depth }: Folder, real: string): Promise<void> => {
    walked.add(real);
    let names: string[];
    try {
      names = (await readdir(path)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        log.addForFile('file-unreadable', 'error', 1, 1, describeFsError(error, path));
      return;
    }
    for (const name of names) {
      if (leftOut !== null || ++entries > MAX_ENTRIES) return;
      const rel = prefix === '' ? name : `${prefix}/${name}`;
      const child = join(path, name);
      const info = await stat(child).catch(() => null);
      const kind = specialKind(info);
      if (info?.isDirectory() === true) {
        if (depth >= maxDepth) continue;
        const folder = { path: child, rel, depth: depth + 1 };
        const isLink = (await lstat(child).catch(() => null))?.isSymbolicLink() ?? false;
        const childReal = await realpath(child).catch(() => child);
        if (isLink && holds(realRoot, childReal)) deferred.push(folder);
        else await enter(folder, childReal);
      } else if (!keep(name)) continue;
      else if (kind !== null) log.addForFile('file-unreadable', 'error', 1, 1, notRegularMessage(child, kind));
      else if (files.length < MAX_COLUMNS)
        files.push(rel); // a file, or an entry that cannot be stat'ed: its read says why
      else leftOut = rel;
    }
  };
  const enter = async (folder: Folder, real: string): Promise<void> => {
    if (walked.has(real) || real === realRoot || holds(real, realRoot)) notFollowed.push(folder.rel);
    else await walk(folder, real);
  };

  await walk({ path: root, rel: '', depth: 0 }, realRoot);
  // Links into the tree, once the folders they name were met by their own names (a link may lead to another).
  for (let i = 0; i < deferred.length && leftOut === null && entries <= MAX_ENTRIES; i++)
    await enter(deferred[i], await realpath(deferred[i].path).catch(() => deferred[i].path));
  if (notFollowed.length > 0) {
    const more = notFollowed.length > 5 ? ', …' : '';
    log.addForFile(
      'source-skipped',
      'info',
      1,
      1,
      `${notFollowed.length} symbolic link(s) to a folder read already, or holding this one, were not followed ` +
        `(${notFollowed.slice(0, 5).join(', ')}${more}): each folder is read once`,
    );
  }
  if (leftOut !== null)
    log.addForFile(
      'columns-capped',
      'warning',
      1,
      1,
      `${root} holds over ${MAX_COLUMNS} files, each a column: the first ${MAX_COLUMNS} are read, and from ` +
        `${quote(leftOut)} on they are left out`,
    );
  if (entries > MAX_ENTRIES)
    log.addForFile(
      'scan-limited',
      'warning',
      1,
      1,
      `${root} was read only in part: it holds over ${MAX_ENTRIES} entries (the files found so far are read)`,
    );
  return files;
}
