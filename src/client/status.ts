// A language status item for run files: what the server detected and how the fit went, for the active editor.
import * as vscode from 'vscode';
import { Commands, type FitSummary, type RunPartOf } from '../shared/protocol';
import { SERVED_DOCUMENTS } from './patterns';

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
    const kind = summary.partOf
      ? `${partLabel(summary.partOf)} · `
      : summary.kind === 'unknown'
        ? ''
        : `${summary.kind} · `;
    const time =
      summary.state === 'fitting'
        ? ''
        : ` · ${summary.ms < 1000 ? `${summary.ms.toFixed(0)} ms` : `${(summary.ms / 1000).toFixed(1)} s`}`;
    this.item.text =
      summary.state === 'fitting'
        ? 'Scaling Lens: fitting…'
        : `Scaling Lens: ${kind}${summary.state === 'done' ? `${summary.fits} fit${summary.fits === 1 ? '' : 's'}` : summary.state}${time}`;
    this.item.detail = summary.message;
  }

  dispose(): void {
    this.item.dispose();
    this.listener.dispose();
  }
}

/** What a metric file of a run is: "DVCLive metric 'train/loss' of run dvclive", "MLflow metric 'loss' of run 0f3…". */
function partLabel(part: RunPartOf): string {
  return `${part.format === 'dvclive' ? 'DVCLive' : 'MLflow'} metric '${part.metric}' of run ${part.run}`;
}
