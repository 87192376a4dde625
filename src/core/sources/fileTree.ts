// The files under a folder, as paths relative to it with '/' between parts (an MLflow metric key, a DVCLive metric
// name), sorted, and bounded: at most MAX_COLUMNS kept and `maxDepth` levels, since each becomes a column.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_COLUMNS } from '../table/limits';
import { describeFsError, type ProblemLog } from '../table/problems';
import { notRegularMessage, specialKind } from './regularFile';

/** Files under `root` that `keep` accepts; a folder that cannot be read is said once (a missing one is no news). */
export async function filesUnder(
  root: string,
  log: ProblemLog,
  maxDepth: number,
  keep: (name: string) => boolean = () => true,
): Promise<string[]> {
  const files: string[] = [];
  const walk = async (folder: string, prefix: string, depth: number): Promise<void> => {
    let names: string[];
    try {
      names = (await readdir(folder)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        log.addForFile('file-unreadable', 'error', 1, 1, describeFsError(error, folder));
      return;
    }
    for (const name of names) {
      if (files.length >= MAX_COLUMNS) return;
      const rel = prefix === '' ? name : `${prefix}/${name}`;
      const info = await stat(join(folder, name)).catch(() => null);
      const kind = specialKind(info);
      if (info?.isDirectory() === true) {
        if (depth < maxDepth) await walk(join(folder, name), rel, depth + 1);
      } else if (!keep(name)) continue;
      else if (kind !== null)
        log.addForFile('file-unreadable', 'error', 1, 1, notRegularMessage(join(folder, name), kind));
      else files.push(rel); // a file, or an entry that cannot be stat'ed: its read says why
    }
  };
  await walk(root, '', 0);
  return files;
}
