// The language server's per-file state and its life cycle: what each file's cached analysis was computed from, the
// run in flight (joined by lens and hover requests, aborted when its input goes stale), the edit debounce and the
// summary last published. It holds no connection: documents, settings, the runner and what to tell the editor are
// injected, so it is tested without one.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CancellationToken } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisOptions } from '../core/analysis/options';
import type { Analysis, Series } from '../core/analysis/types';
import { describeFsError } from '../core/table/problems';
import type { FileOverrides, FitSummary, RunPartOf, ScalingLensSettings } from '../shared/protocol';
import { runSetMembers } from '../shared/runSet';
import { PROVISIONAL_FROM_ROWS, type AnalysisJob, type JobResult } from './job';
import type { Runner } from './runner';
import { DiskWatch, type DiskWatchTiming } from './diskWatch';
import type { Followers } from './followers';
import { toAnalysisOptions } from './settings';
import { fitDetails, summaryOf, summaryOfProvisional, summaryOfResult } from './summary';
import { textIsOnDisk } from './textOnDisk';
import { diskPath, realDiskPath } from './uris';
import { signatureOf } from '../core/live/wholeTail';
import { READ_FAILURES } from '../core/live/tail';
import { isTextTable, PROBE_BYTES, runOfPart } from '../core/sources';
import { shownRun } from '../shared/runPart';

const EDIT_DEBOUNCE_MS = 300;

/**
 * Why a file is (re)analysed: opened, edited, asked for by a command or request, its settings changed, or it changed
 * on disk (diskWatch.ts).
 */
export type FitReason = 'open' | 'edit' | 'request' | 'settings' | 'disk';

/** What the cache tells the editor; the server sends each over its connection. */
export interface FileCacheEvents {
  /** A fit started, finished or was refused: the status item and the Fit command show it. */
  summary(summary: FitSummary): void;
  /** A file's diagnostics: its analysis's findings, or the failure that left it without one; neither clears them. */
  diagnostics(uri: string, analysis: Analysis<Series> | undefined, failure: string | undefined): void;
  /** A run finished, so a file's lenses may have changed. */
  analysed(uri: string): void;
  log(message: string): void;
}

export interface FileCacheDeps {
  /** Open documents by URI: an open document is analysed from its text, any other file from disk. */
  documents: { get(uri: string): TextDocument | undefined };
  /** The `scalingLens` settings that apply to a file. */
  settings(uri: string): Promise<ScalingLensSettings>;
  runner: Runner;
  events: FileCacheEvents;
  /** Quiet time after an edit before the file is re-fitted (ms). */
  debounceMs?: number;
  /** How files analysed from disk are followed there (tests shorten the intervals). */
  diskWatch?: DiskWatchTiming;
  /**
   * Analyses files read from disk by followers that read only what a run appended and re-fit from the last fit
   * (followers.ts); without it they go to `runner` like the others.
   */
  followers?: Followers;
}

