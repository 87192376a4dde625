import * as vscode from 'vscode';
import { SERVED_DOCUMENTS } from './patterns';

/** The run file last active in an editor: what a command from a walkthrough or a chart is about. */
let lastRunFile: vscode.Uri | undefined;

/** Keeps lastRunFile; registered once at activation. */
export function trackRunFiles(): vscode.Disposable {
  const note = (editor: vscode.TextEditor | undefined) => {
    if (editor && isServed(editor.document)) lastRunFile = editor.document.uri;
  };
  note(vscode.window.activeTextEditor);
  return vscode.window.onDidChangeActiveTextEditor(note);
}

/**
 * The file a command is about: an explicit URI (explorer, CodeLens, fit notification), else the active editor's run
 * file, else — when a walkthrough or a chart has focus — the run file last active, if it is still open; undefined
 * when there is none.
 */
export function targetUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') return vscode.Uri.parse(arg);
  const active = vscode.window.activeTextEditor?.document;
  if (active) return isServed(active) ? active.uri : undefined;
  const last = lastRunFile?.toString();
  const stillOpen = vscode.window.tabGroups.all.some((group) =>
    group.tabs.some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === last),
  );
  return stillOpen ? lastRunFile : undefined;
}

/** A document the server serves (a run file, or a metric file of a run): what a command may be about. */
function isServed(document: vscode.TextDocument): boolean {
  return vscode.languages.match(SERVED_DOCUMENTS, document) > 0;
}
