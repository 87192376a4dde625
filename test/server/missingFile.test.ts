// A file asked for that is not there (a wrong path, a run not started yet, or deleted while followed) is reported
// once, with its path, and watched for: fitted once it appears, and not analysed again at every poll meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { FileCache } from '../../src/server/fileCache';
import { runJob } from '../../src/server/job';
import { resolveSettings } from '../../src/server/settings';
import type { FitSummary } from '../../src/shared/protocol';
import { scratchDir } from '../helpers/scratch';

const dir = scratchDir('scaling-lens-missing-');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function lossCsv(rows: number): string {
  let text = 'step,lr,loss\n';
  for (let i = 1; i <= rows; i++) text += `${i * 100},0.0003,${(2.5 + 4 * (i * 100) ** -0.45).toFixed(5)}\n`;
  return text;
}

test('a file asked for before it exists is said missing once, fitted when it appears, said missing once when deleted', async () => {
  const summaries: FitSummary[] = [];
  let runs = 0;
  const cache = new FileCache({
    documents: new Map(),
    settings: async () => resolveSettings({ fit: { bootstrapSamples: 0 } }),
    runner: (job) => (runs++, runJob(job)),
    // Polled every 20 ms: a missing file re-analysed at each poll would show dozens of times below.
    diskWatch: { minIntervalMs: 20, pollMs: 20 },
    events: {
      summary: (s) => summaries.push(s),
      diagnostics: () => undefined,
      analysed: () => undefined,
      log: () => undefined,
    },
  });
  try {
    const path = join(dir, 'later.csv');
    const uri = pathToFileURL(path).toString();
    const asked = await cache.fit(uri, undefined, new CancellationTokenSource().token);
    assert.equal(asked.state, 'error');
    assert.equal(asked.message, `${path} does not exist; check the path; it is fitted once it appears`);
    await sleep(500);
    assert.deepEqual(
      summaries.map((s) => s.state),
      ['error'],
      'said once, not at every poll',
    );
    assert.equal(runs, 0);

    writeFileSync(path, lossCsv(40));
    await until('the fit of the file once there', () => summaries.at(-1)?.state === 'done');
    assert.equal(cache.cached(uri)?.curves[0].points.x.length, 40);

    rmSync(path);
    await until('the deleted file said missing', () => summaries.at(-1)?.state === 'error');
    const count = summaries.length;
    await sleep(500);
    assert.equal(summaries.length, count, 'said once, not at every poll');
    assert.match(summaries.at(-1)!.message, /later\.csv does not exist/);
  } finally {
    cache.dispose();
  }
});