interface FileState {
  /** What the cached analysis was computed from: document version or disk mtime+size, plus the options. */
  key?: string;
  /** The last analysis: a final one (of `key`), or a provisional one (of `provisionalKey`) while its run goes on. */
  analysis?: Analysis<Series>;
  /** The key of the run whose provisional analysis `analysis` is (showProvisional); unset once a final one is kept. */
  provisionalKey?: string;
  /** Lens requests waiting for the run in flight: a provisional analysis answers them before its final one does. */
  waiting: ((analysis: Analysis<Series>) => void)[];
  summary?: FitSummary;
  /** The run in flight, with its abort handle; lens and hover requests wait on it instead of starting another. */
  pending?: { key: string; promise: Promise<Analysis<Series> | undefined>; abort: AbortController };
  timer?: ReturnType<typeof setTimeout>;
  /**
   * The run the debounce will start, for lens requests that come while it waits (VS Code asks for lenses after each
   * edit): they wait for it instead of starting a fit of every keystroke's text. Set exactly while `timer` is, and
   * kept across restarts of the wait.
   */
  debounced?: {
    promise: Promise<Analysis<Series> | undefined>;
    resolve: (run: Promise<Analysis<Series> | undefined>) => void;
  };
  /**
   * The run the debounce started, from when its timer fires until it settles: `ensure` reads the settings and the
   * source before the run is `pending`, and a lens asked for in between waits for it instead of finding nothing.
   */
  starting?: Promise<Analysis<Series> | undefined>;
  /** Fitted on request (the Fit command): keep lenses and diagnostics even when auto-fit is off. */
  requested: boolean;
  fromDisk: boolean;
  /** Fits asked for (see fit): part of the key of a folder or a set, whose input is not looked at on each request. */
  generation: number;
  /**
   * A metric file of a run folder (DVCLive, MLflow): the run it shows (its analysis, its summary); null for any other
   * file, undefined until looked at (runPartOf).
   */
  part?: RunPartOf | null;
  /** A run folder: the open metric files that show it (their editors keep it analysed and followed on disk). */
  parts: Set<string>;
  /** The result of the last run kept (its analysis is `analysis`), which another URI of the same file may share. */
  result?: JobResult;
  /**
   * The input of the run last started or joined, as another URI of the same file would have it (`input`: the real
   * path, the source and the options), and that run's `key`: what twinOf matches.
   */
  shared?: { input: string; key: string };
}

/** Where a file's analysis comes from right now, and the part of the cache key that goes with it. */
type Source =
  | { job: Omit<AnalysisJob, 'options' | 'onlyIfRunFile'>; key: string }
  /** Why there is no input; `missing` is the path of a file that does not exist (yet). */
  | { error: string; missing?: string };

/**
 * The name a file's findings carry: its real path on disk (a symbolic link and its target name one file, analysed
 * once), or the URI itself for a file that is not on disk.
 */
export function pathOfUri(uri: string): string {
  return realDiskPath(uri) ?? uri;
}

export class FileCache {
  private readonly files = new Map<string, FileState>();
  /** Column and law choices per file; they outlive a closed file's state. */
  private readonly overrides = new Map<string, FileOverrides>();
  /** Files analysed from disk, re-analysed when they change there. */
  private readonly disk: DiskWatch;

  constructor(private readonly deps: FileCacheDeps) {
    this.disk = new DiskWatch((uri) => void this.ensure(uri, 'disk'), deps.diskWatch);
  }

  /**
   * Brings a file's analysis up to date and returns it. Reuses the cache when nothing changed, joins a run already
   * in flight for the same input, and cancels one for stale input. `token`: a request's (see fit), cancelled perhaps
   * before a run exists to stop.
   */
  async ensure(uri: string, reason: FitReason, token?: CancellationToken): Promise<Analysis<Series> | undefined> {
    const part = await this.runPartOf(uri);
    if (part) return this.ensurePart(uri, part, reason, token);
    const state = this.stateOf(uri);
    if (reason === 'request') state.requested = true;
    // A followed folder changed on disk: its key (see sourceOf) must change too for it to be read again.
    if (reason === 'disk') state.generation++;
    const settings = await this.deps.settings(uri);
    const isOpen = this.isOpen(uri);
    if (!this.isShown(uri, state)) return undefined;
    const source = await this.sourceOf(uri, settings);
    if ('error' in source) {
      this.publish(summaryOf(uri, 'error', source.error, { fromDisk: !isOpen }));
      // A file not there (deleted, or not written yet) is watched for: analysed again once it appears, not before.
      if (source.missing !== undefined) this.disk.follow(uri, source.missing);
      return undefined;
    }
    const options = toAnalysisOptions(settings, this.overrides.get(uri));
    const onlyIfRunFile = !state.requested && !this.overrides.has(uri);
    if (onlyIfRunFile && !settings.autoFit) {
      this.publish(summaryOf(uri, 'skipped', 'Auto-fit is off: run "Fit Scaling Law" to fit this file.'));
      return undefined;
    }
    // Cancelled while the settings and the source were read: no run was there to stop, so none may start now.
    if (token?.isCancellationRequested) return undefined;
    const rest = `|${JSON.stringify(options)}|${onlyIfRunFile}`;
    const key = `${source.key}${source.key === 'folder' || source.key === 'set' ? state.generation : ''}${rest}`;
    if (state.key === key && state.analysis) return state.analysis;
    if (state.pending?.key === key) return state.pending.promise;
    state.pending?.abort.abort();
    const text = source.job.source.kind === 'text' ? source.job.source.text : undefined;
    // A file's input as any URI of it has it: an open document's text (compared in twinOf), or the file on disk.
    const input =
      text !== undefined || source.key.startsWith('d')
        ? `${source.job.path}|${text === undefined ? source.key : 'text'}${rest}`
        : undefined;
    const twin = input === undefined ? undefined : this.twinOf(uri, input, text);
    if (twin) return this.join(uri, state, key, reason, twin, !isOpen);
    state.shared = input === undefined ? undefined : { input, key };
    const job = { ...source.job, options, onlyIfRunFile, provisionalFromRows: PROVISIONAL_FROM_ROWS };
    return this.run(uri, state, key, job, !isOpen);
  }

