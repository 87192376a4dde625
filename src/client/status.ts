// A language status item for run files: what the server detected and how the fit went, for the active editor.
import * as vscode from 'vscode';
import { Commands, type FitSummary } from '../shared/protocol';
import { SERVED_DOCUMENTS } from './patterns';
import { statusText } from './statusText';

const SEVERITY: Record<FitSummary['state'], vscode.LanguageStatusSeverity> = {
  fitting: vscode.LanguageStatusSeverity.Information,
  done: vscode.LanguageStatusSeverity.Information,
  skipped: vscode.LanguageStatusSeverity.Information,
  error: vscode.LanguageStatusSeverity.Warning,
};

export class FileStatus implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem('scalingLens.status', SERVED_DOCUMENTS);
  private readonly listener = vscode.window.onDidChangeActiveTextEditor(() => this.update());

  constructor(private readonly summaries: Map<string, FitSummary>) {
    this.item.name = 'Scaling Lens';
    this.update();
  }

  update(): void {
    const uri = vscode.window.activeTextEditor?.document.uri.toString();
    const summary = uri ? this.summaries.get(uri) : undefined;
    this.item.busy = summary?.state === 'fitting';
    this.item.severity = summary ? SEVERITY[summary.state] : vscode.LanguageStatusSeverity.Information;
    // A metric file whose run is not fitted (auto-fit off) offers to fit it; otherwise the log tells more.
    this.item.command =
      summary?.partOf && summary.state === 'skipped'
        ? { title: 'Fit Scaling Law', command: Commands.fit, arguments: [summary.uri] }
        : { title: 'Show Log', command: Commands.showLog };
    if (!summary) {
      this.item.text = 'Scaling Lens';
      this.item.detail = 'not fitted';
      return;
    }
    const shown = statusText(summary);
    this.item.text = shown.text;
    this.item.detail = shown.detail;
    this.item.command.tooltip = shown.tooltip;
  }

  dispose(): void {
    this.item.dispose();
    this.listener.dispose();
  }
}
