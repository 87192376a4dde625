// What the server publishes for a log whose rows share one problem by the hundred thousand: the first rows each,
// then one diagnostic with the count and links to the next rows, not one per row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver';
import { FitFileRequest } from '../../src/shared/protocol';
import { startTestServer } from '../helpers/lsp';
import { scratchDir } from '../helpers/scratch';

test('300,000 negative steps give 20 diagnostics and one with the count; the file is still fitted', async () => {
  const lines = ['step,lr,loss'];
  for (let i = 1; i <= 300_000; i++) lines.push(`${-i},3e-4,2.5`);
  for (let s = 100; s <= 20_000; s += 100) lines.push(`${s},3e-4,${(2.5 + 3 * s ** -0.4).toFixed(5)}`);
  const path = join(scratchDir('scaling-lens-rows-'), 'negative.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  const uri = pathToFileURL(path).toString();
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    const summary = await client.rpc.sendRequest(FitFileRequest, { uri });
    assert.equal(summary.state, 'done', summary.message);
    const diagnostics = await client.diagnostics(uri);
    const negative = diagnostics.filter((d) => d.code === 'step-negative');
    assert.equal(negative.length, 21);
    assert.match(String(negative[20].message), /^299,980 more rows like line 2/);
    assert.ok(diagnostics.length < 40, `${diagnostics.length} diagnostics`);
    assert.equal(negative[20].relatedInformation!.length, 20);
  } finally {
    client.dispose();
  }
});

/** The loss-invalid diagnostics of a JSON document opened in the server. */
async function lossInvalid(name: string, text: string): Promise<Diagnostic[]> {
  const path = join(scratchDir('scaling-lens-rows-'), name);
  writeFileSync(path, text);
  const uri = pathToFileURL(path).toString();
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 }, law: 'lr-annealing' };
    await client.open(uri, text);
    const published = await client.diagnostics(uri, (d) => d.some((x) => x.code === 'loss-invalid'));
    return published.filter((d) => d.code === 'loss-invalid');
  } finally {
    client.dispose();
  }
}

/** A range on the first line. */
const onFirstLine = (from: number, to: number) => ({
  start: { line: 0, character: from },
  end: { line: 0, character: to },
});

test('a NaN loss in a JSON array of records written on one line is underlined at its value in its record', async () => {
  const records = Array.from({ length: 30 }, (_, i) => {
    const step = (i + 1) * 100;
    return `{"step":${step},"lr":3e-4,"loss":${i === 5 ? '"NaN"' : (2.5 + 3 * step ** -0.4).toFixed(5)}}`;
  });
  const text = `[${records.join(',')}]`;
  const [nan] = await lossInvalid('one-line.json', text);
  const at = text.indexOf('"NaN"');
  assert.deepEqual(nan.range, onFirstLine(at, at + 5));
});

test('a NaN loss in a trainer_state.json written on one line is underlined at its value in its entry, also where the step joins an evaluation entry', async () => {
  const entries: string[] = [];
  for (let i = 1; i <= 30; i++) {
    const step = i * 100;
    const loss = i === 6 || i === 10 ? 'NaN' : (2.5 + 3 * step ** -0.4).toFixed(5);
    entries.push(`{"epoch":${i / 30},"learning_rate":3e-4,"loss":${loss},"step":${step}}`);
    // An evaluation entry every tenth step: its row joins two entries of the one line.
    if (i % 10 === 0) entries.push(`{"epoch":${i / 30},"eval_loss":2.9,"step":${step}}`);
  }
  const text = `{"global_step":3000,"log_history":[${entries.join(',')}],"max_steps":3000}`;
  const invalid = await lossInvalid('trainer_state.json', text);
  const at = text.indexOf('NaN');
  assert.deepEqual(invalid[0].range, onFirstLine(at, at + 3));
  // Step 1000's row joins its training and evaluation entries on the one line: the loss is the training entry's.
  assert.equal(invalid.length, 2);
  const joined = text.indexOf('NaN', at + 3);
  assert.deepEqual(invalid[1].range, onFirstLine(joined, joined + 3));
});
