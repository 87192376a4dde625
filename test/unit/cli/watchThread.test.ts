// What crosses from `watch`'s follower thread to its main thread (src/cli/watch.ts): each update as printed, text of a
// few KB, never the analysis (a million-row run's clone and conversion cost the main thread 0.3-0.4 s an update).
// Started as watch starts it, on a run file the test writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { lossRows } from '../../../bench/workloads';
import { REPO } from '../../helpers/shared';
import { scratchDir } from '../../helpers/scratch';
import type { WatchJob, WatchMessage } from '../../../src/cli/watch';

const dir = scratchDir('sl-watch-thread-');

/** The follower's thread of `watch` on `path`, and its first message. */
async function firstMessage(path: string, json: boolean): Promise<WatchMessage> {
  const options = { analysis: { law: 'lr-annealing' as const, bootstrap: 0 } };
  const job: WatchJob = { scalingLensWatch: { files: [path], options, json, version: '0.0.0-test' } };
  const worker = new Worker(join(REPO, 'src/cli/watch.ts'), {
    workerData: job,
    execArgv: ['--require', require.resolve('tsx/cjs')],
  });
  try {
    return await new Promise<WatchMessage>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  } finally {
    await worker.terminate();
  }
}

test("watch's follower thread posts each update as text, not the analysis its series would be copied with", async () => {
  const path = join(dir, 'run.csv');
  const rows = [...lossRows(5000, 9, 0.005)].map((r) => `${r.step},${r.lr},${r.loss}\n`);
  writeFileSync(path, `step,lr,loss\n${rows.join('')}`);
  for (const json of [true, false]) {
    const message = await firstMessage(path, json);
    assert.ok('text' in message, `the update as printed: ${Object.keys(message).join(', ')}`);
    assert.equal(message.kind, json ? 'json' : 'text');
    assert.ok(message.text.length < 20_000, `a few KB, not the 5,000 points: ${message.text.length}`);
    if (json) assert.equal(JSON.parse(message.text).update.inputs[0].rows, 5000);
    else assert.match(message.text, /^== \d\d:\d\d:\d\d \S*run\.csv: read \(5,000 rows\)/);
  }
});
