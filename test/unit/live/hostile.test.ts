// A followed CSV that is truncated or rewritten in place (the same file, not a new one) while it is followed: what is
// written after is read from the start, never from where the old content ended (which read the new content's middle
// as rows and lost its beginning), and the rows read before a truncation are kept and said.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync,
  chmodSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import fsPromises from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { tailFor } from '../../../src/core/live/tails';
import { TextTail } from '../../../src/core/live/textTail';
import { WholeTail } from '../../../src/core/live/wholeTail';
import type { Tail } from '../../../src/core/live/tail';
import { readSource, type SourceOptions } from '../../../src/core/sources';
import { failedTable } from '../../../src/core/table/read';
import type { Table } from '../../../src/core/table/types';
import { scratchDir } from '../../helpers/scratch';

/** A loss log of `rows` rows from step `first`, every 10 steps. */
function log(rows: number, first: number): string {
  let text = 'step,lr,loss\n';
  for (let i = 0; i < rows; i++)
    text += `${first + 10 * i},0.0003,${(2.5 + 3 / Math.sqrt(first + 10 * i)).toFixed(6)}\n`;
  return text;
}

const table = (tail: Tail): Table => tail.current().tables[0];
const steps = (t: Table) => Array.from(t.columns.find((c) => c.name === 'step')!.values);
const changed = (t: Table) => t.problems.filter((p) => p.code === 'file-changed');

test('a followed file truncated to nothing keeps its rows with a warning, and what is written next is read whole', async () => {
  const path = join(scratchDir('sl-live-hostile-'), 'run.csv');
  writeFileSync(path, log(200, 10));
  const tail = new TextTail(path);
  assert.equal((await tail.update()).change, 'read');

  truncateSync(path, 0);
  const cut = await tail.update();
  assert.equal(cut.change, 'reread');
  assert.equal(table(tail).rowCount, 200, 'the rows read before are kept');
  assert.match(
    changed(table(tail))[0]?.message ?? '',
    /run\.csv was truncated to 0 bytes .* 200 rows read before are kept/,
  );
  assert.equal((await tail.update()).change, 'unchanged', 'said once');

  // The run starts again and writes more than the old file held before the next update.
  writeFileSync(path, log(300, 5));
  await tail.update();
  assert.deepEqual(
    steps(table(tail)),
    Array.from({ length: 300 }, (_, i) => 5 + 10 * i),
  );
  assert.equal(changed(table(tail)).length, 0, 'the warning is gone with the rows it was about');
});

test('a followed file rewritten in place with other, longer content between two updates is read again whole', async () => {
  const path = join(scratchDir('sl-live-hostile-'), 'run.csv');
  writeFileSync(path, log(200, 10));
  const tail = new TextTail(path);
  await tail.update();

  writeFileSync(path, log(300, 5)); // same inode: truncated and written again, longer than before
  assert.equal((await tail.update()).change, 'reread');
  assert.deepEqual(
    steps(table(tail)),
    Array.from({ length: 300 }, (_, i) => 5 + 10 * i),
  );
  assert.match(changed(table(tail))[0]?.message ?? '', /was rewritten while it was followed/);

  // A file that only grows (the same bytes, more lines) is still read by its tail.
  writeFileSync(path, log(300, 5) + '3005,0.0003,2.55\n');
  assert.deepEqual(await tail.update(), { change: 'appended', rows: 1, bytes: 17 });
  assert.equal(table(tail).rowCount, 301);
});

test('a followed file that grows past the size limit says so once with its real size, and keeps its rows', async () => {
  const path = join(scratchDir('sl-live-hostile-'), 'run.csv');
  const first = log(20, 10);
  writeFileSync(path, first);
  const max = first.length + 100;
  const tail = new TextTail(path, { maxBytes: max });
  await tail.update();
  const grown = log(40, 10);
  writeFileSync(path, grown); // the same bytes, and more: it grew
  assert.deepEqual(await tail.update(), { change: 'appended', rows: 0, bytes: 0 }, 'analysed again, to say so');
  const tooLarge = () => table(tail).problems.filter((p) => p.code === 'file-too-large');
  // Each part was held to what was left of the limit: "24 bytes, over the 8 bytes limit", then "over the -16 bytes".
  assert.deepEqual(
    tooLarge().map((p) => [p.severity, p.line, p.message]),
    [
      [
        'error',
        1,
        `${path} is ${grown.length} bytes, over the ${max} bytes limit; raise the size limit or read a downsampled copy (e.g. every 10th row); the 20 rows read before are kept, and what it appends is not read`,
      ],
    ],
  );
  assert.equal(table(tail).rowCount, 20);
  writeFileSync(path, log(50, 10));
  assert.equal((await tail.update()).change, 'unchanged', 'said once');
  assert.equal(tooLarge().length, 1);

  writeFileSync(path, log(5, 10)); // rewritten smaller: read whole again, under the limit
  await tail.update();
  assert.equal(table(tail).rowCount, 5);
  assert.equal(tooLarge().length, 0);
});

