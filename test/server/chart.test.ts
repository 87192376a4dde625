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

/** One turn of the event loop: the prebuild's next slice runs before it ends. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** The first y of a curve's law line, as a chart request of every row draws it. */
async function lawStart(requests: ChartRequests, curve: string): Promise<number | undefined> {
  const answer = await requests.data({ uri: 'file:///sweep.csv', width: 800, logX: true, full: true });
  assert.ok(answer.ok, answer.ok ? '' : answer.message);
  return answer.value.series.find((s) => s.id === `law:${curve}`)?.y[0];
}

test('after a fit the user asked for, the chart model is built ahead of Show Chart, and the request samples it', async () => {
  const plain = await analyseFiles([join(REPO, 'examples/loss/cosine.csv')], { bootstrapSamples: 30 });
  const requests = new ChartRequests(async () => plain);
  await requests.prepare(() => plain);
  // Changed once the model was built (the law's line is its own copy): a model built on the request would draw it.
  const first = plain.curves[0].points.predicted[0];
  plain.curves[0].points.predicted[0] = 123;
  const answer = await requests.data({ uri: 'file:///cosine.csv', width: 800, logX: true, full: true });
  assert.ok(answer.ok, answer.ok ? '' : answer.message);
  assert.equal(answer.value.series.find((s) => s.id === 'law:cosine')?.y[0], first);
});

test('a model built ahead of Show Chart that no chart asks for in time is let go; one a chart took is kept', async () => {
  // A million-row log's model (about 32 MB) was kept as long as its analysis, whether a chart ever opened or not.
  const plain = await analyseFiles([join(REPO, 'examples/loss/cosine.csv')], { bootstrapSamples: 30 });
  const first = plain.curves[0].points.predicted[0];
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const unasked = new ChartRequests(async () => plain, undefined, 20);
  await unasked.prepare(() => plain);
  await wait(60);
  plain.curves[0].points.predicted[0] = 123;
  assert.equal(await lawStart(unasked, 'cosine'), 123, 'let go: the request built it afresh');
  plain.curves[0].points.predicted[0] = first;

  const asked = new ChartRequests(async () => plain, undefined, 20);
  await asked.prepare(() => plain);
  assert.equal(await lawStart(asked, 'cosine'), first);
  await wait(60);
  plain.curves[0].points.predicted[0] = 123;
  assert.equal(await lawStart(asked, 'cosine'), first, 'kept: a chart asked for it');
  plain.curves[0].points.predicted[0] = first;
});

test('the model built ahead of Show Chart is built a curve at a time between other work, and the request finishes it', async () => {
  // It was built in one piece on the server's only thread: 1.3 s on a 200-run sweep, hovers and lenses waiting.
  const plain = await analyseFiles([join(REPO, 'examples/loss/sweep.csv')], { bootstrapSamples: 30 });
  const [first, , last] = plain.curves;
  const expected = sampleChart(buildChart(plain), { width: 800, logX: true }).series;
  const requests = new ChartRequests(async () => plain, 0);
  const prebuild = requests.prepare(() => plain);
  await turn();
  // The first curve is built, the last is not: changed now, only the last one's line is drawn changed.
  const [firstLaw, lastLaw] = [first.points.predicted[0], last.points.predicted[0]];
  first.points.predicted[0] = 123;
  last.points.predicted[0] = 456;
  assert.equal(await lawStart(requests, first.name), firstLaw, 'the first curve was built in the first slice');
  assert.equal(await lawStart(requests, last.name), 456, 'the request built what was left, at once');
  await prebuild;
  first.points.predicted[0] = firstLaw;
  last.points.predicted[0] = lastLaw;

  // The same series and numbers as a model built in one piece, whenever the request comes.
  for (const slices of [0, 1, 2, 10]) {
    const again = new ChartRequests(async () => plain, 0);
    const done = again.prepare(() => plain);
    for (let i = 0; i < slices; i++) await turn();
    const answer = await again.data({ uri: 'file:///sweep.csv', width: 800, logX: true });
    assert.ok(answer.ok, answer.ok ? '' : answer.message);
    assert.deepEqual(answer.value.series, expected, `after ${slices} slice(s)`);
    await done;
  }
});

test('a model being built ahead of Show Chart is given up when the file has another analysis', async () => {
  const plain = await analyseFiles([join(REPO, 'examples/loss/sweep.csv')], { bootstrapSamples: 30 });
  const [first] = plain.curves;
  let cached: typeof plain | undefined = plain;
  const requests = new ChartRequests(async () => plain, 0);
  const prebuild = requests.prepare(() => cached);
  await turn();
  // An edit replaced the analysis: the rest of the prebuild is not done, and what it built is dropped.
  cached = undefined;
  first.points.predicted[0] = 123;
  await prebuild;
  assert.equal(await lawStart(requests, first.name), 123, 'built afresh by the request');
});
