// The language server: keeps one cached Analysis per file and serves CodeLens, hovers, diagnostics and the custom
// requests of src/shared/protocol.ts from it. Open documents are analysed from their text (debounced on edits);
// files that are not open, or too large for VS Code to sync, are read from disk by URI.
import { stat } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeLensRefreshRequest,
  DiagnosticSeverity,
  MarkupKind,
  TextDocumentSyncKind,
  TextDocuments,
  type CodeLens,
  type Connection,
  type Diagnostic,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisOptions } from '../core/analysis/options';
import { plainAnalysis } from '../core/analysis/series';
import type { Analysis, Series } from '../core/analysis/types';
import {
  AnalysisRequest,
  ColumnsRequest,
  FitFileRequest,
  PredictRequest,
  SetOverridesNotification,
  StatusNotification,
  type FileOverrides,
  type FitSummary,
  type PredictTarget,
  type ScalingLensSettings,
} from '../shared/protocol';
import { formatCompact, formatNumber } from '../core/util/format';
import type { AnalysisJob, JobResult } from './job';
import { registerChartHandlers } from './chart';
import { ANALYSIS_FAILED } from './hints';
import { buildDiagnostics, buildLenses, hoverForHeader, hoverForRow } from './present';
import { runInWorker, type Runner } from './runner';
import { resolveSettings, toAnalysisOptions } from './settings';

const EDIT_DEBOUNCE_MS = 300;

interface FileState {
  /** What the cached analysis was computed from: document version or disk mtime+size, plus the options. */
  key?: string;
  analysis?: Analysis<Series>;
  summary?: FitSummary;
  /** The run in flight, with its abort handle; lens and hover requests wait on it instead of starting another. */
  pending?: { key: string; promise: Promise<Analysis<Series> | undefined>; abort: AbortController };
  timer?: ReturnType<typeof setTimeout>;
  /** Fitted on request (the Fit command): keep lenses and diagnostics even when auto-fit is off. */
  requested: boolean;
  fromDisk: boolean;
}

export interface ServerOptions {
  runner?: Runner;
}

