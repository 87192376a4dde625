// Chart and what-if requests with hostile values, as a raw JSON-RPC client may send them (the panel never does): each
// bad value is an answer saying what is wrong, one per what-if, never an exception that loses the request's other
// what-ifs, a chart of two points, or seconds of the server's only thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyseFiles } from '../../src/core/analysis/analyse';
import { mapSeries } from '../../src/core/analysis/series';
import type { Analysis, Series } from '../../src/core/analysis/types';
import { defaultSpec, MAX_WHATIF_STEPS } from '../../src/core/chart/whatIf';
import type { WhatIfSpec } from '../../src/core/chart/types';
import { ChartRequests } from '../../src/server/chart';
import type { FileCache } from '../../src/server/fileCache';
import { predict } from '../../src/server/predict';
import { RunsIndex } from '../../src/server/runs';
import { resolveSettings } from '../../src/server/settings';
import {
  AnalysisRequest,
  ColumnsRequest,
  FitDocumentPageRequest,
  FitDocumentRequest,
  FitFileRequest,
  PredictRequest,
  SetOverridesNotification,
  type PredictTarget,
} from '../../src/shared/protocol';
import { ChartDataRequest, WhatIfRequest } from '../../src/shared/chart';
import { startTestServer } from '../helpers/lsp';
import { scratchDir } from '../helpers/scratch';
import { REPO } from '../helpers/shared';

async function cosineRequests(): Promise<ChartRequests> {
  const analysis = await analyseFiles([join(REPO, 'examples/loss/cosine.csv')], { bootstrapSamples: 30 });
  mapSeries(analysis as Analysis<Series>, (values) => Float64Array.from(values));
  return new ChartRequests(async () => analysis as Analysis<Series>);
}

const uri = 'file:///cosine.csv';

test('a chart asked for a width that is no number is drawn at the narrowest width, and a window that is no range whole', async () => {
  const requests = await cosineRequests();
  const narrow = await requests.data({ uri, width: 1, logX: true });
  assert.ok(narrow.ok, narrow.ok ? '' : narrow.message);
  for (const width of [NaN, null, -5, 0]) {
    const answer = await requests.data({ uri, width: width as number, logX: true });
    assert.ok(answer.ok, answer.ok ? '' : answer.message);
    assert.deepEqual(
      answer.value.series.map((s) => s.x.length),
      narrow.value.series.map((s) => s.x.length),
      `width ${width}`,
    );
  }
  // A window that is no range of x drew one point a series (none, inverted): it is the whole range.
  const whole = await requests.data({ uri, width: 800, logX: true });
  assert.ok(whole.ok);
  for (const window of [{ xMin: NaN, xMax: 5000 }, { xMin: 5000, xMax: 10 }, { xMin: null, xMax: null }, 'x']) {
    const answer = await requests.data({ uri, width: 800, logX: true, window: window as never });
    assert.ok(answer.ok, answer.ok ? '' : answer.message);
    assert.deepEqual(
      answer.value.series.map((s) => s.x.length),
      whole.value.series.map((s) => s.x.length),
      JSON.stringify(window),
    );
  }
});

test('what-ifs with hostile knobs are each answered with what is wrong, and the good one beside them is predicted', async () => {
  const requests = await cosineRequests();
  const data = await requests.data({ uri, width: 800, logX: true });
  assert.ok(data.ok && data.value.whatIf);
  const base = defaultSpec(data.value.whatIf, 'cosine');
  const hostile: [unknown, RegExp][] = [
    [{ ...base, peakLr: Infinity }, /peak LR must be a positive finite number/],
    [{ ...base, peakLr: '3e-4' }, /peak LR must be a positive finite number/],
    [{ ...base, totalSteps: '5000' }, /Total steps must be between/],
    [{ ...base, warmupSteps: null }, /Warmup steps/],
    [{ ...base, shape: '<b>bogus</b>' }, /shape must be one of constant, cosine, wsd, multistep, logged\.$/],
    [{ ...base, shape: 'wsd', decayShape: 'exp' }, /decay shape must be one of linear, cosine, sqrt/],
    [{ ...base, shape: 'multistep', milestones: null }, /Multi-step needs/],
    [{ ...base, shape: 'multistep', milestones: ['0.5'] }, /Multi-step needs/],
    [null, /must be a schedule/],
    ['cosine', /must be a schedule/],
    // Finite and positive, but an LR so far past the log's that the law's loss fell below zero, or so far under it
    // that it gave losses of 1e151 and more: outside the fit curves' peak LRs.
    [{ ...base, peakLr: 1e300 }, /its LR of .* at step .* is over 3 times the highest peak LR .*cannot predict/],
    [{ ...base, peakLr: 1e-300 }, /its highest LR, 1e-300 at step .* is over 10 times lower than the lowest peak LR/],
  ];
  for (const [spec, message] of hostile) {
    const [bad, good] = await requests.whatIf({ uri, specs: [spec as WhatIfSpec, base] });
    assert.ok(!bad.ok, `${JSON.stringify(spec)}: refused`);
    assert.match(bad.message, message, JSON.stringify(spec));
    assert.ok(good.ok && Number.isFinite(good.value.finalLoss), `${JSON.stringify(spec)}: the other one is predicted`);
  }
});

