// A server disposed while a document's open is still settling (its settings asked for, not answered yet): whatever it
// would have sent afterwards (the fit's status, diagnostics, log lines, a lens refresh) goes nowhere, quietly. Before,
// each send threw "Connection is disposed" into a promise nobody awaited: an unhandled rejection, which ends a Node
// process run with default flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/lsp';
import { lossRunCsv } from '../helpers/departureRuns';
import { Outbox } from '../../src/server/outbox';
import { runJob } from '../../src/server/job';
import { runInWorker, type Runner } from '../../src/server/runner';
import { LENS_REFRESH_MS } from '../../src/server/server';
import { AnalysisRequest, ColumnsRequest, FitDocumentPageRequest, FitFileRequest } from '../../src/shared/protocol';

/** The unhandled rejections and uncaught exceptions raised while `body` runs. */
async function escapedFrom(body: () => Promise<void>): Promise<string[]> {
  const escaped: unknown[] = [];
  const record = (error: unknown) => escaped.push(error);
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
  try {
    await body();
  } finally {
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
  }
  return escaped.map(String);
}

test(
  'disposing the server mid-open raises no unhandled rejection or uncaught exception',
  { timeout: 120_000 },
  async () => {
    const escaped = await escapedFrom(async () => {
      // The server's own runner (a worker), watched: the test waits for the fit to end, however long load makes it.
      let fitEnded!: () => void;
      const ended = new Promise<void>((resolve) => (fitEnded = resolve));
      const runner: Runner = (job, signal, provisional) => {
        const run = runInWorker(job, signal, provisional);
        void run.finally(fitEnded).catch(() => undefined);
        return run;
      };
      const client = await startTestServer({ runner });
      let asked!: () => void;
      const settingsAsked = new Promise<void>((resolve) => (asked = resolve));
      // The open's settings are asked for and never answered: the server is disposed while it waits.
      client.rpc.onRequest('workspace/configuration', () => {
        asked();
        return new Promise(() => undefined);
      });
      await client.open(
        'untitled:settling.csv',
        lossRunCsv(200, 3, 0.01, (_step, loss) => loss),
      );
      await settingsAsked;
      client.dispose();
      // The open goes on with default settings and fits; once the fit ends its result is handled (status, diagnostics,
      // log lines) a few turns later, and the lens refresh it asks for waits LENS_REFRESH_MS on a timer. Node fires
      // timers in the order they expire, so one set after the fit ends, longer than that, fires after every send.
      await ended;
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 4 * LENS_REFRESH_MS));
    });
    assert.deepEqual(escaped, []);
  },
);

test('the outbox drops failed sends, notes a closed connection once and each other fault, and tries none after it is closed', async () => {
  const notes: string[] = [];
  const outbox = new Outbox((message) => notes.push(message));
  outbox.send('status', () => {
    throw new Error('Connection is disposed.');
  });
  outbox.send('diagnostics', () => Promise.reject(new Error('Connection is closed.')));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(notes.length, 1, notes.join('\n'));
  assert.match(notes[0], /status not sent \(Connection is disposed\.\)/);
  // Another fault is not hidden by the closing connection's note: each distinct one once, a bounded number.
  for (let i = 0; i < 50; i++) {
    outbox.send('diagnostics', () => {
      throw new TypeError(`Do not know how to serialize a BigInt (${i % 25})`);
    });
  }
  outbox.send('diagnostics', () => Promise.reject(new Error('Connection is disposed.')));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(notes.length, 21, notes.join('\n'));
  assert.match(notes[1], /diagnostics not sent \(Do not know how to serialize a BigInt \(0\)\)\.$/);
  assert.match(notes[20], /\(19\)\) \(the last distinct failure noted\)\.$/);
  outbox.close();
  let tried = false;
  outbox.send('status', () => void (tried = true));
  assert.equal(tried, false);
});

test('requests answered after the server is disposed raise no unhandled rejection: they are answered never', async () => {
  const escaped = await escapedFrom(async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const finished: Promise<unknown>[] = [];
    // The fits wait until the server is gone, then finish: their requests are answered late.
    const runner: Runner = (job) => {
      started();
      const run = gate.then(() => runJob(job));
      finished.push(run);
      return run;
    };
    const client = await startTestServer({ runner });
    client.settings = { fit: { bootstrapSamples: 0 } };
    const uri = 'untitled:late.csv';
    await client.open(
      uri,
      lossRunCsv(200, 3, 0.01, (_step, loss) => loss),
    );
    const asked = [
      client.rpc.sendRequest(FitFileRequest, { uri }),
      client.rpc.sendRequest(AnalysisRequest, { uri }),
      client.rpc.sendRequest(ColumnsRequest, { uri }),
      client.lenses(uri),
      client.hover(uri, 3),
    ].map((request) => request.catch(() => undefined));
    await running;
    client.dispose();
    release();
    await Promise.all(finished);
    // The answers' writes and the connection's handling of their failure, a few turns after the fits end.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    void asked;
  });
  assert.deepEqual(escaped, []);
});

test('a server disposed while an answer is on its way to the client raises no unhandled rejection', async () => {
  // The answer is written a few event-loop turns after the request arrives (vscode-jsonrpc queues reads and writes
  // behind setImmediate); disposing after each number of turns meets the write at every stage, one of them in flight.
  for (let turns = 0; turns < 12; turns++) {
    const escaped = await escapedFrom(async () => {
      const client = await startTestServer();
      const answer = client.rpc.sendRequest(FitDocumentPageRequest, { id: 1 }).catch(() => undefined);
      for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
      client.dispose();
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      void answer;
    });
    assert.deepEqual(escaped, [], `disposed after ${turns} turns`);
  }
});
