// Export Fit writes the document `scaling-lens fit --json` prints, to the byte, a page at a time (FitDocumentRequest,
// then FitDocumentPageRequest), its text made by the CLI's writer from the file cache's analysis: its typed arrays
// are read row by row (converting the cached analysis itself would hold a million-row log twice), and the hover-only
// data (a one-run column-array file's cell of every column) stays out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Analysis, Series } from '../../src/core/analysis/types';
import { plainCopy } from '../../src/core/analysis/series';
import { runJob } from '../../src/server/job';
import { Exports } from '../../src/server/exportFit';
import { ChartDataRequest } from '../../src/shared/chart';
import { AnalysisRequest, FitDocumentPageRequest, FitDocumentRequest } from '../../src/shared/protocol';
import { exportedText, startTestServer, type TestClient } from '../helpers/lsp';
import { scratchDir } from '../helpers/scratch';
import { REPO } from '../helpers/shared';

/** A test server whose analyses are also kept here (`cached()`: the last one), as its file cache holds them. */
async function serverKeepingAnalysis(): Promise<{ client: TestClient; cached: () => Analysis<Series> | undefined }> {
  let last: Analysis<Series> | undefined;
  const client = await startTestServer({
    runner: async (job) => {
      const result = await runJob(job);
      if (result.ok) last = result.analysis;
      return result;
    },
  });
  return { client, cached: () => last };
}

test('Export Fit reads the cached typed arrays into its pairs and leaves the cached analysis (and its chart) as it is', async () => {
  const { client, cached: last } = await serverKeepingAnalysis();
  try {
    const path = join(REPO, 'examples/loss/cosine.csv');
    const uri = pathToFileURL(path).toString();
    client.settings = { fit: { bootstrapSamples: 30 } };
    await client.open(uri, readFileSync(path, 'utf8'));
    assert.equal((await client.status(uri)).state, 'done');
    const chart = await client.rpc.sendRequest(ChartDataRequest, { uri, width: 800, logX: false });
    assert.ok(chart.ok);
    const text = await exportedText(client, uri);
    const cached = last();
    assert.ok(text && cached);
    const exported = JSON.parse(text);
    const points = cached.curves[0].points;
    assert.ok(points.x instanceof Float64Array, 'the cached series are still the typed arrays the chart holds');
    assert.ok(cached.curves[0].schedule?.lr instanceof Float64Array);
    assert.deepEqual(
      exported.curves[0].observed,
      Array.from(points.x, (x, i) => [x, points.observed[i]]),
    );
    assert.deepEqual(exported.curves[0].lines, Array.from(points.lines));
  } finally {
    client.dispose();
  }
});

/** A one-run object of column arrays written ten values to a line (numpy's or a formatter's output), one bad loss. */
function columnArrayRun(): string {
  const step = Array.from({ length: 200 }, (_, i) => (i + 1) * 10);
  const columns: Record<string, (number | string)[]> = {
    step,
    lr: step.map((s) => 3e-4 * (0.55 + 0.45 * Math.cos((Math.PI * s) / 2000))),
    loss: step.map((s) => Number((2.5 + 3 / Math.sqrt(s)).toFixed(5))),
    grad_norm: step.map(() => 1.5),
  };
  columns.loss[57] = '"oops"';
  const tens = (values: (number | string)[]) =>
    Array.from({ length: values.length / 10 }, (_, k) => `    ${values.slice(k * 10, k * 10 + 10).join(', ')}`).join(
      ',\n',
    );
  const body = Object.entries(columns).map(([name, v]) => `  "${name}": [\n${tens(v)}\n  ]`);
  return `{\n${body.join(',\n')}\n}\n`;
}

test("Export Fit's document is the CLI's `fit --json` document of the same file, with no hover data in it", async () => {
  const path = join(scratchDir('scaling-lens-export-'), 'run.json');
  const text = columnArrayRun();
  writeFileSync(path, text);
  const client = await startTestServer();
  try {
    const uri = pathToFileURL(path).toString();
    client.settings = { fit: { bootstrapSamples: 30 } };
    await client.open(uri, text);
    assert.equal((await client.status(uri)).state, 'done');
    const exported = await exportedText(client, uri);
    const analysis = await client.rpc.sendRequest(AnalysisRequest, { uri });
    assert.ok(exported && analysis);
    assert.ok(analysis.curves[0].points.cellSteps, 'the server holds every column’s cells for its hovers');
    const cli = spawnSync(process.execPath, [join(REPO, 'dist/cli.js'), 'fit', path, '--json', '--bootstrap', '30'], {
      encoding: 'utf8',
    });
    assert.equal(cli.status, 0, cli.stderr);
    const printed = JSON.parse(cli.stdout);
    const written = JSON.parse(exported);
    for (const hoverOnly of ['cellSteps', 'joinedLines', 'metricFiles', 'firstLine', 'schedule'])
      assert.doesNotMatch(exported, new RegExp(`"${hoverOnly}"`), hoverOnly);
    assert.ok(
      printed.findings.some((f: { column?: number }) => f.column),
      'a finding located on its cell',
    );
    // What differs, and why: the timings (how long each took), and the editor follows the file as it grows, so its
    // fit says how it started (`settings.start`, as `watch --json` does); every other byte is the same.
    assert.ok(written.timings.fitMs > 0);
    assert.match(written.fits[0].settings.start, /^cold: /);
    const same = (text: string) =>
      text.replace(/,\n *"start": "cold: [^"\n]*"/, '').replace(/"timings": \{[^}]*\}/, '"timings": null');
    assert.equal(same(exported), same(cli.stdout));
    assert.notEqual(same(exported), exported, 'the start and the timings were there to take out');
  } finally {
    client.dispose();
  }
});