// Root reads a file whatever its permissions: this runs as another user (as CI and editors do).
const asRoot = process.getuid?.() === 0;

test(
  'a followed file whose read permission is removed says so at once, and once it is readable again the error goes',
  { skip: asRoot && 'run as root, who reads a file whatever its permissions' },
  async () => {
    const path = join(scratchDir('sl-live-hostile-'), 'run.csv');
    writeFileSync(path, log(20, 10));
    const tail = new TextTail(path);
    await tail.update();
    appendFileSync(path, '300,0.0003,2.6\n');
    chmodSync(path, 0o200);
    // It was 'unchanged' (the error shown only at the next append), and said the unread line had no line feed yet.
    assert.deepEqual(await tail.update(), { change: 'appended', rows: 0, bytes: 0 });
    const codes = () => table(tail).problems.map((p) => p.code);
    assert.deepEqual(codes(), ['file-read-failed']);
    assert.match(table(tail).problems[0].message, /run\.csv cannot be read \(permission denied\)/);
    assert.equal((await tail.update()).change, 'unchanged', 'said once');

    chmodSync(path, 0o644);
    assert.deepEqual(await tail.update(), { change: 'appended', rows: 1, bytes: 15 });
    assert.deepEqual(codes(), [], 'the error went with the failure: it stood for good');
    assert.equal(table(tail).rowCount, 21);
  },
);

test(
  'a followed file unreadable at its first read is read once its permission is back, though unchanged',
  { skip: asRoot && 'run as root, who reads a file whatever its permissions' },
  async () => {
    for (const name of ['first.csv', 'first.json']) {
      const path = join(scratchDir('sl-live-hostile-'), name);
      writeFileSync(path, name.endsWith('.csv') ? log(20, 10) : JSON.stringify([{ step: 1, loss: 3 }]));
      const tail = await tailFor(path);
      chmodSync(path, 0o200);
      await tail.update();
      const unreadable = () => table(tail).problems.filter((p) => p.code === 'file-unreadable');
      assert.match(unreadable()[0]?.message ?? '', /permission denied/, name);
      assert.equal((await tail.update()).change, 'unchanged', `${name}: said once`);
      chmodSync(path, 0o644);
      assert.notEqual((await tail.update()).change, 'unchanged', name);
      assert.equal(unreadable().length, 0, name);
      assert.ok(table(tail).rowCount > 0, name);
    }
  },
);

test('a followed JSON document deleted keeps its rows with a warning saying so, once; written again, it is read', async () => {
  const path = join(scratchDir('sl-live-hostile-'), 'history.json');
  const records = (n: number) =>
    JSON.stringify(Array.from({ length: n }, (_, i) => ({ step: 10 * (i + 1), loss: 3 / (i + 1) })));
  writeFileSync(path, records(30));
  const tail = await tailFor(path);
  assert.ok(tail instanceof WholeTail, 'a JSON document is read again whole');
  await tail.update();
  rmSync(path);
  assert.equal((await tail.update()).change, 'deleted');
  const said = () => tail.current().problems.filter((p) => p.code === 'file-changed');
  // Its fit went on being shown with nothing said.
  assert.deepEqual(
    said().map((p) => [p.severity, p.message]),
    [
      [
        'warning',
        `${path} was deleted while it was followed; the 30 rows read before are kept until it is written again`,
      ],
    ],
  );
  assert.equal(tail.current().tables[0].rowCount, 30);
  assert.equal((await tail.update()).change, 'unchanged', 'said once');
  writeFileSync(path, records(5));
  assert.equal((await tail.update()).change, 'reread');
  assert.deepEqual([tail.current().tables[0].rowCount, said().length], [5, 0]);
});

