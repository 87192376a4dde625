// The Runs view: every run of the workspace, grouped by folder, with where it stands and what its law predicts. The
// server scans and fits (src/server/runs.ts); this only draws what it sends and maps clicks and menus to commands.
import * as vscode from 'vscode';
import { Pacer } from '../core/live/pacer';
import { plural } from '../core/util/format';
import { Commands } from '../shared/protocol';
import { runSetUri } from '../shared/runSet';
import { RunsRequest, RunsUpdatedNotification, type RunEntry } from '../shared/runs';
import type { ClientContext } from './context';
import { groupRuns, runLabel } from './runGroups';
import { describe, runTooltip, stateOf, type RunState } from './runText';

export const RUNS_VIEW_ID = 'scalingLens.runs';

/** The view's own commands; each takes the clicked node and the selection, as VS Code passes them. */
export const RunsCommands = {
  refresh: 'scalingLens.runs.refresh',
  fitTogether: 'scalingLens.runs.fitTogether',
  showChart: 'scalingLens.runs.showChart',
  predictAt: 'scalingLens.runs.predictAt',
  reveal: 'scalingLens.runs.reveal',
} as const;

type RunNode = { kind: 'run'; entry: RunEntry };
type Node = { kind: 'folder'; label: string; runs: RunEntry[] } | RunNode;

/**
 * Files changed: the runs are listed again at once, then at most once per this interval while changes keep coming
 * (the last change is always listed). The server refits only the runs that changed, and keeps fits in flight.
 */
const REFRESH_EVERY_MS = 5000;
/** How often "updated N s ago" is redrawn while the view is visible. */
const CLOCK_MS = 15_000;

