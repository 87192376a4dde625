// The chart panel host: one webview panel per run file, beside the editor, revealed when already open, restored after
// a window reload. It asks the server for downsampled series (the server holds the analysis), relays zooms and
// what-if schedules, refreshes when the file's fit changes, and writes exports through a save dialog.
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { chartToCsv, chartToJson } from '../core/chart/export';
import { pointBudget } from '../core/chart/lttb';
import {
  CHART_VIEW_TYPE,
  ChartDataRequest,
  WhatIfRequest,
  type ChartDataParams,
  type ChartDataResult,
  type ChartViewState,
  type ExportFormat,
  type FromWebview,
  type HostTiming,
  type ToWebview,
  type WhatIfSpec,
  type XWindow,
} from '../shared/chart';
import type { FitSummary } from '../shared/protocol';
import { chartTabTitle } from './chartTitle';
import type { ClientContext } from './context';
import { targetUri } from './target';

/** What the panels need of the extension's context (they are part of it, so they are made before it). */
type PanelContext = Pick<ClientContext, 'context' | 'client' | 'log'>;

/** The plot width assumed for the very first panel's early request, before any webview has reported one. */
const DEFAULT_PLOT_WIDTH = 800;

/** Wall-clock ms with sub-ms resolution, comparable with the browser's performance.timeOrigin + now(). */
const epochNow = (): number => performance.timeOrigin + performance.now();

/** globalState key: the folder the user last exported a chart to (a URI string). */
const EXPORT_FOLDER_KEY = 'scalingLens.chart.exportFolder';

const NOT_RUNNING = 'The Scaling Lens server is not running. Run "Scaling Lens: Restart Server".';

/** The chart data request a panel sends as it opens, before its webview can say what it shows. */
interface EarlyRequest {
  params: ChartDataParams;
  /** Undefined when the server is not running. */
  answer: Promise<ChartDataResult | undefined>;
}

/** How a panel opens: the view its first data is requested for before the webview can say, and when Show Chart ran. */
interface Opening {
  width: number;
  logX: boolean;
  command?: number;
  /** The webview reported its plot width: the next panel's early request uses it. */
  onWidth: (width: number) => void;
}

export class ChartPanels implements vscode.Disposable {
  private readonly panels = new Map<string, ChartPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  /** The plot width the last webview reported; panels open at much the same size. */
  private plotWidth = DEFAULT_PLOT_WIDTH;