test('a followed file replaced by a folder, a link to /dev/zero or a FIFO is said to be so, not deleted; its rows kept', async () => {
  const path = join(scratchDir('sl-live-hostile-'), 'run.csv');
  const replacements: [string, () => void, RegExp][] = [
    ['folder', () => mkdirSync(path), /run\.csv was replaced by a folder while it was followed; the 20 rows/],
    ['/dev/zero', () => symlinkSync('/dev/zero', path), /run\.csv was replaced by a FIFO, a device or a socket/],
    ['FIFO', () => execFileSync('mkfifo', [path]), /run\.csv was replaced by a FIFO, a device or a socket/],
  ];
  for (const [name, replace, said] of replacements) {
    rmSync(path, { recursive: true, force: true });
    writeFileSync(path, log(20, 10) + '210,0.0003,2.7'); // a last line still being written
    const tail = new TextTail(path);
    await tail.update();
    rmSync(path);
    replace();
    const update = await Promise.race([
      tail.update(),
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5000).unref()),
    ]);
    assert.equal(update === 'hung' ? update : update.change, 'deleted', name);
    assert.equal(table(tail).rowCount, 20, name);
    // What happened, and nothing of a last line that is no longer there.
    assert.deepEqual(
      table(tail).problems.map((p) => p.code),
      ['file-changed'],
      name,
    );
    assert.match(changed(table(tail))[0].message, said, name);
    assert.equal((await tail.update()).change, 'unchanged', `${name}: said once`);
    rmSync(path, { recursive: true });
    writeFileSync(path, log(30, 10));
    assert.equal((await tail.update()).change, 'read', name);
    assert.deepEqual([table(tail).rowCount, changed(table(tail)).length], [30, 0], `${name}: written again`);
  }
  // What is there changes again before the file is back: said anew, not left at what it was first.
  const tail = new TextTail(path);
  await tail.update();
  rmSync(path);
  mkdirSync(path);
  await tail.update();
  rmSync(path, { recursive: true });
  execFileSync('mkfifo', [path]);
  assert.equal((await tail.update()).change, 'deleted');
  assert.match(changed(table(tail))[0].message, /replaced by a FIFO/);
  assert.equal(changed(table(tail)).length, 1);
  rmSync(path);
});

test('a hole of zeros a writer fills in later (written out of order, as over NFS) is read, its rows not lost', async () => {
  const path = join(scratchDir('sl-live-hostile-'), 'run.csv');
  const text = Buffer.from(log(200, 10));
  const lineStart = (row: number) => text.indexOf(`\n${10 + 10 * row},`) + 1; // row 0 is the first after the header
  const [holeStart, holeEnd] = [lineStart(100), lineStart(150)];
  writeFileSync(path, text.subarray(0, holeStart));
  const tail = new TextTail(path);
  await tail.update();
  // The rows after the hole land first: the file reads as zeros up to them.
  const fd = openSync(path, 'r+');
  writeSync(fd, text.subarray(holeEnd), 0, text.length - holeEnd, holeEnd);
  await tail.update();
  assert.equal(table(tail).rowCount, 150);
  assert.match(table(tail).problems.find((p) => p.code === 'nul-bytes')?.message ?? '', /NUL bytes before line 102/);
  // Then the hole is written: the same size, its rows were read as nothing and are lost unless looked at again.
  writeSync(fd, text.subarray(holeStart, holeEnd), 0, holeEnd - holeStart, holeStart);
  closeSync(fd);
  assert.equal((await tail.update()).change, 'reread');
  assert.deepEqual(
    steps(table(tail)),
    Array.from({ length: 200 }, (_, i) => 10 + 10 * i),
  );
  assert.deepEqual(
    table(tail).problems.map((p) => [p.code, p.message]),
    [
      [
        'file-changed',
        `${path} was rewritten while it was followed (bytes of zeros it had read, a hole its writer left, were written over); it was read again whole`,
      ],
    ],
  );
  // No zeros left: nothing more to look at.
  assert.equal((await tail.update()).change, 'unchanged');
});

test('a FIFO to follow is said not to be followable, never opened: opening it waited for a writer for good', async () => {
  const fifo = join(scratchDir('sl-live-hostile-'), 'run.csv');
  execFileSync('mkfifo', [fifo]);
  // A read left waiting in open() (the bug) is let go by a writer's open, so a failing run still ends.
  after(() => {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // No reader waiting: nothing to let go.
    }
  });
  for (const tail of [await tailFor(fifo), new TextTail(fifo), new WholeTail(fifo)]) {
    // Each update hung in open(): `watch` never printed, and did not end on SIGTERM.
    const update = await Promise.race([
      tail.update(),
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5000).unref()),
    ]);
    assert.notEqual(update, 'hung', tail.constructor.name);
    const read = tail.current();
    const said = [...read.problems, ...read.tables.flatMap((t) => t.problems)].map((p) => p.message);
    assert.deepEqual(
      said,
      [
        `${fifo} is not a file or a folder (a FIFO, a device or a socket), so it cannot be followed: what is read from it is gone; fit it once with \`scaling-lens fit\`, or follow the file its writer writes`,
      ],
      tail.constructor.name,
    );
    assert.equal((await tail.update()).change, 'unchanged', 'said once');
  }
});

