// What the parts of the extension share: one object, made by activate() and handed to the commands and the chart
// panels, instead of the same four arguments threaded through each.
import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { FitSummary } from '../shared/protocol';
import type { ChartPanels } from './chartPanel';
import type { PredictionsView } from './predictions';

/** A language client that is running, or undefined when it cannot be (the reason is in the log). */
export type RunningClient = () => Promise<LanguageClient | undefined>;

export interface ClientContext {
  readonly context: vscode.ExtensionContext;
  /** The language client once it runs: started if stopped, waited for while it starts. */
  readonly client: RunningClient;
  readonly log: vscode.LogOutputChannel;
  /** The latest fit summary per file URI. */
  readonly summaries: Map<string, FitSummary>;
  readonly charts: ChartPanels;
  /** The read-only documents "Predict at..." answers in. */
  readonly predictions: PredictionsView;
}

/**
 * The accessor behind ClientContext.client. `current` is the extension's client, undefined once deactivated. A
 * client that is starting (at activation, or after a crash) is waited for; one that stopped is started again.
 */
export function runningClient(current: () => LanguageClient | undefined, log: vscode.LogOutputChannel): RunningClient {
  return async () => {
    const client = current();
    if (!client || client.isRunning()) return client;
    try {
      await client.start();
      return client;
    } catch (error) {
      log.error(`The language server could not be started: ${(error as Error).message}`);
      return undefined;
    }
  };
}
