// The language server: a thin listener. Document and configuration events go to the file cache (fileCache.ts),
// which keeps one analysis per file; CodeLens, hover and the custom requests of src/shared/protocol.ts are answered
// from it by lenses.ts, hovers.ts, diagnostics.ts, predict.ts and chart.ts.
import {
  CodeLensRefreshRequest,
  TextDocumentSyncKind,
  TextDocuments,
  type ClientCapabilities,
  type Connection,
  type InitializeResult,
  type Range,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { plainCopy } from '../core/analysis/series';
import { ChartDataRequest, WhatIfRequest } from '../shared/chart';
import {
  AnalysisRequest,
  ColumnsRequest,
  FitDocumentPageRequest,
  FitDocumentRequest,
  FitFileRequest,
  PredictRequest,
  SetOverridesNotification,
  StatusNotification,
  type ScalingLensSettings,
} from '../shared/protocol';
import { ChartRequests } from './chart';
import { FileCache, pathOfUri } from './fileCache';
import { diskPath } from './uris';
import { predict } from './predict';
import { RunsIndex } from './runs';
import { RunsRequest, RunsUpdatedNotification } from '../shared/runs';
import { columnsOf } from './present';
import { buildLenses, fitRunLens } from './lenses';
import { hoverAt } from './hovers';
import { analysisDiagnostics } from './diagnostics';
import { ProblemsPanel } from './problems';
import { Followers } from './followers';
import { runInWorker, WORKER_LIMITS, type Runner } from './runner';
import { columnSamples } from './samples';
import { Exports } from './exportFit';
import { checkOverrides, resolveSettings } from './settings';
import { summaryOf } from './summary';
import { logVia, Outbox } from './outbox';

export interface ServerOptions {
  runner?: Runner;
}

/** What the client said it supports, in the initialize request. */
interface Peer {
  configuration: boolean;
  lensRefresh: boolean;
  relatedInformation: boolean;
}

export function startServer(connection: Connection, serverOptions: ServerOptions = {}): { dispose(): void } {
  const documents = new TextDocuments(TextDocument);
  let peer: Peer = { configuration: false, lensRefresh: false, relatedInformation: false };
  // Fits settle when they settle, perhaps after the connection is gone: every send that nobody awaits goes here.
  const outbox = new Outbox();
  const log = logVia(outbox, connection);
  /** A 1-based line of an open document: where its findings' cells are found (the CLI reads the file's lines). */
  const openLine = (uri: string, line: number) => documents.get(uri)?.getText(wholeLine(line - 1));
  const problems = new ProblemsPanel((uri, diagnostics) =>
    outbox.send('diagnostics', () => connection.sendDiagnostics({ uri, diagnostics })),
  );
  const lenses = lensRefresher(connection, outbox, () => peer.lensRefresh);
  const runs = new RunsIndex({
    settings: (uri) => settingsFor(connection, peer.configuration, uri),
    updated: (entries) =>
      outbox.send('Runs view update', () => connection.sendNotification(RunsUpdatedNotification, { runs: entries })),
    log,
  });
  const cache = new FileCache({
    documents,
    settings: (uri) => settingsFor(connection, peer.configuration, uri),
    runner: serverOptions.runner ?? runInWorker,
    // A runner given (a test's) takes every analysis.
    // The Runs view shows a followed run by its follower's analyses.
    followers: serverOptions.runner ? undefined : new Followers(WORKER_LIMITS, runs),
    events: {
      summary: (summary) => {
        outbox.send('status', () => connection.sendNotification(StatusNotification, summary));
        // The Runs view's background fits give way to a fit someone waits for.
        if (summary.state === 'fitting') runs.pause();
        else queueMicrotask(() => cache.inFlight() === 0 && runs.resume());
      },
      diagnostics: (uri, analysis, failure) =>
        problems.report(
          uri,
          analysisDiagnostics(analysis, uri, pathOfUri(uri), failure, peer.relatedInformation, openLine),
        ),
      analysed: () => lenses.refresh(),
      log,
    },
  });
  const charts = new ChartRequests((uri) => cache.ensure(uri, 'request'));
  const exports = new Exports();

  connection.onInitialize((params): InitializeResult => {
    peer = peerOf(params.capabilities);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeLensProvider: { resolveProvider: false },
        hoverProvider: true,
      },
      serverInfo: { name: 'Scaling Lens' },
    };
  });

  documents.onDidOpen((e) => cache.schedule(e.document.uri, 'open'));
  documents.onDidChangeContent((e) => cache.edited(e.document.uri, e.document.version));
  documents.onDidClose((e) => cache.close(e.document.uri));
  connection.onDidChangeConfiguration(() => cache.invalidateAll());

  connection.onCodeLens(async (params) => {
    const uri = uriOf(params?.textDocument);
    if (uri === undefined) return [];
    const analysis = await cache.current(uri);
    // A metric file of a run shows its run folder's lenses, whose commands act on the run.
    const shown = cache.shownAs(uri);
    if (analysis) return buildLenses(analysis, pathOfUri(shown), shown);
    const summary = cache.summary(uri);
    return summary?.partOf && summary.state === 'skipped' ? [fitRunLens(uri, summary.partOf)] : [];
  });
  connection.onHover(async (params) => {
    const uri = uriOf(params?.textDocument);
    const { position } = params ?? {};
    if (uri === undefined || typeof position?.line !== 'number') return null;
    const lineText = (line: number) => documents.get(uri)?.getText(wholeLine(line));
    const path = pathOfUri(uri);
    // A metric file's record hovers as the row its run folder's fit joined it into, when that folder was fitted.
    for (const reader of cache.readersOf(path)) {
      const hover = hoverAt(reader, path, position, lineText);
      if (hover) return hover;
    }
    const analysis = await cache.latest(uri);
    return analysis ? hoverAt(analysis, path, position, lineText) : null;
  });

  connection.onRequest(FitFileRequest, async (params, token) => {
    const uri = uriOf(params);
    if (uri === undefined) return summaryOf('', 'error', NO_URI);
    const { overrides } = params;
    const summary = await cache.fit(uri, overrides == null ? undefined : checkOverrides(overrides), token);
    // Its notification offers Show Chart: the chart's model is built in slices after the answer, not on the click.
    // From the next turn: the connection writes the answer in a setImmediate queued after this one, and the first
    // slice (a whole million-row curve) would come before it.
    if (summary.state === 'done') setImmediate(() => void charts.prepare(() => cache.cached(uri)));
    return summary;
  });
  connection.onRequest(AnalysisRequest, async (params) => {
    const uri = uriOf(params);
    const analysis = uri === undefined ? undefined : await cache.ensure(uri, 'request');
    // A copy: the cached analysis keeps the typed arrays its chart shares (converting it would hold both).
    return analysis ? plainCopy(analysis) : null;
  });
  connection.onRequest(FitDocumentRequest, async (params) => {
    const uri = uriOf(params);
    if (uri === undefined) return null;
    const analysis = await cache.ensure(uri, 'request');
    const path = pathOfUri(uri);
    return analysis ? exports.start(analysis, (file, line) => (file === path ? openLine(uri, line) : undefined)) : null;
  });
  connection.onRequest(
    FitDocumentPageRequest,
    // Params from a raw client may be anything: an id that is no export's is answered null.
    (params: { id: number; stop?: boolean } | null) => {
      if (!params?.stop) return exports.next(params?.id);
      exports.stop(params.id);
      return null;
    },
  );
  connection.onRequest(ColumnsRequest, async (params) => {
    const uri = uriOf(params);
    if (uri === undefined) return { ...columnsOf(undefined), samples: [] };
    const analysis = (await cache.ensure(uri, 'request')) ?? cache.cached(uri);
    // A metric file's columns are its run's: their samples come from the run's table too, not from the file's text.
    const shown = cache.shownAs(uri);
    const columns = columnsOf(analysis, pathOfUri(shown));
    const document = shown === uri ? documents.get(uri) : undefined;
    const onDisk = diskPath(shown) !== null;
    return { ...columns, samples: await columnSamples(pathOfUri(shown), onDisk, document, columns.columns) };
  });
  connection.onRequest(PredictRequest, (params) => {
    const uri = uriOf(params);
    return uri === undefined ? { predictions: [], message: NO_URI } : predict(cache, uri, params.target);
  });
  connection.onRequest(ChartDataRequest, (params) =>
    uriOf(params) === undefined ? { ok: false, message: NO_URI } : charts.data(params),
  );
  connection.onRequest(WhatIfRequest, (params) =>
    uriOf(params) === undefined ? [{ ok: false, message: NO_URI }] : charts.whatIf(params),
  );
  connection.onRequest(RunsRequest, ({ roots }) => runs.list(roots));
  connection.onNotification(SetOverridesNotification, (params) => {
    const uri = uriOf(params);
    if (uri !== undefined) cache.setOverrides(uri, checkOverrides(params.overrides));
  });

  documents.listen(connection);
  connection.listen();
  return {
    dispose() {
      outbox.close();
      cache.dispose();
      exports.dispose();
      runs.dispose();
      lenses.dispose();
      connection.dispose();
    },
  };
}

