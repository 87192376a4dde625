// A folder is fitted as the set of runs in it, and several selected files and folders as one set: the Fit request
// on its URI answers with a summary, and the analysis, predictions and findings belong to that set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AnalysisRequest, FitFileRequest } from '../../src/shared/protocol';
import { runSetUri } from '../../src/shared/runSet';
import { RunsRequest, RunsUpdatedNotification, type RunEntry } from '../../src/shared/runs';
import { RunsIndex } from '../../src/server/runs';
import { resolveSettings } from '../../src/server/settings';
import { startTestServer } from '../helpers/lsp';
import { REPO } from '../helpers/shared';
import { scratchDir } from '../helpers/scratch';

const uriOf = (path: string) => pathToFileURL(path).toString();

function runsFolder(): string {
  const root = scratchDir('scaling-lens-runs-');
  mkdirSync(join(root, 'runs', 'later'), { recursive: true });
  copyFileSync(join(REPO, 'examples/loss/constant.csv'), join(root, 'runs', 'constant.csv'));
  copyFileSync(join(REPO, 'examples/loss/cosine.csv'), join(root, 'runs', 'later', 'cosine.csv'));
  writeFileSync(join(root, 'runs', 'notes.txt'), 'not a run\n');
  return join(root, 'runs');
}

test('Fit on a folder fits every run in it together, each curve named by its path under the folder', async () => {
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 }, law: 'lr-annealing' };
    const uri = uriOf(runsFolder());
    const summary = await client.rpc.sendRequest(FitFileRequest, { uri });
    assert.equal(summary.state, 'done', summary.message);
    const analysis = await client.rpc.sendRequest(AnalysisRequest, { uri });
    assert.deepEqual(analysis?.curves.map((c) => c.name).sort(), ['constant', 'later/cosine']);
    assert.ok(analysis?.findings.some((f) => f.code === 'source-skipped'));
  } finally {
    client.dispose();
  }
});

test('several selected runs are one set: fitted together, its analysis keyed by the set', async () => {
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 }, law: 'lr-annealing' };
    const folder = runsFolder();
    const uri = runSetUri([uriOf(join(folder, 'constant.csv')), uriOf(join(folder, 'later'))]);
    const summary = await client.rpc.sendRequest(FitFileRequest, { uri });
    assert.equal(summary.state, 'done', summary.message);
    const analysis = await client.rpc.sendRequest(AnalysisRequest, { uri });
    assert.deepEqual(analysis?.curves.map((c) => c.name).sort(), ['constant', 'cosine']);
    assert.deepEqual(analysis?.fits[0].fittedOn.slice().sort(), ['constant', 'cosine']);
  } finally {
    client.dispose();
  }
});

test('the Runs view: every run under a root listed at once, each overview sent as its fit finishes', async () => {
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    const folder = runsFolder();
    const updates: RunEntry[] = [];
    const allIn = new Promise<void>((resolve) =>
      client.rpc.onNotification(RunsUpdatedNotification, ({ runs }) => {
        updates.push(...runs);
        if (updates.length >= 2) resolve();
      }),
    );
    const listed = await client.rpc.sendRequest(RunsRequest, { roots: [uriOf(folder)] });
    assert.deepEqual(listed.runs.map((r) => r.name).sort(), ['constant', 'later/cosine']);
    assert.deepEqual(listed.notes, [], 'files skipped as not runs are no news');
    await allIn;
    for (const run of updates) {
      const o = run.overview!;
      assert.ok(o.prediction, `${run.name}: ${o.problem}`);
      assert.ok(o.lastStep! > 0 && o.lastLoss! > 2 && o.prediction.step > o.lastStep!);
    }
    // Nothing changed: a second listing has every overview already, and fits nothing.
    const again = await client.rpc.sendRequest(RunsRequest, { roots: [uriOf(folder)] });
    assert.ok(again.runs.every((r) => r.overview?.prediction));
  } finally {
    client.dispose();
  }
});

test('the Runs view gives way to a fit someone waits for, and fits the rest once it is done', async () => {
  const updated: RunEntry[] = [];
  const index = new RunsIndex({
    settings: async () => resolveSettings({ fit: { bootstrapSamples: 0 } }),
    updated: (runs) => updated.push(...runs),
    log: () => undefined,
  });
  try {
    const listed = await index.list([uriOf(runsFolder())]);
    index.pause(); // a fit started: the workers stop before either run is done
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(listed.runs.every((r) => r.overview === undefined));
    index.resume();
    for (let i = 0; i < 600 && updated.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(updated.map((r) => r.name).sort(), ['constant', 'later/cosine']);
    assert.ok(updated.every((r) => r.overview?.prediction));
  } finally {
    index.dispose();
  }
});
