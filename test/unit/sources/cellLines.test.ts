// The lines of a followed file's cell findings (src/core/sources/cellLines.ts): each update reads on from where the
// last one stopped, so a bad row at the tail of a long file costs the bytes appended, not the file again; columns are
// characters on lines split at byte offsets (CRLF, multi-byte UTF-8); a line still being written is not kept.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, closeSync, constants, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { CellLines, INDEX_EVERY, type ReadBytes } from '../../../src/core/sources/cellLines';
import type { Finding } from '../../../src/core/analysis/types';
import { scratchDir } from '../../helpers/scratch';

const dir = scratchDir('scaling-lens-cell-lines-');

/** A loss-invalid finding of field `field` on `line` of `file`, its column still to locate. */
const bad = (file: string, line: number, field = 2): Finding => ({
  code: 'loss-invalid',
  severity: 'warning',
  message: 'The loss is not a number.',
  file,
  line,
  cell: { name: 'loss', field, delimiter: ',' },
});

/** The file system's bytes, with every read's range recorded; at most `most` bytes per read. */
function countingReader(most = Infinity): { read: ReadBytes; ranges: [number, number][] } {
  const ranges: [number, number][] = [];
  const read: ReadBytes = async (file, position, asked) => {
    const length = Math.min(asked, most);
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      ranges.push([position, position + bytesRead]);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  };
  return { read, ranges };
}

const bytesIn = (ranges: [number, number][]) => ranges.reduce((n, [a, b]) => n + b - a, 0);
const places = (findings: Finding[]) => findings.map((f) => [f.line, f.column, f.endColumn]);
const row = (step: number, loss = (2.5 + 4 * step ** -0.45).toFixed(6)) => `${step},0.0003,${loss}\n`;

test('an update after appending reads only the bytes appended, each update, and locates the new bad row', async () => {
  const path = join(dir, 'grown.csv');
  let text = 'step,lr,loss\n';
  for (let step = 1; step <= 20_000; step++) text += row(step, step === 20_000 ? 'nan' : undefined);
  writeFileSync(path, text);
  const { read, ranges } = countingReader();
  const cells = new CellLines(read);
  const findings = [bad(path, 20_001)];
  assert.deepEqual(places(await cells.located(findings)), [[20_001, 14, 17]]);
  let size = Buffer.byteLength(text);
  assert.equal(bytesIn(ranges), size, 'the first update reads up to its last finding once');
  for (let k = 1; k <= 5; k++) {
    const appended = row(20_000 + 2 * k - 1) + row(20_000 + 2 * k, '-1');
    appendFileSync(path, appended);
    findings.push(bad(path, 20_001 + 2 * k));
    ranges.length = 0;
    const located = await cells.located(findings);
    assert.deepEqual(located.at(-1)!.column, 14, `update ${k}: the new bad row's loss is located`);
    assert.ok(
      ranges.every(([from]) => from >= size),
      `update ${k}: nothing before the old end is read again (${JSON.stringify(ranges)})`,
    );
    assert.equal(bytesIn(ranges), Buffer.byteLength(appended), `update ${k}: the bytes appended, once`);
    size += Buffer.byteLength(appended);
  }
});

test('an old line not kept is read from the indexed line start before it: at most INDEX_EVERY lines', async () => {
  const path = join(dir, 'old.csv');
  let text = 'step,lr,loss\n';
  for (let step = 1; step <= 20_000; step++) text += row(step, step === 5000 || step === 20_000 ? 'nan' : undefined);
  writeFileSync(path, text);
  const { read, ranges } = countingReader();
  const cells = new CellLines(read);
  await cells.located([bad(path, 20_001)]);
  ranges.length = 0;
  // Line 5001's finding is new (its line was read but not kept): found again from the index, not from the start.
  assert.deepEqual(places(await cells.located([bad(path, 5001), bad(path, 20_001)])), [
    [5001, 13, 16],
    [20_001, 14, 17],
  ]);
  const longest = Math.max(...text.split('\n').map((l) => l.length + 1));
  assert.ok(bytesIn(ranges) <= INDEX_EVERY * longest, `${bytesIn(ranges)} bytes read`);
  assert.ok(bytesIn(ranges) > 0);
});

test('CRLF lines and multi-byte UTF-8 text before the cell: character columns, lines split at byte offsets', async () => {
  const path = join(dir, 'crlf.csv');
  // "é" is 2 bytes, "日本" 6 and "😀" 4 (two UTF-16 units, as an editor counts columns).
  const lines = ['run,step,loss', 'é,1,3.1', '日本,2,nan', '😀x,3,inf', 'ab,4,-1'];
  writeFileSync(path, lines.join('\r\n') + '\r\n');
  // Five bytes per read: characters, and CR from LF, are split between reads.
  const cells = new CellLines(countingReader(5).read);
  const located = await cells.located([bad(path, 3), bad(path, 4)]);
  assert.deepEqual(places(located), [
    [3, 6, 9],
    [4, 7, 10],
  ]);
  appendFileSync(path, 'ñandú,5,nan\r\n');
  const grown = await cells.located([bad(path, 3), bad(path, 4), bad(path, 5), bad(path, 6)]);
  assert.deepEqual(places(grown), [
    [3, 6, 9],
    [4, 7, 10],
    [5, 6, 8],
    [6, 9, 12],
  ]);
});

