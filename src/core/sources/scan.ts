// A folder given as input is a set of runs. The scan walks it breadth first and asks each folder, then each file,
// whether a source recognises it: a recognised folder (a TensorBoard run, a Lightning version_N, an MLflow run) is
// one run and is not entered; a recognised file is one run; anything else is skipped and counted. The walk is bounded
// (entries, depth, runs, time), follows symbolic links once each (a file reached through a link and its own path is
// one run), and never enters dependency or VCS folders.
import { lstat, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { holds } from './fileTree';
import { describeFsError, ProblemLog } from '../table/problems';
import { recognise } from './registry';
import { openRegularFile, specialKind } from './regularFile';
import { PROBE_BYTES, type Probe, type ScanLimits, type Source, type SourceOptions } from './types';
import type { ParseProblem } from '../table/types';

export const DEFAULT_SCAN_LIMITS: ScanLimits = { maxEntries: 50_000, maxDepth: 12, maxRuns: 2000, timeMs: 20_000 };

/** Folders never entered: they hold dependencies, caches or version control, never runs. */
const SKIPPED_FOLDERS = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.mypy_cache',
  '.pytest_cache',
  '.ipynb_checkpoints',
  '.vscode-test',
]);

export interface FoundRun {
  path: string;
  source: Source;
  /** The path relative to the folder given, without a file's extension; the folder's own name when it is the run. */
  name: string;
}

export interface ScanResult {
  runs: FoundRun[];
  problems: ParseProblem[];
}

/**
 * The first bytes of a file, for recognisers; empty when it cannot be read or is not a regular file (a FIFO would
 * block the read): the reader says why later.
 */
export async function readHead(path: string): Promise<Uint8Array> {
  try {
    const handle = await openRegularFile(path);
    try {
      return await headOf(handle);
    } finally {
      await handle.close();
    }
  } catch {
    return new Uint8Array(0);
  }
}

/** The first bytes of an open file (PROBE_BYTES at most). */
export async function headOf(handle: FileHandle): Promise<Uint8Array> {
  const buffer = new Uint8Array(PROBE_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, PROBE_BYTES, 0);
  return buffer.subarray(0, bytesRead);
}

/** A run's name: its path under the root in forward slashes, a file's extension dropped. */
function runName(root: string, path: string, isDirectory: boolean): string {
  const rel = relative(root, path);
  if (rel === '') return basename(path);
  const name = isDirectory ? rel : rel.replace(/\.[A-Za-z0-9]+$/, '');
  return sep === '/' ? name : name.split(sep).join('/');
}

