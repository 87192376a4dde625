// The chart panel host: one webview panel per run file, beside the editor, revealed when already open, restored after
// a window reload. It asks the server for downsampled series (the server holds the analysis), relays zooms and
// what-if schedules, refreshes when the file's fit changes, and writes exports through a save dialog.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { chartToCsv, chartToJson } from '../core/chart/export';
import { CHART_VIEW_TYPE, ChartDataRequest, WhatIfRequest, type ChartViewState, type ExportFormat, type FromWebview, type ToWebview, type WhatIfSpec, type XWindow } from '../shared/chart';
import { Commands, type FitSummary } from '../shared/protocol';

type ClientRef = () => LanguageClient | undefined;

/** The file a command is about: an explicit URI (CodeLens, explorer, fit notification) or the active editor's. */
function targetUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') return vscode.Uri.parse(arg);
  return vscode.window.activeTextEditor?.document.uri;
}

export class ChartPanels implements vscode.Disposable {
  private readonly panels = new Map<string, ChartPanel>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: ClientRef,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.commands.registerCommand(Commands.showChart, (arg: unknown) => this.show(arg)),
      vscode.window.registerWebviewPanelSerializer(CHART_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => this.restore(panel, state),
      }),
    );
  }

  /** Opens (or reveals) the chart of a file; returns the file's URI string, or undefined when there is none. */
  show(arg: unknown): string | undefined {
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
    const panel = vscode.window.createWebviewPanel(CHART_VIEW_TYPE, titleOf(uri), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(this.context.extensionUri));
    this.attach(panel, uri);
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
    const uri = isViewState(state) ? vscode.Uri.parse(state.uri) : undefined;
    if (!uri || this.panels.has(uri.toString())) {
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.context.extensionUri);
    this.attach(panel, uri);
  }

  private attach(panel: vscode.WebviewPanel, uri: vscode.Uri): void {
    const chart = new ChartPanel(panel, uri, this.client, this.log, this.context.extensionUri);
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

function isViewState(state: unknown): state is ChartViewState {
  return typeof state === 'object' && state !== null && typeof (state as { uri?: unknown }).uri === 'string';
}

function titleOf(uri: vscode.Uri): string {
  return `Chart: ${uri.path.split('/').pop() ?? uri.path}`;
}

/** Scripts on, and only the built bundle and the stylesheet reachable. */
function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')] };
}

class ChartPanel {
  private ready = false;
  private view: { width: number; logX: boolean; window?: XWindow } = { width: 800, logX: true };
  private loading = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly uri: vscode.Uri,
    private readonly client: ClientRef,
    private readonly log: vscode.LogOutputChannel,
    extensionUri: vscode.Uri,
  ) {
    panel.webview.html = html(panel.webview, extensionUri, uri);
    this.disposables.push(panel.webview.onDidReceiveMessage((m: FromWebview) => void this.receive(m)));
  }

  post(message: ToWebview): void {
    // Messages before `ready` would be lost: the webview asks for data once its listener is in place.
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private async receive(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.view = { width: m.width, logX: m.logX };
        await this.load('load');
        return;
      case 'view':
        this.view = { width: m.width, logX: m.logX, window: m.window };
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

  async load(reason: 'load' | 'refresh' | 'window'): Promise<void> {
    const c = this.client();
    if (!c) return this.post({ type: 'status', state: 'error', message: 'The Scaling Lens server is not running. Run "Scaling Lens: Restart Server".' });
    const ticket = ++this.loading;
    if (reason !== 'window') this.post({ type: 'status', state: 'fitting', message: 'Loading the fit…' });
    try {
      const window = reason === 'window' ? this.view.window : undefined;
      if (reason !== 'window') this.view.window = undefined;
      const result = await c.sendRequest(ChartDataRequest, { uri: this.uri.toString(), width: this.view.width, logX: this.view.logX, window });
      if (ticket !== this.loading) return; // a newer request superseded this one
      if (!result.ok) return this.post({ type: 'status', state: 'empty', message: result.message });
      this.post({ type: 'data', file: vscode.workspace.asRelativePath(this.uri), data: result.value, reason });
    } catch (error) {
      this.log.error(`Chart of ${this.uri.toString()}: ${(error as Error).message}`);
      this.post({ type: 'status', state: 'error', message: `The chart data could not be loaded: ${(error as Error).message}` });
    }
  }

  private async whatIf(specs: WhatIfSpec[]): Promise<void> {
    const c = this.client();
    if (!c) return;
    const results = await c.sendRequest(WhatIfRequest, { uri: this.uri.toString(), specs });
    this.post({ type: 'whatIf', results });
  }

  private async export(format: ExportFormat, logX: boolean, base64?: string): Promise<void> {
    const bytes = format === 'png' ? (base64 ? Buffer.from(base64, 'base64') : undefined) : await this.exportText(format, logX);
    if (!bytes) return this.post({ type: 'exported', ok: false, message: 'Nothing to export yet.' });
    const name = this.uri.path.replace(/\.[^./]+$/, '') + `.chart.${format}`;
    const target = await vscode.window.showSaveDialog({ defaultUri: this.uri.with({ path: name }), filters: { [format.toUpperCase()]: [format] }, title: `Export the chart as ${format.toUpperCase()}` });
    if (!target) return this.post({ type: 'exported', ok: false, message: 'Export cancelled.' });
    if (target.toString() === this.uri.toString()) return this.post({ type: 'exported', ok: false, message: 'Scaling Lens never writes to a run file: choose another file name.' });
    try {
      await vscode.workspace.fs.writeFile(target, bytes);
      this.post({ type: 'exported', ok: true, message: `Saved ${vscode.workspace.asRelativePath(target)}` });
    } catch (error) {
      this.post({ type: 'exported', ok: false, message: `Could not write ${target.fsPath}: ${(error as Error).message}` });
    }
  }

  /** CSV/JSON carry every raw row, not the downsampled points on screen. */
  private async exportText(format: 'csv' | 'json', logX: boolean): Promise<Uint8Array | undefined> {
    const c = this.client();
    if (!c) return undefined;
    const result = await c.sendRequest(ChartDataRequest, { uri: this.uri.toString(), width: this.view.width, logX, full: true });
    if (!result.ok) return undefined;
    const text = format === 'csv' ? chartToCsv(result.value) : chartToJson(result.value, vscode.workspace.asRelativePath(this.uri));
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
  const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
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
  <span class="export">Export <button id="export-png" type="button">PNG</button><button id="export-csv" type="button">CSV</button><button id="export-json" type="button">JSON</button></span>
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