test('a request for many long what-ifs predicts the two the form compares and says so of the rest, in bounded time', async () => {
  const requests = await cosineRequests();
  const data = await requests.data({ uri, width: 800, logX: true });
  assert.ok(data.ok && data.value.whatIf);
  const long = { ...defaultSpec(data.value.whatIf, 'cosine'), totalSteps: MAX_WHATIF_STEPS };
  const started = performance.now();
  // Forty took 35 s of the server's thread: every one was predicted.
  const answers = await requests.whatIf({ uri, specs: Array.from({ length: 40 }, () => long) });
  const ms = performance.now() - started;
  assert.equal(answers.length, 40, 'one answer per what-if');
  assert.deepEqual(
    answers.map((a) => a.ok),
    [true, true, ...Array<boolean>(38).fill(false)],
  );
  assert.match(answers[2].ok ? '' : answers[2].message, /At most 2 what-ifs are predicted at once/);
  assert.ok(ms < 10_000, `${ms.toFixed(0)} ms`);
  const notAList = await requests.whatIf({ uri, specs: null as unknown as WhatIfSpec[] });
  assert.match(notAList[0]?.ok === false ? notAList[0].message : '', /must list its schedules/);
});

test('Predict at a target that is no target (none, an unknown kind, a value that is no step) says so, analysing nothing', async () => {
  // Any use of the file's analysis fails the test: a bad target is answered before one is made.
  const cache = new Proxy({}, { get: () => assert.fail('the file was analysed') }) as FileCache;
  const cases: [unknown, RegExp][] = [
    [null, /A target must be one of step, dataMultiplier, dataValue, compute, powerX, with its value\./],
    [{ kind: 'bogus', value: 5000 }, /A target must be one of step/],
    [{ kind: 'toString', value: 5000 }, /A target must be one of step/],
    [{ value: 5000 }, /A target must be one of step/],
    [{ kind: 'step', value: NaN }, /A target step must be an integer >= 1 and <= 2\^53 - 1; got NaN/],
    [{ kind: 'step', value: -3 }, /A target step must be an integer >= 1 and <= 2\^53 - 1; got -3/],
    [{ kind: 'step', value: 2.5 }, /A target step must be an integer >= 1 and <= 2\^53 - 1; got 2\.5/],
    // Past 2^53 a step is none a run has (the data's rule, step-implausible): it printed L(1e308).
    [{ kind: 'step', value: 1e308 }, /A target step must be an integer >= 1 and <= 2\^53 - 1; got 1e\+308/],
    [{ kind: 'step', value: 2 ** 53 }, /A target step must be an integer >= 1 and <= 2\^53 - 1; got 9007199254740992/],
    [{ kind: 'step', value: '5000' }, /A target step must be an integer >= 1 and <= 2\^53 - 1; got string\.$/],
    // Echoed whole, a string value made a message of its size.
    [
      { kind: 'step', value: '<b>'.repeat(1e6) },
      /^A target step must be an integer >= 1 and <= 2\^53 - 1; got string\.$/,
    ],
    [{ kind: 'dataValue', value: [1] }, /^A target must be a number > 0; got object\.$/],
    [{ kind: 'compute', value: Infinity }, /A target must be a number > 0; got Infinity/],
  ];
  for (const [target, message] of cases) {
    // A null target threw ("Cannot destructure property 'kind'"); kind "bogus" answered "No undefined in this file".
    const answer = await predict(cache, uri, target as PredictTarget);
    assert.deepEqual(answer.predictions, [], JSON.stringify(target));
    assert.match(answer.message ?? '', message, JSON.stringify(target));
  }
});

