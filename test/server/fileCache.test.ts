// The language server's per-file cache without a connection: documents, settings and the runner are stand-ins (the
// runner analyses in this thread with the worker's own runJob), and what the cache tells the editor is recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analysis, Series } from '../../src/core/analysis/types';
import { FileCache, pathOfUri } from '../../src/server/fileCache';
import { buildLenses } from '../../src/server/lenses';
import { Followers } from '../../src/server/followers';
import { runJob, type AnalysisJob, type JobResult } from '../../src/server/job';
import { WORKER_LIMITS, type Runner } from '../../src/server/runner';
import { resolveSettings } from '../../src/server/settings';
import { summaryOf, summaryOfResult } from '../../src/server/summary';
import type { FitSummary } from '../../src/shared/protocol';
import { scratchDir } from '../helpers/scratch';
import { powerLawRows } from '../helpers/syntheticLoss';
import { cosineLr, lawCurve, writeDvclive } from '../helpers/frameworkRuns';

/** Every cache made, disposed at the end: a file fitted from disk is watched there until then. */
const caches: FileCache[] = [];
test.after(() => caches.forEach((cache) => cache.dispose()));
// Made after the caches' teardown is registered, so it is removed once they stopped watching files in it.
const dir = scratchDir('scaling-lens-cache-');
const uriIn = (name: string) => pathToFileURL(join(dir, name)).toString();

/** A loss curve of `rows` rows on a power law (enough for the LR-annealing law to fit). */
function lossCsv(rows = 30): string {
  return `step,lr,loss\n${powerLawRows(0, rows)}`;
}

const NOT_A_RUN = 'name,colour\napple,red\npear,green\n';

/**
 * Resolves when `probe` holds, polling; fails after 30 s. A wait, not a timing: a fit of both laws under `auto` took
 * over 2 s (the limit before) on the 2 shared cores while other work ran.
 */
