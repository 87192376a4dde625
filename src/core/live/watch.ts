// Being told that paths may have changed: fs.watch on each path's folder (a file that is replaced or deleted and
// written again keeps being seen; a folder input is watched recursively), and a polling timer besides, because some
// file systems never notify (network mounts, some container mounts) and a watch can fail. A notice only means "look
// again": the follower's update compares what is on disk, so extra notices cost a stat each. watchChanges also says
// which paths changed, so a followed folder of runs reads only those runs (folderTail.ts).
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

/** Paths told changed at most, between two takes: past it, what changed is not kept but swept for (take: null). */
const TOLD_PATHS = 4096;

/**
 * The paths under some folders that fs.watch told changed, kept until taken: a follower of a folder of runs reads only
 * those runs. Each folder is watched alone (not recursively: Node sets a recursive watch's subfolders up after it
 * returns, and a change there meanwhile went untold), so the caller watches every folder its sweep walked, and sweeps
 * once more after watching new ones (what changed between their walk and their watch). take() gives null when what
 * changed cannot be known from what was told: a watch failed, an event named no file, or more paths changed than are
 * kept; then every path must be looked at (a sweep). A watch can also stay silent (some network or container mounts
 * never notify): the caller's periodic sweep finds what it missed, and stops trusting it.
 */
export interface ChangedPaths {
  /** Watches these folders and lets go of the others; how many were not watched before (-1: one cannot be). */
  watch(folders: readonly string[]): number;
  take(): Set<string> | null;
  close(): void;
}

/** The changes under folders as fs.watch tells them. */
export function watchChanges(): ChangedPaths {
  const watchers = new Map<string, FSWatcher>();
  let told: Set<string> | null = new Set<string>();
  const unknown = () => (told = null);
  const tell = (path: string) => {
    if (told !== null && told.size >= TOLD_PATHS) told = null;
    told?.add(path);
  };
  const close = (folder: string) => {
    watchers.get(folder)?.close();
    watchers.delete(folder);
  };
  return {
    watch(folders) {
      const kept = new Set(folders);
      for (const folder of [...watchers.keys()]) if (!kept.has(folder)) close(folder);
      let added = 0;
      for (const folder of kept) {
        if (watchers.has(folder)) continue;
        try {
          const watcher = watch(folder, { persistent: false }, (_event, file) =>
            file === null ? unknown() : tell(resolve(folder, file.toString())),
          );
          // The folder went away, or its watch broke: what changed is not known until it is watched again.
          watcher.on('error', () => (unknown(), close(folder)));
          watchers.set(folder, watcher);
          added++;
        } catch {
          return -1; // no notifications here (or no more watches: the system's limit)
        }
      }
      return added;
    },
    take() {
      const taken = told;
      told = new Set<string>();
      return taken;
    },
    close() {
      for (const folder of [...watchers.keys()]) close(folder);
    },
  };
}