  constructor(private readonly ctx: PanelContext) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(CHART_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => this.restore(panel, state),
      }),
    );
  }

  /**
   * Opens (or reveals) the chart of a file (the Show Chart command); returns the file's URI string, or undefined
   * when there is none.
   */
  show(arg: unknown): string | undefined {
    const command = epochNow();
    const uri = targetUri(arg);
    if (!uri) {
      void vscode.window.showWarningMessage('Scaling Lens: open or select a CSV, TSV or JSONL run file to chart.');
      return undefined;
    }
    const key = uri.toString();
    const open = this.panels.get(key);
    if (open) {
      open.panel.reveal(vscode.ViewColumn.Beside, true);
      return key;
    }
    const panel = vscode.window.createWebviewPanel(
      CHART_VIEW_TYPE,
      chartTabTitle(uri.path),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      webviewOptions(this.ctx.context.extensionUri),
    );
    this.attach(panel, uri, { logX: true, command });
    return key;
  }

  /** The server finished (re)fitting a file: its open chart redraws. */
  onStatus(summary: FitSummary): void {
    const chart = this.panels.get(summary.uri);
    if (!chart) return;
    if (summary.state === 'fitting') chart.post({ type: 'status', state: 'fitting', message: 'Fitting…' });
    else void chart.load('refresh');
  }

  private restore(panel: vscode.WebviewPanel, state: unknown): void {
    const view = isViewState(state) ? state : undefined;
    const uri = view ? vscode.Uri.parse(view.uri) : undefined;
    if (!view || !uri || this.panels.has(uri.toString())) {
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.ctx.context.extensionUri);
    // The restored webview keeps the user's x-axis choice: its early request is for that space.
    this.attach(panel, uri, { logX: view.logX?.main ?? true });
  }

  private attach(panel: vscode.WebviewPanel, uri: vscode.Uri, opening: Pick<Opening, 'logX' | 'command'>): void {
    const chart = new ChartPanel(panel, uri, this.ctx, {
      ...opening,
      width: this.plotWidth,
      onWidth: (w) => (this.plotWidth = w),
    });
    this.panels.set(uri.toString(), chart);
    panel.onDidDispose(() => {
      this.panels.delete(uri.toString());
      chart.dispose();
    });
  }

  dispose(): void {
    for (const chart of this.panels.values()) chart.panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** Whether data sampled for a plot `sampled` px wide is dense enough, and not needlessly dense, at `actual` px. */
function closeBudget(sampled: number, actual: number): boolean {
  const [got, want] = [pointBudget(sampled), pointBudget(actual)];
  return got >= 0.9 * want && got <= 1.5 * want;
}

function isViewState(state: unknown): state is ChartViewState {
  return typeof state === 'object' && state !== null && typeof (state as { uri?: unknown }).uri === 'string';
}

/** Scripts on, and only the built bundle and the stylesheet reachable. */
function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

class ChartPanel {
  private ready = false;
  private view: { width: number; logX: boolean; window?: XWindow } = { width: DEFAULT_PLOT_WIDTH, logX: true };
  private loading = 0;
  private readonly disposables: vscode.Disposable[] = [];
  /**
   * The first load's request, sent as the panel opens: the server samples while the webview loads its script, and
   * the data is posted the moment the webview says `ready`. Used once, and only for the x space the webview shows.
   */
  private early?: EarlyRequest;
  /** Marks of the first load, sent along with the first data (the benchmark's breakdown); then dropped. */
  private timing?: HostTiming;
  private readonly onWidth: (width: number) => void;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly uri: vscode.Uri,
    private readonly ctx: PanelContext,
    opening: Opening,
  ) {
    panel.webview.html = html(panel.webview, ctx.context.extensionUri, uri);
    this.disposables.push(panel.webview.onDidReceiveMessage((m: FromWebview) => void this.receive(m)));
    this.onWidth = opening.onWidth;
    this.timing = { command: opening.command, panel: epochNow(), requested: 0 };
    const params: ChartDataParams = { uri: uri.toString(), width: opening.width, logX: opening.logX };
    const answer = this.request(params);
    answer.catch(() => undefined); // awaited (and its error reported) by the load that uses it, if any
    this.early = { params, answer };
  }

  post(message: ToWebview): void {
    // Messages before `ready` would be lost: the webview asks for data once its listener is in place.
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private async receive(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready': {
        this.ready = true;
        if (this.timing) this.timing.ready = epochNow();
        this.view = { width: m.width, logX: m.logX };
        this.onWidth(m.width);
        const early = this.takeEarly(m.logX);
        await this.load('load', early?.answer);
        // Sampled for a guessed width: when its point budget is well off the real one, re-sample the whole range
        // for the real width, swapped in place like a zoom's answer (the first draw does not wait for it).
        if (early && !closeBudget(early.params.width, m.width)) await this.load('window');
        return;
      }
      case 'view':
        this.view = { width: m.width, logX: m.logX, window: m.window };
        this.onWidth(m.width);
        await this.load('window');
        return;
      case 'whatIf':
        await this.whatIf(m.specs);
        return;
      case 'export':
        await this.export(m.format, m.logX, m.base64);
        return;
      case 'state':
        return; // kept by the webview itself (setState); the serializer receives it on reload
    }
  }

  /** The early request, once, if it was for the x space the webview shows (a restored panel may show linear x). */
  private takeEarly(logX: boolean): EarlyRequest | undefined {
    const early = this.early;
    this.early = undefined;
    return early?.params.logX === logX ? early : undefined;
  }

  /** A chart data request, its send and answer marked on the first load's timing; undefined without a server. */
  private async request(params: ChartDataParams): Promise<ChartDataResult | undefined> {
    const client = await this.ctx.client();
    if (!client) return undefined;
    const timing = this.timing;
    if (timing) timing.requested = epochNow();
    const result = await client.sendRequest(ChartDataRequest, params);
    if (timing) Object.assign(timing, { answered: epochNow(), server: result.timing });
    return result;
  }

  /** Loads and posts the chart data; `early` is the answer to the request sent as the panel opened, when used. */
  async load(reason: 'load' | 'refresh' | 'window', early?: Promise<ChartDataResult | undefined>): Promise<void> {
    if (!early) this.early = undefined; // a refresh before `ready` makes the early answer stale
    const ticket = ++this.loading;
    if (reason !== 'window') this.post({ type: 'status', state: 'fitting', message: 'Loading the fit…' });
    try {
      const window = reason === 'window' ? this.view.window : undefined;
      if (reason !== 'window') this.view.window = undefined;
      const result = await (early ??
        this.request({ uri: this.uri.toString(), width: this.view.width, logX: this.view.logX, window }));
      if (ticket !== this.loading) return; // a newer request superseded this one
      if (!result) return this.post({ type: 'status', state: 'error', message: NOT_RUNNING });
      if (!result.ok) return this.post({ type: 'status', state: 'empty', message: result.message });
      // The first load's marks go with the first data the webview really receives (a post before `ready` is dropped).
      const timing = this.ready ? this.timing : undefined;
      if (timing) {
        timing.posted = epochNow();
        this.timing = undefined;
      }
      this.post({ type: 'data', file: vscode.workspace.asRelativePath(this.uri), data: result.value, reason, timing });
    } catch (error) {
      this.ctx.log.error(`Chart of ${this.uri.toString()}: ${(error as Error).message}`);
      this.post({
        type: 'status',
        state: 'error',
        message: `The chart data could not be loaded: ${(error as Error).message}`,
      });
    }
  }

  private async whatIf(specs: WhatIfSpec[]): Promise<void> {
    const client = await this.ctx.client();
    if (!client) return;
    const results = await client.sendRequest(WhatIfRequest, { uri: this.uri.toString(), specs });
    this.post({ type: 'whatIf', results });
  }

  private async export(format: ExportFormat, logX: boolean, base64?: string): Promise<void> {
    const bytes =
      format === 'png' ? (base64 ? Buffer.from(base64, 'base64') : undefined) : await this.exportText(format, logX);
    if (!bytes) return this.post({ type: 'exported', ok: false, message: 'Nothing to export yet.' });
    const target = await vscode.window.showSaveDialog({
      defaultUri: this.exportDefault(format),
      filters: { [format.toUpperCase()]: [format] },
      title: `Export the chart as ${format.toUpperCase()}`,
    });
    if (!target) return this.post({ type: 'exported', ok: false, message: 'Export cancelled.' });
    void this.ctx.context.globalState.update(EXPORT_FOLDER_KEY, vscode.Uri.joinPath(target, '..').toString());
    if (target.toString() === this.uri.toString())
      return this.post({
        type: 'exported',
        ok: false,
        message: 'Scaling Lens never writes to a run file: choose another file name.',
      });
    try {
      await vscode.workspace.fs.writeFile(target, bytes);
      this.post({ type: 'exported', ok: true, message: `Saved ${vscode.workspace.asRelativePath(target)}` });
    } catch (error) {
      this.post({
        type: 'exported',
        ok: false,
        message: `Could not write ${target.fsPath}: ${(error as Error).message}`,
      });
    }
  }

  /**
   * Where the save dialog opens: the folder of the last export, else the home folder; never the run file's own
   * folder by default (the extension only reads run files and writes nothing beside them unasked).
   */
  private exportDefault(format: ExportFormat): vscode.Uri {
    const stem = (this.uri.path.split('/').pop() ?? 'chart').replace(/\.[^.]+$/, '');
    const last = this.ctx.context.globalState.get<string>(EXPORT_FOLDER_KEY);
    const folder = last ? vscode.Uri.parse(last) : vscode.Uri.file(homedir());
    return vscode.Uri.joinPath(folder, `${stem}.chart.${format}`);
  }

  /** CSV/JSON carry every raw row, not the downsampled points on screen. */
  private async exportText(format: 'csv' | 'json', logX: boolean): Promise<Uint8Array | undefined> {
    const client = await this.ctx.client();
    if (!client) return undefined;
    const result = await client.sendRequest(ChartDataRequest, {
      uri: this.uri.toString(),
      width: this.view.width,
      logX,
      full: true,
    });
    if (!result.ok) return undefined;
    const text =
      format === 'csv'
        ? chartToCsv(result.value)
        : chartToJson(result.value, vscode.workspace.asRelativePath(this.uri));
    return Buffer.from(text, 'utf8');
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The page: no inline script or style, a fresh nonce per render, the bundle and stylesheet from the extension. */
function html(webview: vscode.Webview, extensionUri: vscode.Uri, uri: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'chart.css'));
  const csp = `default-src 'none'; img-src ${webview.cspSource}; style-src ${webview.cspSource}; font-src ${webview.cspSource}; script-src 'nonce-${nonce}';`;
  // The URI goes in an attribute, escaped: a file name may contain quotes or angle brackets.
  const attr = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Scaling Lens chart</title>
</head>
<body data-uri="${attr(uri.toString())}">
<header class="toolbar">
  <span id="title" class="title"></span>
  <label>View <select id="view"><option value="chart">Law and data</option><option value="residuals">Residuals</option></select></label>
  <button id="reset" type="button" title="Reset zoom and pan">Reset zoom</button>
  <details id="groups"><summary>Groups</summary><div id="group-list" class="group-list"></div></details>
  <span class="spacer"></span>
  <span class="export">Export <button id="export-png" type="button" aria-label="Export PNG">PNG</button><button id="export-csv" type="button" aria-label="Export CSV">CSV</button><button id="export-json" type="button" aria-label="Export JSON">JSON</button></span>
</header>
<div id="status" class="status" role="status"></div>
<main id="charts" class="charts"></main>
<section id="whatif" class="whatif" hidden></section>
<section id="fits" class="fits"></section>
<ul id="notes" class="notes"></ul>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