test('a followed file swapped for a FIFO between its stat and its open is refused by its descriptor, not waited on', async (t) => {
  const dir = scratchDir('sl-live-hostile-');
  const path = join(dir, 'run.csv');
  // The race made certain: the stat a tail makes first sees the file, which is then replaced by a FIFO before the open.
  let swap = false;
  let appear = false;
  const realStat = fsPromises.stat;
  t.mock.method(fsPromises, 'stat', async (...args: Parameters<typeof realStat>) => {
    if (appear && args[0] === path) {
      // Not there at the stat, a FIFO by the read that says so.
      appear = false;
      const missing = await realStat(...args).catch((error: unknown) => error);
      execFileSync('mkfifo', [path]);
      throw missing;
    }
    const info = await realStat(...args);
    if (swap && args[0] === path) {
      swap = false;
      rmSync(path);
      execFileSync('mkfifo', [path]);
    }
    return info;
  });
  syncBuiltinESMExports();
  after(() => {
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)); // lets a waiting open go (the bug)
    } catch {
      // No reader waiting.
    }
  });
  const race = (tail: Tail) =>
    Promise.race([tail.update(), new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5000).unref())]);

  // Never read: the swapped-in FIFO is said not to be followable, as one there at the stat is.
  writeFileSync(path, log(20, 10));
  const fresh = new TextTail(path);
  swap = true;
  assert.notEqual(await race(fresh), 'hung');
  assert.match(
    fresh.current().tables[0]?.problems[0]?.message ?? '',
    /is not a file or a folder .* cannot be followed/,
  );

  // Read before: the rows are kept, and the file is said to be gone, as when the stat sees the FIFO.
  rmSync(path);
  writeFileSync(path, log(20, 10));
  const followed = new TextTail(path);
  assert.equal((await followed.update()).change, 'read');
  appendFileSync(path, log(5, 500).split('\n').slice(1).join('\n'));
  swap = true;
  const update = await race(followed);
  assert.notEqual(update, 'hung');
  assert.equal(update === 'hung' ? '' : update.change, 'deleted');
  assert.equal(table(followed).rowCount, 20);

  // Not there at the stat: said not found without an open, which the FIFO made since held.
  rmSync(path);
  const early = new TextTail(path);
  appear = true;
  assert.notEqual(await race(early), 'hung');
  assert.match(early.current().tables[0]?.problems[0]?.message ?? '', /not found|does not exist|no such file/i);
  t.mock.restoreAll();
  syncBuiltinESMExports();
});

test('an empty followed file swapped for a FIFO before the read that says what it holds is refused, not waited on', async (t) => {
  const dir = scratchDir('sl-live-hostile-');
  const path = join(dir, 'run.csv');
  writeFileSync(path, '');
  // The tail's own open finds no complete line; the read that says what the file holds then opens it again, and the
  // path is a FIFO by then (its blocking open waited for a writer for good).
  let opens = 0;
  const realOpen = fsPromises.open;
  t.mock.method(fsPromises, 'open', async (...args: Parameters<typeof realOpen>) => {
    if (args[0] === path && ++opens === 2) {
      rmSync(path);
      execFileSync('mkfifo', [path]);
    }
    return realOpen(...args);
  });
  syncBuiltinESMExports();
  after(() => {
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK)); // lets a waiting open go (the bug)
    } catch {
      // No reader waiting.
    }
  });
  const tail = new TextTail(path);
  const update = await Promise.race([
    tail.update(),
    new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5000).unref()),
  ]);
  t.mock.restoreAll();
  syncBuiltinESMExports();
  assert.notEqual(update, 'hung');
  assert.equal(opens, 2);
  assert.match(tail.current().tables[0]?.problems[0]?.message ?? '', /is not a file or a folder .* cannot be followed/);
});

