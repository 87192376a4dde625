// A refresh of the Runs view (src/server/runs.ts) while its workers fit: fits of runs that did not change go on, a run
// that changed is fitted again from its new state, and a run written faster than it is fitted still gets overviews.
// Each run here takes longer to fit than the refreshes are apart, as in a workspace whose files change every second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunEntry } from '../../src/shared/runs';
import { RunsIndex } from '../../src/server/runs';
import { resolveSettings } from '../../src/server/settings';
import { powerLawRows } from '../helpers/syntheticLoss';
import { scratchDir } from '../helpers/scratch';

/** Rows per run: a few hundred ms to fit on an idle machine (a worker's start and read included), seconds if busy. */
const ROWS = 30_000;
/** Between refreshes: shorter than any fit of a run of ROWS rows. */
const REFRESH_MS = 100;
/** The last step of powerLawRows(0, n). */
const lastStep = (n: number) => n * 100;

function indexWith(updated: RunEntry[]): RunsIndex {
  return new RunsIndex({
    settings: async () => resolveSettings({}),
    // Copied as sent: the index updates its entries in place.
    updated: (runs) => updated.push(...structuredClone(runs)),
    log: () => undefined,
  });
}

/** Lists the root every REFRESH_MS, calling `between` before each listing, until `done` gives a value. */
async function refreshUntil<T>(
  index: RunsIndex,
  root: string,
  done: () => T | undefined,
  between: () => void = () => undefined,
): Promise<T> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const value = done();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, 'the overview never came');
    between();
    await index.list([root]);
    await new Promise((r) => setTimeout(r, REFRESH_MS));
  }
}

test('refreshes while a run is fitted let its fit finish when it did not change, and do not fit it again', async () => {
  const folder = scratchDir('scaling-lens-runs-refresh-still-');
  writeFileSync(join(folder, 'still.csv'), `step,lr,loss\n${powerLawRows(0, ROWS)}`);
  const updated: RunEntry[] = [];
  const index = indexWith(updated);
  const root = pathToFileURL(folder).toString();
  try {
    const first = await index.list([root]);
    assert.equal(first.runs[0].overview, undefined, 'not fitted yet');
    // Stopping the fit at each refresh, as the view did, would never finish it.
    const entry = await refreshUntil(index, root, () => updated.find((u) => u.name === 'still'));
    assert.equal(entry.overview?.lastStep, lastStep(ROWS));
    for (let i = 0; i < 3; i++) await index.list([root]);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(updated.length, 1, 'fitted once: an unchanged run is not fitted again');
    assert.equal((await index.list([root])).runs[0].overview?.lastStep, lastStep(ROWS), 'listed with its overview');
  } finally {
    index.dispose();
  }
});

test('a run that changed while it was fitted is fitted again from its new state; the others fits go on', async () => {
  const folder = scratchDir('scaling-lens-runs-refresh-changed-');
  const grows = join(folder, 'grows.csv');
  writeFileSync(grows, `step,lr,loss\n${powerLawRows(0, ROWS)}`);
  writeFileSync(join(folder, 'still.csv'), `step,lr,loss\n${powerLawRows(0, ROWS)}`);
  const updated: RunEntry[] = [];
  const index = indexWith(updated);
  const root = pathToFileURL(folder).toString();
  try {
    await index.list([root]);
    appendFileSync(grows, powerLawRows(ROWS, ROWS + 50)); // while its first fit is under way
    await refreshUntil(index, root, () =>
      ['grows', 'still'].every((name) => updated.some((u) => u.name === name)) ? true : undefined,
    );
    const sent = updated.filter((u) => u.name === 'grows');
    assert.equal(sent.length, 1, 'the fit of the run as it was is stopped, not sent');
    assert.equal(sent[0].overview?.lastStep, lastStep(ROWS + 50), 'the run as it is now');
    assert.equal(updated.filter((u) => u.name === 'still').length, 1);

    // Changed after its fit: listed with its last overview until the new one comes.
    appendFileSync(grows, powerLawRows(ROWS + 50, ROWS + 60));
    const listed = await index.list([root]);
    assert.equal(listed.runs.find((r) => r.name === 'grows')?.overview?.lastStep, lastStep(ROWS + 50));
    const refitted = await refreshUntil(index, root, () =>
      updated.find((u) => u.name === 'grows' && u.overview?.lastStep === lastStep(ROWS + 60)),
    );
    assert.ok(refitted.overview?.prediction);
  } finally {
    index.dispose();
  }
});

test('a run written to before every refresh, faster than it is fitted, still gets its overviews', async () => {
  const folder = scratchDir('scaling-lens-runs-refresh-busy-');
  const path = join(folder, 'busy.csv');
  writeFileSync(path, `step,lr,loss\n${powerLawRows(0, ROWS)}`);
  const updated: RunEntry[] = [];
  const index = indexWith(updated);
  const root = pathToFileURL(folder).toString();
  let rows = ROWS;
  const grow = () => {
    appendFileSync(path, powerLawRows(rows, rows + 1));
    rows++;
  };
  try {
    await index.list([root]);
    // A fit stopped at every change would never end: the second in a row runs to its end.
    const first = await refreshUntil(index, root, () => updated.find((u) => u.name === 'busy'), grow);
    assert.ok(first.overview!.lastStep! > lastStep(ROWS), 'fitted after it changed, not before');
    assert.ok(first.overview!.lastStep! <= lastStep(rows));
    const second = await refreshUntil(
      index,
      root,
      () => updated.find((u) => u.name === 'busy' && u.overview!.lastStep! > first.overview!.lastStep!),
      grow,
    );
    assert.ok(second.overview?.prediction, 'and the next, as it keeps changing');
  } finally {
    index.dispose();
  }
});

test('a run deleted between its listing and its fit is said gone, and left out of the next listing', async () => {
  const folder = scratchDir('scaling-lens-runs-gone-');
  writeFileSync(join(folder, 'kept.csv'), `step,lr,loss\n${powerLawRows(0, 300)}`);
  writeFileSync(join(folder, 'gone.csv'), `step,lr,loss\n${powerLawRows(0, 300)}`);
  const updated: RunEntry[] = [];
  const index = indexWith(updated);
  const root = pathToFileURL(folder).toString();
  try {
    const first = await index.list([root]);
    assert.deepEqual(first.runs.map((r) => r.name).sort(), ['gone', 'kept']);
    rmSync(join(folder, 'gone.csv'));
    const deadline = Date.now() + 60_000;
    while (!['gone', 'kept'].every((name) => updated.some((u) => u.name === name))) {
      assert.ok(Date.now() < deadline, 'both runs get an overview');
      await new Promise((r) => setTimeout(r, 50));
    }
    const gone = updated.find((u) => u.name === 'gone')!;
    assert.match(gone.overview?.problem ?? '', /gone\.csv does not exist/, JSON.stringify(gone.overview));
    assert.ok(updated.find((u) => u.name === 'kept')?.overview?.prediction, 'the other run is fitted');
    const again = await index.list([root]);
    assert.deepEqual(
      again.runs.map((r) => r.name),
      ['kept'],
    );
  } finally {
    index.dispose();
  }
});