async function until(what: string, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Harness {
  cache: FileCache;
  docs: Map<string, TextDocument>;
  /** Jobs the runner was given, in order, with the text each was for (when from a document). */
  runs: { job: AnalysisJob; text?: string; aborted: () => boolean }[];
  summaries: FitSummary[];
  diagnostics: { uri: string; analysis?: Analysis<Series>; failure?: string }[];
  analysed: string[];
  /** Runs wait here until the test opens the gate (it starts open). */
  hold(): void;
  release(): void;
  settings: Record<string, unknown>;
  /** Reading the settings waits here (it starts open): the client's answer to workspace/configuration. */
  settingsRead: Promise<void>;
}

function harness(): Harness {
  let gate: Promise<void> = Promise.resolve();
  let open = () => {};
  const h: Harness = {
    cache: undefined as unknown as FileCache,
    docs: new Map(),
    runs: [],
    summaries: [],
    diagnostics: [],
    analysed: [],
    settings: { fit: { bootstrapSamples: 0 } },
    settingsRead: Promise.resolve(),
    hold: () => (gate = new Promise((r) => (open = r))),
    release: () => open(),
  };
  const runner: Runner = (job, signal) => {
    const text = job.source.kind === 'text' ? job.source.text : undefined;
    h.runs.push({ job, text, aborted: () => signal.aborted });
    const cancelled = new Promise<'cancelled'>((r) => signal.addEventListener('abort', () => r('cancelled')));
    return Promise.race([
      cancelled,
      gate.then((): Promise<JobResult | 'cancelled'> | 'cancelled' => (signal.aborted ? 'cancelled' : runJob(job))),
    ]);
  };
  h.cache = new FileCache({
    documents: h.docs,
    settings: async () => (await h.settingsRead, resolveSettings(h.settings)),
    runner,
    debounceMs: 20,
    events: {
      summary: (s) => h.summaries.push(s),
      diagnostics: (uri, analysis, failure) => h.diagnostics.push({ uri, analysis, failure }),
      analysed: (uri) => h.analysed.push(uri),
      log: () => undefined,
    },
  });
  caches.push(h.cache);
  return h;
}

function open(h: Harness, uri: string, text: string, version = 1): void {
  h.docs.set(uri, TextDocument.create(uri, 'csv', version, text));
  h.cache.schedule(uri, 'open');
}

const states = (h: Harness, uri: string) => h.summaries.filter((s) => s.uri === uri).map((s) => s.state);

test('an opened run file is fitted once: fitting, then its diagnostics, its summary and a lens refresh', async () => {
  const h = harness();
  const uri = uriIn('run.csv');
  open(h, uri, lossCsv());
  await until('the fit', () => h.analysed.length === 1);
  assert.deepEqual(states(h, uri), ['fitting', 'done']);
  const done = h.cache.summary(uri)!;
  assert.equal(done.kind, 'loss-curve');
  assert.equal(done.fromDisk, false);
  assert.match(
    done.message,
    /^spread-weighted mean of LR-annealing law and MPL fitted on run \(R² [\d.]+\) · run: L\(6k\) = \d/,
  );
  assert.equal(h.diagnostics.length, 1);
  assert.equal(h.diagnostics[0].analysis, h.cache.cached(uri));
  // Nothing changed: asking again reuses the cached analysis.
  assert.equal(await h.cache.ensure(uri, 'open'), h.cache.cached(uri));
  assert.equal(h.runs.length, 1);
  h.cache.dispose();
});

test('requests during a run join it instead of starting another', async () => {
  const h = harness();
  const uri = uriIn('join.csv');
  h.hold();
  open(h, uri, lossCsv());
  await until('the run to start', () => h.runs.length === 1);
  const waiting = [h.cache.current(uri), h.cache.ensure(uri, 'open'), h.cache.latest(uri)];
  h.release();
  const [a, b, c] = await Promise.all(waiting);
  assert.ok(a);
  assert.equal(a, b);
  assert.equal(a, c);
  assert.equal(h.runs.length, 1);
  h.cache.dispose();
});

test('edits inside the debounce coalesce into one run of the newest text, and the run in flight is stopped', async () => {
  const h = harness();
  const uri = uriIn('edited.csv');
  h.hold();
  open(h, uri, lossCsv(30));
  await until('the first run', () => h.runs.length === 1);
  for (const [version, rows] of [
    [2, 25],
    [3, 20],
  ]) {
    h.docs.set(uri, TextDocument.create(uri, 'csv', version, lossCsv(rows)));
    h.cache.edited(uri, version);
  }
  assert.ok(h.runs[0].aborted(), 'the run for the old text was stopped');
  assert.equal(h.cache.cached(uri), undefined, 'the old analysis (old line numbers) is dropped');
  h.release();
  await until('the run of the edit', () => h.analysed.length === 1);
  assert.equal(h.runs.length, 2);
  assert.equal(h.runs[1].text, lossCsv(20));
  assert.equal(h.cache.cached(uri)!.curves[0].points.x.length, 20);
  h.cache.dispose();
});

test('a lens asked for while an edit waits out its debounce waits for that fit, and starts none of its own', async () => {
  const h = harness();
  const uri = uriIn('lens-in-debounce.csv');
  open(h, uri, lossCsv(30));
  await until('the first fit', () => h.analysed.length === 1);
  h.docs.set(uri, TextDocument.create(uri, 'csv', 2, lossCsv(20)));
  h.cache.edited(uri, 2);
  const lens = h.cache.current(uri);
  await new Promise((r) => setImmediate(r));
  assert.equal(h.runs.length, 1, 'no fit of the edited text before the debounce ends');
  const analysis = await lens;
  assert.equal(analysis?.curves[0].points.x.length, 20, 'the lens gets the fit of the edit');
  assert.equal(h.runs.length, 2);
  h.cache.dispose();
});

test('a lens asked for while an opened file reads its settings waits for its fit instead of finding none', async () => {
  const h = harness();
  const uri = uriIn('lens-before-run.csv');
  let answer = () => {};
  h.settingsRead = new Promise((r) => (answer = r));
  open(h, uri, lossCsv(30));
  // The open's timer has fired: its fit is asking for the settings, not yet a run in flight.
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(h.runs.length, 0);
  const lens = h.cache.current(uri);
  answer();
  const analysis = await lens;
  assert.equal(analysis?.curves[0].points.x.length, 30, "the lens gets the open's fit");
  assert.equal(h.runs.length, 1);
  h.cache.dispose();
});

test('the change that follows opening is not an edit', async () => {
  const h = harness();
  const uri = uriIn('opened.csv');
  open(h, uri, lossCsv());
  h.cache.edited(uri, 1);
  await until('the fit', () => h.analysed.length === 1);
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(h.runs.length, 1);
  h.cache.dispose();
});

test('with auto-fit off an opened file is not fitted until asked for; then it is, and stays fitted', async () => {
  const h = harness();
  h.settings = { ...h.settings, autoFit: false };
  const uri = uriIn('manual.csv');
  open(h, uri, lossCsv());
  await until('the summary', () => h.summaries.length === 1);
  assert.deepEqual(
    h.summaries[0],
    summaryOf(uri, 'skipped', 'Auto-fit is off: run "Fit Scaling Law" to fit this file.'),
  );
  assert.equal(h.runs.length, 0);
  const summary = await h.cache.fit(uri, undefined, new CancellationTokenSource().token);
  assert.equal(summary.state, 'done');
  assert.equal(h.runs[0].job.onlyIfRunFile, false);
  h.cache.invalidateAll();
  await until('the re-fit after a settings change', () => h.analysed.length === 2);
  h.cache.dispose();
});

test('a file that is not a run file is left alone when opened: skipped, and no diagnostics', async () => {
  const h = harness();
  const uri = uriIn('fruit.csv');
  open(h, uri, NOT_A_RUN);
  await until('the run', () => h.analysed.length === 1);
  assert.equal(h.cache.summary(uri)!.state, 'skipped');
  assert.deepEqual(h.diagnostics, [{ uri, analysis: undefined, failure: undefined }]);
  assert.equal(h.cache.cached(uri), undefined);
  h.cache.dispose();
});

test('closing forgets a file only opened (and clears its diagnostics), and keeps one asked for', async () => {
  const h = harness();
  const opened = uriIn('opened-only.csv');
  open(h, opened, lossCsv());
  await until('the fit', () => h.analysed.length === 1);
  h.docs.delete(opened);
  h.cache.close(opened);
  assert.deepEqual(h.diagnostics.at(-1), { uri: opened, analysis: undefined, failure: undefined });
  assert.equal(h.cache.summary(opened), undefined);

  const path = join(dir, 'asked.csv');
  writeFileSync(path, lossCsv());
  const asked = pathToFileURL(path).toString();
  open(h, asked, lossCsv());
  await h.cache.fit(asked, undefined, new CancellationTokenSource().token);
  h.docs.delete(asked);
  h.cache.close(asked);
  assert.equal(h.cache.summary(asked)!.state, 'done');
  // Asked for again, it is read from disk now that the editor is closed.
  const summary = await h.cache.fit(asked, undefined, new CancellationTokenSource().token);
  assert.equal(summary.fromDisk, true);
  assert.equal(h.runs.at(-1)!.job.source.kind, 'file');
  h.cache.dispose();
});

test('a file asked for (its chart open) whose editor closes mid-fit is fitted from disk, and the chart told', async () => {
  // Closing the editor cancelled the fit in flight and started none: the chart, waiting for it, said "no fit yet"
  // for good, since no summary came to refresh it.
  const h = harness();
  const path = join(dir, 'closed-mid-fit.csv');
  writeFileSync(path, lossCsv());
  const uri = pathToFileURL(path).toString();
  h.hold();
  open(h, uri, lossCsv());
  await until('the run to start', () => h.runs.length === 1);
  // The chart's request: a run of the editor's text, asked for (it replaces the open's), in flight as the editor closes.
  const chart = h.cache.ensure(uri, 'request');
  await until("the chart's run to start", () => h.runs.length === 2);
  h.docs.delete(uri);
  h.cache.close(uri);
  assert.ok(h.runs[1].aborted(), "the editor's text is no longer what the file shows");
  h.release();
  await until('a fit from disk', () => h.runs.length === 3);
  assert.equal(h.runs[2].job.source.kind, 'file');
  await until('its summary, which refreshes the chart', () => states(h, uri).at(-1) === 'done');
  const analysis = h.cache.cached(uri);
  assert.ok(analysis, 'the fit from disk is kept');
  // The chart's request waiting on the cancelled run has its answer (none, or the run that replaced it), and the
  // refresh the summary brings is answered with the fit from disk, not run again.
  assert.ok([undefined, analysis].includes(await chart));
  assert.equal(await h.cache.ensure(uri, 'request'), analysis);
  assert.equal(h.runs.length, 3);
  h.cache.dispose();
});

test('cancelling a fit stops its run and answers "Fit cancelled."', async () => {
  const h = harness();
  const uri = uriIn('cancelled.csv');
  h.docs.set(uri, TextDocument.create(uri, 'csv', 1, lossCsv()));
  h.hold();
  const source = new CancellationTokenSource();
  const reply = h.cache.fit(uri, undefined, source.token);
  await until('the run to start', () => h.runs.length === 1);
  source.cancel();
  const summary = await reply;
  assert.equal(summary.state, 'skipped');
  assert.equal(summary.message, 'Fit cancelled.');
  assert.ok(h.runs[0].aborted());
  assert.deepEqual(h.summaries.at(-1), summary);
  h.cache.dispose();
});

test('a fit cancelled while it reads its settings starts no run and answers "Fit cancelled."', async () => {
  const h = harness();
  const uri = uriIn('cancelled-early.csv');
  h.docs.set(uri, TextDocument.create(uri, 'csv', 1, lossCsv()));
  h.hold(); // a run, once started, would wait for a cancellation that has already come and gone
  let answer = () => {};
  h.settingsRead = new Promise((r) => (answer = r));
  const source = new CancellationTokenSource();
  let settled = false;
  const reply = h.cache.fit(uri, undefined, source.token).finally(() => (settled = true));
  // Cancelled before any run exists (the client has not answered workspace/configuration yet).
  await new Promise((r) => setTimeout(r, 10));
  source.cancel();
  await new Promise((r) => setTimeout(r, 10));
  answer();
  await until('the fit to answer or a run to start', () => settled || h.runs.length > 0);
  assert.equal(h.runs.length, 0, 'no run starts for a fit already cancelled');
  const summary = await reply;
  assert.equal(summary.state, 'skipped');
  assert.equal(summary.message, 'Fit cancelled.');
  assert.equal(h.cache.inFlight(), 0);
  h.release();
  h.cache.dispose();
});

test('a file neither open nor on disk is an error the user can read', async () => {
  const h = harness();
  const uri = 'untitled:Untitled-1';
  const summary = await h.cache.fit(uri, undefined, new CancellationTokenSource().token);
  assert.equal(summary.state, 'error');
  assert.equal(summary.message, 'untitled:Untitled-1 is not open and is not a file on disk.');
  assert.equal(summary.errors, 1);
  const missing = await h.cache.fit(uriIn('missing.csv'), undefined, new CancellationTokenSource().token);
  assert.match(missing.message, /missing\.csv does not exist; check the path; it is fitted once it appears$/);
  assert.equal(h.runs.length, 0);
});

test('chosen columns re-fit the file; analyseWith adds options without touching the cache', async () => {
  const h = harness();
  const uri = uriIn('mapped.csv');
  const text = 'it,objective,eta\n' + lossCsv().split('\n').slice(1).join('\n');
  open(h, uri, text);
  await until('the first run', () => h.analysed.length === 1);
  assert.equal(h.cache.summary(uri)!.state, 'skipped');
  h.cache.setOverrides(uri, { columns: { step: 'it', loss: 'objective', lr: 'eta' } });
  await until('the re-fit', () => h.analysed.length === 2);
  const fitted = h.cache.cached(uri)!;
  assert.equal(fitted.kind, 'loss-curve');
  const result = await h.cache.analyseWith(uri, { predictSteps: [12345] });
  assert.ok(result.ok);
  assert.ok(result.analysis.predictions.some((p) => p.step === 12345));
  assert.equal(h.cache.cached(uri), fitted);
  h.cache.dispose();
});

test('summaries of finished runs: the headline, why nothing was fitted, a failure', async () => {
  const uri = 'file:///x.csv';
  assert.deepEqual(summaryOfResult(uri, { ok: false, message: 'boom' }, 12, true), {
    uri,
    state: 'error',
    kind: 'unknown',
    message: 'boom',
    fits: 0,
    warnings: 0,
    errors: 1,
    ms: 12,
    fromDisk: true,
  });
  const text = 'step,lr,loss\n1,0.001,4\n';
  const result = await runJob({
    source: { kind: 'text', text },
    path: '/x.csv',
    options: {},
    maxBytes: 1e6,
    onlyIfRunFile: false,
  });
  assert.ok(result.ok);
  const summary = summaryOfResult(uri, result, 3, false);
  assert.equal(summary.state, 'error');
  assert.ok(summary.message.length > 10, summary.message);
  assert.equal(summary.errors, result.analysis.findings.filter((f) => f.severity === 'error').length);
});

/**
 * A cache whose runner runs the job in this thread (runJob, asking for a provisional analysis from one loss row) and
 * hands the provisional analysis over when `deliver` says: before the result, after it, or never (the run waits for
 * its abort).
 */
function provisionalHarness(deliver: 'before' | 'after' | 'then-wait') {
  const h = harness();
  const runner: Runner = async (job, signal, provisional) => {
    let held: Analysis<Series> | undefined;
    const result = await runJob({ ...job, provisionalFromRows: 1 }, (analysis) => (held = analysis));
    assert.ok(held, 'runJob made a provisional analysis');
    if (deliver === 'before') provisional?.(held);
    if (deliver === 'after') setTimeout(() => provisional?.(held!), 0);
    if (deliver === 'then-wait') {
      provisional?.(held);
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve('cancelled')));
    }
    return result;
  };
  const cache = new FileCache({
    documents: h.docs,
    settings: async () => resolveSettings(h.settings),
    runner,
    events: {
      summary: (s) => h.summaries.push(s),
      diagnostics: (uri, analysis, failure) => h.diagnostics.push({ uri, analysis, failure }),
      analysed: (uri) => h.analysed.push(uri),
      log: () => undefined,
    },
  });
  caches.push(cache);
  return { ...h, cache };
}

