// A follower's analyses are moved from its worker to the server's thread (src/server/followers.ts, followJob.ts): the
// worker keeps only what its next update needs, so asked again while the file has not changed, the server answers with
// the analysis it holds; once the file grows, the worker's next analysis is warm, its follower intact after the moves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Analysis, Series } from '../../src/core/analysis/types';
import { Followers } from '../../src/server/followers';
import type { AnalysisJob, JobResult } from '../../src/server/job';
import { WORKER_LIMITS } from '../../src/server/runner';
import { powerLawRows } from '../helpers/syntheticLoss';
import { scratchDir } from '../helpers/scratch';

const dir = scratchDir('scaling-lens-followers-');

function analysisOf(result: JobResult | 'cancelled'): Analysis<Series> {
  assert.ok(result !== 'cancelled' && result.ok, `an analysis: ${JSON.stringify(result)}`);
  return result.analysis;
}

/** A 300-row run on disk and a Followers that records what it tells the Runs view; `extra`: more of the job. */
function followedRun(name: string, extra: Partial<AnalysisJob> = {}) {
  const path = join(dir, name);
  writeFileSync(path, `step,lr,loss\n${powerLawRows(0, 300)}`);
  const analysed: Analysis<Series>[] = [];
  const followers = new Followers(WORKER_LIMITS, {
    started: () => undefined,
    analysed: (_, analysis) => analysed.push(analysis),
    stopped: () => undefined,
  });
  const job: AnalysisJob = {
    source: { kind: 'file' },
    path,
    options: { bootstrapSamples: 10 },
    maxBytes: 1e9,
    onlyIfRunFile: false,
    ...extra,
  };
  return { path, uri: pathToFileURL(path).toString(), analysed, followers, job };
}

test('an unchanged followed file is answered with the analysis the server holds; a grown one is re-fitted warm', async () => {
  const { path, uri, analysed, followers, job } = followedRun('run.csv');
  const signal = new AbortController().signal;
  try {
    const first = analysisOf(await followers.run(uri, job, signal));
    assert.equal(first.curves[0].points.x.length, 300);
    assert.ok(first.curves[0].points.x instanceof Float64Array, 'moved as it is: typed');

    const again = analysisOf(await followers.run(uri, job, signal));
    assert.equal(again, first, 'unchanged: the same analysis, not a copy sent again');
    assert.equal(again.curves[0].points.x.length, 300, 'and whole');
    assert.equal(analysed.length, 1, 'nothing new for the Runs view');

    appendFileSync(path, powerLawRows(300, 320));
    const grown = analysisOf(await followers.run(uri, job, signal));
    assert.equal(grown.curves[0].points.x.length, 320);
    assert.match(String(grown.fits[0].settings.start), /^warm/, 'the follower kept what its warm fit needs');
    assert.equal(first.curves[0].points.x.length, 300, 'the analysis moved before is the server’s: untouched');
    assert.deepEqual(analysed, [first, grown]);
  } finally {
    followers.dispose();
  }
});

test("a follower's first (cold) analysis is preceded by a provisional one for its asker only; warm ones are not", async () => {
  const { path, uri, analysed, followers, job } = followedRun('provisional.csv', { provisionalFromRows: 100 });
  const signal = new AbortController().signal;
  const provisionals: Analysis<Series>[] = [];
  const shown = (analysis: Analysis<Series>) => provisionals.push(analysis);
  try {
    const first = analysisOf(await followers.run(uri, job, signal, shown));
    assert.equal(provisionals.length, 1);
    assert.deepEqual(provisionals[0].provisional, { law: 'lr-annealing' });
    assert.equal(provisionals[0].curves[0].points.observed.length, 300);
    assert.equal(first.provisional, undefined);
    assert.deepEqual(analysed, [first], 'the Runs view is told of the full analysis only');

    appendFileSync(path, powerLawRows(300, 320));
    const grown = analysisOf(await followers.run(uri, job, signal, shown));
    assert.match(String(grown.fits[0].settings.start), /^warm/);
    assert.equal(provisionals.length, 1, 'a warm update is fast: no provisional analysis');
  } finally {
    followers.dispose();
  }
});

test("a followed file's row that arrives by an update gets its cell's column, as a fit from disk gives it", async () => {
  const { path, uri, followers, job } = followedRun('cells.csv');
  const signal = new AbortController().signal;
  try {
    analysisOf(await followers.run(uri, job, signal));
    appendFileSync(path, '30100,0.0003,nan\n');
    const grown = analysisOf(await followers.run(uri, job, signal));
    const nan = grown.findings.find((f) => f.code === 'loss-invalid');
    // Line 302 (the header, 300 rows, then this one): `30100,0.0003,nan`, its loss from column 14 to 17.
    assert.deepEqual(nan && [nan.line, nan.column, nan.endColumn], [302, 14, 17]);
  } finally {
    followers.dispose();
  }
});
