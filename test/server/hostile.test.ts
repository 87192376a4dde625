// Issue 13 in the editor: a document of each hostile class the issue names (generated here) is fitted or refused with
// diagnostics that say why, the server stays up and answers for other files, and the same document is answered
// again after an edit makes it good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ColumnsRequest, FitFileRequest } from '../../src/shared/protocol';
import { startTestServer } from '../helpers/lsp';
import { REPO } from '../helpers/shared';
import { scratchDir } from '../helpers/scratch';

const uriOf = (path: string) => pathToFileURL(path).toString();
const clean = readFileSync(join(REPO, 'examples/loss/cosine.csv'), 'utf8');

/** Lines of a JSONL loss log with `extra(i)` merged into each. */
function jsonlLog(rows: number, extra: (i: number) => string = () => ''): string {
  let text = '';
  for (let i = 1; i <= rows; i++)
    text += `{"step":${i * 100},"lr":0.0003,"loss":${(2.5 + 4 * (i * 100) ** -0.45).toFixed(5)}${extra(i)}}\n`;
  return text;
}

interface Case {
  name: string;
  content: string;
  /** The diagnostic that says how the document was read or what was left out. */
  code: string;
  /** What the Fit request ends in. */
  state: 'done' | 'skipped' | 'error';
}

function cases(): Case[] {
  let keys = '';
  for (let i = 0; keys.length < 2 * 1024 * 1024; i++)
    keys += jsonlLog(1, () => `,"k${i}":1`).replace(/"step":100/, `"step":${i + 1}`);
  const split = clean.split('\n');
  split[50] = split[50].replace(/\.(\d+)$/, ',$1');
  return [
    {
      name: 'deep.jsonl',
      content: jsonlLog(30, (i) => (i === 5 ? `,"d":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}` : '')),
      code: 'jsonl-value-ignored',
      state: 'done',
    },
    { name: 'keys.jsonl', content: keys, code: 'columns-capped', state: 'done' },
    { name: 'wide.csv', content: ','.repeat(5 * 1024 * 1024), code: 'columns-capped', state: 'error' },
    { name: 'mixed.csv', content: clean.replace(/\n(?=1)/g, '\r'), code: 'line-ends-mixed', state: 'done' },
    {
      name: 'crashed.csv',
      content: `${clean}1000,0.0`.padEnd(clean.length + 70_000, '\u0000'),
      code: 'nul-bytes',
      state: 'done',
    },
    {
      name: 'decimal.tsv',
      content: clean.replace(/,/g, '\t').replace(/\./g, ','),
      code: 'decimal-comma',
      state: 'done',
    },
    { name: 'split.csv', content: split.join('\n'), code: 'row-ragged', state: 'done' },
    // Zeros before the header on its own line (a log truncated while its writer kept its offset).
    { name: 'truncated.csv', content: `${'\u0000'.repeat(70_000)}${clean}`, code: 'nul-bytes', state: 'done' },
  ];
}

test('each hostile document gets its diagnostic, the server answers for other files, and a good edit is fitted', async () => {
  const client = await startTestServer();
  const dir = scratchDir('scaling-lens-server-hostile-');
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    for (const { name, content, code, state } of cases()) {
      const uri = uriOf(join(dir, name));
      await client.open(uri, content);
      const summary = await client.rpc.sendRequest(FitFileRequest, { uri });
      assert.equal(summary.state, state, `${name}: ${summary.message}`);
      const diagnostics = await client.diagnostics(uri, (d) => d.some((x) => x.code === code));
      for (const d of diagnostics) assert.ok(String(d.message).length > 10, `${name}: ${String(d.message)}`);

      const other = await client.rpc.sendRequest(ColumnsRequest, {
        uri: uriOf(join(REPO, 'examples/loss/constant.csv')),
      });
      assert.deepEqual(other.columns, ['step', 'lr', 'loss'], `${name}: another file`);

      await client.change(uri, name.endsWith('.jsonl') ? jsonlLog(30) : clean, 2);
      const good = await client.rpc.sendRequest(FitFileRequest, { uri });
      assert.equal(good.state, 'done', `${name} after a good edit: ${good.message}`);
      await client.diagnostics(uri, (d) => !d.some((x) => x.code === code));
      await client.close(uri);
    }
  } finally {
    client.dispose();
  }
});

test('a crash-padded log open in the editor is fitted on open, not skipped as "not a run file"', async () => {
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    const uri = uriOf(join(tmpdir(), 'scaling-lens-crashed-run.csv'));
    await client.open(uri, `${clean}${'\u0000'.repeat(4096)}`);
    const status = await client.status(uri);
    assert.equal(status.state, 'done', status.message);
    const nul = (await client.diagnostics(uri)).find((d) => d.code === 'nul-bytes');
    assert.equal(nul?.range.start.line, 201);
    assert.ok((await client.lenses(uri)).length > 0);
  } finally {
    client.dispose();
  }
});

test('steps logged as token counts, and steps written 1.000 in a decimal-comma file, are fitted at their values', async () => {
  const client = await startTestServer();
  const dir = scratchDir('scaling-lens-server-steps-');
  try {
    client.settings = { fit: { bootstrapSamples: 0 } };
    const rows = clean.trim().split('\n').slice(1);
    // Every step a token count (to 3.5e10 and beyond): the multi-power law once allocated per step and threw.
    const tokens = ['step,lr,loss', ...rows.map((r) => r.replace(/^\d+/, (s) => String(Number(s) * 87_500_000)))];
    // German: dots group thousands, commas are decimal ("40.000" is 40000, not 40).
    const german = [
      'step;lr;loss',
      ...rows.map((r) =>
        r
          .split(',')
          .map((c, k) => (k === 0 ? Number(c).toLocaleString('de-DE') : c.replace('.', ',')))
          .join(';'),
      ),
    ];
    for (const [name, lines, at] of [
      ['tokens.csv', tokens, /L\(3\.5e12\)|L\(3\.5T\)/],
      ['german.csv', german, /L\(40k\)/],
    ] as const) {
      const uri = uriOf(join(dir, name));
      await client.open(uri, lines.join('\n'));
      const summary = await client.rpc.sendRequest(FitFileRequest, { uri });
      assert.equal(summary.state, 'done', `${name}: ${summary.message}`);
      const titles = (await client.lenses(uri)).map((l) => l.command?.title ?? '');
      assert.ok(
        titles.some((t) => at.test(t)),
        `${name}: ${titles.join(' | ')}`,
      );
    }
  } finally {
    client.dispose();
  }
});