  /**
   * A metric file of a run folder (DVCLive, MLflow) is analysed as its run, never alone (a loss without its LR): its
   * run folder is fitted as Fit Scaling Law on it would (auto-fit, or asked for), kept while the file is open, and
   * followed on disk as the run grows; the file's status says what it is a part of.
   */
  private async ensurePart(
    uri: string,
    part: RunPartOf,
    reason: FitReason,
    token?: CancellationToken,
  ): Promise<Analysis<Series> | undefined> {
    const run = this.stateOf(part.uri);
    if (reason === 'request') run.requested = true;
    if (this.isOpen(uri)) run.parts.add(uri);
    if (!run.requested && !(await this.deps.settings(part.uri)).autoFit) {
      const message = `Auto-fit is off: run "Fit Scaling Law" to fit its run ${shownRun(part)}.`;
      this.publish({ ...summaryOf(uri, 'skipped', message, { fromDisk: true }), partOf: part });
      return undefined;
    }
    // Cancelled while the settings were read: as ensure, no run may start now (its own check comes after its reads).
    if (token?.isCancellationRequested) return undefined;
    // What its run's fit says now (a cached one publishes nothing more); each later summary of the run follows.
    if (run.summary) this.publish({ ...run.summary, uri, partOf: part });
    return this.ensure(part.uri, reason === 'request' ? 'request' : 'open', token);
  }

  /** The run folder a file is a metric file of (looked up once per file state), or null. */
  private async runPartOf(uri: string): Promise<RunPartOf | null> {
    const state = this.stateOf(uri);
    const path = diskPath(uri);
    if (state.part === undefined) {
      const part = path === null || runSetMembers(uri) !== null ? null : await runOfPart(path);
      // The run by its folder's name: DVCLive's (as its curve is named), MLflow's run id.
      state.part = part && { ...part, run: basename(part.run), uri: pathToFileURL(part.run).toString() };
    }
    return state.part;
  }

  /** The URI whose analysis a file shows: its run folder's for a metric file of one, else its own. */
  shownAs(uri: string): string {
    return this.files.get(uri)?.part?.uri ?? uri;
  }

