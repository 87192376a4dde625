// Following a folder of runs (a folder no source reads as one run: CSV and JSONL runs side by side, Lightning's
// lightning_logs/ of version_N folders, Hugging Face output_dirs, DVCLive folders): each run its scan finds has a tail
// of its own (tails.ts: a text table's reads only the lines appended, an event file's resumes, any other run is read
// again whole when its own files change), so an update when one run of many grows costs that run, not the folder.
// Which runs to look at follows what fs.watch told changed under the folder (watch.ts, watchChanges: each folder a
// sweep walked is watched): an update with nothing told looks at nothing, one told of a run's files updates that
// run's tail alone (and the next update looks at it once more: a tail may read more without a write). Every SWEEP_EVERY updates, and at every update where the changes cannot be known from what was
// told (no watch here, a watch failed, an event without a name, a path of no run, folders watched since the last
// sweep), the folder is swept as before: every entry stamped, every run's tail updated. A periodic sweep that finds a
// run changed that nothing told (a mount that never notifies) stops trusting the watch: every update sweeps from then
// on. So no change is missed: one the watch did not tell is read by the next sweep.
// The folder is scanned again only when an entry is added or removed, or one that is no run's changes (a file that
// may have become one); a run's own files changing is its tail's to read. The runs are named and ordered as a read of
// the folder names them. A run the scan no longer finds is let go, unless its path is gone:
// its tail keeps the rows it read, with a warning, as a followed run file that is deleted keeps them.
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { candidates, CONCURRENT_READS, findRuns, namedInFolder, type FoundRun, type SourceOptions } from '../sources';
import type { SourceRead } from '../sources';
import type { ParseProblem } from '../table/types';
import { appendAll } from '../util/arrays';
import type { Tail, TailUpdate } from './tail';
import { watchChanges, type ChangedPaths } from './watch';
import { stampsOf } from './wholeTail';

/** The tail of a run found in the folder, by its path and its source's format (tails.ts). */
export type RunTailFactory = (run: FoundRun, options: SourceOptions) => Tail;

interface FolderRun {
  found: FoundRun;
  /** Its path made absolute, as the watch tells paths. */
  at: string;
  tail: Tail;
}

/** Updates told what changed between two sweeps of the whole folder (about 30 s at the follower's pace). */
export const SWEEP_EVERY = 30;

/** How a folder tail learns what changed (tests tell it themselves, or nothing, as a mount that never notifies). */
export interface FolderTailTuning {
  /** What the folders' watches tell (default: fs.watch, watchChanges); null: nothing, every update sweeps. */
  changes?: () => ChangedPaths | null;
  /** Updates between two sweeps while changes are told (default SWEEP_EVERY). */
  sweepEvery?: number;
}

export class FolderTail implements Tail {
  /** The folder's entries as the last sweep found them (null before the first). */
  private stamps: Map<string, string> | null = null;
  private runs: FolderRun[] = [];
  /** Each run by its absolute path. */
  private runAt = new Map<string, FolderRun>();
  /** What the last scan said of the folder (runs skipped, the scan limited). */
  private scanProblems: ParseProblem[] = [];
  /** What the watch told changed; null: nothing told (no watch here, or not trusted), every update sweeps. */
  private changes: ChangedPaths | null = null;
  /** Updates since the last sweep; SWEEP_EVERY when the next update must sweep (folders watched since the last). */
  private sinceSweep = 0;
  /**
   * Runs looked at by the next update, told or not: those told or changed at the last one (a tail may read more
   * without a write: a CR at the file's end taken as a line end once found again), and those in a folder not watched
   * (past the walk's bounds, or gone).
   */
  private always = new Set<FolderRun>();
  /** The runs in a folder not watched, as the last sweep found them. */
  private unwatched = new Set<FolderRun>();
  /** Sweeps of the whole folder so far (tests, benchmarks: a poll's work follows what changed). */
  sweeps = 0;
  /** Run tails updated so far (the same). */
  tailUpdates = 0;

