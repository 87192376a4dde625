// A run the server follows (fitted from disk, or open with the text on disk) is shown in the Runs view by its
// follower's analyses (src/server/runs.ts, followers.ts): listed with the follower's overview, never fitted a second
// time by the view's workers, and sent to the client each time the follower re-fits it as it grows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fitLawName } from '../../src/core/analysis/lawNames';
import { Follower } from '../../src/core/live/follower';
import { AnalysisRequest, FitFileRequest } from '../../src/shared/protocol';
import { RunsRequest, RunsUpdatedNotification, TRAINING_WITHIN_MS, type RunEntry } from '../../src/shared/runs';
import { RunsIndex } from '../../src/server/runs';
import { resolveSettings } from '../../src/server/settings';
import { startTestServer, type TestClient } from '../helpers/lsp';
import { powerLawRows } from '../helpers/syntheticLoss';
import { scratchDir } from '../helpers/scratch';

const uriOf = (path: string) => pathToFileURL(path).toString();

const rows = powerLawRows;

/** Resolves with the first value `probe` gives, polling; fails after `ms`. */
async function eventually<T>(what: string, ms: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The Runs view's entries the server sends the client unasked, as they come. */
function runsUpdates(client: TestClient): RunEntry[] {
  const updates: RunEntry[] = [];
  client.rpc.onNotification(RunsUpdatedNotification, ({ runs }) => {
    updates.push(...runs);
  });
  return updates;
}

test('a followed run is listed with its follower overview and updated, unasked, as it grows on disk', async () => {
  const root = scratchDir('scaling-lens-runs-followed-root-');
  const live = join(root, 'live.csv');
  writeFileSync(live, `step,lr,loss\n${rows(0, 300)}`);
  writeFileSync(join(root, 'other.csv'), `step,lr,loss\n${rows(0, 200)}`);
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    const updates = runsUpdates(client);
    assert.equal((await client.rpc.sendRequest(FitFileRequest, { uri: uriOf(live) })).state, 'done');
    const analysis = (await client.rpc.sendRequest(AnalysisRequest, { uri: uriOf(live) }))!;

    const listed = await client.rpc.sendRequest(RunsRequest, { roots: [uriOf(root)] });
    const entry = listed.runs.find((r) => r.name === 'live')!;
    // Listed with an overview at once: the follower's, not a Runs worker's fit (which would come later).
    assert.equal(entry.overview?.lastStep, 30_000);
    assert.equal(entry.overview?.prediction?.lawName, fitLawName(analysis.fits[0]), 'the law the lens names');
    assert.equal(entry.overview?.prediction?.value, analysis.predictions.find((p) => p.metric === 'loss')?.value);
    assert.equal(listed.runs.find((r) => r.name === 'other')!.overview, undefined, 'not followed: fitted in a worker');
    await eventually('the other run fitted by a worker', 60_000, () => updates.find((u) => u.name === 'other'));
    assert.ok(!updates.some((u) => u.name === 'live'), 'the followed run is not fitted again by a worker');

    appendFileSync(live, rows(300, 400));
    const grown = await eventually('the grown run sent to the client', 15_000, () =>
      updates.find((u) => u.name === 'live' && u.overview?.lastStep === 40_000),
    );
    assert.equal(grown.modifiedMs, statSync(live).mtimeMs, 'updated N s ago counts from the last write');
    assert.ok(Date.now() - grown.modifiedMs < TRAINING_WITHIN_MS, 'so it shows as training');
    assert.ok(grown.overview!.prediction!.step > 40_000);

    // A listing after it grew has the new overview too, still without a worker's fit.
    const again = await client.rpc.sendRequest(RunsRequest, { roots: [uriOf(root)] });
    assert.equal(again.runs.find((r) => r.name === 'live')!.overview?.lastStep, 40_000);
  } finally {
    client.dispose();
  }
});

test('a run fitted on request while open is still followed once closed: its entry moves on as it grows', async () => {
  const root = scratchDir('scaling-lens-runs-followed-root-');
  const path = join(root, 'asked.csv');
  const text = `step,lr,loss\n${rows(0, 200)}`;
  writeFileSync(path, text);
  const uri = uriOf(path);
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    const updates = runsUpdates(client);
    await client.open(uri, text);
    assert.equal((await client.rpc.sendRequest(FitFileRequest, { uri })).state, 'done');
    const listed = await client.rpc.sendRequest(RunsRequest, { roots: [uriOf(root)] });
    assert.equal(listed.runs[0].overview?.lastStep, 20_000, 'its text is the file on disk: the follower analysed it');
    await client.close(uri);
    await new Promise((r) => setTimeout(r, 500)); // the close handled: following on disk starts from this size

    appendFileSync(path, rows(200, 250));
    await eventually('the closed run followed on disk', 15_000, () =>
      updates.find((u) => u.overview?.lastStep === 25_000),
    );
  } finally {
    client.dispose();
  }
});

test('a run whose follower ends before its first analysis goes back to the Runs workers', async () => {
  const root = scratchDir('scaling-lens-runs-followed-root-');
  const path = join(root, 'run.csv');
  writeFileSync(path, `step,lr,loss\n${rows(0, 100)}`);
  const updated: RunEntry[] = [];
  const index = new RunsIndex({
    settings: async () => resolveSettings({ fit: { bootstrapSamples: 0 } }),
    updated: (runs) => updated.push(...runs),
    log: () => undefined,
  });
  try {
    index.started(path);
    const listed = await index.list([uriOf(root)]);
    assert.equal(listed.runs[0].overview, undefined);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(updated.length, 0, 'followed: the view waits for the follower instead of fitting it');

    // Its follower's analysis is shown as it is: the run's overview, sent at once.
    const follower = await Follower.open([path], { analysis: { bootstrapSamples: 0 } });
    index.analysed(path, (await follower.update(true))!.analysis);
    await eventually('the follower overview', 5_000, () => updated.find((u) => u.overview !== undefined));
    assert.equal(updated[0].overview?.lastStep, 10_000);

    // A second run, followed but ended before its first analysis, is fitted by a worker.
    const second = join(root, 'second.csv');
    writeFileSync(second, `step,lr,loss\n${rows(0, 120)}`);
    index.started(second);
    await index.list([uriOf(root)]);
    index.stopped(second);
    const fitted = await eventually('the worker fit', 60_000, () => updated.find((u) => u.name === 'second'));
    assert.equal(fitted.overview?.lastStep, 12_000);
  } finally {
    index.dispose();
  }
});

test('a workspace folder reached through a symbolic link: its followed run is still listed with its follower overview', async () => {
  // The server names a file by its real path (one analysis for a file and a link to it); the view scans the folder
  // by the path the workspace gives.
  const real = scratchDir('scaling-lens-runs-followed-real-');
  const root = join(scratchDir('scaling-lens-runs-followed-link-'), 'project');
  symlinkSync(real, root);
  const live = join(root, 'live.csv');
  writeFileSync(live, `step,lr,loss\n${rows(0, 300)}`);
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    const updates = runsUpdates(client);
    assert.equal((await client.rpc.sendRequest(FitFileRequest, { uri: uriOf(live) })).state, 'done');
    const listed = await client.rpc.sendRequest(RunsRequest, { roots: [uriOf(root)] });
    assert.equal(listed.runs.find((r) => r.name === 'live')!.overview?.lastStep, 30_000, "the follower's overview");
    appendFileSync(live, rows(300, 400));
    await eventually('the grown run sent to the client', 15_000, () =>
      updates.find((u) => u.name === 'live' && u.overview?.lastStep === 40_000),
    );
  } finally {
    client.dispose();
  }
});
