// The Runs view's data: every run under the workspace folders, found by the core's folder scan, each fitted alone in
// worker threads (two, one per core of a small machine) so the server keeps answering hovers meanwhile. An overview
// is kept per run with the key of what it was computed from (size and time of the run's files), so a refresh fits
// only the runs that changed; overviews go to the client as they finish. A run the server follows (a file or run
// folder fitted from disk, or open with the text on disk: followers.ts) is not fitted here: its overview comes from
// its follower's latest analysis, and is sent each time the follower analyses it again (a live run refreshes itself).
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AnalysisOptions } from '../core/analysis/options';
import { overviewOfAnalysis, type RunOverview } from '../core/analysis/runOverview';
import type { Analysis, Series } from '../core/analysis/types';
import { findRuns, SOURCES, type SourceOptions } from '../core/sources';
import { bundledWorker } from '../core/util/bundled';
import type { ScalingLensSettings } from '../shared/protocol';
import type { RunEntry, RunsResult } from '../shared/runs';
import type { FollowListener } from './followers';
import { toAnalysisOptions } from './settings';

/** What one worker is sent: the runs to fit, in order, and how. */
export interface RunsWork {
  runs: { path: string; name: string }[];
  options: Partial<AnalysisOptions>;
  read: SourceOptions;
}

export interface RunsDeps {
  settings(uri: string): Promise<ScalingLensSettings>;
  /** Overviews that finished (batched). */
  updated(runs: RunEntry[]): void;
  log(message: string): void;
}

/** Workers fitting runs at once. */
const WORKERS = 2;
/** Finished overviews are sent together when they come faster than this (ms). */
const NOTIFY_EVERY_MS = 250;
/** The longest the view waits for the user's fits (the analysis worker's own time limit). */
const PAUSE_LIMIT_MS = 120_000;
/** Heap of a Runs worker, as the analysis worker: it fits one run at a time, which may be a million-row log. */
const WORKER_HEAP_MB = 2048;

interface Known {
  key: string;
  entry: RunEntry;
}

export class RunsIndex implements FollowListener {
  private readonly known = new Map<string, Known>();
  /** Paths the server follows, with the overview of the follower's latest analysis (none before its first). */
  private readonly followed = new Map<string, RunOverview | undefined>();
  private workers: Worker[] = [];
  private pending: RunEntry[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Runs still to fit, kept while paused (see pause). */
  private waiting: RunEntry[] = [];
  private paused = false;
  private disposed = false;
  private pauseLimit: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: RunsDeps) {}