  constructor(
    readonly path: string,
    private readonly options: SourceOptions,
    private readonly tailOf: RunTailFactory,
    private readonly tuning: FolderTailTuning = {},
  ) {}

  current(): SourceRead {
    const tables = this.runs.flatMap(({ found, tail }) => namedInFolder(this.path, found, tail.current().tables));
    const problems = [...this.scanProblems, ...this.runs.flatMap(({ tail }) => tail.current().problems)];
    return { tables, problems };
  }

  async update(): Promise<TailUpdate> {
    if (this.stamps === null) this.changes = this.tuning.changes === undefined ? watchChanges() : this.tuning.changes();
    // The event loop's next poll first (two checks: the first may close the turn under way), where the events of
    // writes made so far are delivered: an update started by another watcher's event (the follower's), or right
    // after a write, comes before this watch's events of it.
    if (this.stamps !== null && this.changes !== null) for (let turn = 0; turn < 2; turn++) await nextCheck();
    const told = this.stamps === null ? null : (this.changes?.take() ?? null);
    const periodic = ++this.sinceSweep === (this.tuning.sweepEvery ?? SWEEP_EVERY);
    if (told === null || this.sinceSweep >= (this.tuning.sweepEvery ?? SWEEP_EVERY)) return this.sweep(told, periodic);
    const runs = this.runsTold(told);
    // A path of no run told (an entry new or gone, a file that may have become a run): the folder is swept.
    if (runs === null) return this.sweep(told, false);
    const looked = this.runs.filter((run) => runs.has(run) || this.always.has(run));
    const updates = await this.updateTails(looked);
    this.always = new Set([...this.unwatched, ...runs, ...looked.filter((_, i) => updates[i].change !== 'unchanged')]);
    return summed(updates, false, () => this.rows());
  }

  /** The runs the paths told are of; null when one is of no run. */
  private runsTold(told: ReadonlySet<string>): Set<FolderRun> | null {
    const runs = new Set<FolderRun>();
    for (const path of told) {
      const run = this.runOf(path);
      if (run === undefined) return null;
      runs.add(run);
    }
    return runs;
  }

  /** Stops being told of changes (the follower ends). */
  close(): void {
    this.changes?.close();
    this.changes = null;
  }

  /**
   * Every entry stamped and every run's tail updated, as each update did before changes were told. A run that
   * changed with nothing told of it means the watch misses changes here: every update sweeps from then on.
   */
  private async sweep(told: ReadonlySet<string> | null, periodic: boolean): Promise<TailUpdate> {
    const first = this.stamps === null;
    this.sweeps++;
    this.sinceSweep = 0;
    const folders: string[] = [];
    const stamps = await stampsOf(this.path, folders);
    // Folders watched only now: what changed in them since the walk read them is found by the next update's sweep.
    const watched = folders.map((folder) => resolve(folder));
    const added = this.changes?.watch(watched) ?? 0;
    if (added < 0) this.close();
    else if (added > 0) this.sinceSweep = this.tuning.sweepEvery ?? SWEEP_EVERY;
    const rescanned = this.unscanned(stamps) && (await this.rescan(stamps.size > 0));
    this.stamps = stamps;
    const updates = await this.updateTails(this.runs);
    const toldRuns = new Set(told === null ? [] : [...told].map((path) => this.runOf(path)));
    const changed = this.runs.filter((_, i) => updates[i].change !== 'unchanged');
    // A periodic sweep that finds a run changed that nothing told, nor was it looked at for another reason: the watch
    // misses changes here.
    if (periodic && told !== null && this.changes !== null)
      if (changed.some((run) => !toldRuns.has(run) && !this.always.has(run))) this.close();
    this.unwatched = new Set(this.runs.filter(unwatchedIn(watched, stamps)));
    this.always = new Set([...this.unwatched, ...changed]);
    for (const run of toldRuns) if (run !== undefined) this.always.add(run);
    if (first) return { change: 'read', rows: this.rows(), bytes: sumBytes(updates) };
    return summed(updates, rescanned, () => this.rows());
  }