/** A Hugging Face trainer_state.json of `steps` logged steps, pretty-printed as the Trainer writes it. */
function trainerState(steps: number): string {
  const logHistory = Array.from({ length: steps }, (_, i) => ({ step: 10 * (i + 1), loss: 3 / (i + 1) }));
  return JSON.stringify({ global_step: 10 * steps, log_history: logHistory }, null, 2);
}

test('a trainer_state.json caught mid-rewrite is read again after a pause, its rows kept meanwhile', async () => {
  const path = join(scratchDir('sl-live-hostile-'), 'trainer_state.json');
  writeFileSync(path, trainerState(20));
  const full = trainerState(30);
  for (const caught of ['', full.slice(0, full.length / 2)]) {
    let pauses = 0;
    const pause = async (): Promise<void> => {
      pauses++;
      assert.equal(table(tail).rowCount, 20, 'the rows read before stand while it is read again');
      if (pauses === 2) writeFileSync(path, full); // the save ends while the tail waits
    };
    writeFileSync(path, trainerState(20));
    const tail = new WholeTail(path, {}, { pause });
    await tail.update();
    writeFileSync(path, caught);
    assert.equal((await tail.update()).change, 'reread');
    assert.equal(pauses, 2, JSON.stringify(caught.slice(0, 10)));
    assert.equal(table(tail).rowCount, 30);
    assert.deepEqual(
      table(tail).problems.filter((p) => p.severity !== 'info'),
      [],
      'no warning of a cut-short read',
    );
  }
});

test('a trainer_state.json that stays cut short or empty is said so after a bounded number of reads, its rows kept', async () => {
  const path = join(scratchDir('sl-live-hostile-'), 'trainer_state.json');
  writeFileSync(path, trainerState(20));
  let pauses = 0;
  const tail = new WholeTail(path, {}, { pause: async () => void pauses++ });
  await tail.update();
  assert.equal(pauses, 0, 'a first read is not read again');
  const said = () => tail.current().problems.map((p) => [p.code, p.line, p.message]);
  const cut = trainerState(30).slice(0, 500);
  writeFileSync(path, cut);
  assert.equal((await tail.update()).change, 'reread');
  assert.equal(pauses, 3);
  // The rows of the whole document stand (a read of the cut one has fewer: its prediction was made from them).
  assert.equal(table(tail).rowCount, 20);
  const line = cut.split('\n').length;
  assert.deepEqual(said(), [
    [
      'file-changed',
      line,
      `${path} does not parse from line ${line}, column ${cut.length - cut.lastIndexOf('\n')} (cut short: a run may be saving it); the 20 rows of its last whole read are kept until it parses again`,
    ],
  ]);
  writeFileSync(path, trainerState(30).slice(0, 600));
  await tail.update();
  assert.equal(pauses, 3, 'the last read did not parse either: taken at once');
  writeFileSync(path, '');
  await tail.update();
  assert.deepEqual(
    [table(tail).rowCount, said()[0][2]],
    [
      20,
      `${path} is empty (cut short: a run may be saving it); the 20 rows of its last whole read are kept until it parses again`,
    ],
  );
  writeFileSync(path, trainerState(30));
  await tail.update();
  assert.deepEqual([table(tail).rowCount, said()], [30, []], 'whole again: its rows, and nothing said');
});

test('a followed JSON document unreadable at a read is read again at the next update, though unchanged', async () => {
  const path = join(scratchDir('sl-live-hostile-'), 'history.json');
  writeFileSync(
    path,
    JSON.stringify(Array.from({ length: 30 }, (_, i) => ({ step: 10 * (i + 1), loss: 3 / (i + 1) }))),
  );
  // Root reads a file whatever its permissions: the read fails as it does for a user whose permission was removed.
  let denied = true;
  const read = (file: string, options: SourceOptions) =>
    denied
      ? Promise.resolve({
          tables: [failedTable(file, file, 'file-unreadable', `${file} cannot be read (permission denied)`)],
          problems: [],
        })
      : readSource(file, options);
  const tail = new WholeTail(path, {}, { read });
  await tail.update();
  const unreadable = () => table(tail).problems.filter((p) => p.code === 'file-unreadable');
  assert.equal(unreadable().length, 1);
  assert.equal((await tail.update()).change, 'unchanged', 'still unreadable: said once');
  denied = false; // chmod 644: neither its content nor its time changed
  assert.equal((await tail.update()).change, 'reread');
  assert.equal(unreadable().length, 0, 'the error goes');
  assert.equal(table(tail).rowCount, 30);
  assert.equal((await tail.update()).change, 'unchanged', 'read, it is read again only when it changes');
});
