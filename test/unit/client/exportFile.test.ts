// Export Fit's write to a local file (src/client/exportFile.ts): a page at a time, and no half document left behind
// when the export fails part way (the server lets it go, or the connection ends) or the write itself fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePagesToFile } from '../../../src/client/exportFile';
import { documentPages, type FitDocumentPage } from '../../../src/shared/protocol';
import { scratchDir } from '../../helpers/scratch';

/** The pages of an export whose server answers `answers` in turn after the first page (null: let go). */
function pages(answers: (FitDocumentPage | null | Error)[]): AsyncIterable<string> {
  const first: FitDocumentPage = { text: '{"tool": ', next: 1 };
  return documentPages(first, async () => {
    const answer = answers.shift();
    if (answer instanceof Error) throw answer;
    return answer ?? null;
  });
}

test('every page is written in turn: the file is the document', async () => {
  const target = join(scratchDir('export-'), 'fit.json');
  await writePagesToFile(target, pages([{ text: '"scaling-lens"', next: 1 }, { text: '}\n' }]));
  assert.equal(readFileSync(target, 'utf8'), '{"tool": "scaling-lens"}\n');
});

test('an export the server let go part way (its idle time passed, or it restarted) leaves no file', async () => {
  const target = join(scratchDir('export-'), 'fit.json');
  await assert.rejects(
    writePagesToFile(target, pages([{ text: '"scaling-lens"', next: 1 }, null])),
    /let the export go before its end/,
  );
  assert.equal(existsSync(target), false);
});

test('an export whose page request fails (the connection ended, the export cancelled) leaves no file', async () => {
  const target = join(scratchDir('export-'), 'fit.json');
  await assert.rejects(
    writePagesToFile(target, pages([new Error('Connection is disposed.')])),
    /Connection is disposed/,
  );
  assert.equal(existsSync(target), false);
});

test('a write that fails part way (a page that cannot be written) leaves no file', async () => {
  const target = join(scratchDir('export-'), 'fit.json');
  async function* broken(): AsyncGenerator<string> {
    yield '{"tool": ';
    // FileHandle.write takes a string or bytes: anything else fails in the write itself, after a page was written.
    yield 42 as unknown as string;
  }
  await assert.rejects(writePagesToFile(target, broken()), TypeError);
  assert.equal(existsSync(target), false);
});