  private async updateTails(runs: readonly FolderRun[]): Promise<TailUpdate[]> {
    const updates: TailUpdate[] = [];
    for (let i = 0; i < runs.length; i += CONCURRENT_READS)
      appendAll(updates, await Promise.all(runs.slice(i, i + CONCURRENT_READS).map(({ tail }) => tail.update())));
    this.tailUpdates += runs.length;
    return updates;
  }

  private rows(): number {
    return this.current().tables.reduce((n, t) => n + t.rowCount, 0);
  }

  /** Whether the folder's runs may have changed since the last scan: an entry new or gone, or one of no run changed. */
  private unscanned(stamps: ReadonlyMap<string, string>): boolean {
    const last = this.stamps;
    if (last === null || last.size !== stamps.size) return true;
    for (const [path, stamp] of stamps) if (last.get(path) !== stamp && !this.runOf(path)) return true;
    return false;
  }

  /**
   * The run whose file the path is or whose folder it lies in: its changes are its tail's to read. Looked up by the
   * path and its folders up to the followed one (a few levels), not run by run.
   */
  private runOf(path: string): FolderRun | undefined {
    const top = resolve(this.path);
    for (let at = resolve(path); at.length > top.length; at = dirname(at)) {
      const run = this.runAt.get(at);
      if (run !== undefined) return run;
    }
    return undefined;
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
    const runs = scan.runs.map(
      (found) => known.get(keyOf(found)) ?? { found, at: resolve(found.path), tail: this.tailOf(found, this.options) },
    );
    const kept = new Set(runs);
    const gone: FolderRun[] = [];
    for (const run of this.runs)
      if (!kept.has(run) && (await stat(run.found.path).catch(() => null)) === null) gone.push(run);
    const [before, after] = [this.runs, [...runs, ...gone]];
    this.runs = after;
    this.runAt = new Map(after.map((run) => [run.at, run]));
    return after.length !== before.length || after.some((run, i) => run !== before[i]);
  }
}

/**
 * Whether a run is in no folder watched: a run folder the walk did not read, or a file in one (past the walk's bounds,
 * or gone). A watched folder tells of the files it holds, not of those in its subfolders.
 */
function unwatchedIn(watched: readonly string[], stamps: ReadonlyMap<string, string>) {
  const folders = new Set(watched);
  const stamped = new Set([...stamps.keys()].map((path) => resolve(path)));
  return (run: FolderRun) => !folders.has(run.at) && !(stamped.has(run.at) && folders.has(dirname(run.at)));
}

function nextCheck(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sumBytes(updates: readonly TailUpdate[]): number {
  return updates.reduce((n, u) => n + u.bytes, 0);
}

/**
 * The folder's update from its runs': rows appended to runs already read are appended to the folder's; anything else
 * (a run new, let go, read again whole or deleted) is the folder read again (`rows`: its rows then), as a follower
 * tells its findings' lines to be read again.
 */
function summed(updates: readonly TailUpdate[], rescanned: boolean, rows?: () => number): TailUpdate {
  if (!rescanned && updates.every((u) => u.change === 'unchanged')) return { change: 'unchanged', rows: 0, bytes: 0 };
  const bytes = sumBytes(updates);
  if (!rescanned && updates.every((u) => u.change === 'appended' || u.change === 'unchanged'))
    return { change: 'appended', rows: updates.reduce((n, u) => n + u.rows, 0), bytes };
  return { change: 'reread', rows: rows?.() ?? 0, bytes };
}

/** A run is the same run while its path and format are. */
function keyOf(run: FoundRun): string {
  return `${run.source.format}\0${run.path}`;
}
