// Following runs as they train: each input has a tail (tails.ts) that reads only what changed; when any input
// changed, every table is analysed again, the loss-curve law starting from its previous fit (warmStart.ts). followRuns
// adds the watching (watch.ts) and the pacing (pacer.ts): at most one update per interval, the last change always
// analysed. Plain TypeScript over node:fs: the command line and the language server share it.
import { collectTables, finishAnalysis, problemToFinding, provisionalAnalysis } from '../analysis/analyse';
import type { AnalysisOptions } from '../analysis/options';
import type { Analysis, Series } from '../analysis/types';
import { LossWarmStart } from '../analysis/warmStart';
import type { SourceOptions } from '../sources';
import { CellLines } from '../sources/cellLines';
import { appendAll } from '../util/arrays';
import { Pacer } from './pacer';
import type { Tail, TailChange } from './tail';
import { tailFor } from './tails';
import { watchPaths, POLL_MS } from './watch';

/** Least time between two updates: a run logging ten times a second is analysed once a second. */
export const MIN_UPDATE_MS = 1000;

export interface InputState {
  path: string;
  change: TailChange;
  /** Rows of its tables after the update. */
  rows: number;
}

export interface LiveUpdate {
  /** Series as typed arrays, as the language server keeps them; plainAnalysis gives number[] for JSON and text. */
  analysis: Analysis<Series>;
  inputs: InputState[];
  /** How the loss-curve law was started: from the previous fit, cold, or no loss curves were fitted. */
  start: 'warm' | 'cold' | 'none';
  /** Time to read what changed, and to analyse, in ms. */
  readMs: number;
  fitMs: number;
}

export interface FollowOptions {
  analysis?: Partial<AnalysisOptions>;
  read?: SourceOptions;
  /** Collects garbage on demand, where the shell can: each update's previous fit is freed as soon as it is let go. */
  collectGarbage?: () => void;
}

/**
 * A first answer before the first (cold) analysis, when `law: 'auto'` compares the laws on at least `fromRows` loss
 * rows: the LR-annealing law's analysis, flagged provisional (finishAnalysisWith). Later updates are warm and fast.
 */
export interface ProvisionalRequest {
  fromRows: number;
  show(analysis: Analysis<Series>): void;
}

export class Follower {
  private readonly warm: LossWarmStart;
  /** The last analysis: what an update asked for while nothing changed gives again (a refit would lose nothing but
   * what only a cold fit reports, such as an automatic choice's runner-up). */
  private last: LiveUpdate | null = null;
  /** The lines of the findings' cells, read from the files (as `fit` locates them), kept while the files grow. */
  private readonly cells = new CellLines();

  private constructor(
    private readonly tails: Tail[],
    private readonly options: FollowOptions,
  ) {
    this.warm = new LossWarmStart(options.collectGarbage);
  }

  static async open(paths: readonly string[], options: FollowOptions = {}): Promise<Follower> {
    return new Follower(await Promise.all(paths.map((path) => tailFor(path, options.read))), options);
  }

  /** Following ends: the tails let go of what they watch. */
  close(): void {
    for (const tail of this.tails) tail.close?.();
  }

  /**
   * Reads what changed; analyses again when anything did (always the first time). When nothing changed: null, or
   * with `always` (an analysis asked for) the last analysis again.
   */
  async update(always = false, provisional?: ProvisionalRequest): Promise<LiveUpdate | null> {
    const started = performance.now();
    const changes = await Promise.all(this.tails.map((tail) => tail.update()));
    if (this.last && changes.every((c) => c.change === 'unchanged')) {
      if (!always) return null;
      const readMs = performance.now() - started;
      return {
        ...this.last,
        inputs: this.last.inputs.map((input) => ({ ...input, change: 'unchanged' })),
        readMs,
        fitMs: 0,
      };
    }
    // A file read again whole (rewritten, replaced, gone) may have moved its lines: they are read again.
    if (changes.some((c) => c.change !== 'appended' && c.change !== 'unchanged')) this.cells.forget();
    const reads = this.tails.map((tail) => tail.current());
    const readMs = performance.now() - started;
    const collected = collectTables(
      reads.flatMap((r) => r.tables),
      this.options.analysis,
    );
    appendAll(collected.out.findings, reads.flatMap((r) => r.problems).map(problemToFinding));
    // Only the first analysis, which is cold: the tables are read once and fitted twice.
    const first =
      provisional && this.last === null ? provisionalAnalysis(collected, provisional.fromRows, readMs) : null;
    if (first) provisional?.show(first);
    this.warm.lastStart = 'none';
    const analysis = finishAnalysis(collected, readMs, this.warm);
    // Each update's findings are located as a fit's are: a bad row that arrives by an update gets its column too.
    analysis.findings = await this.cells.located(analysis.findings);
    return (this.last = {
      analysis,
      inputs: this.tails.map((tail, i) => ({
        path: tail.path,
        change: changes[i].change,
        rows: reads[i].tables.reduce((n, t) => n + t.rowCount, 0),
      })),
      start: this.warm.lastStart,
      readMs,
      fitMs: performance.now() - started - readMs,
    });
  }
}

export interface FollowTiming {
  minIntervalMs?: number;
  pollMs?: number;
}

export interface Following {
  /** Stops watching; an update under way finishes (its callback still runs). */
  stop(): void;
}

/**
 * Follows the paths: `onUpdate` gets the first analysis at once and one after each change, at most one per
 * interval. An update that throws is handed to `onError` and following goes on.
 */
export async function followRuns(
  paths: readonly string[],
  options: FollowOptions,
  onUpdate: (update: LiveUpdate) => void | Promise<void>,
  onError: (error: unknown) => void,
  timing: FollowTiming = {},
): Promise<Following> {
  const follower = await Follower.open(paths, options);
  const pacer = new Pacer(timing.minIntervalMs ?? MIN_UPDATE_MS, async () => {
    try {
      const update = await follower.update();
      if (!update) return false;
      await onUpdate(update);
    } catch (error) {
      onError(error);
    }
    return true;
  });
  pacer.poke();
  const watch = await watchPaths(paths, () => pacer.poke(), timing.pollMs ?? POLL_MS);
  return {
    stop() {
      watch.close();
      pacer.stop();
      follower.close();
    },
  };
}
