// Run folders whose runs are metric files (DVCLive's plots/metrics/*.tsv, MLflow's metrics/<key>), through the
// language server in this process: a folder fitted from the explorer puts the findings of its metric files in the
// Problems panel at those files, none of them open, and a metric file's row hovers as the row it was joined into.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AnalysisRequest, ColumnsRequest, FitFileRequest } from '../../src/shared/protocol';
import { formatNumber } from '../../src/core/util/format';
import { runTitle } from '../../src/shared/runPart';
import { startTestServer } from '../helpers/lsp';
import { runInWorker, type Runner } from '../../src/server/runner';
import { scratchDir } from '../helpers/scratch';
import {
  cosineLr,
  lawCurve,
  mlflowLines,
  writeDvclive,
  writeMetricRuns,
  writeMlflowRun,
} from '../helpers/frameworkRuns';

const uriOf = (path: string) => pathToFileURL(path).toString();

/** A DVCLive run folder whose loss.tsv has a NaN on its 11th data row (line 12); the loss TSV's path. */
function dvcliveRun(nanAt: number | null): { folder: string; tsv: string } {
  const folder = join(scratchDir('scaling-lens-metric-files-'), 'dvclive');
  const points = lawCurve(cosineLr(6000));
  writeDvclive(folder, {
    'train/loss': points.map((p, i) => ({ step: p.step, value: i === nanAt ? NaN : p.loss })),
    lr: points.map((p) => ({ step: p.step, value: p.lr })),
  });
  return { folder, tsv: join(folder, 'plots', 'metrics', 'train', 'loss.tsv') };
}

test('Fit on a DVCLive folder: its metric file findings reach the Problems panel without the file open', async () => {
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 }, law: 'lr-annealing' };
    const { folder, tsv } = dvcliveRun(10);
    const uri = uriOf(folder);
    const summary = await client.rpc.sendRequest(FitFileRequest, { uri });
    assert.equal(summary.state, 'done', summary.message);
    const shown = await client.diagnostics(uriOf(tsv), (d) => d.length > 0);
    const [nan] = shown.filter((d) => d.code === 'loss-invalid');
    assert.ok(nan, JSON.stringify(shown));
    assert.equal(nan.range.start.line, 11, 'on the NaN row of loss.tsv');
    assert.ok(nan.range.start.character > 0, 'on its cell, read from the file on disk');
    // Opened and closed: the file is not fitted alone (a loss without its LR: lr-missing), the folder's findings stay.
    await client.open(uriOf(tsv), readFileSync(tsv, 'utf8'));
    await client.hover(uriOf(tsv), 0);
    await client.close(uriOf(tsv));
    await client.lenses(uriOf(tsv)); // answered after the close is handled
    const [afterClose] = client.published(uriOf(tsv));
    assert.ok(afterClose.some((d) => d.code === 'loss-invalid' && d.range.start.line === 11));
    const codes = client.published(uriOf(tsv)).flatMap((shown) => shown.map((d) => d.code));
    assert.deepEqual([...new Set(codes)], ['loss-invalid'], 'nothing from a fit of the file alone');
    // The row fixed and the folder fitted again: the file's entry goes.
    writeFileSync(tsv, readFileSync(tsv, 'utf8').replace('\tNaN', '\t2.9'));
    await client.rpc.sendRequest(FitFileRequest, { uri });
    await client.diagnostics(uriOf(tsv), (d) => d.length === 0);
  } finally {
    client.dispose();
  }
});

