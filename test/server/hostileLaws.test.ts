// Issue 11's laws in the editor on hostile documents: schedules too long for the multi-power law's per-step sums,
// model sizes with stray params cells, and bad LR and loss cells each get their diagnostics (file, line, column), the
// server stays up and answers for other files, and no lens shows a number the fit does not support.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ColumnsRequest, FitFileRequest } from '../../src/shared/protocol';
import { startTestServer } from '../helpers/lsp';
import { REPO } from '../helpers/shared';
import { scratchDir } from '../helpers/scratch';

const uriOf = (path: string) => pathToFileURL(path).toString();
const PEAK = 3e-4;
const cosine = (i: number, n: number) => PEAK * (0.1 + 0.45 * (1 + Math.cos((Math.PI * i) / n)));
const lossAt = (i: number) => (2.5 + 1.5 * i ** -0.5).toFixed(5);

/** 20 runs of 20 rows each, to step 4e6: 8e7 steps of loss-drop sums for 400 rows (4.5 GB before the shared budget). */
function longRuns(): string {
  const rows = ['run,step,lr,loss'];
  for (let r = 0; r < 20; r++)
    for (let i = 1; i <= 20; i++) rows.push(`r${r},${i * 200_000},${cosine(i, 20)},${lossAt(i)}`);
  return rows.join('\n');
}

/** Three model sizes in one file without a run column, three params cells holding no size (0, -1, 1e400). */
function strayParams(): string {
  const rows = ['step,lr,loss,params'];
  for (const n of [25e6, 100e6, 400e6])
    for (let i = 1; i <= 100; i++) {
      const cell =
        n === 25e6 && i === 10 ? '0' : n === 100e6 && i === 10 ? '-1' : n === 400e6 && i === 10 ? '1e400' : n;
      const loss = 1.8 + 20 * n ** -0.3 + 0.9 * (i * 200 * PEAK) ** -0.35;
      rows.push(`${i * 200},${cosine(i, 100)},${loss.toFixed(5)},${cell}`);
    }
  return rows.join('\n');
}

/** A cosine log with a NaN LR on one row and a 1e300 loss on another. */
function badCells(): string {
  const rows = ['step,lr,loss'];
  for (let i = 1; i <= 200; i++)
    rows.push(`${i * 100},${i === 100 ? 'NaN' : cosine(i, 200)},${i === 120 ? '1e300' : lossAt(i)}`);
  return rows.join('\n');
}

/** 100 rows whose steps grow geometrically to 2^40. */
function stepsTo2pow40(): string {
  const rows = ['step,lr,loss'];
  let last = 0;
  for (let i = 0; i < 100; i++) {
    const step = Math.max(last + 1, Math.round(2 ** ((40 * i) / 99)));
    rows.push(`${step},${cosine(i, 99)},${lossAt(i + 1)}`);
    last = step;
  }
  return rows.join('\n');
}

interface Case {
  name: string;
  content: string;
  law: 'auto' | 'mpl';
  /** Diagnostics the document must get, by code, and the line (1-based) of the first when it is a row's. */
  codes: Record<string, number | undefined>;
  state: 'done' | 'error';
}

const CASES: Case[] = [
  { name: 'long-runs.csv', content: longRuns(), law: 'mpl', codes: { 'fit-failed': undefined }, state: 'error' },
  { name: 'long-runs-auto.csv', content: longRuns(), law: 'auto', codes: {}, state: 'done' },
  { name: 'stray-params.csv', content: strayParams(), law: 'auto', codes: { 'size-invalid': 11 }, state: 'done' },
  {
    name: 'bad-cells.csv',
    content: badCells(),
    law: 'auto',
    codes: { 'lr-invalid': 101, 'loss-invalid': 121 },
    state: 'done',
  },
  { name: 'to-2pow40.csv', content: stepsTo2pow40(), law: 'mpl', codes: { 'fit-failed': undefined }, state: 'error' },
];

test('hostile documents for the multi-power, auto and model-size laws get their diagnostics, and the server stays up', async () => {
  const client = await startTestServer();
  const dir = scratchDir('scaling-lens-server-hostile-laws-');
  try {
    for (const { name, content, law, codes, state } of CASES) {
      client.settings = { fit: { bootstrapSamples: 0 }, law };
      await client.configurationChanged();
      const uri = uriOf(join(dir, name));
      const started = performance.now();
      await client.open(uri, content);
      const summary = await client.rpc.sendRequest(FitFileRequest, { uri });
      assert.equal(summary.state, state, `${name}: ${summary.message}`);
      assert.ok(performance.now() - started < 30_000, `${name}: ${performance.now() - started} ms`);
      const wanted = Object.keys(codes);
      const diagnostics = await client.diagnostics(uri, (d) => wanted.every((c) => d.some((x) => x.code === c)));
      for (const [code, line] of Object.entries(codes)) {
        const first = diagnostics.find((d) => d.code === code)!;
        assert.ok(String(first.message).length > 20, `${name}: ${String(first.message)}`);
        if (line !== undefined) {
          assert.equal(first.range.start.line, line - 1, `${name}: ${code}`);
          assert.ok(first.range.end.character > first.range.start.character, `${name}: ${code} underlines its cell`);
        }
      }
      if (law === 'mpl')
        assert.match(
          String(diagnostics.find((d) => d.code === 'fit-failed')?.message),
          /loss-drop sum is built step by step/,
        );
      // Lenses show a number only from a fit the data support.
      for (const lens of await client.lenses(uri)) assert.doesNotMatch(lens.command?.title ?? '', /NaN|Infinity/);
      const other = await client.rpc.sendRequest(ColumnsRequest, {
        uri: uriOf(join(REPO, 'examples/loss/constant.csv')),
      });
      assert.deepEqual(other.columns, ['step', 'lr', 'loss'], `${name}: another file`);
      await client.close(uri);
    }
  } finally {
    client.dispose();
  }
});
