// The in-host suite: runs inside a real VS Code extension host (code-server) with the real `vscode` API.
// Exports run(); each case's outcome goes to the JSON file named by SCALING_LENS_TEST_RESULTS, and run() rejects
// when any case failed, so the host exits non-zero.
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import type { Analysis } from '../../../src/core/analysis/types';
import { formatEstimate } from '../../../src/core/util/format';
import { AnalysisRequest, type FitSummary } from '../../../src/shared/protocol';
import type { RunEntry } from '../../../src/shared/runs';
import { valued } from '../../helpers/predictions';

interface Case {
  name: string;
  body: () => Promise<void>;
}

const cases: Case[] = [];
const it = (name: string, body: () => Promise<void>) => cases.push({ name, body });

const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const fileUri = (rel: string) => vscode.Uri.file(join(workspace(), rel));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` returns a value (not undefined), or fails with what it last saw. */
async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(150);
  }
}

async function lensTitles(uri: vscode.Uri): Promise<string[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
  return lenses.map((l) => l.command?.title ?? '').filter(Boolean);
}

async function openLenses(
  rel: string,
  predicate: (titles: string[]) => boolean = (t) => t.length > 0,
): Promise<{ uri: vscode.Uri; titles: string[] }> {
  const uri = fileUri(rel);
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  const titles = await until(`lenses on ${rel}`, async () => {
    const t = await lensTitles(uri);
    return predicate(t) ? t : undefined;
  });
  return { uri, titles };
}

it('activates on a CSV run file and shows the prediction lens with the numbers of the core', async () => {
  const { titles } = await openLenses('loss/cosine.csv');
  const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'scaling-lens');
  assert.ok(ext?.isActive, 'extension active');
  // The same analysis through the core directly (same defaults, same seed): the lens must show its numbers.
  const bootstrapSamples = vscode.workspace.getConfiguration('scalingLens').get<number>('fit.bootstrapSamples');
  const core = await analyseFiles([fileUri('loss/cosine.csv').fsPath], { bootstrapSamples });
  const p = valued(core.predictions[0]);
  const expected = `L(40k) = ${formatEstimate(p.value, p.low, p.high)}`;
  assert.ok(
    titles.some((t) => t.startsWith(expected) && / · (LR-annealing law|weighted mean of both laws) · /.test(t)),
    `${titles.join(' | ')} should contain ${expected}`,
  );
});

it('activates on a JSONL run file (W&B-style nested keys) and shows a lens', async () => {
  const { titles } = await openLenses('loss/wsd.jsonl');
  assert.ok(
    // Law auto: one law, or a mean of both (equal or spread-weighted) when the file cannot tell them apart.
    titles.some((t) => /^L\(40k\) = \d.* · (LR-annealing law|MPL|(weighted )?mean of both laws) · /.test(t)),
    titles.join(' | '),
  );
});

it('hovering a data row shows observed against predicted, the residual and the band', async () => {
  const uri = fileUri('loss/cosine.csv');
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  const hovers = await until('a hover on line 21', async () => {
    const h = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      uri,
      new vscode.Position(20, 2),
    );
    return h && h.length ? h : undefined;
  });
  const text = hovers
    .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value)))
    .join('\n');
  assert.match(text, /step 2000/);
  assert.match(text, /\| observed \| \d/);
  assert.match(text, /\| predicted \((LR-annealing law|weighted mean of both laws)\) \| \d\.\d+ \[\d/);
  assert.match(text, /\| residual \|/);
  assert.match(text, /95 % band/);
});

it('the misaligned downstream group shows bleu-law-break in the Problems panel; the aligned group shows none', async () => {
  const uri = fileUri('downstream/downstream_sweep.csv');
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  const diagnostics = await until('diagnostics on the downstream sweep', () => {
    const d = vscode.languages.getDiagnostics(uri);
    return d.some((x) => codeOf(x) === 'bleu-law-break') ? d : undefined;
  });
  const breaks = diagnostics.filter((d) => codeOf(d) === 'bleu-law-break');
  assert.equal(breaks.length, 1);
  assert.equal(breaks[0].severity, vscode.DiagnosticSeverity.Warning);
  assert.equal(breaks[0].source, 'Scaling Lens');
  assert.match(doc.lineAt(breaks[0].range.start.line).text, /^misaligned/);
  assert.ok((breaks[0].relatedInformation ?? []).length > 0, 'related rows');
  const onAligned = diagnostics.filter(
    (d) =>
      /^aligned/.test(doc.lineAt(d.range.start.line).text) &&
      ['bleu-law-break', 'bleu-non-monotonic'].includes(codeOf(d)),
  );
  assert.deepEqual(onAligned, []);
  const { titles } = await openLenses('downstream/downstream_sweep.csv');
  assert.ok(
    titles.some((t) =>
      /^⚠ no prediction, the BLEU law broke at D_p = 8B .* · BLEU · misaligned-en-fr, D_f=42M$/.test(t),
    ),
    titles.join(' | '),
  );
  assert.ok(
    titles.some((t) => /^2×D_p → [\d.]+ \[.* · BLEU · aligned-en-de, D_f=42M$/.test(t)),
    titles.join(' | '),
  );
});

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code);
}

it('the Fit command works on a file that is not open', async () => {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  const uri = fileUri('compute/compute_sweep.csv');
  assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString()));
  const summary = await vscode.commands.executeCommand<FitSummary>('scalingLens.fit', uri);
  assert.equal(summary?.state, 'done', summary?.message);
  assert.equal(summary.fromDisk, true);
  assert.equal(summary.kind, 'compute');
  assert.match(summary.message, /^Chinchilla law fitted on \d+ runs .* C = 1e\d+ FLOP → N\* /);
});

it('a file over 50 MB (never synced to extensions) is fitted from disk by the Fit command', async () => {
  const uri = fileUri('big/long_run.csv');
  const size = (await vscode.workspace.fs.stat(uri)).size;
  assert.ok(size > 50 * 1024 * 1024, `fixture is ${size} bytes`);
  const summary = await vscode.commands.executeCommand<FitSummary>('scalingLens.fit', uri);
  assert.equal(summary?.state, 'done', summary?.message);
  assert.equal(summary.fromDisk, true);
  assert.equal(summary.kind, 'loss-curve');
});

it('changing settings re-fits: a configured target step shows up in the lens', async () => {
  const config = vscode.workspace.getConfiguration('scalingLens');
  await config.update('predict.steps', [123000], vscode.ConfigurationTarget.Workspace);
  try {
    const { titles } = await openLenses('loss/cosine.csv', (t) => t.some((x) => x.includes('L(123k)')));
    assert.ok(titles.some((t) => t.includes('L(123k) = ')));
  } finally {
    await config.update('predict.steps', undefined, vscode.ConfigurationTarget.Workspace);
  }
  await openLenses('loss/cosine.csv', (t) => t.some((x) => x.includes('L(40k)')));
});

it('Export Fit writes the fit as the `fit --json` document to a new file and never touches the run file', async () => {
  const source = fileUri('loss/cosine.csv');
  const before = await vscode.workspace.fs.readFile(source);
  const target = fileUri('exported.json');
  // The target comes from the save dialog only (an extra argument, as a crafted link would pass, is ignored): answer
  // the dialog as a user would.
  const dialog = vscode.window.showSaveDialog;
  const window = vscode.window as { showSaveDialog: typeof dialog };
  window.showSaveDialog = async () => target;
  let written: vscode.Uri | undefined;
  try {
    const ignored = fileUri('loss/constant.csv');
    written = await vscode.commands.executeCommand<vscode.Uri>('scalingLens.exportFit', source, ignored);
  } finally {
    window.showSaveDialog = dialog;
  }
  assert.equal(written?.toString(), target.toString());
  const text = Buffer.from(await vscode.workspace.fs.readFile(target)).toString('utf8');
  const doc = JSON.parse(text);
  assert.equal(doc.tool, 'scaling-lens');
  assert.equal(doc.fits[0].law, 'lr-annealing');
  // The CLI's shape: [step, loss] pairs, and none of the server's own fields (the hovers' line maps, the schedule).
  assert.equal(doc.curves[0].observed[0].length, 2);
  assert.equal(doc.curves[0].points, doc.curves[0].observed.length);
  assert.doesNotMatch(text, /"(schedule|firstLine|cellSteps|joinedLines)"/);
  assert.deepEqual(Buffer.from(await vscode.workspace.fs.readFile(source)), Buffer.from(before));
});

/** Files held in memory under their own scheme: a file system other than `file:` (a remote's, a virtual one). */
class MemoryFiles implements vscode.FileSystemProvider {
  readonly files = new Map<string, Uint8Array>();
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }
  stat(uri: vscode.Uri): vscode.FileStat {
    if (uri.path === '/') return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    const data = this.files.get(uri.path);
    if (!data) throw vscode.FileSystemError.FileNotFound(uri);
    return { type: vscode.FileType.File, ctime: 0, mtime: 0, size: data.length };
  }
  readDirectory(): [string, vscode.FileType][] {
    return [...this.files.keys()].map((path) => [path.slice(1), vscode.FileType.File]);
  }
  createDirectory(): void {}
  readFile(uri: vscode.Uri): Uint8Array {
    const data = this.files.get(uri.path);
    if (!data) throw vscode.FileSystemError.FileNotFound(uri);
    return data;
  }
  writeFile(uri: vscode.Uri, content: Uint8Array): void {
    this.files.set(uri.path, content);
  }
  delete(uri: vscode.Uri): void {
    this.files.delete(uri.path);
  }
  rename(from: vscode.Uri, to: vscode.Uri): void {
    this.files.set(to.path, this.readFile(from));
    this.files.delete(from.path);
  }
}

it('Export Fit to a file system other than `file:` writes the whole document there at once', async () => {
  const memory = new MemoryFiles();
  const registered = vscode.workspace.registerFileSystemProvider('scaling-lens-memory', memory);
  const source = fileUri('loss/cosine.csv');
  const target = vscode.Uri.parse('scaling-lens-memory:/exported.json');
  const dialog = vscode.window.showSaveDialog;
  const window = vscode.window as { showSaveDialog: typeof dialog };
  window.showSaveDialog = async () => target;
  try {
    const written = await vscode.commands.executeCommand<vscode.Uri>('scalingLens.exportFit', source);
    assert.equal(written?.toString(), target.toString());
    assert.deepEqual([...memory.files.keys()], ['/exported.json'], 'one file, written once, nothing else');
    const doc = JSON.parse(Buffer.from(memory.files.get('/exported.json')!).toString('utf8'));
    assert.equal(doc.tool, 'scaling-lens');
    assert.equal(doc.fits[0].law, 'lr-annealing');
    assert.equal(doc.curves[0].points, doc.curves[0].observed.length);
  } finally {
    window.showSaveDialog = dialog;
    registered.dispose();
  }
});

/** The extension's API (src/client/extension.ts). */
function api(): {
  runs: () => RunEntry[];
  client: () => { sendRequest(method: string, params: unknown): Promise<Analysis | null> } | undefined;
} {
  return vscode.extensions.all.find((e) => e.packageJSON.name === 'scaling-lens')!.exports;
}

it('Fit on a folder, as the explorer calls it, fits every run in it together', async () => {
  const folder = fileUri('loss');
  const summary = await vscode.commands.executeCommand<FitSummary>('scalingLens.fit', folder, [folder]);
  assert.equal(summary?.state, 'done', summary?.message);
  assert.equal(summary.kind, 'loss-curve');
  // By method name: the suite bundles its own copy of the protocol types, which the client would not recognise.
  const analysis = await api().client()!.sendRequest(AnalysisRequest.method, { uri: folder.toString() });
  const names = analysis?.curves.map((c) => c.name) ?? [];
  for (const name of ['constant', 'cosine', 'wsd', 'cosine_10k']) assert.ok(names.includes(name), names.join(', '));
});

it('several files selected in the explorer are fitted together, as one set', async () => {
  const picked = [fileUri('loss/constant.csv'), fileUri('loss/cosine.csv')];
  const summary = await vscode.commands.executeCommand<FitSummary>('scalingLens.fit', picked[0], picked);
  assert.equal(summary?.state, 'done', summary?.message);
  assert.ok(summary.uri.startsWith('scaling-lens-set:'), summary.uri);
  const analysis = await api().client()!.sendRequest(AnalysisRequest.method, { uri: summary.uri });
  assert.deepEqual(analysis?.fits[0].fittedOn.slice().sort(), ['constant', 'cosine']);
});

it('the Runs view lists every run with its prediction, and follows a run growing on disk while closed', async () => {
  const live = join(workspace(), 'live');
  mkdirSync(live, { recursive: true });
  const row = (s: number) => `${s},${3e-4},${(2.5 + 0.8 * Math.pow(s * 3e-4, -0.4)).toFixed(5)}\n`;
  let text = 'step,lr,loss\n';
  for (let s = 100; s <= 3000; s += 100) text += row(s);
  writeFileSync(join(live, 'run.csv'), text);
  await vscode.commands.executeCommand('scalingLens.runs.refresh');
  const first = await until(
    'the live run listed with a prediction',
    () =>
      api()
        .runs()
        .find((r) => r.name === 'live/run' && r.overview?.prediction),
    120_000,
  );
  assert.equal(first.overview?.lastStep, 3000);
  const listed = api()
    .runs()
    .map((r) => r.name);
  for (const name of ['loss/constant', 'loss/cosine', 'loss/sweep', 'loss/wsd'])
    assert.ok(listed.includes(name), listed.join(', '));
  let more = '';
  for (let s = 3100; s <= 4000; s += 100) more += row(s);
  appendFileSync(join(live, 'run.csv'), more);
  const grown = await until(
    'the grown run refitted',
    () =>
      api()
        .runs()
        .find((r) => r.name === 'live/run' && r.overview?.lastStep === 4000),
    120_000,
  );
  assert.ok(grown.overview?.prediction);
});

it('a run file followed on disk: its lens follows it growing while open, and its fit while closed (warm both)', async () => {
  const live = join(workspace(), 'live');
  mkdirSync(live, { recursive: true });
  const row = (s: number) => `${s},${3e-4},${(2.5 + 0.8 * Math.pow(s * 3e-4, -0.4)).toFixed(5)}\n`;
  const rows = (from: number, to: number) => {
    let text = '';
    for (let s = from; s <= to; s += 100) text += row(s);
    return text;
  };
  // Open: the editor reloads the grown file from disk and its lens moves to twice the new last step.
  writeFileSync(join(live, 'open.csv'), `step,lr,loss\n${rows(100, 3000)}`);
  await openLenses('live/open.csv', (t) => t.some((title) => /L\(6k\)/.test(title)));
  appendFileSync(join(live, 'open.csv'), rows(3100, 4000));
  await until('the lens of the grown open file', async () =>
    (await lensTitles(fileUri('live/open.csv'))).some((title) => /L\(8k\)/.test(title)) ? true : undefined,
  );
  const reloaded = await api()
    .client()!
    .sendRequest(AnalysisRequest.method, { uri: fileUri('live/open.csv').toString() });
  assert.match(String(reloaded?.fits[0].settings.start), /^warm/, 'the reloaded text is the file on disk: followed');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');

  // Closed: fitted from disk, then re-fitted by the server from its previous fit when it grows, unasked.
  const closed = fileUri('live/closed.csv');
  writeFileSync(closed.fsPath, `step,lr,loss\n${rows(100, 3000)}`);
  const first = await vscode.commands.executeCommand<FitSummary>('scalingLens.fit', closed);
  assert.equal(first?.state, 'done', first?.message);
  assert.equal(first.fromDisk, true);
  const summaries = (
    vscode.extensions.all.find((e) => e.packageJSON.name === 'scaling-lens')!.exports as {
      summaries: Map<string, FitSummary>;
    }
  ).summaries;
  const before = summaries.get(closed.toString());
  appendFileSync(closed.fsPath, rows(3100, 4000));
  await until('the re-fit of the grown closed file', () => {
    const now = summaries.get(closed.toString());
    return now !== before && now?.state === 'done' ? now : undefined;
  });
  const analysis = await api().client()!.sendRequest(AnalysisRequest.method, { uri: closed.toString() });
  assert.equal(analysis?.fits[0].points, 40);
  assert.match(String(analysis?.fits[0].settings.start), /^warm/);
  assert.ok(valued(analysis!.predictions.find((p) => p.step === 8000)).value > 2.5);
});

it('a server that dies is restarted, the user is told once, and the lenses come back', async () => {
  const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'scaling-lens')!;
  const api = ext.exports as { crashes: () => { restarts: number; announced: boolean } };
  const before = api.crashes().restarts;
  for (let kill = 1; kill <= 2; kill++) {
    // The server is this extension's child process running dist/server.js ([d] keeps pkill's own shell unmatched).
    execSync(`pkill -f -- '${join(ext.extensionPath, '[d]ist', 'server.js')}'`);
    await until('the restart', () => (api.crashes().restarts >= before + kill ? true : undefined));
    await openLenses('loss/cosine.csv');
  }
  assert.equal(api.crashes().announced, true);
});

it('Restart Server brings the lenses back', async () => {
  await vscode.commands.executeCommand('scalingLens.restartServer');
  await openLenses('loss/cosine.csv');
});

export async function run(): Promise<void> {
  const results: { name: string; ok: boolean; ms: number; error?: string }[] = [];
  // SCALING_LENS_SUITE_GREP runs only the cases whose name contains it (a change's own cases).
  const grep = process.env.SCALING_LENS_SUITE_GREP;
  for (const c of cases.filter((c) => !grep || c.name.includes(grep))) {
    const started = Date.now();
    try {
      await c.body();
      results.push({ name: c.name, ok: true, ms: Date.now() - started });
      console.log(`ok - ${c.name}`);
    } catch (error) {
      const message = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
      results.push({ name: c.name, ok: false, ms: Date.now() - started, error: message });
      console.log(`not ok - ${c.name}\n${message}`);
    }
  }
  const out = process.env.SCALING_LENS_TEST_RESULTS;
  if (out)
    writeFileSync(out, JSON.stringify({ results, failed: results.filter((r) => !r.ok).map((r) => r.name) }, null, 2));
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  if (failed) throw new Error(`${failed} of ${results.length} in-host tests failed`);
}