  /** Analyses a file soon: at once when opened, after the debounce when edited (a later edit restarts the wait). */
  schedule(uri: string, reason: 'open' | 'edit'): void {
    const state = this.stateOf(uri);
    if (state.timer) clearTimeout(state.timer);
    if (!state.debounced) {
      let resolve!: (run: Promise<Analysis<Series> | undefined>) => void;
      const promise = new Promise<Analysis<Series> | undefined>((r) => (resolve = r));
      state.debounced = { promise, resolve };
    }
    if (reason === 'edit') {
      // The aborted run stays `pending` until the next one replaces it; a lens asked for meanwhile waits for the run
      // the debounce starts (`debounced`) rather than starting a fit of this keystroke's text.
      state.pending?.abort.abort();
      // The edit moved rows: the old analysis's line numbers no longer match the text, and keeping it while the
      // new one is computed would hold two million-row analyses at once. Hovers and lenses wait for the new one.
      state.analysis = undefined;
      state.result = undefined;
      state.key = undefined;
    }
    state.timer = setTimeout(
      () => {
        state.timer = undefined;
        const debounced = state.debounced;
        state.debounced = undefined;
        const run = this.ensure(uri, reason);
        state.starting = run;
        const settled = () => {
          if (state.starting === run) state.starting = undefined;
        };
        run.then(settled, settled);
        debounced?.resolve(run);
      },
      reason === 'edit' ? (this.deps.debounceMs ?? EDIT_DEBOUNCE_MS) : 0,
    );
  }

  /** A document's text changed. The change that follows its opening is not an edit: the open is scheduled already. */
  edited(uri: string, version: number): void {
    if (version > 1 || this.files.get(uri)?.key) this.schedule(uri, 'edit');
  }

  /** Stops a file's run in flight, if any: its worker ends, and whoever waits on it gets no analysis. */
  cancel(uri: string): void {
    const state = this.files.get(uri);
    if (!state) return;
    state.pending?.abort.abort();
    state.pending = undefined;
  }

  /**
   * The analysis for a lens: the one in flight if any (its provisional analysis while it has one), else the cached
   * one (never a new run per request).
   */
  async current(uri: string): Promise<Analysis<Series> | undefined> {
    const state = this.files.get(uri);
    if (!state) return undefined;
    // A metric file of a run shows its run's analysis (a refit as the run grows) once its open has settled, or at once
    // while its run is fitted: a long run's provisional analysis answers then, as it does for a file of its own.
    const run = state.part && this.files.get(state.part.uri);
    if (state.part && (!(state.timer || state.starting) || run?.pending)) return this.current(state.part.uri);
    if (state.pending && state.analysis?.provisional && state.provisionalKey === state.pending.key)
      return state.analysis;
    if (state.timer || state.starting || state.pending) {
      const provisional = new Promise<Analysis<Series>>((resolve) => state.waiting.push(resolve));
      // While the debounce waits, the run it will start; else the run it started, the run in flight, or one now.
      const next = state.debounced?.promise ?? state.starting ?? state.pending?.promise;
      const result = await Promise.race([next ?? this.ensure(uri, 'open'), provisional]);
      return result ?? (state.part ? this.cached(state.part.uri) : state.analysis);
    }
    return state.analysis;
  }

  /** The analysis for a hover: the cached one at once when there is one, else as current() finds it. */
  async latest(uri: string): Promise<Analysis<Series> | undefined> {
    return this.cached(uri) ?? (await this.current(uri));
  }

  /** The cached analysis, without waiting for anything. */
  cached(uri: string): Analysis<Series> | undefined {
    return this.files.get(uri)?.analysis;
  }

  /**
   * The cached analyses of other URIs (a run folder, a set) that read `path` as a metric file of a run (DVCLive,
   * MLflow): a hover on one of its records shows the row the record went into, which its own analysis cannot join.
   */
  readersOf(path: string): Analysis<Series>[] {
    const readers: Analysis<Series>[] = [];
    for (const [uri, { analysis }] of this.files) {
      if (analysis === undefined || pathOfUri(uri) === path) continue;
      if (analysis.curves.some((c) => c.points.metricFiles?.some((f) => f.file === path))) readers.push(analysis);
    }
    return readers;
  }

  /** How many analyses are running now. */
  inFlight(): number {
    let count = 0;
    for (const state of this.files.values()) if (state.pending !== undefined) count++;
    return count;
  }

  /** The summary last published for a file. */
  summary(uri: string): FitSummary | undefined {
    return this.files.get(uri)?.summary;
  }

