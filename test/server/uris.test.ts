// Documents that are not local files: an untitled one, a git revision, a remote file, a `file://host/...` share and a
// `file:` URI Node cannot make a path of. The server fits their text when it is a text table, and otherwise says to
// save them (it read the disk at a relative path spelled like the URI, and said it did not exist), and no request
// fails (a `file://host/...` root failed the Runs view's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ColumnsRequest, FitFileRequest } from '../../src/shared/protocol';
import { RunsRequest } from '../../src/shared/runs';
import { diskPath } from '../../src/server/uris';
import { startTestServer } from '../helpers/lsp';

const URIS = [
  'untitled:Untitled-1',
  'git:/tmp/runs/trainer_state.json?%7B%7D',
  'vscode-remote://ssh-remote%2Bhost/home/u/trainer_state.json',
  'file://otherhost/share/trainer_state.json',
  'file:///tmp/a%2Fb/trainer_state.json',
];

test('diskPath names a path only for a local file: URI', () => {
  assert.equal(diskPath('file:///tmp/a%20b%23.csv'), '/tmp/a b#.csv');
  for (const uri of URIS) assert.equal(diskPath(uri), null, uri);
});

test('a document on no disk is fitted from its text, or told to be saved, without reading the disk', async () => {
  const history = Array.from({ length: 30 }, (_, i) => ({
    step: (i + 1) * 10,
    loss: 3 - i * 0.01,
    learning_rate: 3e-4,
  }));
  const trainerState = JSON.stringify({ log_history: history, global_step: 300 }, null, 2);
  let csv = 'step,lr,loss\n';
  for (let s = 100; s <= 3000; s += 100) csv += `${s},3e-4,${(2.5 + 3 * s ** -0.4).toFixed(5)}\n`;
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    for (const uri of URIS) {
      await client.open(uri, trainerState);
      const summary = await client.rpc.sendRequest(FitFileRequest, { uri });
      assert.equal(summary.state, 'error', uri);
      assert.match(summary.message, /is not a file on disk: .*save it to a file to fit it/, summary.message);
      const columns = await client.rpc.sendRequest(ColumnsRequest, { uri });
      assert.deepEqual(columns.samples, [], uri);
      await client.change(uri, csv, 2);
      const fitted = await client.rpc.sendRequest(FitFileRequest, { uri });
      assert.equal(fitted.state, 'done', `${uri}: ${fitted.message}`);
      await client.close(uri);
      const unopened = await client.rpc.sendRequest(FitFileRequest, { uri });
      assert.match(unopened.message, /is not open and is not a file on disk/, unopened.message);
    }
    const listed = await client.rpc.sendRequest(RunsRequest, { roots: ['file://otherhost/share', 'untitled:x'] });
    assert.deepEqual(listed.runs, []);
  } finally {
    client.dispose();
  }
});
