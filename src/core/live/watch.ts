// Being told that paths may have changed: fs.watch on each path's folder (a file that is replaced or deleted and
// written again keeps being seen; a folder input is watched recursively), and a polling timer besides, because some
// file systems never notify (network mounts, some container mounts) and a watch can fail. A notice only means "look
// again": the follower's update compares what is on disk, so extra notices cost a stat each.
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';

/** Polling period when nothing notifies. */
export const POLL_MS = 1000;

export interface WatchHandle {
  close(): void;
}

/** Calls `changed` when a path may have changed (by notification, and at least every pollMs). */
export async function watchPaths(
  paths: readonly string[],
  changed: () => void,
  pollMs: number = POLL_MS,
): Promise<WatchHandle> {
  const watchers: FSWatcher[] = [];
  for (const path of paths) {
    const watcher = await watchOne(resolve(path), changed);
    if (watcher) watchers.push(watcher);
  }
  const poll = setInterval(changed, pollMs);
  return {
    close() {
      clearInterval(poll);
      for (const watcher of watchers) watcher.close();
    },
  };
}

/** A folder is watched itself (recursively); a file through its folder, for the events about its name only. */
async function watchOne(path: string, changed: () => void): Promise<FSWatcher | null> {
  const info = await stat(path).catch(() => null);
  const folder = info?.isDirectory() === true;
  const target = folder ? path : dirname(path);
  const name = basename(path);
  try {
    const watcher = watch(target, { persistent: false, recursive: folder }, (_event, file) => {
      if (folder || file === null || file === name) changed();
    });
    watcher.on('error', () => watcher.close()); // the folder went away: polling still looks
    return watcher;
  } catch {
    return null; // no notifications here: polling alone
  }
}