export function startServer(connection: Connection, serverOptions: ServerOptions = {}): { dispose(): void } {
  const runner = serverOptions.runner ?? runInWorker;
  const documents = new TextDocuments(TextDocument);
  const files = new Map<string, FileState>();
  const overrides = new Map<string, FileOverrides>();
  let canPullConfiguration = false;
  let canRefreshLenses = false;
  let relatedInformation = false;

  const stateOf = (uri: string): FileState => {
    let s = files.get(uri);
    if (!s) files.set(uri, (s = { requested: false, fromDisk: false }));
    return s;
  };

  async function settingsFor(uri: string): Promise<ScalingLensSettings> {
    if (!canPullConfiguration) return resolveSettings({});
    try {
      return resolveSettings(await connection.workspace.getConfiguration({ scopeUri: uri, section: 'scalingLens' }));
    } catch {
      return resolveSettings({});
    }
  }

  function pathOf(uri: string): string | null {
    return uri.startsWith('file:') ? fileURLToPath(uri) : null;
  }

  /** Where the analysis comes from right now, and the cache key that goes with it. */
  async function sourceOf(
    uri: string,
    settings: ScalingLensSettings,
  ): Promise<{ job: Omit<AnalysisJob, 'options' | 'onlyIfRunFile'>; key: string } | { error: string }> {
    const path = pathOf(uri) ?? uri;
    const maxBytes = settings.maxFileSizeMB * 1024 * 1024;
    const doc = documents.get(uri);
    if (doc) return { job: { source: { kind: 'text', text: doc.getText() }, path, maxBytes }, key: `v${doc.version}` };
    if (!pathOf(uri)) return { error: `${uri} is not open and is not a file on disk.` };
    try {
      const info = await stat(path);
      if (!info.isFile()) return { error: `${path} is not a file.` };
      return { job: { source: { kind: 'file' }, path, maxBytes }, key: `d${info.mtimeMs}:${info.size}` };
    } catch (error) {
      return { error: `Cannot read ${path}: ${(error as Error).message}` };
    }
  }

  function summarise(uri: string, result: JobResult, ms: number, fromDisk: boolean): FitSummary {
    if (!result.ok)
      return {
        uri,
        state: 'error',
        kind: 'unknown',
        message: result.message,
        fits: 0,
        warnings: 0,
        errors: 1,
        ms,
        fromDisk,
      };
    const a = result.analysis;
    const count = (s: string) => a.findings.filter((f) => f.severity === s).length;
    const base = {
      uri,
      kind: a.kind,
      fits: a.fits.length,
      warnings: count('warning'),
      errors: count('error'),
      ms,
      fromDisk,
    };
    if (result.skipped)
      return {
        ...base,
        state: 'skipped',
        message: 'Not recognised as a run file; run "Fit Scaling Law" to fit it anyway, or map its columns.',
      };
    if (a.fits.length === 0) {
      const why =
        a.findings.find((f) => f.severity === 'error') ?? a.findings.find((f) => f.code === 'columns-unidentified');
      return { ...base, state: 'error', message: why ? why.message : 'Nothing could be fitted.' };
    }
    return { ...base, state: 'done', message: headline(a) };
  }

  function headline(a: Analysis<Series>): string {
    const laws = [...new Set(a.fits.map((f) => f.law))].join(', ');
    const first = a.predictions[0];
    const prediction = first
      ? ` · ${first.metric} at ${first.xName} ${formatCompact(first.x)} = ${formatNumber(first.value, 4)}`
      : '';
    const breaks = a.findings.filter((f) => f.code === 'bleu-law-break').length;
    return `${laws}: ${a.fits.length} fit${a.fits.length === 1 ? '' : 's'}${prediction}${breaks ? ` · ${breaks} law break${breaks === 1 ? '' : 's'}` : ''}`;
  }

  /**
   * Brings a file's analysis up to date and returns it. Reuses the cache when nothing changed, joins a run already
   * in flight for the same input, and cancels one for stale input.
   */
  async function ensure(
    uri: string,
    reason: 'open' | 'edit' | 'request' | 'settings',
  ): Promise<Analysis<Series> | undefined> {
    const state = stateOf(uri);
    if (reason === 'request') state.requested = true;
    const settings = await settingsFor(uri);
    const isOpen = documents.get(uri) !== undefined;
    if (!isOpen && !state.requested) return undefined;
    const source = await sourceOf(uri, settings);
    if ('error' in source) {
      publishSummary({
        uri,
        state: 'error',
        kind: 'unknown',
        message: source.error,
        fits: 0,
        warnings: 0,
        errors: 1,
        ms: 0,
        fromDisk: !isOpen,
      });
      return undefined;
    }
    const options: Partial<AnalysisOptions> = toAnalysisOptions(settings, overrides.get(uri));
    const onlyIfRunFile = !state.requested && !overrides.has(uri);
    if (onlyIfRunFile && !settings.autoFit) {
      publishSummary({
        uri,
        state: 'skipped',
        kind: 'unknown',
        message: 'Auto-fit is off: run "Fit Scaling Law" to fit this file.',
        fits: 0,
        warnings: 0,
        errors: 0,
        ms: 0,
        fromDisk: false,
      });
      return undefined;
    }
    const key = `${source.key}|${JSON.stringify(options)}|${onlyIfRunFile}`;
    if (state.key === key && state.analysis) return state.analysis;
    if (state.pending?.key === key) return state.pending.promise;
    state.pending?.abort.abort();

    const abort = new AbortController();
    const started = performance.now();
    publishSummary({
      uri,
      state: 'fitting',
      kind: state.analysis?.kind ?? 'unknown',
      message: 'Fitting…',
      fits: 0,
      warnings: 0,
      errors: 0,
      ms: 0,
      fromDisk: !isOpen,
    });
    const promise = runner({ ...source.job, options, onlyIfRunFile }, abort.signal).then((result) => {
      if (result === 'cancelled' || abort.signal.aborted)
        return state.pending?.key === key ? undefined : state.pending?.promise;
      const ms = performance.now() - started;
      state.pending = undefined;
      state.fromDisk = !isOpen;
      const summary = summarise(uri, result, ms, !isOpen);
      state.key = key;
      state.analysis = result.ok && !result.skipped ? result.analysis : undefined;
      // A file that does not look like a run file and was only opened gets no diagnostics: it is not ours.
      publishDiagnostics(
        uri,
        result.ok && !result.skipped ? result.analysis : undefined,
        result.ok ? undefined : result.message,
      );
      publishSummary(summary);
      connection.console.info(`${uri}: ${summary.state} in ${ms.toFixed(0)} ms · ${summary.message}`);
      refreshLenses();
      return state.analysis;
    });
    state.pending = { key, promise, abort };
    return promise;
  }

  function schedule(uri: string, reason: 'open' | 'edit'): void {
    const state = stateOf(uri);
    if (state.timer) clearTimeout(state.timer);
    if (reason === 'edit') {
      state.pending?.abort.abort();
      // The edit moved rows: the old analysis's line numbers no longer match the text, and keeping it while the
      // new one is computed would hold two million-row analyses at once. Hovers and lenses wait for the new one.
      state.analysis = undefined;
      state.key = undefined;
    }
    state.timer = setTimeout(
      () => {
        state.timer = undefined;
        void ensure(uri, reason);
      },
      reason === 'edit' ? EDIT_DEBOUNCE_MS : 0,
    );
  }

  function publishSummary(summary: FitSummary): void {
    stateOf(summary.uri).summary = summary;
    void connection.sendNotification(StatusNotification, summary);
  }

  function publishDiagnostics(uri: string, analysis: Analysis<Series> | undefined, failure?: string): void {
    const path = pathOf(uri) ?? uri;
    const diagnostics: Diagnostic[] = [];
    if (failure)
      diagnostics.push({
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1000 } },
        severity: DiagnosticSeverity.Error,
        source: 'Scaling Lens',
        ...ANALYSIS_FAILED,
        message: failure,
      });
    for (const d of analysis ? buildDiagnostics(analysis, path) : []) {
      diagnostics.push({
        range: { start: { line: d.line, character: d.character }, end: { line: d.endLine, character: d.endCharacter } },
        severity: d.severity,
        source: 'Scaling Lens',
        code: d.code,
        codeDescription: { href: d.href },
        message: d.message,
        relatedInformation: relatedInformation
          ? d.related.map((r) => ({
              location: {
                uri: pathToFileURL(r.file).toString(),
                range: {
                  start: { line: Math.max(0, r.line - 1), character: 0 },
                  end: { line: Math.max(0, r.line - 1), character: 1000 },
                },
              },
              message: r.message,
            }))
          : undefined,
      });
    }
    void connection.sendDiagnostics({ uri, diagnostics });
  }

  let lensRefresh: ReturnType<typeof setTimeout> | undefined;
  function refreshLenses(): void {
    if (!canRefreshLenses) return;
    if (lensRefresh) clearTimeout(lensRefresh);
    lensRefresh = setTimeout(() => void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined), 50);
  }

  connection.onInitialize((params): InitializeResult => {
    const caps = params.capabilities;
    canPullConfiguration = Boolean(caps.workspace?.configuration);
    canRefreshLenses = Boolean(caps.workspace?.codeLens?.refreshSupport);
    relatedInformation = Boolean(caps.textDocument?.publishDiagnostics?.relatedInformation);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeLensProvider: { resolveProvider: false },
        hoverProvider: true,
      },
      serverInfo: { name: 'Scaling Lens' },
    };
  });

  documents.onDidOpen((e) => schedule(e.document.uri, 'open'));
  documents.onDidChangeContent((e) => {
    // onDidChangeContent also fires right after open; the first version is already scheduled by onDidOpen.
    if (e.document.version > 1 || stateOf(e.document.uri).key) schedule(e.document.uri, 'edit');
  });
  documents.onDidClose((e) => {
    const state = files.get(e.document.uri);
    if (!state) return;
    if (state.timer) clearTimeout(state.timer);
    state.pending?.abort.abort();
    state.pending = undefined;
    if (!state.requested) {
      files.delete(e.document.uri);
      void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    } else state.key = undefined; // the disk copy may differ from the closed editor's text
  });

  connection.onDidChangeConfiguration(() => {
    for (const [uri, state] of files) {
      state.key = undefined;
      if (documents.get(uri) || state.requested) void ensure(uri, 'settings');
    }
  });

  connection.onCodeLens(async (params): Promise<CodeLens[]> => {
    const uri = params.textDocument.uri;
    const analysis = await currentAnalysis(uri);
    if (!analysis) return [];
    return buildLenses(analysis, pathOf(uri) ?? uri, uri).map((l) => ({
      range: { start: { line: l.line, character: 0 }, end: { line: l.line, character: 0 } },
      command: { title: l.title, command: l.command, arguments: l.arguments },
    }));
  });

  /** The analysis for a lens or hover: the one in flight if any, else the cached one (never a new run per request). */
  async function currentAnalysis(uri: string): Promise<Analysis<Series> | undefined> {
    const state = files.get(uri);
    if (!state) return undefined;
    if (state.timer || state.pending) {
      const pending = state.pending?.promise ?? ensure(uri, 'open');
      const result = await pending;
      return result ?? state.analysis;
    }
    return state.analysis;
  }

  connection.onHover(async (params) => {
    const uri = params.textDocument.uri;
    const analysis = files.get(uri)?.analysis ?? (await currentAnalysis(uri));
    if (!analysis) return null;
    const path = pathOf(uri) ?? uri;
    const line = params.position.line + 1;
    const header = analysis.files.find((f) => f.file === path)?.headerLine ?? 0;
    let value: string | null;
    if (line === header) {
      const doc = documents.get(uri);
      value = hoverForHeader(
        analysis,
        path,
        doc ? columnAt(doc, params.position.line, params.position.character, analysis, path) : undefined,
      );
    } else value = hoverForRow(analysis, path, line);
    return value ? { contents: { kind: MarkupKind.Markdown, value } } : null;
  });

  function columnAt(
    doc: TextDocument,
    line: number,
    character: number,
    analysis: Analysis<Series>,
    path: string,
  ): string | undefined {
    const summary = analysis.files.find((f) => f.file === path);
    if (!summary?.delimiter) return undefined;
    const text = doc.getText({ start: { line, character: 0 }, end: { line, character: 100000 } });
    const index = text.slice(0, character).split(summary.delimiter).length - 1;
    return summary.columns[index]?.name;
  }

  connection.onRequest(FitFileRequest, async ({ uri, overrides: chosen }, token) => {
    if (chosen) overrides.set(uri, chosen);
    const started = performance.now();
    const run = ensure(uri, 'request');
    // Cancelling the progress notification ends the fit itself (its worker), not just the wait for it.
    const cancelled = token.onCancellationRequested(() => {
      stateOf(uri).pending?.abort.abort();
      stateOf(uri).pending = undefined;
    });
    await run;
    cancelled.dispose();
    const state = stateOf(uri);
    if (token.isCancellationRequested) {
      const summary: FitSummary = {
        uri,
        state: 'skipped',
        kind: state.analysis?.kind ?? 'unknown',
        message: 'Fit cancelled.',
        fits: 0,
        warnings: 0,
        errors: 0,
        ms: performance.now() - started,
        fromDisk: state.fromDisk,
      };
      publishSummary(summary);
      return summary;
    }
    return (
      state.summary ?? {
        uri,
        state: 'error',
        kind: 'unknown',
        message: 'Nothing was analysed.',
        fits: 0,
        warnings: 0,
        errors: 1,
        ms: performance.now() - started,
        fromDisk: state.fromDisk,
      }
    );
  });

  connection.onRequest(AnalysisRequest, async ({ uri }) => {
    const analysis = await ensure(uri, 'request');
    return analysis ? plainAnalysis(analysis) : null;
  });

  connection.onRequest(ColumnsRequest, async ({ uri }) => {
    const analysis = (await ensure(uri, 'request')) ?? stateOf(uri).analysis;
    const summary = analysis?.files[0];
    if (!summary) return { columns: [], roles: {}, kind: 'unknown' };
    const roles: Record<string, string> = {};
    for (const c of summary.columns) if (c.role) roles[c.role] = c.name;
    return { columns: summary.columns.map((c) => c.name), roles, kind: summary.kind };
  });

  connection.onRequest(PredictRequest, async ({ uri, target }) => {
    const base = await ensure(uri, 'request');
    if (!base)
      return { predictions: [], message: stateOf(uri).summary?.message ?? 'This file has no fit to predict from.' };
    const settings = await settingsFor(uri);
    const source = await sourceOf(uri, settings);
    if ('error' in source) return { predictions: [], message: source.error };
    const options = { ...toAnalysisOptions(settings, overrides.get(uri)), ...targetOptions(target) };
    const result = await runner({ ...source.job, options, onlyIfRunFile: false }, new AbortController().signal);
    if (result === 'cancelled' || !result.ok)
      return { predictions: [], message: result === 'cancelled' ? 'Cancelled.' : result.message };
    const predictions = result.analysis.predictions.filter((p) => matchesTarget(p, target));
    return predictions.length
      ? { predictions }
      : {
          predictions,
          message: `No ${target.kind === 'step' ? 'loss curve' : target.kind === 'compute' ? '(N, D) fit' : 'downstream fit'} in this file to predict from.`,
        };
  });

  connection.onNotification(SetOverridesNotification, ({ uri, overrides: chosen }) => {
    overrides.set(uri, chosen);
    const state = stateOf(uri);
    state.key = undefined;
    if (documents.get(uri) || state.requested) void ensure(uri, 'settings');
  });

  registerChartHandlers(connection, ensure);
  documents.listen(connection);
  connection.listen();
  return {
    dispose() {
      for (const state of files.values()) {
        if (state.timer) clearTimeout(state.timer);
        state.pending?.abort.abort();
      }
      if (lensRefresh) clearTimeout(lensRefresh);
      connection.dispose();
    },
  };
}

function targetOptions(target: PredictTarget): Partial<AnalysisOptions> {
  switch (target.kind) {
    case 'step':
      return { predictSteps: [target.value] };
    case 'dataMultiplier':
      return { dataMultipliers: [target.value], predictAt: [] };
    case 'dataValue':
      return { predictAt: [target.value], dataMultipliers: [] };
    case 'compute':
      return { computeBudgets: [target.value] };
  }
}

function matchesTarget(p: { metric: string; xName: string; x: number; step?: number }, target: PredictTarget): boolean {
  switch (target.kind) {
    case 'step':
      return p.metric === 'loss' && p.step === Math.round(target.value);
    case 'compute':
      return p.xName === 'C';
    default:
      return p.metric === 'bleu' || p.metric === 'ce';
  }
}
