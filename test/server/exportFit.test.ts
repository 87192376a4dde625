// Export Fit's request (AnalysisRequest) answers with number[] series, but the file cache keeps the analysis in the
// typed arrays its chart model shares: converting the cached analysis itself would hold a million-row log twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Analysis, Series } from '../../src/core/analysis/types';
import { plainCopy } from '../../src/core/analysis/series';
import { runJob } from '../../src/server/job';
import { ChartDataRequest } from '../../src/shared/chart';
import { AnalysisRequest } from '../../src/shared/protocol';
import { startTestServer } from '../helpers/lsp';
import { REPO } from '../helpers/shared';

test('Export Fit sends number[] series and leaves the cached analysis (and its chart) in typed arrays', async () => {
  let cached: Analysis<Series> | undefined;
  const client = await startTestServer({
    runner: async (job) => {
      const result = await runJob(job);
      if (result.ok) cached = result.analysis;
      return result;
    },
  });
  try {
    const path = join(REPO, 'examples/loss/cosine.csv');
    const uri = pathToFileURL(path).toString();
    client.settings = { fit: { bootstrapSamples: 30 } };
    await client.open(uri, readFileSync(path, 'utf8'));
    assert.equal((await client.status(uri)).state, 'done');
    const chart = await client.rpc.sendRequest(ChartDataRequest, { uri, width: 800, logX: false });
    assert.ok(chart.ok);
    const exported = await client.rpc.sendRequest(AnalysisRequest, { uri });
    assert.ok(exported && cached);
    const points = cached.curves[0].points;
    assert.ok(points.x instanceof Float64Array, 'the cached series are still the typed arrays the chart holds');
    assert.ok(cached.curves[0].schedule?.lr instanceof Float64Array);
    assert.deepEqual(exported.curves[0].points.x, Array.from(points.x));
    assert.deepEqual(exported.curves[0].schedule?.lr, Array.from(cached.curves[0].schedule!.lr));
  } finally {
    client.dispose();
  }
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