test("a metric file's record hovers as the row its run folder's fit joined it into: DVCLive and MLflow", async () => {
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 }, law: 'lr-annealing' };
    const { folder, tsv } = dvcliveRun(null);
    const points = lawCurve(cosineLr(6000));
    const run = writeMlflowRun(join(scratchDir('scaling-lens-metric-files-'), 'mlruns', '1'), 'a'.repeat(32), {
      name: 'cosine',
      metrics: {
        loss: mlflowLines(points.map((p) => ({ step: p.step, value: p.loss }))),
        lr: mlflowLines(points.map((p) => ({ step: p.step, value: p.lr }))),
      },
    });
    for (const [root, metric, line] of [
      [folder, tsv, 5],
      [run, join(run, 'metrics', 'loss'), 4],
      [run, join(run, 'metrics', 'lr'), 4],
    ] as const) {
      assert.equal((await client.rpc.sendRequest(FitFileRequest, { uri: uriOf(root) })).state, 'done');
      await client.open(uriOf(metric), readFileSync(metric, 'utf8'));
      // Its open settled (the run's lens at its top) before the hover, so nothing is in flight at the end.
      assert.equal((await client.lenses(uriOf(metric))).length, 1);
      const hover = await client.hover(uriOf(metric), line - 1, 2);
      const text = (hover?.contents as { value: string } | undefined)?.value ?? '';
      // Line 5 of the TSV (under its header) and line 4 of the MLflow files: the fourth point, step 400.
      assert.match(text, /step 400 · Loss/, `${metric}: ${text}`);
      assert.match(text, new RegExp(`\\| observed \\| ${points[3].loss.toPrecision(5)}`), text);
      assert.match(text, /\| predicted \(LR-annealing law\) \|/, text);
      assert.match(text, /\| residual \|/, text);
      assert.match(text, /this point was fitted/, text);
      await client.close(uriOf(metric));
    }
  } finally {
    client.dispose();
  }
});

/** A promise and its resolver. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** An MLflow run folder (its loss and LR metric files) in a fresh store; the run folder's path. */
function mlflowRun(): string {
  const points = lawCurve(cosineLr(6000));
  return writeMlflowRun(join(scratchDir('scaling-lens-metric-files-'), 'mlruns', '1'), 'b'.repeat(32), {
    name: 'cosine',
    metrics: {
      loss: mlflowLines(points.map((p) => ({ step: p.step, value: p.loss }))),
      lr: mlflowLines(points.map((p) => ({ step: p.step, value: p.lr }))),
    },
  });
}

