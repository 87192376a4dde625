// The commands of the palette, the menus and the CodeLenses: one table, registered in one loop. Each asks the server
// and presents the answer; none computes anything itself. Run files are only ever read: exports go to a new file the
// user picks.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { Prediction } from '../core/analysis/types';
import {
  ColumnsRequest,
  Commands,
  FitDocumentPageRequest,
  FitDocumentRequest,
  documentPages,
  FitFileRequest,
  PredictRequest,
  SetOverridesNotification,
  type FileOverrides,
  type FitSummary,
  type PredictAtHint,
  type PredictTarget,
} from '../shared/protocol';
import { pickColumnsAndLaw } from './columnPicker';
import { writePagesToFile } from './exportFile';
import type { ClientContext } from './context';
import { completing, openExample, pickRunFile } from './start';
import { subjectLabel, subjectUri } from './subject';
import { targetUri } from './target';
import { markdownText, notificationText } from '../shared/markdown';
import { runTitle } from '../shared/runPart';
import { parseTargetValue, targetValueHint } from './targetValue';

/** A command that asks the server; the registration hands it a running client. */
type ServerCommand = (ctx: ClientContext, client: LanguageClient, ...args: unknown[]) => unknown;

type CommandId = (typeof Commands)[keyof typeof Commands];

const OVERRIDES_KEY = 'scalingLens.fileOverrides';

function storedOverrides(context: vscode.ExtensionContext): Record<string, FileOverrides> {
  return context.workspaceState.get<Record<string, FileOverrides>>(OVERRIDES_KEY, {});
}

