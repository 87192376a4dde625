// Files analysed from disk are followed there (src/server/diskWatch.ts, followers.ts): a run file that is not open,
// fitted once, gets new lenses when it grows on disk, without any request, re-fitted from its previous fit.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, closeSync, constants, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyseFiles } from '../../src/core/analysis/analyse';
import { COLD_START, WARM_START } from '../../src/core/analysis/lossAnalysis';
import { AnalysisRequest, FitFileRequest } from '../../src/shared/protocol';
import { signatureOf } from '../../src/core/live/wholeTail';
import { DiskWatch } from '../../src/server/diskWatch';
import { startTestServer } from '../helpers/lsp';
import { powerLawRows } from '../helpers/syntheticLoss';
import { scratchDir } from '../helpers/scratch';

const dir = scratchDir('scaling-lens-disk-');

const rows = powerLawRows;

/** Polls `probe` until it gives a value, for up to `ms`. */
async function eventually<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a run file fitted from disk and not open updates its lens when it grows on disk', async () => {
  const client = await startTestServer();
  try {
    const path = join(dir, 'growing.csv');
    writeFileSync(path, `step,lr,loss\n${rows(0, 50)}`);
    const uri = pathToFileURL(path).toString();
    client.settings = { fit: { bootstrapSamples: 0 } };
    const summary = await client.rpc.sendRequest(FitFileRequest, { uri });
    assert.equal(summary.fromDisk, true);
    const before = (await client.lenses(uri))[0].command!.title;
    assert.match(before, /L\(10k\)/, 'twice the last step, 5,000');

    const refreshes = client.lensRefreshes;
    appendFileSync(path, rows(50, 100));
    const after = await eventually('the lens of the grown file', 15_000, async () => {
      const title = (await client.lenses(uri))[0]?.command?.title;
      return title && title !== before ? title : undefined;
    });
    assert.match(after, /L\(20k\)/, 'twice the new last step, 10,000');
    // The refresh is sent after the new analysis is in place, so a lens asked for meanwhile may see it first.
    await eventually(
      'the client asked to refresh its lenses',
      5_000,
      async () => client.lensRefreshes > refreshes || undefined,
    );
  } finally {
    client.dispose();
  }
});

test('a followed file is re-fitted from its previous fit: warm, and as a cold fit of the grown file would give', async () => {
  const client = await startTestServer();
  try {
    const path = join(dir, 'warm.csv');
    writeFileSync(path, `step,lr,loss\n${rows(0, 300)}`);
    const uri = pathToFileURL(path).toString();
    client.settings = { fit: { bootstrapSamples: 20 } };
    await client.rpc.sendRequest(FitFileRequest, { uri });
    const first = await client.rpc.sendRequest(AnalysisRequest, { uri });
    assert.equal(first?.fits[0].settings.start, COLD_START);

    appendFileSync(path, rows(300, 400));
    const grown = await eventually('the analysis of the grown file', 15_000, async () => {
      const analysis = await client.rpc.sendRequest(AnalysisRequest, { uri });
      return analysis?.fits[0].points === 400 ? analysis : undefined;
    });
    assert.equal(grown.fits[0].settings.start, WARM_START);
    assert.ok(Object.keys(grown.fits[0].intervals ?? {}).length > 0, 'the band and intervals are carried over');
    assert.match((await client.lenses(uri))[0].command!.title, /L\(80k\)/, 'twice the new last step, 40,000');
    const cold = await analyseFiles([path], { bootstrapSamples: 0 });
    for (const [name, value] of Object.entries(cold.fits[0].params))
      assert.ok(
        Math.abs(grown.fits[0].params[name] / value - 1) < 1e-3,
        `${name}: ${grown.fits[0].params[name]} vs ${value}`,
      );
  } finally {
    client.dispose();
  }
});

test('an open document that is the file on disk is followed there: reloaded grown, it is re-fitted warm', async () => {
  const client = await startTestServer();
  try {
    const path = join(dir, 'open.csv');
    const text = `step,lr,loss\n${rows(0, 300)}`;
    writeFileSync(path, text);
    const uri = pathToFileURL(path).toString();
    client.settings = { fit: { bootstrapSamples: 0 } };
    await client.open(uri, text);
    // Auto-fitted on open; nothing asks for it until it has grown (asking makes it a requested fit: same follower).
    await client.status(uri, (s) => s.state === 'done');

    // The editor reloads the grown file: its text is the file on disk again.
    const grown = `${text}${rows(300, 400)}`;
    writeFileSync(path, grown);
    await client.change(uri, grown, 2);
    const warm = await eventually('the analysis of the reloaded document', 15_000, async () => {
      const analysis = await client.rpc.sendRequest(AnalysisRequest, { uri });
      return analysis?.fits[0].points === 400 ? analysis : undefined;
    });
    assert.equal(warm.fits[0].settings.start, WARM_START);

    // Unsaved edits are the document's own: fitted from its text, as before.
    const edited = `${grown}40100,0.0003,2.6\n`;
    await client.change(uri, edited, 3);
    const own = await eventually('the analysis of the edited document', 15_000, async () => {
      const analysis = await client.rpc.sendRequest(AnalysisRequest, { uri });
      return analysis?.fits[0].points === 401 ? analysis : undefined;
    });
    assert.equal(own.fits[0].settings.start, undefined, 'not followed: no start to say');
  } finally {
    client.dispose();
  }
});

test('a change made while a file was being analysed still counts: the signature is the one taken before the read', async () => {
  const path = join(dir, 'raced.csv');
  writeFileSync(path, `step,lr,loss\n${rows(0, 20)}`);
  const before = await signatureOf(path);
  appendFileSync(path, rows(20, 30)); // written after the read began, before following began
  let changes = 0;
  const watch = new DiskWatch(() => changes++, { minIntervalMs: 20, pollMs: 50 });
  try {
    watch.follow('file:///raced.csv', path, Promise.resolve(before));
    await eventually('the change seen', 5_000, async () => (changes > 0 ? true : undefined));
  } finally {
    watch.dispose();
  }
});

test('a followed file that could not be read, then a FIFO in its place, is not waited on: a later write still counts', async () => {
  const path = join(dir, 'fifo-later.csv');
  writeFileSync(path, `step,lr,loss\n${rows(0, 20)}`);
  after(() => {
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)); // lets a waiting open go (the bug)
    } catch {
      // No reader waiting.
    }
  });
  let changes = 0;
  const uri = 'file:///fifo-later.csv';
  const watch = new DiskWatch(() => changes++, { minIntervalMs: 20, pollMs: 50 });
  try {
    watch.follow(uri, path);
    await new Promise((r) => setTimeout(r, 200));
    rmSync(path);
    execFileSync('mkfifo', [path]);
    await eventually('the FIFO seen', 5_000, async () => (changes === 1 ? true : undefined));
    // Its analysis could not read it: each poll asks whether it can be read now, which opened the FIFO and waited.
    watch.unreadable(uri);
    await new Promise((r) => setTimeout(r, 300));
    rmSync(path);
    writeFileSync(path, `step,lr,loss\n${rows(0, 30)}`);
    await eventually('the file written back seen', 5_000, async () => (changes === 2 ? true : undefined));
  } finally {
    watch.dispose();
  }
});