  /**
   * The Fit command: fits the file with the user's choices (if given) and answers with its summary. Cancelling the
   * request ends the fit itself (its worker), not just the wait for it.
   */
  async fit(uri: string, chosen: FileOverrides | undefined, token: CancellationToken): Promise<FitSummary> {
    // Fit Scaling Law on a metric file fits its run: the summary is the run's, said of the file.
    const part = await this.runPartOf(uri);
    if (part) return { ...(await this.fit(part.uri, chosen, token)), uri, partOf: part };
    if (chosen) this.overrides.set(uri, chosen);
    // A folder or a set is read again on each request for a fit: its runs may have grown or been added.
    this.stateOf(uri).generation++;
    const started = performance.now();
    const run = this.ensure(uri, 'request', token);
    const cancelled = token.onCancellationRequested(() => this.cancel(uri));
    await run;
    cancelled.dispose();
    const state = this.stateOf(uri);
    const details = { ms: performance.now() - started, fromDisk: state.fromDisk };
    if (token.isCancellationRequested) {
      const summary = summaryOf(uri, 'skipped', 'Fit cancelled.', { ...details, kind: state.analysis?.kind });
      this.publish(summary);
      return summary;
    }
    return state.summary ?? summaryOf(uri, 'error', 'Nothing was analysed.', details);
  }

  /** A one-off run with options added to the file's own (a prediction target): not cached and not cancelled. */
  async analyseWith(uri: string, extra: Partial<AnalysisOptions>): Promise<JobResult> {
    const part = await this.runPartOf(uri);
    if (part) return this.analyseWith(part.uri, extra);
    const settings = await this.deps.settings(uri);
    const source = await this.sourceOf(uri, settings);
    if ('error' in source) return { ok: false, message: source.error };
    const options = { ...toAnalysisOptions(settings, this.overrides.get(uri)), ...extra };
    const result = await this.deps.runner(
      { ...source.job, options, onlyIfRunFile: false },
      new AbortController().signal,
    );
    return result === 'cancelled' ? { ok: false, message: 'Cancelled.' } : result;
  }

  /** The user chose columns or a law for a file: remember them and re-fit it if it is shown or was asked for. */
  setOverrides(uri: string, chosen: FileOverrides): void {
    // A metric file's columns are its run's (the picker listed the run's).
    const shown = this.shownAs(uri);
    this.overrides.set(shown, chosen);
    this.refit(shown, this.stateOf(shown));
  }

  /**
   * A document was closed: a file never asked for is forgotten (and its diagnostics cleared); one asked for is read
   * from disk now, and fitted from there at once if its editor's text was being fitted (a chart waits for that fit).
   */
  close(uri: string): void {
    const state = this.files.get(uri);
    if (!state) return;
    const fitting = state.pending !== undefined;
    this.stopTimer(state);
    this.cancel(uri);
    if (state.part) {
      // Its run is let go with the last metric file that showed it, unless it was fitted on request.
      this.files.delete(uri);
      const run = this.files.get(state.part.uri);
      run?.parts.delete(uri);
      if (run && !this.isShown(state.part.uri, run)) this.forget(state.part.uri, run);
    } else if (!state.requested) {
      this.forget(uri, state);
    } else {
      state.key = undefined; // the disk copy may differ from the closed editor's text
      // Asked for, and now read from disk: followed there like any file fitted on request (its lenses, the Runs view).
      const path = diskPath(uri);
      if (path !== null) this.disk.follow(uri, path);
      // Its fit was stopped with the editor and nothing else would start one: the chart that asked said "no fit yet"
      // for good. Its summaries (fitting, then done) refresh the chart.
      if (fitting) void this.ensure(uri, 'request');
    }
  }

