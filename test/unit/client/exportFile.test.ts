// Export Fit's write to a local file (src/client/exportFile.ts): a page at a time, and no half document left behind
// when the export fails part way (the server lets it go, or the connection ends) or the write itself fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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

test('a failed export leaves the older file the user chose to overwrite as it was, and no temporary file', async () => {
  const folder = scratchDir('export-');
  const target = join(folder, 'fit.json');
  writeFileSync(target, 'the older export\n');
  await assert.rejects(
    writePagesToFile(target, pages([{ text: '"scaling-lens"', next: 1 }, null])),
    /let the export go before its end/,
  );
  assert.equal(readFileSync(target, 'utf8'), 'the older export\n');
  assert.deepEqual(readdirSync(folder), ['fit.json']);
});

test('an overwritten export keeps its permissions, and a link chosen as the target is written through', async () => {
  const folder = scratchDir('export-');
  const file = join(folder, 'fit.json');
  writeFileSync(file, 'old\n');
  chmodSync(file, 0o600);
  const link = join(folder, 'latest.json');
  symlinkSync(file, link);
  await writePagesToFile(link, pages([{ text: '"scaling-lens"', next: 1 }, { text: '}\n' }]));
  assert.equal(lstatSync(link).isSymbolicLink(), true);
  assert.equal(readFileSync(file, 'utf8'), '{"tool": "scaling-lens"}\n');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(folder).sort(), ['fit.json', 'latest.json']);
});
