// A 2 GB file never exhausts memory: it streams (here a CSV whose tail is 2 GB of NUL bytes, a sparse file that costs
// no disk, as a crashed writer leaves), or it is refused with a clear limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readTable } from '../../../src/core/table';
import { scratchDir } from '../../helpers/scratch';

const TWO_GB = Math.round(2.1 * 1024 ** 3);

/** A run file of 100 rows padded with NUL bytes to 2.1 GB (sparse on disk), removed after the test. */
function sparseRunFile(): string {
  const dir = scratchDir('scaling-lens-huge-');
  const path = join(dir, 'huge.csv');
  const fd = openSync(path, 'w');
  writeSync(
    fd,
    'step,lr,loss\n' +
      Array.from({ length: 100 }, (_, i) => `${i + 1},0.001,${(4 - i / 100).toFixed(3)}`).join('\n') +
      '\n',
  );
  ftruncateSync(fd, TWO_GB);
  closeSync(fd);
  return path;
}

test('a 2 GB file streams in bounded memory: the good rows are kept, the 2 GB of NUL bytes after them are located and ignored', async () => {
  const path = sparseRunFile();
  const table = await readTable(path);
  assert.equal(table.rowCount, 100);
  assert.equal(table.bytesRead, TWO_GB);
  const p = table.problems.find((x) => x.code === 'nul-bytes')!;
  assert.equal(p.line, 102);
  assert.match(p.message, /the file ends in 2\.1 GiB of NUL bytes from line 102, column 1/);
  const peakBytes = process.resourceUsage().maxRSS * 1024;
  assert.ok(peakBytes < 1.5 * 1024 ** 3, `peak RSS ${(peakBytes / 1e6).toFixed(0)} MB`);
});

test('a 2 GB file over the configured limit is refused with the size and the limit, not read', async () => {
  const path = sparseRunFile();
  const table = await readTable(path, { maxBytes: 1024 ** 3 });
  assert.equal(table.rowCount, 0);
  const p = table.problems.find((x) => x.code === 'file-too-large')!;
  assert.match(p.message, /2\.1 GiB \(2254857830 bytes\), over the 1\.0 GiB limit/);
});
