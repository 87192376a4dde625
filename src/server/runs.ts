// The Runs view's data: every run under the workspace folders, found by the core's folder scan, each fitted alone in
// worker threads (two, one per core of a small machine) so the server keeps answering hovers meanwhile. An overview
// is kept per run with the key of what it was computed from (size and time of the run's files), so a refresh fits
// only the runs that changed; overviews go to the client as they finish. A run the server follows (a file or run
// folder fitted from disk, or open with the text on disk: followers.ts) is not fitted here: its overview comes from
// its follower's latest analysis, and is sent each time the follower analyses it again (a live run refreshes itself).
// A refresh keeps the fits in flight of runs that did not change: the workers take one run at a time from a queue
// that each listing rebuilds.
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
import { diskPath, realPath } from './uris';

/** What a Runs worker is sent, one at a time: a run to fit, and how. It answers with the run's overview. */
export interface RunsTask {
  path: string;
  name: string;
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
/** Runs sent to a worker ahead of its answers: the next is there when a fit ends, not a message round trip later. */
const SENT_AHEAD = 2;
/** Finished overviews are sent together when they come faster than this (ms). */
const NOTIFY_EVERY_MS = 250;
/** The longest the view waits for the user's fits (the analysis worker's own time limit). */
const PAUSE_LIMIT_MS = 120_000;
/** Heap of a Runs worker, as the analysis worker: it fits one run at a time, which may be a million-row log. */
const WORKER_HEAP_MB = 2048;

interface Known {
  /** The run's signature (see signature) when it was last listed. */
  key: string;
  entry: RunEntry;
  /** The signature its overview is of (fitted here or by its follower); undefined before its first. */
  fitted?: string;
  /** A fit of it was stopped because the run changed: the next one runs to its end (see stopChanged). */
  stopped?: boolean;
}

/**
 * The local folder a workspace root names; null for a root that is not a file (a remote one: not this server's to
 * scan); an error for one that names no local path (a raw request's, or a host's share): said in the view's notes,
 * and the other roots still listed (one bad root failed the whole listing).
 */
function folderOf(root: unknown): string | null | Error {
  if (typeof root !== 'string')
    return new Error('A workspace folder was sent as something other than a URI; it is not scanned.');
  if (!root.startsWith('file:')) return null;
  return (
    diskPath(root) ??
    new Error(
      "A workspace folder's URI names no folder on this machine (a share on another host, or a name no path can " +
        'spell); it is not scanned.',
    )
  );
}

/** How the runs under a workspace folder are fitted (its settings). */
type HowToFit = Pick<RunsTask, 'options' | 'read'>;

/** A run sent to a worker, with the signature it had then. */
interface Sent {
  known: Known;
  key: string;
}

/** A worker, and the runs sent to it in order: it is fitting the first, and the next waits in its queue. */
interface Slot {
  worker: Worker;
  sent: Sent[];
}

export class RunsIndex implements FollowListener {
  private known = new Map<string, Known>();
  /** Real paths the server follows, with the overview of the follower's latest analysis (none before its first). */
  private readonly followed = new Map<string, RunOverview | undefined>();
  /** The URI of each listed run by its file's real path (what followers name it by). */
  private byReal = new Map<string, string>();
  /** How each workspace folder's runs are fitted, as of its last listing. */
  private readonly how = new Map<string, HowToFit>();
  /** Runs waiting for a worker, in order. */
  private toFit: Known[] = [];
  private slots: Slot[] = [];
  private pending: RunEntry[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private paused = false;
  private disposed = false;
  private pauseLimit: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly deps: RunsDeps) {}

  /**
   * A fit the user is waiting for (an open file, a command) started: the view's workers stop, so the two cores are
   * the user's; the runs they were fitting go back to the front of the queue, fitted again on resume.
   */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    // Never paused for longer than any fit may take (a fit that never reports back must not stop the view).
    this.pauseLimit = setTimeout(() => this.resume(), PAUSE_LIMIT_MS);
    this.toFit = [...this.sentOut(), ...this.toFit];
    this.stopWorkers();
  }