test('a provisional analysis is shown while its run goes on, without diagnostics; the final one replaces it', async () => {
  const h = provisionalHarness('before');
  const uri = uriIn('provisional.csv');
  open(h, uri, lossCsv(60));
  await until('the final analysis', () => h.analysed.length === 2);
  const final = h.cache.cached(uri)!;
  assert.equal(final.provisional, undefined);
  assert.deepEqual(states(h, uri), ['fitting', 'fitting', 'done']);
  // Diagnostics once, from the final analysis only.
  assert.equal(h.diagnostics.length, 1);
  assert.equal(h.diagnostics[0].analysis, final);
  h.cache.dispose();
});

test('a provisional analysis that comes after its run finished never replaces the final one', async () => {
  const h = provisionalHarness('after');
  const uri = uriIn('late.csv');
  open(h, uri, lossCsv(60));
  await until('the final analysis', () => h.analysed.length === 1);
  const final = h.cache.cached(uri)!;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(h.cache.cached(uri), final);
  assert.equal(await h.cache.current(uri), final);
  assert.equal(h.analysed.length, 1);
  h.cache.dispose();
});

test('a run stopped after its provisional analysis takes that analysis with it', async () => {
  const h = provisionalHarness('then-wait');
  const uri = uriIn('stopped.csv');
  open(h, uri, lossCsv(60));
  await until('the provisional analysis', () => h.analysed.length === 1);
  assert.deepEqual(h.cache.cached(uri)?.provisional, { law: 'lr-annealing' });
  // A lens asked for meanwhile gets it at once, not after the run.
  assert.equal(await h.cache.current(uri), h.cache.cached(uri));
  h.cache.cancel(uri);
  await until('the lenses to be refreshed', () => h.analysed.length === 2);
  assert.equal(h.cache.cached(uri), undefined);
  assert.equal(h.diagnostics.length, 0);
  h.cache.dispose();
});