export async function findRuns(root: string, sources: readonly Source[], options: SourceOptions): Promise<ScanResult> {
  const limits = { ...DEFAULT_SCAN_LIMITS, ...options.scan };
  const display = options.displayName ?? root;
  const log = new ProblemLog(display);
  const started = Date.now();
  const runs: FoundRun[] = [];
  const skipped: string[] = [];
  let skippedCount = 0;
  let entries = 0;
  let stoppedBy: string | null = null;
  const seen = new Set<string>();
  const realRoot = await realpath(root).catch(() => root);
  const linksUp: string[] = [];
  /** Each run file's index in `runs` by its real path; the links to a file found twice, as `link -> file`. */
  const fileRuns = new Map<string, number>();
  const aliases: string[] = [];
  const notUtf8: string[] = [];
  /** Entries that are neither files nor folders (FIFOs, devices, sockets), each with what it is. */
  const special: string[] = [];
  const queue: { path: string; depth: number; deferred?: boolean }[] = [{ path: root, depth: 0 }];

  const over = (): string | null => {
    if (options.signal?.aborted) return 'it was cancelled';
    if (Date.now() - started > limits.timeMs) return `it took over ${limits.timeMs / 1000} s`;
    if (entries > limits.maxEntries) return `it held over ${limits.maxEntries} entries`;
    if (runs.length >= limits.maxRuns) return `it held over ${limits.maxRuns} runs`;
    return null;
  };

  while (queue.length > 0 && stoppedBy === null) {
    const { path, depth, deferred } = queue.shift()!;
    const real = await realpath(path).catch(() => path);
    if (seen.has(real)) continue; // a symbolic link back into the tree
    // A link to a folder inside this one (wandb's `latest-run`) waits for the folder itself, met by its own name.
    if (
      !deferred &&
      path !== root &&
      holds(realRoot, real) &&
      (await lstat(path).catch(() => null))?.isSymbolicLink()
    ) {
      queue.push({ path, depth, deferred: true });
      continue;
    }
    if (holds(real, realRoot)) {
      // A link to a folder above the one given (`/`, the home folder) would scan everything around it.
      linksUp.push(relative(root, path));
      continue;
    }
    seen.add(real);
    let names: string[];
    try {
      names = (await readdir(path)).sort();
    } catch (error) {
      log.add('file-unreadable', 'error', 1, 1, describeFsError(error, path));
      continue;
    }
    entries += names.length;
    const folder: Probe = {
      path,
      name: basename(path),
      isDirectory: true,
      head: new Uint8Array(0),
      entries: names,
      scanned: true,
    };
    const folderSource = recognise(folder, sources);
    if (folderSource !== null) {
      runs.push({ path, source: folderSource, name: runName(root, path, true) });
      continue;
    }
    for (const name of names) {
      if ((stoppedBy = over()) !== null) break;
      const child = join(path, name);
      const info = await stat(child).catch(() => null);
      if (info === null) {
        // Node reads a name that is not UTF-8 with U+FFFD in place of its bytes: that path names no file.
        if (name.includes('\ufffd')) notUtf8.push(relative(root, child));
        continue;
      }
      if (info.isDirectory()) {
        if (SKIPPED_FOLDERS.has(name)) continue;
        if (depth + 1 <= limits.maxDepth) queue.push({ path: child, depth: depth + 1 });
        else if (stoppedBy === null) stoppedBy = `it is nested over ${limits.maxDepth} levels deep`;
        continue;
      }
      if (!info.isFile()) {
        // A FIFO would block the read, a device never end: not read, but named (a FIFO may be a run's log).
        special.push(`${relative(root, child)} is ${specialKind(info)}`);
        continue;
      }
      const probe: Probe = {
        path: child,
        name,
        isDirectory: false,
        head: await readHead(child),
        entries: [],
        scanned: true,
      };
      const source = recognise(probe, sources);
      if (source === null) {
        skippedCount++;
        if (skipped.length < 5) skipped.push(relative(root, child));
        continue;
      }
      const run = { path: child, source, name: runName(root, child, false) };
      const real = await realpath(child).catch(() => child);
      const twin = fileRuns.get(real);
      if (twin === undefined) {
        fileRuns.set(real, runs.push(run) - 1);
        continue;
      }
      // One file reached twice (a `latest.csv` link beside the run it names): one run, named by the file itself.
      const childIsLink = (await lstat(child).catch(() => null))?.isSymbolicLink() ?? true;
      const [kept, link] = childIsLink ? [runs[twin], run] : [run, runs[twin]];
      runs[twin] = kept;
      aliases.push(`${relative(root, link.path)} -> ${relative(root, kept.path)}`);
    }
    stoppedBy ??= over();
  }
  report(log, { runs: runs.length, skipped, skippedCount, stoppedBy });
  if (linksUp.length > 0)
    log.addForFile(
      'source-skipped',
      'info',
      1,
      1,
      `${linksUp.length} symbolic link(s) to a folder that holds this one were not followed (${linksUp.slice(0, 5).join(', ')})`,
    );
  if (special.length > 0)
    log.addForFile(
      'source-skipped',
      'info',
      1,
      1,
      `${special.length} entr${special.length === 1 ? 'y' : 'ies'} that are not regular files were not read ` +
        `(${special.slice(0, 5).join('; ')}${special.length > 5 ? '; …' : ''}): a folder's runs are read from regular files`,
    );
  if (notUtf8.length > 0)
    log.addForFile(
      'file-unreadable',
      'error',
      1,
      1,
      `${notUtf8.length} entr${notUtf8.length === 1 ? 'y' : 'ies'} whose name is not UTF-8 could not be opened (${notUtf8.slice(0, 5).join(', ')}; each byte that is not UTF-8 shown as \ufffd): rename them to read them`,
    );
  if (aliases.length > 0)
    log.addForFile(
      'source-skipped',
      'info',
      1,
      1,
      `${aliases.length} symbolic link(s) to a run file found in this folder were read once, as that file (${aliases.slice(0, 5).join(', ')})`,
    );
  return { runs, problems: log.sorted() };
}

function report(
  log: ProblemLog,
  scan: { runs: number; skipped: string[]; skippedCount: number; stoppedBy: string | null },
): void {
  if (scan.skippedCount > 0) {
    const more = scan.skippedCount > scan.skipped.length ? ', …' : '';
    log.addForFile(
      'source-skipped',
      'info',
      1,
      1,
      `${scan.skippedCount} file(s) that are not run files were skipped (${scan.skipped.join(', ')}${more})`,
    );
  }
  if (scan.stoppedBy !== null)
    log.addForFile(
      'scan-limited',
      'warning',
      1,
      1,
      `the folder was scanned only in part because ${scan.stoppedBy}: the ${scan.runs} run(s) found so far are read; ` +
        'give a folder nearer the runs',
    );
  if (scan.runs === 0 && scan.stoppedBy === null)
    log.addForFile(
      'folder-no-runs',
      'warning',
      1,
      1,
      'no run was found in this folder: no TensorBoard event files, trainer_state.json, metrics.csv, MLflow runs, or ' +
        'CSV, TSV or JSONL tables',
    );
}
