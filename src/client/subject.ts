// What a command acts on when several things may be selected: the explorer hands a command the item clicked and the
// whole selection. Two or more selected files and folders are one subject, a run set (src/shared/runSet.ts), fitted
// together; one is itself.
import * as vscode from 'vscode';
import { RUN_SET_SCHEME, runSetMembers, runSetUri } from '../shared/runSet';
import { targetUri } from './target';

/** The subject of an explorer command: the selection as a set when it holds several items, else the item. */
export function subjectUri(arg: unknown, selection: unknown): vscode.Uri | undefined {
  if (Array.isArray(selection) && selection.length > 1 && selection.every((s) => s instanceof vscode.Uri))
    return vscode.Uri.parse(runSetUri(selection.map((s: vscode.Uri) => s.toString())));
  return targetUri(arg);
}

/** How a subject is named to the user: a path relative to the workspace, or what a set holds. */
export function subjectLabel(uri: vscode.Uri): string {
  if (uri.scheme !== RUN_SET_SCHEME) return vscode.workspace.asRelativePath(uri);
  const members = runSetMembers(uri.toString()) ?? [];
  const names = members.map((m) => vscode.workspace.asRelativePath(vscode.Uri.parse(m)));
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
}