test("an open file's follower ends once its document is edited: the edited text is fitted, not the file", async () => {
  const path = join(dir, 'followed-then-edited.csv');
  const text = lossCsv(60);
  writeFileSync(path, text);
  const uri = pathToFileURL(path).toString();
  const events: string[] = [];
  const followers = new Followers(WORKER_LIMITS, {
    started: () => events.push('started'),
    analysed: () => events.push('analysed'),
    stopped: () => events.push('stopped'),
  });
  const h = harness();
  const cache = new FileCache({
    documents: h.docs,
    settings: async () => resolveSettings(h.settings),
    runner: (job) => runJob(job),
    followers,
    debounceMs: 20,
    events: {
      summary: () => undefined,
      diagnostics: () => undefined,
      analysed: (u) => h.analysed.push(u),
      log: () => {},
    },
  });
  caches.push(cache);
  h.docs.set(uri, TextDocument.create(uri, 'csv', 1, text));
  cache.schedule(uri, 'open');
  await until('the follower to fit the file', () => events.includes('analysed'));
  assert.deepEqual(events, ['started', 'analysed']);
  h.docs.set(uri, TextDocument.create(uri, 'csv', 2, `${text}61,0.001,2.9\n`));
  cache.edited(uri, 2);
  await until('the edited text to be fitted', () => h.analysed.length === 2);
  assert.deepEqual(events, ['started', 'analysed', 'stopped']);
  assert.equal(cache.cached(uri)?.curves[0].points.x.length, 61);
  cache.dispose();
});