  /** A file neither shown nor asked for: its run stops, it is no longer followed, and its diagnostics are cleared. */
  private forget(uri: string, state: FileState): void {
    this.stopTimer(state);
    this.cancel(uri);
    this.disk.unfollow(uri);
    this.deps.followers?.stop(uri);
    this.files.delete(uri);
    this.deps.events.diagnostics(uri, undefined, undefined);
  }

  /** The settings changed: every file shown or asked for is re-fitted (the cache key decides what really reruns). */
  invalidateAll(): void {
    for (const [uri, state] of this.files) this.refit(uri, state);
  }

  dispose(): void {
    this.disk.dispose();
    this.deps.followers?.dispose();
    for (const state of this.files.values()) {
      this.stopTimer(state);
      state.pending?.abort.abort();
    }
  }

  private run(
    uri: string,
    state: FileState,
    key: string,
    job: AnalysisJob,
    fromDisk: boolean,
  ): Promise<Analysis<Series> | undefined> {
    const { abort, ms, follow } = this.begin(uri, state, fromDisk);
    const provisional = (analysis: Analysis<Series>) =>
      this.showProvisional(uri, state, key, abort, analysis, { ms: ms(), fromDisk });
    const promise = this.runnerFor(uri, job)(job, abort.signal, provisional).then((result) => {
      // A run that was replaced hands over to its successor; one that was only stopped yields nothing.
      if (result === 'cancelled' || abort.signal.aborted) {
        this.dropProvisional(uri, state, key);
        return state.pending?.key === key ? undefined : state.pending?.promise;
      }
      follow();
      this.finish(uri, state, key, result, { ms: ms(), fromDisk });
      return state.analysis;
    });
    state.pending = { key, promise, abort };
    return promise;
  }

  /**
   * What a run of a file, its own or its twin's joined, starts with: the editor told it is fitting, an abort handle,
   * the time since, and how to follow the file on disk once the run read it.
   */
  private begin(
    uri: string,
    state: FileState,
    fromDisk: boolean,
  ): { abort: AbortController; ms: () => number; follow: () => void } {
    const started = performance.now();
    // The file as it was before this read: a change made while it is analysed is still a change to follow.
    const path = diskPath(uri);
    const before = fromDisk && path !== null ? signatureOf(path) : undefined;
    this.publish(summaryOf(uri, 'fitting', 'Fitting…', { kind: state.analysis?.kind, fromDisk }));
    return {
      abort: new AbortController(),
      ms: () => performance.now() - started,
      follow: () => {
        if (path !== null && before) this.disk.follow(uri, path, before);
      },
    };
  }

  /**
   * Another URI of the same file (a symbolic link and its target, `input` alike) whose analysis of this input is done
   * or under way. Two open documents share only while their texts are the same (each counts its own versions).
   */
  private twinOf(uri: string, input: string, text: string | undefined): FileState | undefined {
    for (const [other, state] of this.files) {
      if (other === uri || state.shared?.input !== input) continue;
      const { key } = state.shared;
      const live = state.pending?.key === key && !state.pending.abort.signal.aborted;
      if (!live && !(state.key === key && state.result)) continue;
      if (text !== undefined && this.deps.documents.get(other)?.getText() !== text) continue;
      return state;
    }
    return undefined;
  }

  /**
   * A file analysed as its twin's (twinOf) run, not again: that run's result, when it comes, is kept and told under
   * this URI as this file's own run's would be (its diagnostics, summary and lenses). A twin's run stopped or replaced
   * before its result leaves this file to a run of its own.
   */
  private join(
    uri: string,
    state: FileState,
    key: string,
    reason: FitReason,
    twin: FileState,
    fromDisk: boolean,
  ): Promise<Analysis<Series> | undefined> {
    const shared = twin.shared!;
    const { abort, ms, follow } = this.begin(uri, state, fromDisk);
    const settled = twin.pending?.key === shared.key ? twin.pending.promise : Promise.resolve(twin.analysis);
    const promise = settled.then((): Promise<Analysis<Series> | undefined> | Analysis<Series> | undefined => {
      if (abort.signal.aborted) return state.pending?.key === key ? undefined : state.pending?.promise;
      if (twin.key !== shared.key || !twin.result) {
        state.pending = undefined;
        return this.ensure(uri, reason);
      }
      follow();
      this.finish(uri, state, key, twin.result, { ms: ms(), fromDisk });
      return state.analysis;
    });
    state.shared = { input: shared.input, key };
    state.pending = { key, promise, abort };
    return promise;
  }

