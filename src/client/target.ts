import * as vscode from 'vscode';
import { RUN_FILE_NAME } from './patterns';

/**
 * The file a command is about: an explicit URI (explorer, CodeLens, fit notification), else the active editor's run
 * file, else the one run file shown beside what has focus (a walkthrough, a chart); undefined when none is.
 */
export function targetUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') return vscode.Uri.parse(arg);
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active) return RUN_FILE_NAME.test(active.path) ? active : undefined;
  const shown = [...new Set(vscode.window.visibleTextEditors.map((e) => e.document.uri.toString()))].filter((uri) =>
    RUN_FILE_NAME.test(vscode.Uri.parse(uri).path),
  );
  return shown.length === 1 ? vscode.Uri.parse(shown[0]) : undefined;
}
