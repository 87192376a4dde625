// Extension entry: starts the language server (which does all parsing and fitting), registers the commands, the
// menus' handlers, the per-file status and the log. Nothing here fits a law.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { Commands, SERVER_EXEC_ARGV, StatusNotification, type FitSummary } from '../shared/protocol';
import { ChartPanels } from './chartPanel';
import { registerCommands, sendStoredOverrides } from './commands';
import { FileStatus } from './status';

import { RUN_FILE_PATTERN } from './patterns';

let client: LanguageClient | undefined;

export interface ScalingLensApi {
  /** The latest fit summary per file URI, for tests and other extensions. */
  summaries: Map<string, FitSummary>;
  client: () => LanguageClient | undefined;
  /** How often the server stopped unexpectedly and was restarted, and whether the user was told (once). */
  crashes: () => { restarts: number; announced: boolean };
}

export async function activate(context: vscode.ExtensionContext): Promise<ScalingLensApi> {
  const log = vscode.window.createOutputChannel('Scaling Lens', { log: true });
  context.subscriptions.push(log);
  const summaries = new Map<string, FitSummary>();
  const status = new FileStatus(summaries);
  context.subscriptions.push(status);

  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV] } },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: [...SERVER_EXEC_ARGV, '--nolazy', '--inspect=6019'] },
    },
  };
  let restartsAnnounced = false;
  let restarts = 0;
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', pattern: RUN_FILE_PATTERN }],
    synchronize: { configurationSection: 'scalingLens' },
    outputChannel: log,
    markdown: { isTrusted: { enabledCommands: Object.values(Commands) } },
    errorHandler: {
      error: () => ({ action: ErrorAction.Continue }),
      closed: () => {
        restarts++;
        // The server died: restart it, and tell the user once per session rather than at every crash.
        if (!restartsAnnounced) {
          restartsAnnounced = true;
          void vscode.window
            .showWarningMessage(
              'Scaling Lens: the analysis server stopped and was restarted. Details are in the log.',
              'Show Log',
            )
            .then((choice) => {
              if (choice) log.show();
            });
        }
        return { action: CloseAction.Restart };
      },
    },
  };
  client = new LanguageClient('scalingLens', 'Scaling Lens', serverOptions, clientOptions);
  const charts = new ChartPanels(context, () => client, log);
  context.subscriptions.push(charts);
  context.subscriptions.push(
    client.onNotification(StatusNotification, (summary) => {
      summaries.set(summary.uri, summary);
      status.update();
      charts.onStatus(summary);
    }),
  );
  registerCommands(context, () => client, log, summaries);
  // Per-file column choices live in the client; a (re)started server is told them before it fits anything.
  context.subscriptions.push(
    client.onDidChangeState((e) => e.newState === State.Running && void sendStoredOverrides(context, () => client)),
  );
  await client.start();
  return { summaries, client: () => client, crashes: () => ({ restarts, announced: restartsAnnounced }) };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