/** The lenses of a document, polled until one satisfies `wanted` (the server refits, the client asks again). */
async function lensesUntil(
  client: Awaited<ReturnType<typeof startTestServer>>,
  uri: string,
  wanted: (titles: string[]) => boolean,
  ms = 15000,
): Promise<{ titles: string[]; args: unknown[][] }> {
  const deadline = Date.now() + ms;
  for (;;) {
    const lenses = await client.lenses(uri);
    const titles = lenses.map((l) => l.command?.title ?? '');
    if (wanted(titles)) return { titles, args: lenses.map((l) => l.command?.arguments ?? []) };
    if (Date.now() > deadline) assert.fail(`lenses of ${uri}: ${JSON.stringify(titles)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("a metric file opened alone shows its run's fit: lens, hover, Problems and status (DVCLive)", async () => {
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 }, law: 'lr-annealing' };
    const { folder, tsv } = dvcliveRun(10);
    await client.open(uriOf(tsv), readFileSync(tsv, 'utf8'));
    const { titles, args } = await lensesUntil(client, uriOf(tsv), (t) => t.length > 0);
    assert.match(titles[0], /^L\(12k\) = .* · LR-annealing law · /, titles[0]);
    assert.deepEqual(args[0][0], uriOf(folder), 'its commands act on the run folder');
    const status = await client.status(uriOf(tsv), (s) => s.state === 'done');
    assert.deepEqual(status.partOf, { format: 'dvclive', metric: 'train/loss', run: 'dvclive', uri: uriOf(folder) });
    assert.match(status.message, /LR-annealing law fitted on dvclive/);
    const hover = await client.hover(uriOf(tsv), 4, 2);
    assert.match((hover?.contents as { value: string } | undefined)?.value ?? '', /step 400 · Loss/);
    const shown = await client.diagnostics(uriOf(tsv), (d) => d.some((x) => x.code === 'loss-invalid'));
    assert.ok(
      shown.every((d) => d.code === 'loss-invalid'),
      "only its run folder's findings, none of the file alone",
    );
    // Its run stays while one of its metric files is open (lr.tsv), and is let go with the last: its findings go.
    const lr = join(folder, 'plots', 'metrics', 'lr.tsv');
    await client.open(uriOf(lr), readFileSync(lr, 'utf8'));
    await lensesUntil(client, uriOf(lr), (t) => t.length > 0);
    await client.close(uriOf(tsv));
    await client.lenses(uriOf(lr)); // answered after the close is handled
    assert.ok(
      client.published(uriOf(tsv))[0].some((d) => d.code === 'loss-invalid'),
      'kept while lr.tsv is open',
    );
    await client.close(uriOf(lr));
    await client.diagnostics(uriOf(tsv), (d) => d.length === 0);
  } finally {
    client.dispose();
  }
});

test("an MLflow metric file opened alone, its loss's or its LR's, shows its run's fit and says so", async () => {
  for (const key of ['loss', 'lr']) {
    const client = await startTestServer();
    try {
      client.settings = { fit: { bootstrapSamples: 0 }, law: 'lr-annealing' };
      const run = mlflowRun();
      const file = join(run, 'metrics', key);
      await client.open(uriOf(file), readFileSync(file, 'utf8'));
      const { titles } = await lensesUntil(client, uriOf(file), (t) => t.length > 0);
      assert.match(titles[0], /^L\(12k\) = .* · LR-annealing law · /, `${key}: ${titles[0]}`);
      const status = await client.status(uriOf(file), (s) => s.state === 'done');
      assert.deepEqual(status.partOf, { format: 'mlflow', metric: key, run: 'b'.repeat(32), uri: uriOf(run) });
      const hover = await client.hover(uriOf(file), 3, 2);
      assert.match((hover?.contents as { value: string } | undefined)?.value ?? '', /step 400 · Loss/);
      // Asked of the file (its editor's Show Chart, Predict at...), the analysis is its run's.
      const analysis = await client.rpc.sendRequest(AnalysisRequest, { uri: uriOf(file) });
      assert.deepEqual(
        analysis?.curves.map((c) => c.name),
        ['cosine'],
      );
    } finally {
      client.dispose();
    }
  }
});

test('auto-fit off: a metric file says to run Fit Scaling Law, which on it fits its run', async () => {
  const client = await startTestServer();
  try {
    client.settings = { autoFit: false, fit: { bootstrapSamples: 0 }, law: 'lr-annealing' };
    const { folder, tsv } = dvcliveRun(null);
    await client.open(uriOf(tsv), readFileSync(tsv, 'utf8'));
    const skipped = await client.status(uriOf(tsv), (s) => s.state === 'skipped');
    assert.match(skipped.message, /Auto-fit is off: run "Fit Scaling Law" to fit its run dvclive/);
    const { titles, args } = await lensesUntil(client, uriOf(tsv), (t) => t.length > 0);
    assert.deepEqual(titles, ['Scaling Lens: auto-fit is off · Fit Scaling Law on run dvclive']);
    assert.deepEqual(args[0], [uriOf(tsv)]);
    const summary = await client.rpc.sendRequest(FitFileRequest, { uri: uriOf(tsv) });
    assert.equal(summary.state, 'done', summary.message);
    assert.equal(summary.uri, uriOf(tsv));
    assert.equal(summary.partOf?.uri, uriOf(folder));
    await lensesUntil(client, uriOf(tsv), (t) => /L\(12k\)/.test(t[0] ?? ''));
    // An MLflow run is named by its id as MLflow's UI shortens it: 32 digits ran the lens past a narrow editor.
    const lr = join(mlflowRun(), 'metrics', 'lr');
    await client.open(uriOf(lr), readFileSync(lr, 'utf8'));
    const mlflow = await client.status(uriOf(lr), (s) => s.state === 'skipped');
    assert.match(mlflow.message, /to fit its run bbbbbbbb…\.$/);
    const offered = await lensesUntil(client, uriOf(lr), (t) => t.length > 0);
    assert.deepEqual(offered.titles, ['Scaling Lens: auto-fit is off · Fit Scaling Law on run bbbbbbbb…']);
  } finally {
    client.dispose();
  }
});

test("an open metric file's lens follows its run as the run grows on disk", async () => {
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 }, law: 'lr-annealing' };
    const folder = join(scratchDir('scaling-lens-metric-files-'), 'dvclive');
    const points = lawCurve(cosineLr(12000), 8000);
    const upTo = (last: number, from = 0) => points.filter((p) => p.step > from && p.step <= last);
    writeDvclive(folder, {
      'train/loss': upTo(6000).map((p) => ({ step: p.step, value: p.loss })),
      lr: upTo(6000).map((p) => ({ step: p.step, value: p.lr })),
    });
    const tsv = join(folder, 'plots', 'metrics', 'train', 'loss.tsv');
    await client.open(uriOf(tsv), readFileSync(tsv, 'utf8'));
    await lensesUntil(client, uriOf(tsv), (t) => /L\(12k\)/.test(t[0] ?? ''));
    // The run trains on: both metric files are appended, as DVCLive does at each step.
    const rows = (key: 'loss' | 'lr') => upTo(8000, 6000).map((p, i) => `${1721460000000 + i}\t${p.step}\t${p[key]}\n`);
    appendFileSync(join(folder, 'plots', 'metrics', 'lr.tsv'), rows('lr').join(''));
    appendFileSync(tsv, rows('loss').join(''));
    await lensesUntil(client, uriOf(tsv), (t) => /L\(16k\)/.test(t[0] ?? ''));
  } finally {
    client.dispose();
  }
});

test("a long run's metric file gets its run's provisional lens while both laws are compared", async () => {
  const [shown, release] = [deferred(), deferred()];
  // The full fit is held back until the provisional lens was seen; the short log's threshold is lowered.
  const runner: Runner = async (job, signal, provisional) => {
    const result = await runInWorker({ ...job, provisionalFromRows: 100 }, signal, (analysis) => {
      provisional?.(analysis);
      shown.resolve();
    });
    await release.promise;
    return result;
  };
  const client = await startTestServer({ runner });
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    const folder = join(scratchDir('scaling-lens-metric-files-'), 'dvclive');
    const points = lawCurve(cosineLr(6000), 6000, 10);
    writeDvclive(folder, {
      'train/loss': points.map((p) => ({ step: p.step, value: p.loss })),
      lr: points.map((p) => ({ step: p.step, value: p.lr })),
    });
    const tsv = join(folder, 'plots', 'metrics', 'train', 'loss.tsv');
    await client.open(uriOf(tsv), readFileSync(tsv, 'utf8'));
    await shown.promise;
    const early = await Promise.race([
      client.lenses(uriOf(tsv)),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000)),
    ]);
    assert.ok(early, 'the lens came before the full fit');
    assert.match(early[0]?.command?.title ?? '', /^L\(.* · LR-annealing law \(provisional: comparing with MPL…\) · /);
    release.resolve();
    await lensesUntil(client, uriOf(tsv), (t) => t.length > 0 && !/provisional/.test(t[0]));
  } finally {
    release.resolve();
    client.dispose();
  }
});

test("Select Columns on a metric file or its run folder samples each of the run's columns from its joined table", async () => {
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 }, law: 'lr-annealing' };
    const workspace = scratchDir('scaling-lens-metric-samples-');
    const runId = 'cafe'.padEnd(32, '0');
    const points = lawCurve(cosineLr(6000));
    writeMetricRuns(workspace, runId, points);
    const first = points.slice(0, 3);
    const metricFiles = [
      join(workspace, 'dvclive', 'plots', 'metrics', 'train', 'loss.tsv'),
      join(workspace, 'mlruns', '1', runId, 'metrics', 'loss'),
    ];
    // The run folders themselves too, as Select Columns from the explorer asks for them.
    const folders = [join(workspace, 'dvclive'), join(workspace, 'mlruns', '1', runId)];
    for (const file of [...metricFiles, ...folders]) {
      const uri = uriOf(file);
      // Opened, as the picker is asked for from the file's editor: its text is one metric's, not the run's.
      if (metricFiles.includes(file)) await client.open(uri, readFileSync(file, 'utf8'));
      const { columns, roles, samples, run } = await client.rpc.sendRequest(ColumnsRequest, { uri });
      assert.ok(samples && samples.length === columns.length, file);
      // The run named for the picker's title as the status item names it (an MLflow id's 32 digits wrapped it).
      const mlflow = file.includes('mlruns');
      assert.deepEqual(run, mlflow ? { format: 'mlflow', run: runId } : { format: 'dvclive', run: 'dvclive' }, file);
      assert.equal(run && runTitle(run), mlflow ? 'MLflow run cafe0000…' : 'DVCLive run dvclive');
      const sampled = new Map(columns.map((name, i) => [name, samples[i]]));
      const of = (role: 'step' | 'loss' | 'lr') => sampled.get(roles[role] ?? '') ?? [];
      assert.deepEqual(
        of('step'),
        first.map((p) => String(p.step)),
        `${file}: ${JSON.stringify(sampled)}`,
      );
      assert.deepEqual(
        of('loss').map(Number),
        first.map((p) => Number(formatNumber(p.loss, 6))),
        file,
      );
      assert.deepEqual(
        of('lr').map(Number),
        first.map((p) => Number(formatNumber(p.lr, 6))),
        file,
      );
      if (metricFiles.includes(file)) await client.close(uri);
    }
  } finally {
    client.dispose();
  }
});

test("an LR record at a step without a loss hovers as its joined row: the LR, no loss, the law's value (DVCLive, MLflow)", async () => {
  const client = await startTestServer();
  try {
    // The target step 6100 lies past the last loss (6000) on the last LR record: the fit has a value there.
    client.settings = { fit: { bootstrapSamples: 0 }, law: 'lr-annealing', predict: { steps: [6100] } };
    // The LR logged every 50 steps to 6100, the loss every 100 to 6000.
    const lrPoints = lawCurve(cosineLr(6100), 6100, 50);
    const losses = lrPoints
      .filter((p) => p.step % 100 === 0 && p.step <= 6000)
      .map((p) => ({ step: p.step, value: p.loss }));
    const lrs = lrPoints.map((p) => ({ step: p.step, value: p.lr }));
    const folder = writeDvclive(join(scratchDir('scaling-lens-metric-files-'), 'dvclive'), {
      'train/loss': losses,
      lr: lrs,
    });
    const run = writeMlflowRun(join(scratchDir('scaling-lens-metric-files-'), 'mlruns', '1'), 'c'.repeat(32), {
      metrics: { loss: mlflowLines(losses), lr: mlflowLines(lrs) },
    });
    // The TSV's records lie a line below the MLflow file's (under its header).
    for (const [lr, below] of [
      [join(folder, 'plots', 'metrics', 'lr.tsv'), 1],
      [join(run, 'metrics', 'lr'), 0],
    ] as const) {
      await client.open(uriOf(lr), readFileSync(lr, 'utf8'));
      await lensesUntil(client, uriOf(lr), (t) => t.length > 0);
      const hoverText = async (record: number) =>
        ((await client.hover(uriOf(lr), record + below, 2))?.contents as { value: string } | undefined)?.value ?? '';
      // The third record: step 150, between the losses of 100 and 200.
      const between = await hoverText(2);
      assert.match(between, /step 150 · Loss/, between);
      assert.ok(between.includes(`| LR | ${formatNumber(lrPoints[2].lr, 5)} |`), between);
      assert.match(between, /no loss logged at this step/, between);
      // The last record (step 6100): the law's prediction there.
      const last = await hoverText(lrPoints.length - 1);
      assert.match(last, /step 6100 · Loss/, last);
      assert.match(last, /no loss logged at this step/, last);
      assert.match(last, /\| predicted \(LR-annealing law\) \| \d/, last);
      // A loss's step still hovers as its point.
      assert.match(await hoverText(3), /\| observed \|/);
      await client.close(uriOf(lr));
    }
  } finally {
    client.dispose();
  }
});

test('an LR record at the step of a loss left out (a NaN) says the loss logged there is not a point, not that none was', async () => {
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 }, law: 'lr-annealing' };
    const { folder } = dvcliveRun(10);
    const lr = join(folder, 'plots', 'metrics', 'lr.tsv');
    await client.open(uriOf(lr), readFileSync(lr, 'utf8'));
    await lensesUntil(client, uriOf(lr), (t) => t.length > 0);
    // 0-based line 11: the eleventh record, step 1100, where loss.tsv logged NaN (its line 12).
    const text = ((await client.hover(uriOf(lr), 11, 2))?.contents as { value: string } | undefined)?.value ?? '';
    assert.match(text, /step 1100 · Loss/, text);
    assert.doesNotMatch(text, /no loss logged/, text);
    assert.match(
      text,
      /the loss logged at line 12 of loss\\?\.tsv is left out of the curve \(see the Problems panel\)/,
      text,
    );
  } finally {
    client.dispose();
  }
});