/** What a request says when it names no file: a raw client's (the extension always sends one). */
const NO_URI =
  'The request names no file (its "uri" is not a string), so nothing was fitted: run the command on a file.';

/**
 * The file a request names: its `uri` when that is a string (any string: one that names no file on disk is said so
 * by the cache), else undefined (null, a number, no params), which every handler answers with NO_URI or nothing.
 */
function uriOf(params: unknown): string | undefined {
  const uri: unknown = (params as { uri?: unknown } | null | undefined)?.uri;
  return typeof uri === 'string' ? uri : undefined;
}

function peerOf(caps: ClientCapabilities): Peer {
  return {
    configuration: Boolean(caps.workspace?.configuration),
    lensRefresh: Boolean(caps.workspace?.codeLens?.refreshSupport),
    relatedInformation: Boolean(caps.textDocument?.publishDiagnostics?.relatedInformation),
  };
}

/** A file's `scalingLens` settings; the defaults when the client cannot be asked or does not answer. */
async function settingsFor(connection: Connection, canAsk: boolean, uri: string): Promise<ScalingLensSettings> {
  if (!canAsk) return resolveSettings({});
  try {
    return resolveSettings(await connection.workspace.getConfiguration({ scopeUri: uri, section: 'scalingLens' }));
  } catch {
    return resolveSettings({});
  }
}

/** Asks the client to request lenses again, once per burst of finished runs (50 ms), when it can be asked. */
/** How long a lens refresh waits for more analyses to end, so that several ask the editor once. */
export const LENS_REFRESH_MS = 50;

function lensRefresher(
  connection: Connection,
  outbox: Outbox,
  supported: () => boolean,
): { refresh(): void; dispose(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    refresh() {
      if (!supported()) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(
        () => outbox.send('lens refresh', () => connection.sendRequest(CodeLensRefreshRequest.type)),
        LENS_REFRESH_MS,
      );
    },
    dispose() {
      if (timer) clearTimeout(timer);
    },
  };
}

/** A 0-based line of a document, to its end. */
function wholeLine(line: number): Range {
  return { start: { line, character: 0 }, end: { line, character: 100000 } };
}
