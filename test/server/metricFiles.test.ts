// Run folders whose runs are metric files (DVCLive's plots/metrics/*.tsv, MLflow's metrics/<key>), through the
// language server in this process: a folder fitted from the explorer puts the findings of its metric files in the
// Problems panel at those files, none of them open, and a metric file's row hovers as the row it was joined into.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FitFileRequest } from '../../src/shared/protocol';
import { startTestServer } from '../helpers/lsp';
import { scratchDir } from '../helpers/scratch';
import { cosineLr, lawCurve, mlflowLines, writeDvclive, writeMlflowRun } from '../helpers/frameworkRuns';

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
    const published = client.published(uriOf(tsv)).length;
    await client.open(uriOf(tsv), readFileSync(tsv, 'utf8'));
    await client.hover(uriOf(tsv), 0);
    await client.close(uriOf(tsv));
    const afterClose = await client.diagnostics(uriOf(tsv), () => client.published(uriOf(tsv)).length > published);
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
