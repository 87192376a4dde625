// An open document is analysed by its file's follower when its text is the file on disk (src/server/textOnDisk.ts):
// compared a chunk at a time, so the answer must be right at every chunk boundary (multi-byte characters, surrogate
// pairs) and the server's thread never held for the whole of a large file.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { textIsOnDisk } from '../../src/server/textOnDisk';
import { scratchDir } from '../helpers/scratch';

const dir = scratchDir('scaling-lens-ondisk-');

/** Writes `bytes` (a string as UTF-8, or raw bytes) to a file of the test folder. */
function file(name: string, bytes: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

test('the same text is on disk at every chunk size, whatever characters straddle the chunk boundaries', async () => {
  // ASCII, 2- and 3-byte characters, and surrogate pairs (4 bytes, two UTF-16 units) at every offset.
  const text = `step,loss,note\n1,3.5,é\n2,3.4,温度\n3,3.3,😀😀x😀\n4,3.2,${'ab😀é'.repeat(7)}\n`;
  const path = file('same.csv', text);
  for (const units of [1, 2, 3, 4, 5, 7, 16, 1 << 20])
    assert.equal(await textIsOnDisk(path, text, units), true, `chunks of ${units} units`);
});

test('a text that differs from the file is not on disk: one byte changed, longer, shorter, or no final line feed', async () => {
  const text = 'step,loss\n1,3.5\n2,3.4\n';
  const path = file('run.csv', text);
  for (const units of [1, 3, 1 << 20]) {
    assert.equal(await textIsOnDisk(path, 'step,loss\n1,3.5\n2,3.9\n', units), false, 'same size, a digit changed');
    assert.equal(await textIsOnDisk(path, `${text}3,3.3\n`, units), false, 'the text is longer');
    assert.equal(await textIsOnDisk(path, 'step,loss\n1,3.5\n', units), false, 'the text is shorter');
    assert.equal(await textIsOnDisk(path, 'step,loss\n1,3.5\n2,3.é\n', units), false, 'a character of another width');
  }
  const unfinished = 'step,loss\n1,3.5\n2,3.4';
  assert.equal(await textIsOnDisk(file('unfinished.csv', unfinished), unfinished), false, 'no final line feed');
  assert.equal(await textIsOnDisk(file('bom.csv', `\ufeff${text}`), text), false, 'a BOM on disk only');
});

test('a file that is not there, or not a file, is not the text', async () => {
  assert.equal(await textIsOnDisk(join(dir, 'missing.csv'), 'a\n'), false);
  mkdirSync(join(dir, 'folder'), { recursive: true });
  assert.equal(await textIsOnDisk(join(dir, 'folder'), 'a\n'), false);
  // A FIFO in the file's place: its open waited for a writer for good (the document's follower never came).
  const fifo = join(dir, 'fifo.csv');
  execFileSync('mkfifo', [fifo]);
  after(() => {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)); // lets a waiting open go (the bug)
    } catch {
      // No reader waiting.
    }
  });
  const answer = await Promise.race([
    textIsOnDisk(fifo, 'a\n'),
    new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5000).unref()),
  ]);
  assert.equal(answer, false);
});

test('a large file is compared without holding the thread: the event loop turns between chunks', async () => {
  // 1.2M rows, about 48 MB: encoded and compared whole at once, the thread is held for tens of ms, and no other
  // callback (a hover, a lens) runs until it is done. Counted in event-loop turns, not milliseconds: a loaded machine
  // stretches any time.
  const rows: string[] = ['step,lr,loss,tokens\n'];
  for (let i = 1; i <= 1_200_000; i++) rows.push(`${i},0.0003,${(2.5 + 4 * i ** -0.45).toFixed(6)},${i * 4096}\n`);
  const text = rows.join('');
  const path = file('large.csv', text);
  let turns = 0;
  let counting = true;
  const count = () => {
    turns++;
    if (counting) setImmediate(count);
  };
  setImmediate(count);
  assert.equal(await textIsOnDisk(path, text), true);
  counting = false;
  // One read per chunk of 2^20 UTF-16 units: about 46 chunks, each a turn of the loop at least.
  const chunks = Math.ceil(text.length / (1 << 20));
  assert.ok(turns >= chunks / 2, `${turns} turns of the event loop over ${chunks} chunks`);
});
