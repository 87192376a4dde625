// Getting started, on the server's side: the column picker's sample values, and the flag that makes the client hint
// at mapping the columns of a file that auto-fit left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ColumnsRequest } from '../../src/shared/protocol';
import { startTestServer } from '../helpers/lsp';
import { REPO } from '../helpers/shared';
import { scratchDir } from '../helpers/scratch';

const uriOf = (path: string) => pathToFileURL(path).toString();

function tmpFile(name: string, text: string): string {
  const path = join(scratchDir('scaling-lens-start-'), name);
  writeFileSync(path, text);
  return path;
}

const UNRECOGNISED = 'iteration_count,objective,eta\n' + '10,3.5,0.001\n20,3.2,0.001\n30,3.1,0.001\n';

test('the columns of a file come with their first values, from disk and from an open document alike', async () => {
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    const cosine = join(REPO, 'examples', 'loss', 'cosine.csv');
    const fromDisk = await client.rpc.sendRequest(ColumnsRequest, { uri: uriOf(cosine) });
    assert.deepEqual(fromDisk.columns, ['step', 'lr', 'loss']);
    assert.deepEqual(fromDisk.samples, [
      ['100', '200', '300'],
      ['6e-5', '1.2e-4', '1.8e-4'],
      ['3.1383', '2.9899', '2.9301'],
    ]);
    // An open document's text is what counts, not the file under it.
    const path = tmpFile('metrics.csv', UNRECOGNISED);
    const uri = uriOf(path);
    await client.open(uri, 'iteration_count,objective,eta\nfirst,7,0.5\n');
    await client.status(uri);
    const open = await client.rpc.sendRequest(ColumnsRequest, { uri });
    assert.deepEqual(open.samples, [['first'], ['7'], ['0.5']]);
  } finally {
    client.dispose();
  }
});

test('samples come from the head of a file only, and a file with no readable rows gives empty lists', async () => {
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    // 200,000 rows (about 3 MB): the samples are its first rows.
    const rows = Array.from({ length: 200_000 }, (_, i) => `${i + 1},${(3 + 1 / (i + 1)).toFixed(6)},run-${i % 7}`);
    const big = tmpFile('big.csv', `step,loss,name\n${rows.join('\n')}\n`);
    const answer = await client.rpc.sendRequest(ColumnsRequest, { uri: uriOf(big) });
    assert.deepEqual(answer.samples, [
      ['1', '2', '3'],
      ['4', '3.5', '3.33333'],
      ['run-0', 'run-1', 'run-2'],
    ]);
    // One header line longer than the head: the columns the analysis found have no sample, and nothing fails.
    const wide = tmpFile('wide.csv', `${'a'.repeat(100_000)},b\n1,2\n`);
    const wideAnswer = await client.rpc.sendRequest(ColumnsRequest, { uri: uriOf(wide) });
    assert.equal(wideAnswer.samples?.length, wideAnswer.columns.length);
  } finally {
    client.dispose();
  }
});

test('a file auto-fit leaves alone is flagged unrecognised, a fitted run file is not', async () => {
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    const path = tmpFile('metrics.csv', UNRECOGNISED);
    const uri = uriOf(path);
    await client.open(uri, readFileSync(path, 'utf8'));
    const skipped = await client.status(uri, (s) => s.state !== 'fitting');
    assert.equal(skipped.state, 'skipped');
    assert.equal(skipped.unrecognised, true);
    const cosine = join(REPO, 'examples', 'loss', 'cosine.csv');
    const cosineUri = uriOf(cosine);
    await client.open(cosineUri, readFileSync(cosine, 'utf8'));
    const done = await client.status(cosineUri, (s) => s.state !== 'fitting');
    assert.equal(done.state, 'done', done.message);
    assert.equal(done.unrecognised, undefined);
  } finally {
    client.dispose();
  }
});