async function fit(
  ctx: ClientContext,
  client: LanguageClient,
  arg: unknown,
  selection?: unknown,
): Promise<FitSummary | undefined> {
  // From the palette with no run file active, the user picks one.
  const uri = subjectUri(arg, selection) ?? (await pickRunFile('Scaling Lens: fit which run file?'));
  if (!uri) return undefined;
  const overrides = storedOverrides(ctx.context)[uri.toString()];
  let summary: FitSummary;
  try {
    summary = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Scaling Lens: fitting ${subjectLabel(uri)}`,
        cancellable: true,
      },
      (_progress, token) => client.sendRequest(FitFileRequest, { uri: uri.toString(), overrides }, token),
    );
  } catch (error) {
    // The user cancelled the progress notification (the server stops the fit): nothing to report.
    if (error instanceof vscode.CancellationError || /cancel/i.test(String(error))) return undefined;
    throw error;
  }
  ctx.summaries.set(summary.uri, summary);
  const actions =
    summary.state === 'done'
      ? ['Show Chart', 'Predict at…']
      : summary.state === 'error'
        ? ['Select Columns and Law…', 'Show Log']
        : [];
  const show = summary.state === 'error' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(`Scaling Lens: ${summary.message}`, ...actions).then((choice) => {
    if (choice === 'Show Chart') void vscode.commands.executeCommand(Commands.showChart, uri);
    if (choice === 'Predict at…') void vscode.commands.executeCommand(Commands.predictAt, uri);
    if (choice === 'Select Columns and Law…') void vscode.commands.executeCommand(Commands.selectColumns, uri);
    if (choice === 'Show Log') void vscode.commands.executeCommand(Commands.showLog);
  });
  return summary;
}

interface TargetChoice extends vscode.QuickPickItem {
  target: PredictTarget['kind'];
  /** What to type; `xName`, a power law's x column as its lens names it (none from the palette). */
  prompt: string | ((xName?: string) => string);
  placeholder: string;
  /**
   * The question as the answers' document heads it, in Markdown: the value as typed, or (a multiple) as read; `xName`
   * is the column the answers were predicted over (a power law's x, known only from them), escaped.
   */
  question: (typed: string, value: number, xName?: string) => string;
}

const TARGETS: Record<string, TargetChoice[]> = {
  'loss-curve': [
    {
      label: 'Loss at step…',
      target: 'step',
      prompt: 'Step to predict the loss at (e.g. 200000 or 200k)',
      placeholder: '200k',
      question: (typed) => `Loss at step ${typed}`,
    },
  ],
  downstream: [
    {
      label: 'BLEU and CE at k × the largest D_p…',
      target: 'dataMultiplier',
      prompt: 'Multiple of the largest pretraining amount seen (e.g. 2, 4x or 4×)',
      placeholder: '4x',
      question: (_typed, value) => `BLEU and CE at ${value}× the largest D_p`,
    },
    {
      label: 'BLEU and CE at a pretraining amount D_p…',
      target: 'dataValue',
      prompt: 'Pretraining tokens D_p (e.g. 1.2e11 or 120B)',
      placeholder: '120B',
      question: (typed) => `BLEU and CE at D_p = ${typed}`,
    },
  ],
  // A power law's x is whatever column it was fitted over (a loss curve's step, tokens): asked for as that value.
  power: [
    {
      label: "Loss at a value of the power law's x…",
      target: 'powerX',
      prompt: (xName) =>
        xName
          ? `A value of ${xName}, the column the power law was fitted over (e.g. 200000, 200k or 2B)`
          : 'A value of the column the power law was fitted over, e.g. a step (200000 or 200k)',
      placeholder: '200k',
      question: (typed, _value, xName = 'x') => `Loss at ${markdownText(xName)} = ${typed} (power law)`,
    },
  ],
  compute: [
    {
      label: 'Compute-optimal loss at a budget C…',
      target: 'compute',
      prompt: 'Training compute in FLOP (e.g. 1e24)',
      placeholder: '1e24',
      question: (typed) => `Compute-optimal model, data and loss at C = ${typed} FLOP`,
    },
  ],
};

async function predictAt(
  ctx: ClientContext,
  client: LanguageClient,
  arg: unknown,
  hint?: PredictAtHint,
): Promise<Prediction[] | undefined> {
  const uri = targetUri(arg);
  if (!uri) return undefined;
  const kind =
    ctx.summaries.get(uri.toString())?.kind ?? (await client.sendRequest(ColumnsRequest, { uri: uri.toString() })).kind;
  const choices = TARGETS[kind] ?? [...TARGETS['loss-curve'], ...TARGETS.downstream, ...TARGETS.compute];
  const choice = hint?.kind
    ? (choices.find((t) => t.target === hint.kind) ?? choices[0])
    : choices.length === 1
      ? choices[0]
      : await vscode.window.showQuickPick(choices, { title: 'Scaling Lens: predict at…' });
  if (!choice) return undefined;
  const raw = await vscode.window.showInputBox({
    title: `Scaling Lens: ${choice.label}`,
    prompt: typeof choice.prompt === 'string' ? choice.prompt : choice.prompt(hint?.xName),
    placeHolder: choice.placeholder,
    // Run from the walkthrough, the box opens as the step's media loads, which takes focus: keep it open.
    ignoreFocusOut: true,
    validateInput: (text) =>
      parseTargetValue(choice.target, text) === undefined ? targetValueHint(choice.target) : undefined,
  });
  if (raw === undefined) return undefined;
  const value = parseTargetValue(choice.target, raw)!;
  const result = await client.sendRequest(PredictRequest, {
    uri: uri.toString(),
    target: { kind: choice.target, value },
  });
  if (!result.predictions.length) {
    void vscode.window.showWarningMessage(`Scaling Lens: ${result.message ?? 'no prediction.'}`);
    return [];
  }
  await ctx.predictions.show(uri, choice.question(raw.trim(), value, result.predictions[0].xName), result.predictions);
  return result.predictions;
}

async function selectColumns(
  ctx: ClientContext,
  client: LanguageClient,
  arg: unknown,
): Promise<FileOverrides | undefined> {
  const uri = targetUri(arg) ?? (await pickRunFile('Scaling Lens: map the columns of which file?'));
  if (!uri) return undefined;
  const info = await client.sendRequest(ColumnsRequest, { uri: uri.toString() });
  if (!info.columns.length) {
    void vscode.window.showWarningMessage(
      'Scaling Lens: no columns could be read from this file (see the Problems panel).',
    );
    return undefined;
  }
  const all = storedOverrides(ctx.context);
  // A run folder's columns (a metric file's are its run's) are titled by the run as the status item names it: an MLflow
  // run's path wrapped the picker's title on its 32-digit id.
  const file = info.run ? runTitle(info.run) : vscode.workspace.asRelativePath(uri);
  const overrides = await pickColumnsAndLaw({ file, info, current: all[uri.toString()] });
  if (!overrides) return undefined;
  all[uri.toString()] = overrides;
  await ctx.context.workspaceState.update(OVERRIDES_KEY, all);
  await client.sendNotification(SetOverridesNotification, { uri: uri.toString(), overrides });
  return overrides;
}

/** Writes only where the user chose in the save dialog: no argument can name the target, so no link can aim it. */
async function exportFit(client: LanguageClient, arg: unknown): Promise<vscode.Uri | undefined> {
  const uri = targetUri(arg);
  if (!uri) return undefined;
  const first = await client.sendRequest(FitDocumentRequest, { uri: uri.toString() });
  if (!first) {
    void vscode.window.showWarningMessage('Scaling Lens: this file has no fit to export.');
    return undefined;
  }
  // The server holds the export's writer, paused, until its last page is asked for or it is told to stop.
  const stop = () => {
    if (first.next !== undefined) void client.sendRequest(FitDocumentPageRequest, { id: first.next, stop: true });
  };
  const suggested = uri.with({ path: uri.path.replace(/\.[^./]+$/, '') + '.scaling-lens.json' });
  const target = await vscode.window.showSaveDialog({
    defaultUri: suggested,
    filters: { JSON: ['json'] },
    title: 'Export Scaling Lens fit',
  });
  if (!target || target.toString() === uri.toString()) {
    stop();
    if (target)
      void vscode.window.showErrorMessage(
        'Scaling Lens never writes to a run file: choose another file name for the export.',
      );
    return undefined;
  }
  const exported = notificationText(vscode.workspace.asRelativePath(target));
  try {
    // The text `fit --json` prints (README, The `--json` document), display fields shortened as there.
    await writePages(
      target,
      documentPages(first, (params) => client.sendRequest(FitDocumentPageRequest, params)),
    );
  } catch (error) {
    stop();
    const reason = notificationText(error instanceof Error ? error.message : String(error));
    void vscode.window.showErrorMessage(`Scaling Lens: the fit could not be exported to ${exported}: ${reason}`);
    return undefined;
  }
  void vscode.window.showInformationMessage(`Scaling Lens: fit exported to ${exported}`);
  return target;
}

/**
 * The pages written to the target in turn: a local file a page at a time to a temporary file that replaces it once
 * complete (exportFile.ts);
 * another file system's once all pages are in, so a failed page leaves nothing there.
 */
async function writePages(target: vscode.Uri, pages: AsyncIterable<string>): Promise<void> {
  if (target.scheme === 'file') return writePagesToFile(target.fsPath, pages);
  const buffers: Buffer[] = [];
  for await (const text of pages) buffers.push(Buffer.from(text));
  return vscode.workspace.fs.writeFile(target, Buffer.concat(buffers));
}

async function restartServer(ctx: ClientContext, client: LanguageClient): Promise<void> {
  await client.restart();
  ctx.log.info('Language server restarted on request.');
  await sendStoredOverrides(ctx.context, client);
}

/** Every command that asks the server, by id. */
const SERVER_COMMANDS: Record<
  Exclude<CommandId, typeof Commands.showLog | typeof Commands.openExample>,
  ServerCommand
> = {
  [Commands.fit]: (ctx, client, arg, selection) => fit(ctx, client, arg, selection),
  [Commands.showChart]: (ctx, _client, arg, selection) => ctx.charts.show(subjectUri(arg, selection)),
  [Commands.predictAt]: (ctx, client, arg, hint) => predictAt(ctx, client, arg, hint as PredictAtHint | undefined),
  [Commands.selectColumns]: (ctx, client, arg) => selectColumns(ctx, client, arg),
  [Commands.exportFit]: (_ctx, client, arg) => exportFit(client, arg),
  [Commands.restartServer]: (ctx, client) => restartServer(ctx, client),
};

export function registerCommands(ctx: ClientContext): void {
  const register = (id: string, handler: (...args: unknown[]) => unknown) =>
    ctx.context.subscriptions.push(vscode.commands.registerCommand(id, completing(id, handler)));
  for (const [id, command] of Object.entries(SERVER_COMMANDS))
    register(id, (...args) => withClient(ctx, (client) => command(ctx, client, ...args)));
  // The log is what to read when the server does not run: Show Log never waits for it.
  register(Commands.showLog, () => ctx.log.show());
  // The walkthrough's examples open without the server: opening one starts its fit.
  register(Commands.openExample, (file) => openExample(ctx.context, file));
}

/** Runs a server command with a running client, or tells the user why it cannot run. */
async function withClient<T>(ctx: ClientContext, command: (client: LanguageClient) => T): Promise<T | undefined> {
  const client = await ctx.client();
  if (client) return command(client);
  void vscode.window
    .showErrorMessage('Scaling Lens: the analysis server is not running. Details are in the log.', 'Show Log')
    .then((choice) => {
      if (choice) ctx.log.show();
    });
  return undefined;
}

/** The server forgets per-file choices when it restarts; the client remembers them in workspace state. */
export async function sendStoredOverrides(context: vscode.ExtensionContext, client: LanguageClient): Promise<void> {
  for (const [uri, overrides] of Object.entries(storedOverrides(context)))
    await client.sendNotification(SetOverridesNotification, { uri, overrides });
}
