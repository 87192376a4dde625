// Which event files make up a run, and in which order. A run folder holds event files directly, or only in
// sub-folders named for a split (Keras' `train/` and `validation/`). When it holds them directly, its sub-folders
// with event files (PyTorch's add_scalars writes `run/<tag>_<series>/`) belong to it too. Each sub-folder's tags are
// prefixed by its name (`validation/epoch_loss`). Folders side by side that are neither are several runs: the scan
// enters them one by one.
import { readdirSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Sub-folder names that are one split of a run, not a run of their own. */
const SPLIT_FOLDERS = new Set(['train', 'training', 'eval', 'evaluation', 'validation', 'valid', 'val', 'test']);

/** Whether a file name is an event file's (`events.out.tfevents.<unix_s>.<host>...`; any name with `tfevents`). */
export function isEventFileName(name: string): boolean {
  return name.includes('tfevents');
}

/** Event files in writer order: by the Unix time in their name, then by name. */
export function writerOrder(names: readonly string[]): string[] {
  const time = (name: string): number => {
    const m = /tfevents\.(\d+)/.exec(name);
    return m === null ? Number.POSITIVE_INFINITY : Number(m[1]);
  };
  return [...names].sort((a, b) => time(a) - time(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Event file names in a folder, read synchronously (for the recogniser, which is synchronous); [] when unreadable. */
function eventFilesSync(folder: string): string[] {
  try {
    return readdirSync(folder).filter(isEventFileName);
  } catch {
    return [];
  }
}

/**
 * Whether a folder with these entries is one run whose event files sit only in split sub-folders: at least one
 * split sub-folder holds event files and no other sub-folder does (those would be runs side by side).
 */
export function isSplitRun(folder: string, entries: readonly string[]): boolean {
  // No split-named entry: not such a run, known without touching the disk (most folders a scan meets).
  if (!entries.some((name) => SPLIT_FOLDERS.has(name.toLowerCase()))) return false;
  let splits = 0;
  for (const name of entries.slice(0, 64)) {
    const child = join(folder, name);
    let isDirectory = false;
    try {
      isDirectory = statSync(child).isDirectory();
    } catch {
      continue;
    }
    if (!isDirectory || eventFilesSync(child).length === 0) continue;
    if (!SPLIT_FOLDERS.has(name.toLowerCase())) return false;
    splits++;
  }
  return splits > 0;
}

export interface EventFileRef {
  path: string;
  /** The file's name as messages show it: relative to the run folder. */
  shown: string;
  /** What its tags are prefixed with: '' in the run folder, `<sub-folder>/` in a sub-folder. */
  prefix: string;
}

async function eventFiles(folder: string): Promise<string[]> {
  try {
    return writerOrder((await readdir(folder)).filter(isEventFileName));
  } catch {
    return [];
  }
}

/** The event files of a run folder: its own first, then each sub-folder's (by name), each in writer order. */
export async function runFiles(folder: string): Promise<EventFileRef[]> {
  const own = (await eventFiles(folder)).map((name) => ({ path: join(folder, name), shown: name, prefix: '' }));
  const refs: EventFileRef[] = [...own];
  let names: string[];
  try {
    names = (await readdir(folder)).sort();
  } catch {
    return refs;
  }
  for (const name of names) {
    if (isEventFileName(name)) continue;
    const child = join(folder, name);
    if (!(await stat(child).catch(() => null))?.isDirectory()) continue;
    // Only split sub-folders belong to a run without event files of its own (isSplitRun said so).
    if (own.length === 0 && !SPLIT_FOLDERS.has(name.toLowerCase())) continue;
    for (const file of await eventFiles(child))
      refs.push({ path: join(child, file), shown: `${name}/${file}`, prefix: `${name}/` });
  }
  return refs;
}