  /**
   * A fit the user is waiting for (an open file, a command) started: the view's workers stop, so the two cores are
   * the user's; the runs they had not finished are fitted again on resume.
   */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    // Never paused for longer than any fit may take (a fit that never reports back must not stop the view).
    this.pauseLimit = setTimeout(() => this.resume(), PAUSE_LIMIT_MS);
    if (this.workers.length === 0) return;
    this.stopWorkers();
    this.waiting = this.unfinished();
  }

  /** No fit in flight any more: the view's fits go on. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    clearTimeout(this.pauseLimit);
    const waiting = this.waiting.filter((e) => e.overview === undefined);
    this.waiting = [];
    if (waiting.length > 0) void this.fit(waiting);
  }

  /** Listed runs without an overview yet. */
  private unfinished(): RunEntry[] {
    return [...this.known.values()].map((k) => k.entry).filter((e) => e.overview === undefined);
  }

  /** The runs under the roots (workspace folder URIs), with the overviews still valid; fits the others meanwhile. */
  async list(roots: string[]): Promise<RunsResult> {
    this.stopWorkers();
    const notes: string[] = [];
    const runs: RunEntry[] = [];
    const stale: RunEntry[] = [];
    for (const root of roots) {
      if (!root.startsWith('file:')) continue;
      const folder = fileURLToPath(root);
      const scan = await findRuns(folder, SOURCES, { displayName: folder });
      // What the view says above its runs: only what the user must know (a scan cut short, a folder unreadable);
      // files skipped as not runs are as expected in a workspace.
      for (const p of scan.problems) if (p.severity !== 'info' && p.code !== 'folder-no-runs') notes.push(p.message);
      for (const run of scan.runs) {
        const { key, modifiedMs } = await signature(run.path);
        const uri = pathToFileURL(run.path).toString();
        const known = this.known.get(uri);
        const followed = this.followed.has(resolve(run.path));
        const entry: RunEntry =
          known?.key === key || (known && followed)
            ? known.entry
            : { uri, name: run.name, root, modifiedMs, overview: undefined };
        if (followed) {
          // Its follower's overview, or the last one until the follower's first analysis; never a fit here.
          entry.overview = this.followed.get(resolve(run.path)) ?? entry.overview;
          entry.modifiedMs = modifiedMs;
        }
        this.known.set(uri, { key, entry });
        runs.push(entry);
        if (entry.overview === undefined && !followed) stale.push(entry);
      }
    }
    if (stale.length > 0) await this.fit(stale);
    return { runs, notes };
  }

  /** A follower started on `path`: the run there (if it is one) gets its overview from it. */
  started(path: string): void {
    if (!this.followed.has(resolve(path))) this.followed.set(resolve(path), undefined);
  }

  /** A follower's analysis of `path`: a listed run there shows it, and the client is told at once. */
  analysed(path: string, analysis: Analysis<Series>): void {
    const overview = overviewOfAnalysis(path, analysis);
    this.followed.set(resolve(path), overview);
    const known = this.known.get(pathToFileURL(path).toString());
    if (!known) return; // not listed (yet): list() takes the overview from `followed`
    void signature(path).then(({ key, modifiedMs }) => {
      // A newer analysis (sent after this one) came meanwhile, or the run is no longer listed or followed.
      if (this.followed.get(resolve(path)) !== overview || this.known.get(known.entry.uri) !== known) return;
      known.key = key;
      known.entry.overview = overview;
      known.entry.modifiedMs = modifiedMs;
      this.queue(known.entry);
    });
  }

  /** `path` is no longer followed: a listed run there without an overview yet is fitted by the workers. */
  stopped(path: string): void {
    if (!this.followed.delete(resolve(path))) return;
    const known = this.known.get(pathToFileURL(path).toString());
    if (known && known.entry.overview === undefined) void this.fit([known.entry]);
  }

  dispose(): void {
    this.disposed = true;
    this.stopWorkers();
    if (this.timer) clearTimeout(this.timer);
    clearTimeout(this.pauseLimit);
  }

  /** Fits the runs in workers, round robin; each overview is kept and sent as it comes. Followed runs are not. */
  private async fit(all: RunEntry[]): Promise<void> {
    const entries = all.filter((e) => !this.isFollowed(e));
    if (entries.length === 0) return;
    if (this.paused) {
      this.waiting = [...new Set([...this.waiting, ...entries])];
      return;
    }
    const file = bundledWorker('runsWorker.js');
    if (!file) {
      this.deps.log('The Runs worker (dist/runsWorker.js) is missing: rebuild the extension (npm run build).');
      return;
    }
    const settings = await this.deps.settings(entries[0].root);
    const options = toAnalysisOptions(settings);
    const read: SourceOptions = { maxBytes: settings.maxFileSizeMB * 1024 * 1024, format: settings.format };
    const shares = Array.from({ length: Math.min(WORKERS, entries.length) }, (_, w) =>
      entries.filter((_, i) => i % WORKERS === w),
    );
    for (const share of shares) {
      const worker = new Worker(file, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
      const work: RunsWork = {
        runs: share.map((e) => ({ path: fileURLToPath(e.uri), name: e.name })),
        options,
        read,
      };
      worker.on('message', (message: { index: number; overview: RunOverview } | 'done') => {
        if (message === 'done') {
          void worker.terminate();
          return;
        }
        const entry = share[message.index];
        // A follower began meanwhile: its analysis is the newer.
        if (this.isFollowed(entry)) return;
        entry.overview = message.overview;
        this.queue(entry);
      });
      worker.on('error', (error) => this.deps.log(`Runs view: a worker failed: ${error.message}`));
      worker.postMessage(work);
      this.workers.push(worker);
    }
  }

  private isFollowed(entry: RunEntry): boolean {
    return this.followed.has(resolve(fileURLToPath(entry.uri)));
  }

  private queue(entry: RunEntry): void {
    // An overview that finishes after the server closed (a follower's, whose file time was still being read) is dropped.
    if (this.disposed) return;
    this.pending.push(entry);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.deps.updated(this.pending.splice(0));
    }, NOTIFY_EVERY_MS);
  }

  private stopWorkers(): void {
    for (const worker of this.workers) void worker.terminate();
    this.workers = [];
  }
}

/**
 * What a run's overview depends on: the size and modification time of its file, or of the files in its folder (two
 * levels down: an event folder's sub-folders, an MLflow run's metrics), and the newest modification time.
 */
async function signature(path: string): Promise<{ key: string; modifiedMs: number }> {
  const info = await stat(path).catch(() => null);
  if (info === null) return { key: 'missing', modifiedMs: 0 };
  if (!info.isDirectory()) return { key: `${info.size}:${info.mtimeMs}`, modifiedMs: info.mtimeMs };
  let size = 0;
  let newest = info.mtimeMs;
  let count = 0;
  const visit = async (dir: string, depth: number): Promise<void> => {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.slice(0, 200)) {
      const child = await stat(join(dir, name)).catch(() => null);
      if (child === null) continue;
      if (child.isDirectory()) {
        if (depth < 2) await visit(join(dir, name), depth + 1);
        continue;
      }
      size += child.size;
      newest = Math.max(newest, child.mtimeMs);
      count++;
    }
  };
  await visit(path, 0);
  return { key: `${count}:${size}:${newest}`, modifiedMs: newest };
}