test('a Runs listing with a root that names no local folder lists the other roots, and says why that one is not', async () => {
  const dir = scratchDir('sl-hostile-roots-');
  writeFileSync(join(dir, 'run.csv'), 'step,lr,loss\n1,3e-4,3\n2,3e-4,2.9\n');
  const index = new RunsIndex({
    settings: async () => resolveSettings({}),
    updated: () => undefined,
    log: () => undefined,
  });
  try {
    const good = pathToFileURL(dir).toString();
    // Each failed the whole listing: "URI malformed", "File URL host must be...", "root.startsWith is not a function".
    for (const bad of ['file:///%ZZ', 'file://otherhost/share', 5]) {
      const listed = await index.list([bad as string, good]);
      assert.deepEqual(
        listed.runs.map((r) => r.name),
        ['run'],
        String(bad),
      );
      assert.equal(listed.notes.length, 1, String(bad));
      assert.match(listed.notes[0], /A workspace folder.*; it is not scanned\.$/);
    }
    assert.deepEqual(await index.list(null as unknown as string[]), { runs: [], notes: [] });
    assert.deepEqual(
      (await index.list(['vscode-remote://ssh/x', good])).notes,
      [],
      'a remote root is not ours to scan',
    );
  } finally {
    index.dispose();
  }
});

test("a file's chosen law or columns that are no law or column name are left out, as a setting's would be", async () => {
  const dir = scratchDir('sl-hostile-overrides-');
  const path = join(dir, 'run.csv');
  let text = 'step,lr,loss\n';
  for (let i = 1; i <= 300; i++) text += `${i * 10},0.0003,${(2.5 + 4 * (i * 10) ** -0.45).toFixed(5)}\n`;
  writeFileSync(path, text);
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    const uri = pathToFileURL(path).toString();
    const plain = await client.rpc.sendRequest(FitFileRequest, { uri });
    assert.equal(plain.state, 'done', plain.message);
    // "The bogus law fits undefined, ...", and "could not analyse ...: name.trim is not a function".
    for (const overrides of [{ law: 'bogus' }, { law: '__proto__' }, { columns: { loss: 5 } }, { columns: 'loss' }]) {
      const summary = await client.rpc.sendRequest(FitFileRequest, { uri, overrides: overrides as never });
      assert.deepEqual([summary.state, summary.message], [plain.state, plain.message], JSON.stringify(overrides));
    }
    await client.rpc.sendNotification(SetOverridesNotification, { uri, overrides: { law: 'bogus' } as never });
    const after = await client.rpc.sendRequest(FitFileRequest, { uri });
    assert.deepEqual([after.state, after.message], [plain.state, plain.message], 'nor by a notification');
  } finally {
    client.dispose();
  }
});

test('an export page asked for by an id that is no export, or with no parameters, is answered null', async () => {
  const client = await startTestServer();
  try {
    for (const params of [{ id: 'x' }, { id: '__proto__' }, { id: 1e9 }, {}, { id: 1, stop: 'yes' }, null]) {
      const said = JSON.stringify(params);
      assert.equal(await client.rpc.sendRequest(FitDocumentPageRequest, params as never), null, said);
    }
  } finally {
    client.dispose();
  }
});

test('a request whose URI is malformed or no string at all is answered, saying so where the answer can', async () => {
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    const target = { kind: 'step', value: 1000 } as PredictTarget;
    // Malformed strings were answered already (a file that is not on disk); null, a number or nothing was
    // "uri.startsWith is not a function", a JSON-RPC error the user cannot act on.
    for (const uri of ['file://%zz', '::::', 5, null, undefined]) {
      const at = { uri } as never;
      const said = JSON.stringify(uri);
      const fit = await client.rpc.sendRequest(FitFileRequest, at);
      assert.equal(fit.state, 'error', said);
      assert.match(fit.message, /is not open and is not a file on disk|names no file/, said);
      assert.equal(await client.rpc.sendRequest(AnalysisRequest, at), null, said);
      assert.equal(await client.rpc.sendRequest(FitDocumentRequest, at), null, said);
      assert.deepEqual((await client.rpc.sendRequest(ColumnsRequest, at)).columns, [], said);
      const predicted = await client.rpc.sendRequest(PredictRequest, { uri, target } as never);
      assert.match(predicted.message ?? '', /is not open and is not a file on disk|names no file/, said);
      assert.equal(
        (await client.rpc.sendRequest(ChartDataRequest, { uri, width: 800, logX: true } as never)).ok,
        false,
      );
      const [whatIf] = await client.rpc.sendRequest(WhatIfRequest, { uri, specs: [{}] } as never);
      assert.equal(whatIf.ok, false, said);
      assert.deepEqual(await client.lenses(uri as string), [], said);
      assert.equal(await client.hover(uri as string, 0), null, said);
      await client.rpc.sendNotification(SetOverridesNotification, { uri, overrides: { law: 'power' } } as never);
    }
    assert.equal((await client.rpc.sendRequest(FitFileRequest, null as never)).state, 'error', 'no params at all');
  } finally {
    client.dispose();
  }
});