test('a last line without its line feed (a writer mid-line) is not kept: the next update reads it whole', async () => {
  const path = join(dir, 'partial.csv');
  writeFileSync(path, 'step,lr,loss\n1,0.0003,nan\n2,0.00');
  const cells = new CellLines();
  const first = await cells.located([bad(path, 2), bad(path, 3)]);
  // The partial line has no third field yet: no column.
  assert.deepEqual(places(first), [
    [2, 10, 13],
    [3, undefined, undefined],
  ]);
  appendFileSync(path, '03,nan\n');
  assert.deepEqual(places(await cells.located([bad(path, 2), bad(path, 3)])), [
    [2, 10, 13],
    [3, 10, 13],
  ]);
});

test('a file finished without a line feed: its last line is still located (a one-shot read)', async () => {
  const path = join(dir, 'unfinished.csv');
  writeFileSync(path, 'step,lr,loss\n1,0.0003,3.5\n2,0.0003,nan');
  assert.deepEqual(places(await new CellLines().located([bad(path, 3)])), [[3, 10, 13]]);
});

/**
 * A file of lines of `widths` bytes (line feed included) that is never written: spaces, but for the lines of `texts`
 * (1-based), which end with their text. Reads of it are counted, as on disk.
 */
function virtualFile(widths: number[], texts: Map<number, string>): { read: ReadBytes; bytes: () => number } {
  const ends: number[] = [];
  widths.reduce((end, width) => (ends.push(end + width), end + width), 0);
  let bytes = 0;
  const read: ReadBytes = async (_file, position, asked) => {
    const length = Math.max(0, Math.min(asked, ends.at(-1)! - position));
    const out = Buffer.alloc(length, 0x20);
    for (let k = ends.findIndex((end) => end > position); k >= 0 && k < ends.length; k++) {
      const lf = ends[k] - 1 - position;
      if (lf + 1 - widths[k] >= length) break;
      // The line's text and line feed where they fall in this read (a read may cut them).
      const tail = Buffer.from(`${texts.get(k + 1) ?? ''}\n`);
      for (let i = 0, at = lf + 1 - tail.length; i < tail.length; i++, at++)
        if (at >= 0 && at < length) out[at] = tail[i];
    }
    bytes += length;
    return out;
  };
  return { read, bytes: () => bytes };
}

test('a bad row past the first 256 MB gets its column: the file is read up to its line, holding only the lines wanted', async () => {
  // 300 MB of 64 KB lines: the bad row is line 4700, 293 MB in.
  const width = 64 * 1024;
  const { read, bytes } = virtualFile(new Array(4800).fill(width), new Map([[4700, '4699,0.0003,nan']]));
  const [found] = await new CellLines(read).located([bad('big.csv', 4700)]);
  assert.deepEqual([found.line, found.column, found.endColumn], [4700, width - 3, width]);
  assert.equal(bytes(), 4700 * width, 'read up to the line wanted, no further');
});

test('a wanted line over 256 MB (a document on one line) keeps file and line only; the lines after it are located', async () => {
  const { read } = virtualFile([257 * 2 ** 20, 20], new Map([[2, '2,0.0003,nan']]));
  const located = await new CellLines(read).located([bad('one-line.json', 1), bad('one-line.json', 2)]);
  assert.deepEqual(places(located), [
    [1, undefined, undefined],
    [2, 17, 20],
  ]);
});

test('a followed file replaced by a FIFO or a link to /dev/zero is not read for its lines: no hang, no endless read', async () => {
  const path = join(dir, 'replaced.csv');
  after(() => {
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)); // lets a waiting open go (the bug)
    } catch {
      // No reader waiting.
    }
  });
  writeFileSync(path, `step,lr,loss\n${row(1)}${row(2, 'nan')}`);
  const cells = new CellLines();
  assert.deepEqual(places(await cells.located([bad(path, 3)])), [[3, 10, 13]]);
  for (const replace of [() => symlinkSync('/dev/zero', path), () => execFileSync('mkfifo', [path])]) {
    rmSync(path);
    replace();
    cells.forget(); // as a follower does when its file was replaced
    const located = await Promise.race([
      cells.located([bad(path, 3)]),
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5000).unref()),
    ]);
    // The finding keeps its file and line: no column is found on what is not a file.
    assert.deepEqual(located === 'hung' ? located : places(located), [[3, undefined, undefined]]);
  }
});
