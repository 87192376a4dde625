// Direct tests of the diagnostics (src/server/diagnostics.ts) on analyses the core builds from small files: ranges,
// severities, documentation links and related rows, and a failed analysis. No server, no connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analysisDiagnostics, buildDiagnostics } from '../../src/server/diagnostics';
import { runJob } from '../../src/server/job';
import { DOCS_BASE } from '../../src/shared/protocol';
import { analyse, dir, DOWNSTREAM, file, lines, LOSS, lossAt, RAGGED, steps, uriOf } from '../helpers/presentFiles';
import { writeDvclive } from '../helpers/frameworkRuns';

test('diagnostics: severity, code, documentation link, source, and a range on the reported cell', async () => {
  const analysis = await analyse(RAGGED);
  const diagnostics = buildDiagnostics(analysis, RAGGED);
  const ragged = diagnostics.filter((d) => d.code === 'row-ragged');
  assert.equal(ragged.length, 2);
  const finding = analysis.findings.find((f) => f.code === 'row-ragged')!;
  assert.deepEqual(ragged[0].range, {
    start: { line: finding.line - 1, character: finding.column! - 1 },
    end: { line: finding.line - 1, character: finding.column! },
  });
  assert.equal(ragged[0].severity, 2);
  assert.equal(ragged[0].source, 'Scaling Lens');
  assert.equal(ragged[0].codeDescription!.href, `${DOCS_BASE}#row-ragged`);
  assert.equal(ragged[0].message, finding.message);
  assert.deepEqual(buildDiagnostics(analysis, LOSS), [], 'findings of another file are not shown');
});

test('diagnostics carry related rows as locations only when the client can show them', async () => {
  const analysis = await analyse(DOWNSTREAM);
  const [withRelated] = buildDiagnostics(analysis, DOWNSTREAM, true).filter((d) => d.code === 'bleu-law-break');
  const finding = analysis.findings.find((f) => f.code === 'bleu-law-break')!;
  assert.equal(withRelated.range.start.line, finding.line - 1);
  assert.match(lines(DOWNSTREAM)[withRelated.range.start.line], /^misaligned/);
  const related = withRelated.relatedInformation!;
  assert.equal(related.length, finding.related!.length);
  assert.equal(related[0].location.uri, uriOf(DOWNSTREAM));
  assert.equal(related[0].location.range.start.line, finding.related![0].line - 1);
  assert.equal(related[0].message, finding.related![0].message);
  const [without] = buildDiagnostics(analysis, DOWNSTREAM, false).filter((d) => d.code === 'bleu-law-break');
  assert.equal(without.relatedInformation, undefined);
});

test("an analysis's diagnostics: a failed analysis is an error on the first line, before any findings", async () => {
  const uri = uriOf(RAGGED);
  const failed = analysisDiagnostics(undefined, uri, RAGGED, 'the worker stopped', true, () => undefined);
  assert.deepEqual(
    failed,
    new Map([
      [
        uri,
        [
          {
            range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1000 } },
            severity: 1,
            source: 'Scaling Lens',
            code: 'analysis-failed',
            codeDescription: { href: `${DOCS_BASE}#analysis-failed` },
            message: 'the worker stopped',
          },
        ],
      ],
    ]),
  );
  const analysis = await analyse(RAGGED);
  const shown = analysisDiagnostics(analysis, uri, RAGGED, undefined, true, () => undefined);
  assert.deepEqual(shown, new Map([[uri, buildDiagnostics(analysis, RAGGED, true)]]));
  const cleared = analysisDiagnostics(undefined, uri, RAGGED, undefined, true, () => undefined);
  assert.deepEqual(cleared, new Map([[uri, []]]), 'nothing to show clears the panel');
});

test("a folder's analysis reports each metric file's findings at that file's URI, not only the folder's", async () => {
  const folder = join(dir, 'dvc-diagnostics', 'dvclive');
  const points = steps(40).map((step) => ({ step, value: Number(lossAt(step)) }));
  writeDvclive(folder, {
    loss: points.map((p, i) => (i === 9 ? { ...p, value: NaN } : p)),
    lr: points.map((p) => ({ step: p.step, value: 3e-4 })),
  });
  const analysis = await analyse(folder);
  const tsv = join(folder, 'plots', 'metrics', 'loss.tsv');
  const text = lines(tsv);
  const byUri = analysisDiagnostics(analysis, uriOf(folder), folder, undefined, true, (at, line) =>
    at === uriOf(tsv) ? text[line - 1] : undefined,
  );
  assert.deepEqual(byUri.get(uriOf(folder)), [], "the folder's own entry, empty: cleared");
  const [nan] = byUri.get(uriOf(tsv))!.filter((d) => d.code === 'loss-invalid');
  const at = text[10].indexOf('NaN');
  assert.deepEqual(nan.range, { start: { line: 10, character: at }, end: { line: 10, character: at + 3 } });
});

