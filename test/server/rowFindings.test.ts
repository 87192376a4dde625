// What the server publishes for a log whose rows share one problem by the hundred thousand: one diagnostic per
// problem (with the count and links to the first rows), not one per row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FitFileRequest } from '../../src/shared/protocol';
import { startTestServer } from '../helpers/lsp';

test('300,000 negative steps give one diagnostic with the count, and the file is still fitted', async () => {
  const lines = ['step,lr,loss'];
  for (let i = 1; i <= 300_000; i++) lines.push(`${-i},3e-4,2.5`);
  for (let s = 100; s <= 20_000; s += 100) lines.push(`${s},3e-4,${(2.5 + 3 * s ** -0.4).toFixed(5)}`);
  const path = join(mkdtempSync(join(tmpdir(), 'scaling-lens-rows-')), 'negative.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  const uri = pathToFileURL(path).toString();
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    const summary = await client.rpc.sendRequest(FitFileRequest, { uri });
    assert.equal(summary.state, 'done', summary.message);
    const diagnostics = await client.diagnostics(uri);
    const negative = diagnostics.filter((d) => d.code === 'step-negative');
    assert.equal(negative.length, 1);
    assert.match(String(negative[0].message), /Also on 299,999 more rows/);
    assert.ok(diagnostics.length < 10, `${diagnostics.length} diagnostics`);
    assert.ok(negative[0].relatedInformation!.length <= 20);
  } finally {
    client.dispose();
  }
});