  /** Keeps a finished run's analysis and tells the editor: diagnostics, then the summary, then the lenses. */
  private finish(
    uri: string,
    state: FileState,
    key: string,
    result: JobResult,
    { ms, fromDisk }: { ms: number; fromDisk: boolean },
  ): void {
    state.pending = undefined;
    state.provisionalKey = undefined;
    // Those still waiting had their answer from the run's promise: what they would wait for is garbage.
    state.waiting = [];
    state.fromDisk = fromDisk;
    state.key = key;
    state.result = result;
    state.analysis = result.ok && !result.skipped ? result.analysis : undefined;
    // A file on disk its analysis could not read (permission removed): analysed again once it can be read.
    if (
      fromDisk &&
      key.startsWith('d') &&
      result.ok &&
      result.analysis.findings.some((f) => READ_FAILURES.has(f.code))
    ) {
      state.key = undefined;
      this.disk.unreadable(uri);
    }
    // A file that does not look like a run file and was only opened gets no diagnostics: it is not ours.
    this.deps.events.diagnostics(uri, state.analysis, result.ok ? undefined : result.message);
    const summary = summaryOfResult(uri, result, ms, fromDisk);
    this.publish(summary);
    this.deps.events.log(`${uri}: ${summary.state} in ${ms.toFixed(0)} ms · ${summary.message}`);
    if (state.analysis) for (const line of fitDetails(state.analysis)) this.deps.events.log(line);
    this.deps.events.analysed(uri);
  }

  /**
   * Shows a run's provisional analysis while the run goes on (law auto comparing the laws on a long log): lenses and
   * hovers name it provisional, and no diagnostics come from it, since a law not chosen yet must not raise warnings
   * that may vanish. Only while its run is the one in flight, so it never replaces a final analysis of its input.
   */
  private showProvisional(
    uri: string,
    state: FileState,
    key: string,
    abort: AbortController,
    analysis: Analysis<Series>,
    { ms, fromDisk }: { ms: number; fromDisk: boolean },
  ): void {
    if (abort.signal.aborted || state.pending?.abort !== abort) return;
    // It replaces the analysis shown, so the key of that one no longer describes what is cached.
    state.key = undefined;
    state.result = undefined;
    state.analysis = analysis;
    state.provisionalKey = key;
    for (const answer of state.waiting.splice(0)) answer(analysis);
    const summary = summaryOfProvisional(uri, analysis, ms, fromDisk);
    this.publish(summary);
    this.deps.events.log(`${uri}: provisional in ${ms.toFixed(0)} ms · ${summary.message}`);
    this.deps.events.analysed(uri);
  }

  /** A run stopped before its result: its provisional analysis, if shown, goes too (it said a result would follow). */
  private dropProvisional(uri: string, state: FileState, key: string): void {
    if (state.provisionalKey !== key || !state.analysis?.provisional) return;
    state.analysis = undefined;
    state.provisionalKey = undefined;
    this.deps.events.analysed(uri);
  }

  /**
   * A file or run folder read from disk is analysed by its follower, and so is an open document whose text is the
   * file on disk (the editor reloaded it, or it was saved); a document with unsaved edits, or a set, by the runner.
   */
  private runnerFor(uri: string, job: AnalysisJob): Runner {
    const followers = this.deps.followers;
    const path = diskPath(uri);
    if (!followers || path === null || job.paths !== undefined || job.source.kind === 'bytes') return this.deps.runner;
    const { source } = job;
    if (source.kind === 'file')
      return (followed, signal, provisional) => followers.run(uri, followed, signal, provisional);
    return async (followed, signal, provisional) => {
      if (await textIsOnDisk(path, source.text))
        return followers.run(uri, { ...followed, source: { kind: 'file' } }, signal, provisional);
      // The edited text is analysed now, not the file: the file's follower and all it keeps (its tables, warm start
      // and last analysis: about 150 MB for a million rows) go before this fit allocates its own.
      followers.stop(uri);
      return this.deps.runner(followed, signal, provisional);
    };
  }

