// Following a folder of runs (a folder no source reads as one run: CSV and JSONL runs side by side, Lightning's
// lightning_logs/ of version_N folders, Hugging Face output_dirs, DVCLive folders): each run its scan finds has a tail
// of its own (tails.ts: a text table's reads only the lines appended, an event file's resumes, any other run is read
// again whole when its own files change), so an update when one run of many grows costs that run, not the folder.
// The folder is scanned again only when an entry is added or removed, or one that is no run's changes (a file that
// may have become one); a run's own files changing is its tail's to read. The runs are named and ordered as a read of
// the folder names them. A run the scan no longer finds is let go, unless its path is gone:
// its tail keeps the rows it read, with a warning, as a followed run file that is deleted keeps them.
import { stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { candidates, CONCURRENT_READS, findRuns, namedInFolder, type FoundRun, type SourceOptions } from '../sources';
import type { SourceRead } from '../sources';
import type { ParseProblem } from '../table/types';
import { appendAll } from '../util/arrays';
import type { Tail, TailUpdate } from './tail';
import { stampsOf } from './wholeTail';

/** The tail of a run found in the folder, by its path and its source's format (tails.ts). */
export type RunTailFactory = (run: FoundRun, options: SourceOptions) => Tail;

interface FolderRun {
  found: FoundRun;
  tail: Tail;
}

export class FolderTail implements Tail {
  /** The folder's entries as the last update found them (null before the first). */
  private stamps: Map<string, string> | null = null;
  private runs: FolderRun[] = [];
  /** What the last scan said of the folder (runs skipped, the scan limited). */
  private scanProblems: ParseProblem[] = [];

  constructor(
    readonly path: string,
    private readonly options: SourceOptions,
    private readonly tailOf: RunTailFactory,
  ) {}

  current(): SourceRead {
    const tables = this.runs.flatMap(({ found, tail }) => namedInFolder(this.path, found, tail.current().tables));
    const problems = [...this.scanProblems, ...this.runs.flatMap(({ tail }) => tail.current().problems)];
    return { tables, problems };
  }

  async update(): Promise<TailUpdate> {
    const first = this.stamps === null;
    const stamps = await stampsOf(this.path);
    const rescanned = this.unscanned(stamps) && (await this.rescan(stamps.size > 0));
    this.stamps = stamps;
    const updates: TailUpdate[] = [];
    for (let i = 0; i < this.runs.length; i += CONCURRENT_READS)
      appendAll(updates, await Promise.all(this.runs.slice(i, i + CONCURRENT_READS).map(({ tail }) => tail.update())));
    const bytes = updates.reduce((n, u) => n + u.bytes, 0);
    const total = () => this.current().tables.reduce((n, t) => n + t.rowCount, 0);
    if (first) return { change: 'read', rows: total(), bytes };
    if (!rescanned && updates.every((u) => u.change === 'unchanged')) return { change: 'unchanged', rows: 0, bytes: 0 };
    // Rows appended to runs already read are appended to the folder's; anything else (a run new, let go, read again
    // whole or deleted) is the folder read again, as a follower tells its findings' lines to be read again.
    const appended = !rescanned && updates.every((u) => u.change === 'appended' || u.change === 'unchanged');
    if (appended) return { change: 'appended', rows: updates.reduce((n, u) => n + u.rows, 0), bytes };
    return { change: 'reread', rows: total(), bytes };
  }

  /** Whether the folder's runs may have changed since the last scan: an entry new or gone, or one of no run changed. */
  private unscanned(stamps: ReadonlyMap<string, string>): boolean {
    const last = this.stamps;
    if (last === null || last.size !== stamps.size) return true;
    for (const [path, stamp] of stamps) if (last.get(path) !== stamp && !this.ofRun(path)) return true;
    return false;
  }

  /** Whether the path is a run's file or lies in a run's folder: its changes are its tail's to read. */
  private ofRun(path: string): boolean {
    return this.runs.some(({ found }) => path === found.path || path.startsWith(found.path + sep));
  }

  /**
   * Scans the folder again: runs found before keep their tails (by path and format), new ones get theirs, and those
   * no longer found are let go, unless their path is gone (kept: their tails say so). Whether the runs changed.
   */
  private async rescan(there: boolean): Promise<boolean> {
    const isFolder = there && (await stat(this.path).catch(() => null))?.isDirectory() === true;
    // Gone, or no longer a folder: nothing to scan; each run's tail says what became of its path.
    if (!isFolder) return false;
    const scan = await findRuns(this.path, candidates(this.options), this.options);
    this.scanProblems = scan.problems;
    const known = new Map(this.runs.map((run) => [keyOf(run.found), run]));
    const runs = scan.runs.map((found) => known.get(keyOf(found)) ?? { found, tail: this.tailOf(found, this.options) });
    const kept = new Set(runs);
    const gone: FolderRun[] = [];
    for (const run of this.runs)
      if (!kept.has(run) && (await stat(run.found.path).catch(() => null)) === null) gone.push(run);
    const [before, after] = [this.runs, [...runs, ...gone]];
    this.runs = after;
    return after.length !== before.length || after.some((run, i) => run !== before[i]);
  }
}

/** A run is the same run while its path and format are. */
function keyOf(run: FoundRun): string {
  return `${run.source.format}\0${run.path}`;
}