test('Export Fit sends a long document in pages of about 1 MB, and an export stopped or finished is let go', async () => {
  const client = await startTestServer();
  try {
    const rows = Array.from({ length: 40_000 }, (_, i) => `${i + 1},3e-4,${(2.5 + 3 / Math.sqrt(i + 1)).toFixed(5)}`);
    const uri = 'untitled:long.csv';
    client.settings = { fit: { bootstrapSamples: 10, law: 'power-law' } };
    await client.open(uri, `step,lr,loss\n${rows.join('\n')}\n`);
    assert.equal((await client.status(uri)).state, 'done');
    const first = await client.rpc.sendRequest(FitDocumentRequest, { uri });
    assert.ok(first?.next !== undefined, 'more pages follow');
    const sizes = [first.text.length];
    let page = await client.rpc.sendRequest(FitDocumentPageRequest, { id: first.next });
    while (page) {
      sizes.push(page.text.length);
      if (page.next === undefined) break;
      page = await client.rpc.sendRequest(FitDocumentPageRequest, { id: page.next });
    }
    assert.ok(sizes.length >= 4, `${sizes.length} pages`);
    assert.ok(Math.max(...sizes) < 2 ** 21, `pages of ${sizes.join(', ')} characters`);
    assert.equal(await client.rpc.sendRequest(FitDocumentPageRequest, { id: first.next }), null, 'finished');
    const again = await client.rpc.sendRequest(FitDocumentRequest, { uri });
    assert.ok(again?.next !== undefined && again.next !== first.next, 'a new export, a new id');
    assert.equal(await client.rpc.sendRequest(FitDocumentPageRequest, { id: again.next, stop: true }), null);
    assert.equal(await client.rpc.sendRequest(FitDocumentPageRequest, { id: again.next }), null, 'stopped');
  } finally {
    client.dispose();
  }
});

/**
 * An export of a copy of `analysis` that only the export holds (the file cache holds the original), made in a frame of
 * its own: a suspended async test would keep the copy in its frame.
 */
function startOnCopy(exports: Exports, analysis: Analysis<Series>): { id?: number; held: WeakRef<Analysis<Series>> } {
  const own = { ...analysis };
  return { id: exports.start(own, () => undefined).next, held: new WeakRef(own) };
}

test('a paused export is let go after its idle time, and with it the analysis its writer held', async () => {
  // gc() without --expose-gc on the command line: the flag set now, the function read from a fresh context.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const { client, cached } = await serverKeepingAnalysis();
  const idleMs = 200;
  const exports = new Exports(idleMs);
  let held: WeakRef<Analysis<Series>>;
  let id: number | undefined;
  try {
    const rows = Array.from({ length: 40_000 }, (_, i) => `${i + 1},3e-4,${(2.5 + 3 / Math.sqrt(i + 1)).toFixed(5)}`);
    const uri = 'untitled:paused.csv';
    client.settings = { fit: { bootstrapSamples: 0 } };
    await client.open(uri, `step,lr,loss\n${rows.join('\n')}\n`);
    assert.equal((await client.status(uri)).state, 'done');
    ({ id, held } = startOnCopy(exports, cached()!));
    assert.ok(id !== undefined, 'more pages follow: the writer is paused, holding the analysis');
    // No timer fires within this synchronous run: the export is still paused here.
    gc();
    assert.ok(held.deref(), 'held while paused');
  } finally {
    client.dispose();
  }
  await new Promise((resolve) => setTimeout(resolve, idleMs * 2));
  assert.equal(exports.next(id), null, 'let go after its idle time');
  gc();
  assert.equal(held.deref(), undefined, 'the analysis the writer held is released');
  exports.dispose();
});

test('plainCopy gives number[] series (a shared schedule stays shared) without touching the analysis it copies', () => {
  const steps = Float64Array.of(1, 2, 3);
  const typed = {
    curves: [
      {
        points: { x: steps, observed: steps, predicted: steps, low: steps, high: steps, lines: Int32Array.of(2, 3, 4) },
        schedule: { steps, lr: Float64Array.of(0.1, 0.2, 0.3) },
      },
    ],
  } as unknown as Analysis<Series>;
  const plain = plainCopy(typed);
  assert.deepEqual(plain.curves[0].points.x, [1, 2, 3]);
  assert.deepEqual(plain.curves[0].points.lines, [2, 3, 4]);
  assert.equal(plain.curves[0].schedule?.steps, plain.curves[0].points.x, 'one array for a series met twice');
  assert.equal(typed.curves[0].points.x, steps);
  assert.equal(typed.curves[0].schedule?.steps, steps);
  assert.ok(typed.curves[0].points.lines instanceof Int32Array);
});

test("the analysis job sums each loss curve's log end for the chart; plainCopy (a message's) leaves them out", async () => {
  const path = join(REPO, 'examples/loss/cosine.csv');
  const result = await runJob({ source: { kind: 'file' }, path, options: {}, maxBytes: 1e8, onlyIfRunFile: false });
  assert.ok(result.ok);
  const end = result.analysis.curves[0].logEnd;
  assert.ok(end?.areas && end.drops, "under auto's mean, both laws' sums at the log's end");
  assert.equal(end.areas.resume.step, 20_000);
  assert.equal(plainCopy(result.analysis).curves[0].logEnd, undefined);
  assert.equal(result.analysis.curves[0].logEnd, end, 'the cached analysis keeps them');
});
