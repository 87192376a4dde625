import * as vscode from 'vscode';

/** The file a command is about: an explicit URI (explorer, CodeLens, fit notification) or the active editor's. */
export function targetUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') return vscode.Uri.parse(arg);
  return vscode.window.activeTextEditor?.document.uri;
}