test('a finding about a cell is ranged on the whole cell when the line is at hand (an open document), else on the line', async () => {
  const rows = steps(40).map((s, i) => `${s},0.0003,${i === 9 ? 'nan' : lossAt(s)}`);
  const path = file('nan-cell.csv', ['step,lr,loss', ...rows]);
  const analysis = await analyse(path);
  const text = lines(path);
  const onCell = buildDiagnostics(analysis, path, true, undefined, (line) => text[line - 1]);
  const [nan] = onCell.filter((d) => d.code === 'loss-invalid');
  const at = text[10].indexOf('nan');
  assert.deepEqual(nan.range, { start: { line: 10, character: at }, end: { line: 10, character: at + 3 } });
  const [onLine] = buildDiagnostics(analysis, path).filter((d) => d.code === 'loss-invalid');
  assert.deepEqual(onLine.range.start, { line: 10, character: 0 });
});

/**
 * The text the first diagnostic of each code underlines in the file of `content` at `path`, as a document open in the
 * editor shows it (its text at hand) and as a file fitted from disk does (the job reads the cells' lines again).
 */
async function underlined(path: string, content: readonly string[], codes: readonly string[]): Promise<string[][]> {
  const spans = (ranged: ReturnType<typeof buildDiagnostics>) =>
    codes.map((code) => {
      const { range } = ranged.find((d) => d.code === code)!;
      assert.equal(range.start.line, range.end.line, code);
      return content[range.start.line].slice(range.start.character, range.end.character);
    });
  const analysis = await analyse(path);
  const open = spans(buildDiagnostics(analysis, path, true, undefined, (line) => content[line - 1]));
  const result = await runJob({
    path,
    options: { bootstrapSamples: 0 },
    maxBytes: 1e6,
    onlyIfRunFile: false,
    source: { kind: 'file' },
  });
  assert.ok(result.ok);
  return [open, spans(buildDiagnostics(result.analysis, path))];
}

test('a reading problem about a cell is ranged on the whole cell: a text cell, a repeated name, an extra field', async () => {
  const rows = steps(40).map(
    (s, i) => `${s},0.0003,${i === 9 ? '"oops here"' : lossAt(s)},x${i === 20 ? ',extra' : ''}`,
  );
  const content = ['step,lr,loss,loss', ...rows];
  const path = file('reading-cells.csv', content);
  const expected = ['"oops here"', 'loss', 'extra'];
  assert.deepEqual(await underlined(path, content, ['cell-not-numeric', 'header-duplicate', 'row-ragged']), [
    expected,
    expected,
  ]);
});

test('decimal-comma is ranged on the cell it quotes: the one that shows decimal commas, one left out', async () => {
  const decimal = ['step;lr;loss', ...steps(40).map((s) => `${s};0,0003;${String(lossAt(s)).replace('.', ',')}`)];
  const shown = await underlined(file('decimal-commas.csv', decimal), decimal, ['decimal-comma']);
  assert.deepEqual(shown, [['0,0003'], ['0,0003']], 'the info, at the cell that decided');
  // "1,234": 1.234 or 1234, and nothing else in the file tells which.
  const either = [
    'step;lr;loss;tokens',
    ...steps(40).map((s, i) => `${s};0.0003;${lossAt(s)};${i === 6 ? '1,234' : s}`),
  ];
  const leftOut = await underlined(file('comma-either.csv', either), either, ['decimal-comma']);
  assert.deepEqual(leftOut, [['1,234'], ['1,234']], 'the warning, at the cell left out');
});

test('quote-unclosed is ranged from the quote that opens to the end of its line', async () => {
  const rows = steps(40).map((s, i) => `${s},${i === 9 ? '"0.0003,' : '0.0003,'}${lossAt(s)}`);
  const content = ['step,lr,loss', ...rows];
  const unclosed = `"0.0003,${lossAt(steps(40)[9])}`;
  const shown = await underlined(file('quote-unclosed.csv', content), content, ['quote-unclosed']);
  assert.deepEqual(shown, [[unclosed], [unclosed]]);
});

test('a file fitted from disk (not open): its cell findings are located by the job, read again from the file', async () => {
  const rows = steps(40).map((s, i) => `${s},0.0003,${i === 9 ? 'nan' : lossAt(s)}`);
  const path = file('nan-cell-disk.csv', ['step,lr,loss', ...rows]);
  const job = { path, options: { bootstrapSamples: 0 }, maxBytes: 1e6, onlyIfRunFile: false };
  const result = await runJob({ ...job, source: { kind: 'file' } });
  assert.ok(result.ok);
  const [nan] = buildDiagnostics(result.analysis, path).filter((d) => d.code === 'loss-invalid');
  const at = lines(path)[10].indexOf('nan');
  assert.deepEqual(nan.range, { start: { line: 10, character: at }, end: { line: 10, character: at + 3 } });
  // An open document's text is not read from disk: the server locates its cells on the text it holds.
  const text = await runJob({ ...job, source: { kind: 'text', text: ['step,lr,loss', ...rows].join('\n') } });
  assert.ok(text.ok);
  assert.ok(text.analysis.findings.some((f) => f.code === 'loss-invalid' && f.cell && f.column === undefined));
});
