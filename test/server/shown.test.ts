// Issue 13 in the editor: a file of many runs with one finding each publishes a bounded list with a count, and run
// names and headers of thousands of characters reach lenses, hovers and diagnostics shortened (start, ellipsis,
// length), never whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FitFileRequest } from '../../src/shared/protocol';
import { startTestServer } from '../helpers/lsp';
import { scratchDir } from '../helpers/scratch';

test('100,000 runs without an LR: ten lr-missing diagnostics and one with the count, not 2,000', async () => {
  let text = '';
  for (let r = 0; r < 100_000; r++)
    text += `{"run":"r${r}","step":${(r % 7) + 1},"loss":${(3 - (r % 7) / 10).toFixed(2)}}\n`;
  const path = join(scratchDir('scaling-lens-shown-'), 'runs.jsonl');
  writeFileSync(path, text);
  const uri = pathToFileURL(path).toString();
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    await client.rpc.sendRequest(FitFileRequest, { uri });
    const diagnostics = await client.diagnostics(uri, (d) => d.length > 0);
    const missing = diagnostics.filter((d) => d.code === 'lr-missing');
    assert.equal(missing.length, 11);
    assert.match(
      String(missing[10].message),
      /^1,990 more curves with this finding \("r10", "r11", "r12", "r13", "r14", …\)/,
    );
    assert.equal(missing[10].relatedInformation?.length, 20);
    assert.ok(diagnostics.length < 20, `${diagnostics.length} diagnostics`);
    assert.ok(JSON.stringify(diagnostics).length < 50_000, `${JSON.stringify(diagnostics).length} bytes`);
  } finally {
    client.dispose();
  }
});

test('run names of 5,000 characters are shortened in lenses, hovers and diagnostics', async () => {
  const names = ['a', 'b'].map((c) => c.repeat(5000));
  let text = 'step,loss,run\n';
  names.forEach((name, r) => {
    for (let s = 100; s <= 3000; s += 100)
      text += `${s},${((1 + r / 50) * (2.5 + 3 * s ** -0.4)).toFixed(5)},${name}\n`;
  });
  const uri = pathToFileURL(join(scratchDir('scaling-lens-shown-'), 'runs.csv')).toString();
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    await client.open(uri, text);
    await client.rpc.sendRequest(FitFileRequest, { uri });
    const diagnostics = await client.diagnostics(uri, (d) => d.length > 0);
    const shown: string[] = diagnostics.flatMap((d) => [
      typeof d.message === 'string' ? d.message : d.message.value,
      ...(d.relatedInformation ?? []).map((r) => r.message),
    ]);
    for (const l of await client.lenses(uri)) shown.push(l.command?.title ?? '', String(l.command?.tooltip ?? ''));
    for (const line of [1, 2, 31]) {
      const contents = (await client.hover(uri, line))?.contents;
      shown.push(typeof contents === 'object' && contents && 'value' in contents ? contents.value : String(contents));
    }
    // No LR column: each run's lr-missing error names it.
    assert.ok(
      shown.some((s) => s.includes(`${'a'.repeat(80)}… (5,000 characters)`)),
      shown.join('\n').slice(0, 3000),
    );
    for (const s of shown) assert.ok(!s.includes('a'.repeat(201)) && !s.includes('b'.repeat(201)), s.slice(0, 400));
  } finally {
    client.dispose();
  }
});
