// Extension entry: starts the language server (which does all parsing and fitting), builds the context the commands
// and chart panels share, registers the commands, and keeps the per-file status and the log. Nothing here fits a law.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  TransportKind,
  type ErrorHandler,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { HOVER_COMMANDS, SERVER_ENV, SERVER_EXEC_ARGV, StatusNotification, type FitSummary } from '../shared/protocol';
import { ChartPanels } from './chartPanel';
import { registerCommands, sendStoredOverrides } from './commands';
import { runningClient, type ClientContext } from './context';
import { SERVED_DOCUMENTS } from './patterns';
import { PredictionsView, PREDICTIONS_SCHEME } from './predictions';
import { RunsView } from './runsView';
import { noteFitted, UnrecognisedHint } from './start';
import { FileStatus } from './status';
import { trackRunFiles } from './target';
import type { RunEntry } from '../shared/runs';

let client: LanguageClient | undefined;

export interface ScalingLensApi {
  /** The latest fit summary per file URI, for tests and other extensions. */
  summaries: Map<string, FitSummary>;
  client: () => LanguageClient | undefined;
  /** How often the server stopped unexpectedly and was restarted, and whether the user was told (once). */
  crashes: () => Crashes;
  /** The runs the Runs view lists now. */
  runs: () => RunEntry[];
}

interface Crashes {
  restarts: number;
  announced: boolean;
}

export async function activate(context: vscode.ExtensionContext): Promise<ScalingLensApi> {
  const log = vscode.window.createOutputChannel('Scaling Lens', { log: true });
  const summaries = new Map<string, FitSummary>();
  const status = new FileStatus(summaries);
  const crashes: Crashes = { restarts: 0, announced: false };
  const languageClient = new LanguageClient(
    'scalingLens',
    'Scaling Lens',
    serverOptions(context),
    clientOptions(log, crashes),
  );
  client = languageClient;
  const shared = { context, client: runningClient(() => client, log), log, summaries };
  const ctx: ClientContext = { ...shared, charts: new ChartPanels(shared), predictions: new PredictionsView() };
  const hint = new UnrecognisedHint(context);
  context.subscriptions.push(
    log,
    status,
    trackRunFiles(),
    ctx.charts,
    ctx.predictions,
    vscode.workspace.registerTextDocumentContentProvider(PREDICTIONS_SCHEME, ctx.predictions),
    languageClient.onNotification(StatusNotification, (summary) => {
      summaries.set(summary.uri, summary);
      status.update();
      ctx.charts.onStatus(summary);
      hint.onStatus(summary);
      noteFitted(summary);
    }),
    // Per-file column choices live in the client; a (re)started server is told them before it fits anything.
    languageClient.onDidChangeState(
      (e) => e.newState === State.Running && void sendStoredOverrides(context, languageClient),
    ),
  );
  registerCommands(ctx);
  const runsView = new RunsView(ctx);
  context.subscriptions.push(
    runsView,
    // The view listens to the server's updates on each client that runs (the first, and after a restart).
    languageClient.onDidChangeState((e) => e.newState === State.Running && void runsView.attach()),
  );
  await languageClient.start();
  return { summaries, client: () => client, crashes: () => ({ ...crashes }), runs: () => runsView.entries() };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

/** The bundled server over IPC, with the flags it needs (and an inspector port when debugging). */
function serverOptions(context: vscode.ExtensionContext): ServerOptions {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  return {
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV], env: { ...SERVER_ENV } } },
    debug: {
      module,
      transport: TransportKind.ipc,
      options: { execArgv: [...SERVER_EXEC_ARGV, '--nolazy', '--inspect=6019'], env: { ...SERVER_ENV } },
    },
  };
}

function clientOptions(log: vscode.LogOutputChannel, crashes: Crashes): LanguageClientOptions {
  return {
    documentSelector: SERVED_DOCUMENTS,
    synchronize: { configurationSection: 'scalingLens' },
    outputChannel: log,
    // Hover links may only open views (a chart, the column picker); no command that writes or restarts is trusted.
    markdown: { isTrusted: { enabledCommands: [...HOVER_COMMANDS] } },
    errorHandler: restartOnCrash(log, crashes),
  };
}

/** The server died: restart it, and tell the user once per session rather than at every crash. */
function restartOnCrash(log: vscode.LogOutputChannel, crashes: Crashes): ErrorHandler {
  return {
    error: () => ({ action: ErrorAction.Continue }),
    closed: () => {
      crashes.restarts++;
      if (!crashes.announced) {
        crashes.announced = true;
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
  };
}