test('a file opened by a symbolic link and by its real path is fitted once, each document told under its own URI', async () => {
  const h = harness();
  const text = lossCsv();
  writeFileSync(join(dir, 'target.csv'), text);
  symlinkSync(join(dir, 'target.csv'), join(dir, 'alias.csv'));
  const [real, link] = [uriIn('target.csv'), uriIn('alias.csv')];
  // Both open while the first run is under way: the second joins it.
  h.hold();
  open(h, real, text);
  await until('the run to start', () => h.runs.length === 1);
  open(h, link, text);
  await new Promise((r) => setTimeout(r, 50));
  h.release();
  await until('both fits', () => h.analysed.includes(real) && h.analysed.includes(link));
  assert.equal(h.runs.length, 1, 'one analysis of one file');
  const analysis = h.cache.cached(real);
  assert.ok(analysis);
  assert.equal(h.cache.cached(link), analysis, 'shared, not copied');
  // Each document has its own summary and diagnostics, under its own URI, from the one analysis.
  assert.deepEqual(states(h, link), ['fitting', 'done']);
  assert.deepEqual(
    h.diagnostics.map((d) => [d.uri, d.analysis === analysis]),
    [
      [real, true],
      [link, true],
    ],
  );
  // Its findings and curves name the real file, which both URIs name: each document gets the lenses.
  assert.equal(pathOfUri(link), pathOfUri(real));
  for (const uri of [real, link]) assert.ok(buildLenses(analysis, pathOfUri(uri), uri).length > 0, uri);
  // Opened later, with the analysis done: the cached one, no second run.
  const later = uriIn('alias2.csv');
  symlinkSync(join(dir, 'alias.csv'), join(dir, 'alias2.csv'));
  open(h, later, text);
  await until('the later fit', () => h.analysed.includes(later));
  assert.equal(h.runs.length, 1);
  assert.equal(h.cache.cached(later), analysis);
  // An edit to one document is its own text: fitted on its own, the others keep theirs.
  h.docs.set(link, TextDocument.create(link, 'csv', 2, `${text}31,0.001,2.5\n`));
  h.cache.edited(link, 2);
  await until('the edit fit', () => h.runs.length === 2 && h.analysed.filter((u) => u === link).length === 2);
  assert.notEqual(h.cache.cached(link), analysis);
  assert.equal(h.cache.cached(real), analysis);
  h.cache.dispose();
});