  /** No fit in flight any more: the view's fits go on. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    clearTimeout(this.pauseLimit);
    this.pump();
  }

  /**
   * The runs under the roots (workspace folder URIs), each with its last overview; fits those that changed since (or
   * were never fitted) meanwhile. Fits in flight go on unless their run changed (stopChanged): a refresh every few
   * seconds in a workspace whose files keep changing still finishes its overviews. A run that changed keeps its last
   * overview until its new fit finishes.
   */
  async list(roots: string[]): Promise<RunsResult> {
    const notes: string[] = [];
    const runs: RunEntry[] = [];
    const listed = new Map<string, Known>();
    const byReal = new Map<string, string>();
    const due: Known[] = [];
    for (const root of Array.isArray(roots) ? roots : []) {
      const folder = folderOf(root);
      if (folder instanceof Error) {
        notes.push(folder.message);
        continue;
      }
      if (folder === null) continue;
      this.how.set(root, await this.howToFit(root));
      const scan = await findRuns(folder, SOURCES, { displayName: folder });
      // What the view says above its runs: only what the user must know (a scan cut short, a folder unreadable);
      // files skipped as not runs are as expected in a workspace.
      for (const p of scan.problems) if (p.severity !== 'info' && p.code !== 'folder-no-runs') notes.push(p.message);
      for (const run of scan.runs) {
        const { key, modifiedMs } = await signature(run.path);
        const uri = pathToFileURL(run.path).toString();
        const known = this.known.get(uri) ?? { key, entry: { uri, name: run.name, root, modifiedMs } };
        Object.assign(known.entry, { name: run.name, root, modifiedMs });
        known.key = key;
        // Followers name a file by its real path (a run under a linked folder is one file with the editor's).
        const real = realPath(resolve(run.path));
        byReal.set(real, uri);
        const followed = this.followed.has(real);
        // Its follower's overview, or the last one until the follower's first analysis; never a fit here.
        if (followed) known.entry.overview = this.followed.get(real) ?? known.entry.overview;
        else if (known.fitted !== key) due.push(known);
        listed.set(uri, known);
        runs.push(known.entry);
      }
    }
    this.known = listed;
    this.byReal = byReal;
    this.stopChanged();
    const inFlight = new Set(this.sentOut());
    this.toFit = due.filter((known) => !inFlight.has(known));
    this.pump();
    return { runs, notes };
  }

  /** A follower started on `path`: the run there (if it is one) gets its overview from it. */
  started(path: string): void {
    const real = realPath(resolve(path));
    if (!this.followed.has(real)) this.followed.set(real, undefined);
  }

  /** A follower's analysis of `path`: a listed run there shows it, and the client is told at once. */
  analysed(path: string, analysis: Analysis<Series>): void {
    const overview = overviewOfAnalysis(path, analysis);
    const real = realPath(resolve(path));
    this.followed.set(real, overview);
    const known = this.knownAt(real);
    if (!known) return; // not listed (yet): list() takes the overview from `followed`
    void signature(path).then(({ key, modifiedMs }) => {
      // A newer analysis (sent after this one) came meanwhile, or the run is no longer listed or followed.
      if (this.followed.get(real) !== overview || this.known.get(known.entry.uri) !== known) return;
      known.key = key;
      known.fitted = key;
      known.entry.overview = overview;
      known.entry.modifiedMs = modifiedMs;
      this.queue(known.entry);
    });
  }

