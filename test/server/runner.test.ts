// The analysis worker's limits: a job that runs too long or needs too much heap ends with a message for its file,
// and the next job runs as usual.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInWorker, runLimited } from '../../src/server/runner';
import type { AnalysisJob } from '../../src/server/job';

const job = (text: string, path = '/tmp/limits.csv'): AnalysisJob => ({
  source: { kind: 'text', text },
  path,
  options: { bootstrapSamples: 0 },
  maxBytes: 1 << 30,
  onlyIfRunFile: false,
});

const lossLog = (rows: number) =>
  [
    'step,lr,loss',
    ...Array.from({ length: rows }, (_, i) => `${i + 1},3e-4,${(2.5 + 3 * (i + 1) ** -0.4).toFixed(5)}`),
  ].join('\n');

test('a job over its time limit ends with a message naming the file and the limit', async () => {
  const result = await runLimited(job(lossLog(200_000)), new AbortController().signal, { heapMb: 2048, timeMs: 20 });
  assert.ok(result !== 'cancelled' && !result.ok);
  assert.match(result.message, /limits\.csv after 0 s, its time limit/);
});

test('a job over its heap limit ends with a message naming the file and the limit', async () => {
  // Every line brings new keys: the reader's per-column state grows until the small heap is exhausted.
  const lines = Array.from({ length: 40_000 }, (_, i) =>
    JSON.stringify({ step: i + 1, loss: 2, [`k${i}`]: i, [`j${i}`]: 'x'.repeat(40) }),
  );
  const result = await runLimited(job(lines.join('\n'), '/tmp/limits.jsonl'), new AbortController().signal, {
    heapMb: 24,
    timeMs: 60_000,
  });
  assert.ok(result !== 'cancelled' && !result.ok);
  assert.match(result.message, /limits\.jsonl: it needed more than 24 MB of memory/);
});

test('after a job was stopped, the next one runs with the default limits', async () => {
  const result = await runInWorker(job(lossLog(2000)), new AbortController().signal);
  assert.ok(result !== 'cancelled' && result.ok);
  assert.equal(result.analysis.fits.length, 1);
});
