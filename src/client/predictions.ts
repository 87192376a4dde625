// Where "Predict at..." answers: a read-only Markdown document beside the run file, one per file, newest answer
// first. A document neither truncates (a notification does) nor blocks the editor (a modal does), and the answers
// stay there to compare and copy. The text comes from the core's words for a prediction (src/core/analysis/describe.ts).
import * as vscode from 'vscode';
import { describePrediction } from '../core/analysis/describe';
import type { Prediction } from '../core/analysis/types';

/** The scheme of the answers' documents; VS Code shows documents of a provider's scheme read-only. */
export const PREDICTIONS_SCHEME = 'scaling-lens-predictions';

/** Answers kept per file: enough to compare a few targets, bounded however often the user asks. */
const MAX_ANSWERS = 20;

/** One question and its answer. */
interface Answer {
  question: string;
  predictions: Prediction[];
}

export class PredictionsView implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly answers = new Map<string, Answer[]>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    const source = vscode.Uri.parse(uri.query);
    return predictionsMarkdown(source, this.answers.get(uri.query) ?? []);
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

/** The answers as Markdown, newest first, one prediction per line. */
function predictionsMarkdown(source: vscode.Uri, answers: Answer[]): string {
  const sections = answers.map((a) =>
    [`## ${a.question}`, '', ...a.predictions.map((p) => `- ${describePrediction(p)}`)].join('\n'),
  );
  return [
    `# Scaling Lens predictions for ${vscode.workspace.asRelativePath(source)}`,
    '',
    'Each value is followed by its 95 % band in brackets. Newest answer first; run "Predict at…" again to add one.',
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
}