export class RunsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | Node[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private runs = new Map<string, RunEntry>();
  private notes: string[] = [];
  private loaded = false;
  private readonly refresher = new Pacer(REFRESH_EVERY_MS, () => this.refresh());
  /** The tree's run nodes by URI, kept across updates: an overview that comes redraws its own node only. */
  private nodes = new Map<string, RunNode>();
  /** Sorts runs by name: one collator instead of localeCompare's per call (a thousand runs at each redraw). */
  private readonly byName = new Intl.Collator().compare;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly view: vscode.TreeView<Node>;

  constructor(private readonly ctx: ClientContext) {
    this.view = vscode.window.createTreeView(RUNS_VIEW_ID, {
      treeDataProvider: this,
      canSelectMany: true,
      showCollapseAll: true,
    });
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    const onChange = (uri: vscode.Uri) => {
      if (!/[\\/](node_modules|\.git)[\\/]/.test(uri.fsPath)) this.refreshSoon();
    };
    const clock = setInterval(() => this.view.visible && this.changed.fire(undefined), CLOCK_MS);
    this.disposables.push(
      this.view,
      this.changed,
      watcher,
      watcher.onDidChange(onChange),
      watcher.onDidCreate(onChange),
      watcher.onDidDelete(onChange),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.refreshSoon()),
      this.view.onDidChangeVisibility((e) => e.visible && !this.loaded && void this.refresh()),
      { dispose: () => clearInterval(clock) },
    );
    this.registerCommands();
  }

  /** Starts listening to the server's updates; called once the client runs (and again after a restart). */
  async attach(): Promise<void> {
    const client = await this.ctx.client();
    client?.onNotification(RunsUpdatedNotification, ({ runs }) => this.updated(runs));
    if (this.view.visible) await this.refresh();
  }

  /** Asks the server for the runs of every workspace folder. */
  async refresh(): Promise<void> {
    const client = await this.ctx.client();
    const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString());
    if (!client || roots.length === 0) return;
    this.loaded = true;
    const result = await client.sendRequest(RunsRequest, { roots });
    this.runs = new Map(result.runs.map((r) => [r.uri, r]));
    this.notes = result.notes;
    this.view.message = this.notes.length ? this.notes.slice(0, 2).join(' · ') : undefined;
    this.changed.fire(undefined);
  }

  /**
   * Overviews that finished: a listed run's node alone is redrawn (a thousand runs are not all redrawn at each batch);
   * a run not listed yet redraws the tree.
   */
  private updated(runs: RunEntry[]): void {
    const nodes = new Set<RunNode>();
    let all = false;
    for (const run of runs) {
      this.runs.set(run.uri, run);
      const node = this.nodes.get(run.uri);
      if (node) nodes.add(Object.assign(node, { entry: run }));
      else all = true;
    }
    this.changed.fire(all ? undefined : [...nodes]);
  }

  /** The runs listed now, for tests. */
  entries(): RunEntry[] {
    return [...this.runs.values()];
  }

  private refreshSoon(): void {
    if (this.loaded) this.refresher.poke();
  }

  getChildren(node?: Node): Node[] {
    if (node?.kind === 'run') return [];
    if (node?.kind === 'folder') return node.runs.map((entry) => this.nodeOf(entry));
    // Nodes of runs no longer listed are let go.
    this.nodes = new Map([...this.nodes].filter(([uri]) => this.runs.has(uri)));
    const sorted = [...this.runs.values()].sort((a, b) => this.byName(a.name, b.name));
    return groupRuns(sorted, rootName).map(({ label, runs }) => ({ kind: 'folder', label, runs }));
  }

  /** The run's node, the same object while it is listed (so it can be redrawn alone), with its latest entry. */
  private nodeOf(listed: RunEntry): RunNode {
    const entry = this.runs.get(listed.uri) ?? listed;
    let node = this.nodes.get(entry.uri);
    if (!node) this.nodes.set(entry.uri, (node = { kind: 'run', entry }));
    node.entry = entry;
    return node;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'folder') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.iconPath = vscode.ThemeIcon.Folder;
      item.description = plural(node.runs.length, 'run');
      return item;
    }
    const { entry } = node;
    const item = new vscode.TreeItem(runLabel(entry));
    const state = stateOf(entry, Date.now());
    item.id = entry.uri;
    item.resourceUri = vscode.Uri.parse(entry.uri);
    item.description = describe(entry.overview, state);
    item.iconPath = iconOf(state);
    item.contextValue = 'scalingLens.run';
    item.command = { command: RunsCommands.showChart, title: 'Show Chart', arguments: [node] };
    return item;
  }

  /** The tooltip, built when the run is hovered (resolveTreeItem) rather than for every run at each redraw. */
  resolveTreeItem(item: vscode.TreeItem, node: Node): vscode.TreeItem {
    if (node.kind === 'run')
      item.tooltip = new vscode.MarkdownString(runTooltip(node.entry, stateOf(node.entry, Date.now())));
    return item;
  }

  private registerCommands(): void {
    const uris = (node: unknown, selection: unknown): vscode.Uri[] => {
      const nodes = (Array.isArray(selection) && selection.length ? selection : [node]) as (Node | undefined)[];
      const picked = nodes.flatMap((n) => (n?.kind === 'run' ? [n.entry] : n?.kind === 'folder' ? n.runs : []));
      return [...new Set(picked.map((e) => e.uri))].map((u) => vscode.Uri.parse(u));
    };
    const one = (node: unknown) => uris(node, undefined)[0];
    const register = (id: string, run: (node: unknown, selection: unknown) => unknown) =>
      this.disposables.push(vscode.commands.registerCommand(id, run));
    register(RunsCommands.refresh, () => this.refresh());
    register(RunsCommands.fitTogether, (node, selection) => {
      const members = uris(node, selection);
      if (members.length === 0) return undefined;
      const subject = members.length === 1 ? members[0] : vscode.Uri.parse(runSetUri(members.map(String)));
      return vscode.commands.executeCommand(Commands.fit, subject);
    });
    register(
      RunsCommands.showChart,
      (node) => one(node) && vscode.commands.executeCommand(Commands.showChart, one(node)),
    );
    register(
      RunsCommands.predictAt,
      (node) => one(node) && vscode.commands.executeCommand(Commands.predictAt, one(node)),
    );
    register(RunsCommands.reveal, (node) => one(node) && vscode.commands.executeCommand('revealInExplorer', one(node)));
  }

  dispose(): void {
    this.refresher.stop();
    for (const d of this.disposables) d.dispose();
  }
}

/** A workspace folder's name, for the group of the runs directly in it. */
function rootName(root: string): string {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(root))?.name ?? vscode.Uri.parse(root).path;
}

function iconOf(state: RunState): vscode.ThemeIcon {
  switch (state.kind) {
    case 'fitting':
      return new vscode.ThemeIcon('loading~spin');
    case 'training':
      return new vscode.ThemeIcon('pulse', new vscode.ThemeColor('charts.blue'));
    case 'finished':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('charts.green'));
    case 'sweep':
      return new vscode.ThemeIcon('graph');
    case 'unfitted':
    case 'departed':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  }
}
