// Where "Predict at..." answers: a read-only Markdown document beside the run file, one per file, newest answer
// first. A document neither truncates (a notification does) nor blocks the editor (a modal does), and the answers
// stay there to compare and copy. Its text is src/shared/predictionsDocument.ts's.
import * as vscode from 'vscode';
import type { Prediction } from '../core/analysis/types';
import { predictionsMarkdown, type PredictionsAnswer } from '../shared/predictionsDocument';

/** The scheme of the answers' documents; VS Code shows documents of a provider's scheme read-only. */
export const PREDICTIONS_SCHEME = 'scaling-lens-predictions';

/** Answers kept per file: enough to compare a few targets, bounded however often the user asks. */
const MAX_ANSWERS = 20;

export class PredictionsView implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly answers = new Map<string, PredictionsAnswer[]>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    const source = vscode.Uri.parse(uri.query);
    return predictionsMarkdown(vscode.workspace.asRelativePath(source), this.answers.get(uri.query) ?? []);
  }

  /** Adds an answer for `source` and shows its document beside the editor, keeping the focus where it was. */
  async show(source: vscode.Uri, question: string, predictions: Prediction[]): Promise<vscode.TextEditor> {
    const key = source.toString();
    const answers = [{ question, predictions }, ...(this.answers.get(key) ?? [])].slice(0, MAX_ANSWERS);
    this.answers.set(key, answers);
    const uri = documentUri(source);
    this.changed.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(document, {
      viewColumn: vscode.ViewColumn.Beside,
      preserveFocus: true,
      preview: true,
    });
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The document of a run file's answers: named after the file (the tab's title), the file's URI as its query. */
export function documentUri(source: vscode.Uri): vscode.Uri {
  const name = source.path.split('/').pop() || 'run file';
  return vscode.Uri.from({ scheme: PREDICTIONS_SCHEME, path: `/Predictions for ${name}.md`, query: source.toString() });
}