test('a file from disk its analysis could not read is analysed again once it can be read, though unchanged', async () => {
  const path = join(dir, 'unreadable.csv');
  writeFileSync(path, lossCsv(30));
  const uri = pathToFileURL(path).toString();
  // Root reads a file whatever its permissions: the read fails as it does for a user whose permission was removed.
  let denied = true;
  const h = harness();
  const runs: boolean[] = [];
  const cache = new FileCache({
    documents: h.docs,
    settings: async () => resolveSettings(h.settings),
    runner: (job) => {
      runs.push(denied);
      return runJob(denied ? { ...job, path: join(dir, 'no such file.csv') } : job);
    },
    diskWatch: { pollMs: 10, minIntervalMs: 0, readable: async () => !denied },
    events: {
      summary: () => undefined,
      diagnostics: (u, analysis) => h.diagnostics.push({ uri: u, analysis }),
      analysed: (u) => h.analysed.push(u),
      log: () => undefined,
    },
  });
  caches.push(cache);
  await cache.fit(uri, undefined, new CancellationTokenSource().token);
  const codes = () => h.diagnostics.at(-1)?.analysis?.findings.map((f) => f.code) ?? [];
  assert.ok(codes().includes('file-unreadable'));
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(runs, [true], 'still unreadable: not analysed again');
  denied = false; // chmod 644: neither its content nor its time changed
  await until('the file read again', () => h.analysed.length === 2);
  assert.deepEqual(runs, [true, false]);
  assert.ok(!codes().includes('file-unreadable'), 'the error goes');
  assert.equal(cache.cached(uri)?.kind, 'loss-curve');
  cache.dispose();
});

