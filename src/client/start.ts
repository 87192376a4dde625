// Getting started: the walkthrough's "open an example" command, the file a command works on when no run file is
// active (picked from the workspace or a dialog), and the hint shown when an opened file is not recognised.
import * as vscode from 'vscode';
import { Commands, type FitSummary } from '../shared/protocol';
import { notificationText } from '../shared/markdown';
import { RUN_FILE_PATTERN } from './patterns';

/** The bundled examples the walkthrough opens, relative to the extension's examples/ folder. */
const EXAMPLES: { file: string; label: string; detail: string }[] = [
  { file: 'loss/cosine.csv', label: 'Loss curve, cosine schedule', detail: 'step, lr, loss: the LR-annealing law' },
  { file: 'loss/wsd.jsonl', label: 'Loss curve, WSD schedule (JSONL)', detail: 'nested W&B-style keys' },
  { file: 'loss/sweep.csv', label: 'Several runs in one file', detail: 'a run column: one curve per run' },
  {
    file: 'downstream/downstream_sweep.csv',
    label: 'Downstream sweep',
    detail: 'BLEU and CE against pretraining tokens, with a law break',
  },
  {
    file: 'compute/compute_sweep.csv',
    label: '(N, D) sweep',
    detail: 'Chinchilla L(N, D) and the compute-optimal frontier',
  },
];

/**
 * Opens a bundled example beside the walkthrough (which keeps its place), so commands run from the walkthrough find
 * it among the visible editors. With no file given, the user picks one.
 */
export async function openExample(context: vscode.ExtensionContext, file?: unknown): Promise<vscode.Uri | undefined> {
  const known = EXAMPLES.find((e) => e.file === file);
  const chosen =
    known ??
    (await vscode.window.showQuickPick(
      EXAMPLES.map((e) => ({ ...e, description: e.file })),
      { title: 'Scaling Lens: open an example run file' },
    ));
  if (!chosen) return undefined;
  const uri = vscode.Uri.file(context.asAbsolutePath(`examples/${chosen.file}`));
  await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside, preview: false });
  return uri;
}

interface FileItem extends vscode.QuickPickItem {
  uri?: vscode.Uri;
}

/** The most files the workspace picker lists; past that, Browse… finds the rest. */
const MAX_LISTED = 500;

/** A run file picked from the workspace's CSV/TSV/JSONL files, or from an open dialog (also with no workspace). */
export async function pickRunFile(title: string): Promise<vscode.Uri | undefined> {
  const browse: FileItem = { label: '$(folder-opened) Browse…', description: 'pick a file from disk' };
  const found = vscode.workspace.workspaceFolders?.length
    ? await vscode.workspace.findFiles(RUN_FILE_PATTERN, '**/node_modules/**', MAX_LISTED)
    : [];
  const files: FileItem[] = found
    .map((uri) => ({ uri, label: vscode.workspace.asRelativePath(uri) }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const picked = files.length
    ? await vscode.window.showQuickPick([...files, browse], {
        title,
        placeHolder: 'No run file is active: choose one of the workspace, or browse',
        matchOnDescription: true,
      })
    : browse;
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({
    title,
    canSelectMany: false,
    filters: { 'Run files': ['csv', 'tsv', 'jsonl', 'ndjson'], 'All files': ['*'] },
  });
  return chosen?.[0];
}

/**
 * A command handler that, once the command has done its work (an answer, not a cancel), sets the context key
 * `scalingLens.done.<command>`, on which walkthrough steps complete. A step completing on the command itself would
 * re-render the walkthrough as the command opens its picker, and the picker would close as focus moves.
 */
export function completing(
  id: string,
  handler: (...args: unknown[]) => unknown,
): (...args: unknown[]) => Promise<unknown> {
  const key = id.replace(/^scalingLens\./, 'scalingLens.done.');
  return async (...args) => {
    const result = await handler(...args);
    if (result !== undefined) void vscode.commands.executeCommand('setContext', key, true);
    return result;
  };
}

/** A context key the walkthrough's lens step completes on: some file was fitted. */
const FITTED_CONTEXT = 'scalingLens.fitted';

let fittedNoted = false;

/** Marks the walkthrough's "read the fit" step done once a fit has finished, whichever way it was started. */
export function noteFitted(summary: FitSummary): void {
  if (fittedNoted || summary.state !== 'done') return;
  fittedNoted = true;
  void vscode.commands.executeCommand('setContext', FITTED_CONTEXT, true);
}

const HINTED_KEY = 'scalingLens.unrecognisedHinted';
const MUTED_KEY = 'scalingLens.unrecognisedMuted';
/** Files remembered as hinted per workspace; the oldest are forgotten past this. */
const MAX_HINTED = 200;

/**
 * A file that auto-fit left alone (its columns look like no run file's) gets one notification, once per file and
 * workspace, with the way to map its columns. Only a file shown in an editor: one opened in the background is not
 * the user's question.
 */
export class UnrecognisedHint {
  constructor(private readonly context: vscode.ExtensionContext) {}

  onStatus(summary: FitSummary): void {
    if (!summary.unrecognised || this.context.globalState.get<boolean>(MUTED_KEY)) return;
    const shown = vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === summary.uri);
    const hinted = this.context.workspaceState.get<string[]>(HINTED_KEY, []);
    if (!shown || hinted.includes(summary.uri)) return;
    void this.context.workspaceState.update(HINTED_KEY, [...hinted, summary.uri].slice(-MAX_HINTED));
    void this.show(vscode.Uri.parse(summary.uri));
  }

  private async show(uri: vscode.Uri): Promise<void> {
    // A file's name is anyone's to choose: `[Open](command:...)` in a notification would be a link that runs it.
    const name = notificationText(vscode.workspace.asRelativePath(uri));
    const choice = await vscode.window.showInformationMessage(
      `Scaling Lens: ${name} was not recognised as a run file (no loss curve, downstream or (N, D) columns were found). Map its columns to a law to fit it.`,
      'Select Columns…',
      'Fit Anyway',
      "Don't Show Again",
    );
    if (choice === 'Select Columns…') await vscode.commands.executeCommand(Commands.selectColumns, uri);
    if (choice === 'Fit Anyway') await vscode.commands.executeCommand(Commands.fit, uri);
    if (choice === "Don't Show Again") await this.context.globalState.update(MUTED_KEY, true);
  }
}
