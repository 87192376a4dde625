// The first lens of a long log under law auto, through the language server in-process with its real analysis
// worker: the LR-annealing law's analysis comes first, labelled provisional, while both laws are compared; it raises
// no diagnostics (a law not chosen yet must not warn of what may vanish); the full auto analysis then replaces it.
// Deterministic: the provisional threshold is lowered for a short log, and the runner holds the full result back
// until the test has looked at the provisional one (the fit is "still running" for the server until then).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hover } from 'vscode-languageserver';
import { shortLawName } from '../../src/core/analysis/lawNames';
import type { Analysis, Series } from '../../src/core/analysis/types';
import { runInWorker, type Runner } from '../../src/server/runner';
import { AnalysisRequest } from '../../src/shared/protocol';
import { lossRunCsv, spikeFrom } from '../helpers/departureRuns';
import { startTestServer } from '../helpers/lsp';

const STEPS = 600;
/** What a provisional analysis's law says on every lens, hover and status. */
const PROVISIONAL_NOTE_PATTERN = /\(provisional: comparing with MPL…\)/;

/** A hover's Markdown. */
function markdownOf(hover: Hover | null): string {
  return hover && typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '';
}

/** A promise and its resolver. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

test('a long auto-law log: a provisional lens first, no diagnostics from it, then the law chosen', async () => {
  const shown = deferred<Analysis<Series>>();
  const fullFitDone = deferred();
  const release = deferred();
  const runner: Runner = async (job, signal, provisional) => {
    // The production threshold is for million-row logs; a short log keeps the test fast.
    const result = await runInWorker({ ...job, provisionalFromRows: 100 }, signal, (analysis) => {
      provisional?.(analysis);
      shown.resolve(analysis);
    });
    fullFitDone.resolve();
    await release.promise;
    return result;
  };
  const client = await startTestServer({ runner });
  // Not a file on disk: the open document is the only input.
  const uri = 'untitled:spiked-run.csv';
  try {
    client.settings = { fit: { bootstrapSamples: 40 } };
    // A loss spike from step 540: the LR-annealing law's departure check finds it, so its analysis has a warning
    // that must not reach the Problems panel while it is provisional.
    await client.open(uri, lossRunCsv(STEPS, 3, 0.01, spikeFrom(540)));
    // Asked for as the editor does on opening, before any analysis: answered by the provisional one.
    const early = client.lenses(uri);
    const provisional = await shown.promise;
    assert.deepEqual(provisional.provisional, { law: 'lr-annealing' });
    assert.ok(
      provisional.findings.some((f) => f.code === 'law-departure'),
      'the provisional fit found the spike',
    );

    const lenses = (await client.lenses(uri)).map((l) => l.command?.title ?? '');
    assert.ok(lenses.length > 0, 'a lens before the full fit is in');
    assert.deepEqual(
      (await early).map((l) => l.command?.title),
      lenses,
      'a lens request made before the provisional analysis gets it',
    );
    for (const title of lenses) assert.match(title, PROVISIONAL_NOTE_PATTERN, title);
    assert.match(lenses[0], /^L\(.* · LR-annealing law \(provisional: comparing with MPL…\)$/);
    const status = await client.status(uri, () => true);
    assert.equal(status.state, 'fitting', 'the status still says fitting');
    assert.match(status.message, PROVISIONAL_NOTE_PATTERN);
    const header = await client.hover(uri, 0);
    const headerText = markdownOf(header);
    assert.match(headerText, /\*\*Provisional\*\*: the automatic choice of law is still fitting/);
    assert.doesNotMatch(headerText, /Watch out/);
    const row = await client.hover(uri, 100);
    const rowText = markdownOf(row);
    assert.match(rowText, /predicted \(LR-annealing law \(provisional: comparing with MPL…\)\)/);
    // No diagnostics at all from the provisional analysis (none were published before it either).
    assert.deepEqual(client.published(uri), []);

    release.resolve();
    await fullFitDone.promise;
    const diagnostics = await client.diagnostics(uri, (d) => d.some((x) => x.code === 'law-departure'));
    assert.equal(diagnostics.filter((d) => d.code === 'law-departure').length, 1);
    const final = (await client.rpc.sendRequest(AnalysisRequest, { uri }))!;
    assert.equal(final.provisional, undefined);
    assert.ok(final.fits[0].selection, 'the final analysis is auto’s choice');
    const finalLenses = (await client.lenses(uri)).map((l) => l.command?.title ?? '');
    assert.ok(finalLenses.length > 0);
    for (const title of finalLenses) {
      assert.doesNotMatch(title, /provisional/, title);
      assert.ok(title.endsWith(` · ${shortLawName(final.fits[0])}`), title);
    }
    const done = await client.status(uri, (s) => s.state !== 'fitting');
    assert.equal(done.state, 'done', done.message);
  } finally {
    release.resolve();
    client.dispose();
  }
});

test('a log shorter than the threshold gets no provisional analysis, only the final one', async () => {
  let provisionals = 0;
  const runner: Runner = (job, signal, provisional) =>
    runInWorker({ ...job, provisionalFromRows: 1000 }, signal, (analysis) => {
      provisionals++;
      provisional?.(analysis);
    });
  const client = await startTestServer({ runner });
  const uri = 'untitled:short-run.csv';
  try {
    client.settings = { fit: { bootstrapSamples: 20 } };
    await client.open(uri, lossRunCsv(STEPS, 3, 0.01, spikeFrom(540)));
    const done = await client.status(uri, (s) => s.state !== 'fitting');
    assert.equal(done.state, 'done', done.message);
    assert.equal(provisionals, 0);
    const lenses = (await client.lenses(uri)).map((l) => l.command?.title ?? '');
    for (const title of lenses) assert.doesNotMatch(title, /provisional/, title);
  } finally {
    client.dispose();
  }
});
