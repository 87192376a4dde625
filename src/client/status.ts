// A language status item for run files: what the server detected and how the fit went, for the active editor.
import * as vscode from 'vscode';
import { Commands, type FitSummary } from '../shared/protocol';
import { SERVED_DOCUMENTS } from './patterns';
import { plural } from '../core/util/format';
import { partLabel, shownMetric } from '../shared/runPart';

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
    const outcome = summary.state === 'done' ? plural(summary.fits, 'fit') : summary.state;
    const time = summary.state === 'fitting' ? undefined : formatMs(summary.ms);
    // The hover shows the item on one line that never wraps, with room for about 70 characters at the status bar of a
    // 1400-px window: a fit's headline (the lens above the file says the same) and a metric file's whole run id go to
    // the tooltip of the item's link, and so does a metric file's time, whose label fills the line (a file's own
    // label is short: its time stays in sight). A failure's or a skip's reason stays in sight, as it tells what to
    // do, but on a metric file: its lens says the same, as its link (Fit Scaling Law) does.
    const shownTime = time && !summary.partOf ? ` · ${time}` : '';
    this.item.text =
      summary.state === 'fitting' ? 'Scaling Lens: fitting…' : `Scaling Lens: ${kind}${outcome}${shownTime}`;
    this.item.detail = summary.state === 'done' || summary.partOf ? undefined : summary.message;
    const part = summary.partOf;
    // A metric file's whole metric name, when the label cut it, and its run's whole id.
    const metric = part && shownMetric(part) !== part.metric && `metric ${part.metric}`;
    const hidden = [summary.message, part && time, metric, part && `run ${part.run}`];
    this.item.command.tooltip = hidden.filter(Boolean).join(' · ');
  }

  dispose(): void {
    this.item.dispose();
    this.listener.dispose();
  }
}

/** A fit's time as the status says it: "238 ms", "1.4 s". */
function formatMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