  private refit(uri: string, state: FileState): void {
    state.key = undefined;
    if (this.isShown(uri, state)) void this.ensure(uri, 'settings');
  }

  /** Tells the editor a file's summary, and a run folder's to each open metric file of it, said of that file. */
  private publish(summary: FitSummary): void {
    const state = this.stateOf(summary.uri);
    state.summary = summary;
    this.deps.events.summary(summary);
    for (const uri of state.parts) {
      const part = this.files.get(uri)?.part;
      if (part) this.publish({ ...summary, uri, partOf: part });
    }
  }

  private stateOf(uri: string): FileState {
    let state = this.files.get(uri);
    if (!state)
      this.files.set(
        uri,
        (state = { requested: false, fromDisk: false, generation: 0, waiting: [], parts: new Set() }),
      );
    return state;
  }

  private isOpen(uri: string): boolean {
    return this.deps.documents.get(uri) !== undefined;
  }

  /** Whether a file is analysed: open in an editor, asked for, or a run folder an open metric file of it shows. */
  private isShown(uri: string, state: FileState): boolean {
    return this.isOpen(uri) || state.requested || state.parts.size > 0;
  }

  private stopTimer(state: FileState): void {
    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
    // Nothing will run: whoever waits for the debounce's run gets none.
    state.debounced?.resolve(Promise.resolve(undefined));
    state.debounced = undefined;
  }

  /**
   * The open document's text, else the file on disk (by path, read in the worker), with the key of that input. A
   * folder (a set of runs) or a set of selected files and folders is read from disk; its key changes when a fit is
   * asked for (see fit), not on every look, since telling whether a tree changed means walking it.
   */
  private async sourceOf(uri: string, settings: ScalingLensSettings): Promise<Source> {
    const path = pathOfUri(uri);
    const maxBytes = settings.maxFileSizeMB * 1024 * 1024;
    const format = settings.format;
    const members = runSetMembers(uri);
    if (members !== null) {
      const paths = members.map((m) => diskPath(m)).filter((p): p is string => p !== null);
      if (paths.length === 0) return { error: 'The selection holds no file on disk.' };
      return { job: { source: { kind: 'file' }, path: `${paths.length} runs`, paths, maxBytes, format }, key: 'set' };
    }
    const doc = this.deps.documents.get(uri);
    if (doc) {
      const text = doc.getText();
      // Another format's reader reads the file from disk, as last saved: a document on no disk has none to read.
      if (!diskPath(uri) && !isTextTable(path, Buffer.from(text.slice(0, PROBE_BYTES), 'utf8'), format))
        return {
          error: `${uri} is not a file on disk: only a CSV, TSV or JSON Lines document is fitted from its text; save it to a file to fit it.`,
        };
      return { job: { source: { kind: 'text', text }, path, maxBytes, format }, key: `v${doc.version}` };
    }
    if (!diskPath(uri)) return { error: `${uri} is not open and is not a file on disk.` };
    try {
      const info = await stat(path);
      if (info.isDirectory()) return { job: { source: { kind: 'file' }, path, maxBytes, format }, key: 'folder' };
      if (!info.isFile()) return { error: `${path} is not a file or a folder.` };
      return { job: { source: { kind: 'file' }, path, maxBytes, format }, key: `d${info.mtimeMs}:${info.size}` };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return { error: describeFsError(error, path) };
      return { error: `${describeFsError(error, path)}; it is fitted once it appears`, missing: path };
    }
  }
}