  /** `path` is no longer followed: a listed run there without an overview yet is fitted by the workers. */
  stopped(path: string): void {
    const real = realPath(resolve(path));
    if (!this.followed.delete(real)) return;
    const known = this.knownAt(real);
    if (known && known.entry.overview === undefined) {
      this.toFit.push(known);
      this.pump();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.stopWorkers();
    if (this.timer) clearTimeout(this.timer);
    clearTimeout(this.pauseLimit);
  }

  /** The fit options and read options of the runs under a workspace folder. */
  private async howToFit(root: string): Promise<HowToFit> {
    const settings = await this.deps.settings(root);
    return {
      options: toAnalysisOptions(settings),
      read: { maxBytes: settings.maxFileSizeMB * 1024 * 1024, format: settings.format },
    };
  }

  /**
   * Stops the fits in flight whose run changed since they started, or is no longer listed; a changed run is fitted
   * again from its new state. Only once in a row: a run that changes again while refitted is fitted to the end, so a
   * run written faster than it is fitted still gets an overview (at most one fit old), and is fitted again after.
   */
  private stopChanged(): void {
    for (const slot of [...this.slots]) {
      const [fitting, ...waiting] = slot.sent;
      if (!fitting) continue;
      const listed = this.known.get(fitting.known.entry.uri) === fitting.known;
      if (listed && (fitting.known.key === fitting.key || fitting.known.stopped)) continue;
      fitting.known.stopped = listed;
      this.endSlot(slot);
      // The run that waited in its queue goes first to the next worker.
      this.toFit = [...waiting.map((w) => w.known), ...this.toFit];
    }
  }

  /** The runs sent to workers and not answered yet. */
  private sentOut(): Known[] {
    return this.slots.flatMap((slot) => slot.sent.map((s) => s.known));
  }

  /** Gives each idle worker the next run, starting workers (up to WORKERS) while runs wait. */
  private pump(): void {
    if (this.paused || this.disposed) return;
    for (const slot of [...this.slots]) this.next(slot);
    while (this.slots.length < WORKERS && this.toFit.length > 0) {
      const slot = this.startWorker();
      if (!slot) return;
      this.next(slot);
    }
  }

  /** Sends the worker runs until SENT_AHEAD wait on it; a worker with none left ends (idle, it would hold memory). */
  private next(slot: Slot): void {
    while (slot.sent.length < SENT_AHEAD) {
      let known = this.toFit.shift();
      // A run whose follower began while it waited gets its overview from the follower.
      while (known && this.isFollowed(known.entry)) known = this.toFit.shift();
      const how = known && this.how.get(known.entry.root);
      if (!known || !how) break;
      slot.sent.push({ known, key: known.key });
      const task: RunsTask = { path: fileURLToPath(known.entry.uri), name: known.entry.name, ...how };
      slot.worker.postMessage(task);
    }
    if (slot.sent.length === 0) this.endSlot(slot);
  }

  private startWorker(): Slot | undefined {
    const file = bundledWorker('runsWorker.js');
    if (!file) {
      this.deps.log('The Runs worker (dist/runsWorker.js) is missing: rebuild the extension (npm run build).');
      return undefined;
    }
    const worker = new Worker(file, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    const slot: Slot = { worker, sent: [] };
    slot.worker.on('message', (overview: RunOverview) => this.fitted(slot, overview));
    // A worker that fails (out of memory on a huge run) says so on that run; the next runs get a new worker.
    slot.worker.on('error', (error) => {
      this.deps.log(`Runs view: a worker failed: ${error.message}`);
      const failed = slot.sent[0];
      const path = failed && fileURLToPath(failed.known.entry.uri);
      if (path) this.fitted(slot, { path, rows: 0, warnings: 0, errors: 1, problem: error.message }, false);
      this.endSlot(slot);
      this.toFit = [...slot.sent.map((s) => s.known), ...this.toFit];
      this.pump();
    });
    this.slots.push(slot);
    return slot;
  }

  /** A run's overview came: kept and sent, unless the run was replaced or followed meanwhile; then the next run. */
  private fitted(slot: Slot, overview: RunOverview, goOn = true): void {
    const fitting = slot.sent.shift();
    if (fitting && this.known.get(fitting.known.entry.uri) === fitting.known && !this.isFollowed(fitting.known.entry)) {
      const { known, key } = fitting;
      known.entry.overview = overview;
      known.fitted = key;
      known.stopped = false;
      this.queue(known.entry);
    }
    if (goOn) this.next(slot);
  }

  private isFollowed(entry: RunEntry): boolean {
    return this.followed.has(realPath(fileURLToPath(entry.uri)));
  }

  /** The listed run of the file at real path `real`, however the scan named it. */
  private knownAt(real: string): Known | undefined {
    return this.known.get(this.byReal.get(real) ?? pathToFileURL(real).toString());
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

  private endSlot(slot: Slot): void {
    void slot.worker.terminate();
    this.slots = this.slots.filter((s) => s !== slot);
  }

  private stopWorkers(): void {
    for (const slot of this.slots) void slot.worker.terminate();
    this.slots = [];
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
