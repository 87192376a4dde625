// The chart panel's requests (ChartRequests) on a loss curve analysed as the language server keeps it, its series in
// typed arrays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyseFiles } from '../../src/core/analysis/analyse';
import { mapSeries } from '../../src/core/analysis/series';
import type { Analysis, Series } from '../../src/core/analysis/types';
import { buildChart, sampleChart } from '../../src/core/chart/series';
import { defaultSpec } from '../../src/core/chart/whatIf';
import { ChartRequests } from '../../src/server/chart';
import { REPO } from '../helpers/shared';

test('Show Chart reads the analysis in its typed arrays: none is copied to number[], and the same series are drawn', async () => {
  // The chart converted the cached analysis to number[] first: 0.2 s of Show Chart on the bench's million-row log.
  const plain = await analyseFiles([join(REPO, 'examples/loss/cosine.csv')], { bootstrapSamples: 30 });
  const typed = structuredClone(plain) as Analysis<Series>;
  mapSeries(typed, (values) => Float64Array.from(values));
  const requests = new ChartRequests(async () => typed);
  const answer = await requests.data({ uri: 'file:///cosine.csv', width: 800, logX: true });
  assert.ok(answer.ok, answer.ok ? '' : answer.message);
  assert.ok(typed.curves[0].points.x instanceof Float64Array, 'the cached analysis keeps its typed arrays');
  assert.ok(typed.curves[0].schedule?.lr instanceof Float64Array);
  assert.ok(
    answer.value.series.every((s) => Array.isArray(s.x) && Array.isArray(s.y)),
    'what is sent is number[]',
  );
  assert.deepEqual(answer.value.series, sampleChart(buildChart(plain), { width: 800, logX: true }).series);
  const [whatIf] = await requests.whatIf({
    uri: 'file:///cosine.csv',
    specs: [defaultSpec(answer.value.whatIf!, 'logged')],
  });
  assert.ok(whatIf.ok, whatIf.ok ? '' : whatIf.message);
  assert.ok(typed.curves[0].points.x instanceof Float64Array, 'nor does a what-if');
});

test('after a fit the user asked for, the chart model is built ahead of Show Chart, and the request samples it', async () => {
  const plain = await analyseFiles([join(REPO, 'examples/loss/cosine.csv')], { bootstrapSamples: 30 });
  const requests = new ChartRequests(async () => plain);
  await requests.prepare('file:///cosine.csv');
  // Changed once the model was built (the law's line is its own copy): a model built on the request would draw it.
  const first = plain.curves[0].points.predicted[0];
  plain.curves[0].points.predicted[0] = 123;
  const answer = await requests.data({ uri: 'file:///cosine.csv', width: 800, logX: true, full: true });
  assert.ok(answer.ok, answer.ok ? '' : answer.message);
  assert.equal(answer.value.series.find((s) => s.id === 'law:cosine')?.y[0], first);
});