test("a fit or request on a run folder's metric file, cancelled while settings are read, starts no run of its run", async () => {
  const folder = join(scratchDir('scaling-lens-cache-part-'), 'dvclive');
  const points = lawCurve(cosineLr(6000));
  writeDvclive(folder, {
    'train/loss': points.map((p) => ({ step: p.step, value: p.loss })),
    lr: points.map((p) => ({ step: p.step, value: p.lr })),
  });
  const uri = pathToFileURL(join(folder, 'plots', 'metrics', 'train', 'loss.tsv')).toString();
  for (const how of ['fit', 'ensure'] as const) {
    const h = harness();
    h.hold(); // a run, once started, would wait for a cancellation that has already come and gone
    let answer = () => {};
    h.settingsRead = new Promise((r) => (answer = r));
    const source = new CancellationTokenSource();
    let settled = false;
    const reply =
      how === 'fit' ? h.cache.fit(uri, undefined, source.token) : h.cache.ensure(uri, 'request', source.token);
    void reply.finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 10));
    source.cancel();
    await new Promise((r) => setTimeout(r, 10));
    answer();
    await until('the fit to answer or a run to start', () => settled || h.runs.length > 0);
    assert.equal(h.runs.length, 0, `${how}: no run of its run starts for a fit already cancelled`);
    await reply;
    assert.equal(h.cache.inFlight(), 0, how);
    h.release();
    h.cache.dispose();
  }
});
