// The Problems panel's bookkeeping (src/server/problems.ts): what several analyses report on one URI is sent
// together, once each, and an analysis that stops reporting a URI clears its part there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from 'vscode-languageserver';
import { ProblemsPanel } from '../../src/server/problems';

const diagnostic = (line: number, message: string): Diagnostic => ({
  range: { start: { line, character: 0 }, end: { line, character: 3 } },
  severity: 2,
  code: 'loss-invalid',
  message,
});

function panel() {
  const sent = new Map<string, Diagnostic[]>();
  return { sent, problems: new ProblemsPanel((uri, diagnostics) => sent.set(uri, diagnostics)) };
}

test("a folder's analysis reports a metric file's findings at the file's URI, and clears them once gone", () => {
  const { sent, problems } = panel();
  const nan = diagnostic(10, 'Loss NaN');
  problems.report(
    'file:///runs',
    new Map([
      ['file:///runs', []],
      ['file:///runs/loss.tsv', [nan]],
    ]),
  );
  assert.deepEqual(sent.get('file:///runs/loss.tsv'), [nan]);
  assert.deepEqual(sent.get('file:///runs'), []);
  // Fitted again after the row was fixed: the file is sent empty, not left showing the old finding.
  problems.report('file:///runs', new Map([['file:///runs', []]]));
  assert.deepEqual(sent.get('file:///runs/loss.tsv'), []);
});

test('a file reported by its own analysis and by its folder shows both, a finding both report once', () => {
  const { sent, problems } = panel();
  const nan = diagnostic(10, 'Loss NaN');
  const own = diagnostic(0, 'only its own');
  problems.report(
    'file:///runs',
    new Map([
      ['file:///runs', []],
      ['file:///runs/loss.tsv', [nan]],
    ]),
  );
  problems.report('file:///runs/loss.tsv', new Map([['file:///runs/loss.tsv', [own, nan]]]));
  assert.deepEqual(sent.get('file:///runs/loss.tsv'), [nan, own]);
  // The file closed (its own analysis forgotten): the folder's findings stay.
  problems.report('file:///runs/loss.tsv', new Map([['file:///runs/loss.tsv', []]]));
  assert.deepEqual(sent.get('file:///runs/loss.tsv'), [nan]);
});

test("a file's URI as the editor escapes it and as Node does is one file: both reports are sent together", () => {
  const { sent, problems } = panel();
  const nan = diagnostic(10, 'Loss NaN');
  const own = diagnostic(0, 'only its own');
  problems.report('file:///runs', new Map([['file:///runs/a%2Bb.csv', [nan]]]));
  problems.report('file:///runs/a+b.csv', new Map([['file:///runs/a+b.csv', [own]]]));
  assert.deepEqual(sent.get('file:///runs/a+b.csv'), [nan, own]);
});
