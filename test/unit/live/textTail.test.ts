// Following a growing run file (src/core/live/textTail.ts): whatever the chunks a run writes, cut anywhere (mid-line,
// mid-number), the followed table equals a read of the final file; a line without its line feed is not data yet; a
// file that shrinks, is replaced or deleted is handled as documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTable } from '../../../src/core/table/read';
import type { Table } from '../../../src/core/table/types';
import { TextTail } from '../../../src/core/live/textTail';
import { tailFor } from '../../../src/core/live/tails';
import { FolderTail } from '../../../src/core/live/folderTail';
import { seededRandom } from '../../../src/core/util/random';
import { scratchDir } from '../../helpers/scratch';

const dir = scratchDir('scaling-lens-tail-');

/** The table's content as plain data, to compare a followed table with a whole read. */
function content(table: Table) {
  return {
    format: table.format,
    headerLine: table.headerLine,
    rowCount: table.rowCount,
    lines: Array.from(table.lines),
    columns: table.columns.map((c) => ({
      name: c.name,
      values: Array.from(c.values, (v) => (Number.isNaN(v) ? 'NaN' : v)),
      text: Array.from({ length: table.rowCount }, (_, i) =>
        c.text && c.text.codes[i] >= 0 ? c.text.dictionary[c.text.codes[i]] : null,
      ),
      numericCount: c.numericCount,
      textCount: c.textCount,
      emptyCount: c.emptyCount,
    })),
  };
}

function csvText(rows: number): string {
  const lines = ['step,lr,loss,run'];
  for (let s = 1; s <= rows; s++)
    lines.push(
      `${s},${(3e-4 * (1 - s / (2 * rows))).toExponential(3)},${(2.5 + 3 / Math.sqrt(s)).toFixed(4)},${s % 7 ? 'a' : 'b'}`,
    );
  lines.push('# a comment', '', `${rows + 1},1e-4,oops,a`);
  return `${lines.join('\n')}\n`;
}

function jsonlText(rows: number): string {
  const lines: string[] = [];
  for (let s = 1; s <= rows; s++)
    lines.push(JSON.stringify(s > rows / 2 ? { step: s, loss: 3 / s, eval_loss: 4 / s } : { step: s, loss: 3 / s }));
  lines.push('not json');
  return `${lines.join('\n')}\n`;
}

/** Writes `text` in random pieces, updating the tail after each; returns the tail's final table. */
async function followInPieces(path: string, text: string, seed: number): Promise<Table> {
  writeFileSync(path, '');
  const tail = new TextTail(path);
  const random = seededRandom(seed);
  for (let at = 0; at < text.length;) {
    const piece = 1 + Math.floor(random() * 300);
    appendFileSync(path, text.slice(at, at + piece));
    at += piece;
    await tail.update();
  }
  await tail.update();
  return tail.current().tables[0];
}

for (const [name, text] of [
  ['csv', csvText(400)],
  ['jsonl', jsonlText(300)],
  ['crlf.csv', csvText(300).replace(/\n/g, '\r\n')],
  // Lone CRs (old Mac files): rows were read only by whole reads of the file, never as its lines were appended.
  ['cr.csv', csvText(300).replace(/\n/g, '\r')],
  ['cr.jsonl', jsonlText(200).replace(/\n/g, '\r')],
] as const) {
  test(`${name}: a file written in random pieces follows to the same table as one read of it (5 seeds)`, async () => {
    const path = join(dir, `pieces.${name}`);
    for (let seed = 1; seed <= 5; seed++) {
      const followed = await followInPieces(path, text, seed);
      const whole = await readTable(path);
      assert.deepEqual(content(followed), content(whole), `seed ${seed}`);
      // Every problem must match, its message too: a part read from line 1 said "line 3" of a problem on the file's
      // line 403, and a part that was mostly text cells left out the column's "text in a numeric column" warning.
      const located = (t: Table) => t.problems.map((p) => [p.code, p.line, p.column, p.cell?.field, p.message]);
      assert.deepEqual(located(followed), located(whole), `seed ${seed}: the same problems on the same lines`);
    }
  });
}

test('lone CRs are line ends as they are appended; a CRLF cut between its CR and LF is one line end', async () => {
  const path = join(dir, 'cr-lines.csv');
  writeFileSync(path, 'step,lr,loss\r1,1e-3,3.0\r2,1e-3,2.9\r');
  const tail = new TextTail(path);
  const rows = async () => [(await tail.update()).change, tail.current().tables[0].rowCount];
  // The last CR may be the first half of a CRLF: held until a byte follows it, or an update finds the file unchanged.
  assert.deepEqual(await rows(), ['read', 1]);
  assert.deepEqual(await rows(), ['appended', 2]);
  appendFileSync(path, '3,1e-3,2.8\r4,1e-3,2.7\r');
  assert.deepEqual(await rows(), ['appended', 3]);
  assert.deepEqual(await rows(), ['appended', 4]);
  assert.deepEqual(content(tail.current().tables[0]), content(await readTable(path)));

  // A CRLF file whose CR and LF come in two appends, the LF at once or after an update that took the CR alone.
  const crlf = join(dir, 'crlf-cut.csv');
  writeFileSync(crlf, 'step,lr,loss\r\n1,1e-3,3.0\r');
  const cut = new TextTail(crlf);
  await cut.update();
  appendFileSync(crlf, '\n2,1e-3,2.9\r');
  await cut.update();
  await cut.update(); // unchanged since: its CR ends line 3
  appendFileSync(crlf, '\n3,1e-3,2.8\r');
  await cut.update();
  await cut.update(); // its CR ends line 4
  appendFileSync(crlf, '\n'); // that CRLF's LF alone, then the next line
  await cut.update();
  appendFileSync(crlf, '4,1e-3,2.7\r\n');
  await cut.update();
  const [followed, whole] = [cut.current().tables[0], await readTable(crlf)];
  assert.deepEqual(content(followed), content(whole));
  assert.deepEqual(
    followed.problems.map((p) => p.code),
    whole.problems.map((p) => p.code),
  );
});

test('a header written over in place (same length, other names) and rows appended is read again whole', async () => {
  const path = join(dir, 'header-over.csv');
  const rows = Array.from({ length: 30 }, (_, i) => `${i + 1},1e-3,${(3 - i / 100).toFixed(3)}\n`).join('');
  writeFileSync(path, `step,lr,loss\n${rows}`);
  const tail = new TextTail(path);
  await tail.update();
  // A writer restarted that truncates and writes its own header, as long, then the rows again and one more.
  writeFileSync(path, `step,lr,ppl_\n${rows}31,1e-3,2.7\n`);
  assert.equal((await tail.update()).change, 'reread');
  const followed = tail.current().tables[0];
  assert.deepEqual(content(followed), content(await readTable(path)));
  assert.match(followed.problems.find((p) => p.code === 'file-changed')?.message ?? '', /its header, changed/);
});

test('a header over 4 KiB (hundreds of columns) written over past its first 4 KiB is read again whole', async () => {
  for (const eol of ['\n', '\r\n', '\r']) {
    const path = join(dir, 'wide-header.csv');
    const names = Array.from({ length: 800 }, (_, i) => `metric_${String(i).padStart(4, '0')}`);
    const header = (last: string) => ['step', 'loss', ...names.slice(0, -1), last].join(',');
    const row = (s: number) => [s, (3 - s / 100).toFixed(3), ...names.map(() => '1')].join(',') + eol;
    const rows = Array.from({ length: 20 }, (_, i) => row(i + 1)).join('');
    assert.ok(header('x').length > 8192, 'the header spans more than two of the 4 KiB compared before');
    assert.equal(header('renamed_999').length, header(names.at(-1)!).length, 'written over as long');
    writeFileSync(path, `${header(names.at(-1)!)}${eol}${rows}`);
    const tail = new TextTail(path);
    await tail.update();
    // A writer restarted that truncates and writes its header with the last name changed, as long, then the rows.
    writeFileSync(path, `${header('renamed_999')}${eol}${rows}${row(21)}`);
    assert.equal((await tail.update()).change, 'reread', JSON.stringify(eol));
    await tail.update(); // a last CR is a line end once the file is found as it was (its LF may follow)
    const followed = tail.current().tables[0];
    assert.deepEqual(content(followed), content(await readTable(path)), JSON.stringify(eol));
    assert.equal(followed.columns.at(-1)?.name, 'renamed_999');
    // Only appended: read as such, the header compared whole costing no read again.
    appendFileSync(path, row(22));
    const changes = [(await tail.update()).change, (await tail.update()).change];
    assert.ok(changes.includes('appended') && !changes.includes('reread'), `${JSON.stringify(eol)}: ${changes}`);
    assert.deepEqual(content(tail.current().tables[0]), content(await readTable(path)), JSON.stringify(eol));
  }
});

test('a quoted header spanning lines, written over past its first line and 4 KiB, is read again whole', async () => {
  for (const eol of ['\n', '\r\n', '\r']) {
    const path = join(dir, 'quoted-header.csv');
    const names = Array.from({ length: 400 }, (_, i) => `metric_${String(i).padStart(4, '0')}`);
    // The header's first line is over 4 KiB; a quoted name holds a line break, and the names after it follow it.
    const header = (last: string) => ['step', 'loss', ...names, `"eval${eol}loss"`, 'tail_a', last].join(',');
    const row = (s: number) => [s, (3 - s / 100).toFixed(3), ...names.map(() => '1'), '2', '3', '4'].join(',') + eol;
    const rows = Array.from({ length: 20 }, (_, i) => row(i + 1)).join('');
    assert.ok(header('x').indexOf(eol) > 4096, "the header's first line is past the 4 KiB always compared");
    writeFileSync(path, `${header('tail_b')}${eol}${rows}`);
    const tail = new TextTail(path);
    await tail.update();
    assert.equal(tail.current().tables[0].columns.at(-1)?.name, 'tail_b');
    // A writer restarted that truncates and writes its header with its last name (on the header's second line)
    // changed, as long, then the rows and one more.
    writeFileSync(path, `${header('tail_z')}${eol}${rows}${row(21)}`);
    assert.equal((await tail.update()).change, 'reread', JSON.stringify(eol));
    await tail.update(); // a last CR is a line end once the file is found as it was (its LF may follow)
    const followed = tail.current().tables[0];
    assert.deepEqual(content(followed), content(await readTable(path)), JSON.stringify(eol));
    assert.equal(followed.columns.at(-1)?.name, 'tail_z');
    // Only appended: read as such (the whole header record compared costs no read again).
    appendFileSync(path, row(22));
    const changes = [(await tail.update()).change, (await tail.update()).change];
    assert.ok(changes.includes('appended') && !changes.includes('reread'), `${JSON.stringify(eol)}: ${changes}`);
    assert.deepEqual(content(tail.current().tables[0]), content(await readTable(path)), JSON.stringify(eol));
  }
});

test('a text cell appended alone to a column of numbers is said as a read of the file says it, with its count', async () => {
  const path = join(dir, 'text-cell.csv');
  writeFileSync(path, 'step,lr,loss\n1,1e-3,3.0\n2,1e-3,2.9\n');
  const tail = new TextTail(path);
  await tail.update();
  const said = async () => {
    const [followed, whole] = [tail.current().tables[0], await readTable(path)];
    const texts = (t: Table) => t.problems.filter((p) => p.code === 'cell-not-numeric');
    assert.deepEqual(texts(followed), texts(whole));
    assert.equal(followed.problemCount, whole.problemCount);
    return texts(followed).map((p) => p.message);
  };
  appendFileSync(path, '3,1e-3,2.8é\n'); // one row, all text in its column: a part alone never warned
  await tail.update();
  assert.deepEqual(await said(), [
    'column "loss" has 1 non-numeric cell (first "2.8é" at line 4); they are treated as missing — fix them or remove those rows',
  ]);
  appendFileSync(path, '4,1e-3,2.7\n5,1e-3,oops\n'); // the table's count, not the part's
  await tail.update();
  assert.match((await said())[0], /has 2 non-numeric cells \(first "2\.8é" at line 4\)/);
});

test('a last line without its line feed is not data until the line feed comes', async () => {
  const path = join(dir, 'partial.csv');
  writeFileSync(path, 'step,lr,loss\n1,1e-3,3.0\n2,1e-3,2.9');
  const tail = new TextTail(path);
  assert.equal((await tail.update()).change, 'read');
  assert.equal(tail.current().tables[0].rowCount, 1);
  appendFileSync(path, '5');
  assert.equal((await tail.update()).change, 'unchanged');
  appendFileSync(path, '\n3,1e-3,2.8\n');
  const update = await tail.update();
  assert.deepEqual([update.change, update.rows], ['appended', 2]);
  const table = tail.current().tables[0];
  assert.deepEqual(Array.from(table.columns[2].values), [3.0, 2.95, 2.8]);
  assert.deepEqual(Array.from(table.lines), [2, 3, 4]);
});

test('a resumed run that appends its header again to a followed file: said once, the line left out', async () => {
  const path = join(dir, 'resumed.csv');
  writeFileSync(path, 'step,lr,loss\n1,1e-3,3.0\n2,1e-3,2.9\n');
  const tail = new TextTail(path);
  await tail.update();
  appendFileSync(path, 'step,lr,loss\n2,1e-3,2.9\n3,1e-3,2.8\n');
  assert.equal((await tail.update()).change, 'appended');
  const table = tail.current().tables[0];
  assert.deepEqual(
    table.problems.map((p) => [p.code, p.line]),
    [['header-repeated', 4]],
  );
  assert.deepEqual(Array.from(table.lines), [2, 3, 5, 6]);
});

test('a followed file whose run writes its header again in another order: the rows after it, in later reads too, by name', async () => {
  const path = join(dir, 'reordered.csv');
  writeFileSync(path, 'step,lr,loss\n1,1e-3,3.0\n2,1e-3,2.9\n');
  const tail = new TextTail(path);
  await tail.update();
  appendFileSync(path, 'loss,step,lr\n2.8,3,1e-3\n');
  await tail.update();
  appendFileSync(path, '2.7,4,1e-3\n'); // read from the shape the last read ended with
  await tail.update();
  const followed = tail.current().tables[0];
  const values = (t: Table) => t.columns.map((c) => [c.name, Array.from(c.values)]);
  assert.deepEqual(values(followed), [
    ['step', [1, 2, 3, 4]],
    ['lr', [1e-3, 1e-3, 1e-3, 1e-3]],
    ['loss', [3.0, 2.9, 2.8, 2.7]],
  ]);
  assert.deepEqual(
    followed.problems.map((p) => [p.code, p.line]),
    [['header-repeated', 4]],
  );
  assert.deepEqual(values(followed), values(await readTable(path)), 'as a read of the file');
});

test('a followed file repeats a header with an empty or a repeated name (pandas, two "loss"): told as written', async () => {
  for (const header of [',step,loss', 'step,loss,loss']) {
    const path = join(dir, 'resumed-names.csv');
    writeFileSync(path, `${header}\n0,1,3.0\n1,2,2.9\n`);
    const tail = new TextTail(path);
    await tail.update();
    appendFileSync(path, `${header}\n2,3,2.9\n3,4,2.8\n`);
    assert.equal((await tail.update()).change, 'appended', header);
    const table = tail.current().tables[0];
    const later = table.problems.filter((p) => p.line > 1);
    assert.deepEqual(
      later.map((p) => [p.code, p.line]),
      [['header-repeated', 4]],
      header,
    );
    assert.equal(table.rowCount, 4, header);
  }
});

test('a snapshot taken before an append is not changed by it', async () => {
  const path = join(dir, 'snapshot.csv');
  writeFileSync(path, 'step,loss\n1,3\n');
  const tail = new TextTail(path);
  await tail.update();
  const before = tail.current().tables[0];
  appendFileSync(path, Array.from({ length: 5000 }, (_, i) => `${i + 2},2\n`).join(''));
  await tail.update();
  assert.equal(before.rowCount, 1);
  assert.deepEqual(Array.from(before.columns[1].values), [3]);
  assert.equal(tail.current().tables[0].rowCount, 5001);
});

test('a file cut short, replaced or deleted is read again whole, or kept with a problem saying so', async () => {
  const path = join(dir, 'life.csv');
  writeFileSync(path, 'step,loss\n1,3\n2,2.9\n3,2.8\n');
  const tail = new TextTail(path);
  await tail.update();
  truncateSync(path, 'step,loss\n1,3\n'.length);
  let update = await tail.update();
  assert.deepEqual([update.change, tail.current().tables[0].rowCount], ['reread', 1]);

  const other = join(dir, 'life-new.csv');
  writeFileSync(other, 'step,loss,lr\n1,3.1,1e-3\n2,3.0,1e-3\n');
  renameSync(other, path); // a run restarted: another file under the name, longer than what was read
  update = await tail.update();
  assert.equal(update.change, 'reread');
  assert.deepEqual(
    tail.current().tables[0].columns.map((c) => c.name),
    ['step', 'loss', 'lr'],
  );

  rmSync(path);
  update = await tail.update();
  assert.equal(update.change, 'deleted');
  const kept = tail.current().tables[0];
  assert.equal(kept.rowCount, 2, 'the rows read before are kept');
  const problem = kept.problems.find((p) => p.code === 'file-changed');
  assert.match(problem?.message ?? '', /was deleted while it was followed; the 2 rows read before are kept/);
  assert.equal((await tail.update()).change, 'unchanged', 'said once');

  writeFileSync(path, 'step,loss\n1,2\n');
  update = await tail.update();
  assert.deepEqual([update.change, tail.current().tables[0].rowCount], ['read', 1]);
  assert.equal(tail.current().tables[0].problems.length, 0);
});

test('a file that does not exist yet is waited for', async () => {
  const path = join(dir, 'later.csv');
  const tail = await tailFor(path);
  assert.ok(tail instanceof TextTail);
  assert.equal((await tail.update()).change, 'waiting');
  writeFileSync(path, 'step,loss\n');
  const update = await tail.update();
  assert.equal(update.change, 'read');
  assert.deepEqual(
    tail.current().tables[0].problems.map((p) => p.code),
    ['no-data-rows'],
  );
  appendFileSync(path, '1,3\n');
  await tail.update();
  assert.deepEqual(
    tail.current().tables[0].problems.map((p) => p.code),
    [],
    'no "no data rows" once there are rows',
  );
});

test('a folder of runs is followed run by run: a run file appended to is appended to', async () => {
  const folder = join(dir, 'runs-followed');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder);
  writeFileSync(join(folder, 'placeholder'), '');
  writeFileSync(join(folder, 'life.csv'), 'step,loss\n1,3\n');
  const tail = await tailFor(folder);
  assert.ok(tail instanceof FolderTail);
  await tail.update();
  assert.equal((await tail.update()).change, 'unchanged');
  appendFileSync(join(folder, 'life.csv'), '2,1.9\n');
  assert.equal((await tail.update()).change, 'appended');
  writeFileSync(join(folder, 'new.csv'), 'step,loss\n1,3\n');
  assert.equal((await tail.update()).change, 'reread', 'a new run');
});

test('an empty or unfinished file says what a read of it says until its first complete line', async () => {
  const path = join(dir, 'empty.csv');
  writeFileSync(path, '');
  const tail = await tailFor(path);
  assert.equal((await tail.update()).change, 'waiting');
  assert.deepEqual(
    tail.current().tables[0].problems.map((p) => p.code),
    ['file-empty'],
  );
  assert.equal((await tail.update()).change, 'unchanged', 'read again only when its size changes');
  appendFileSync(path, 'step,lr,loss\n1,1e-3,4\n2,1e-3,3.5');
  assert.equal((await tail.update()).change, 'read');
  assert.equal(tail.current().tables[0].rowCount, 1, 'the line without its line feed is not data yet');
  const unfinished = tail.current().tables[0].problems.find((p) => p.code === 'line-unfinished');
  assert.equal(unfinished?.line, 3, 'and it is said, where it is');
  appendFileSync(path, '\n');
  assert.equal((await tail.update()).change, 'appended');
  assert.equal(tail.current().tables[0].rowCount, 2);
  assert.ok(!tail.current().tables[0].problems.some((p) => p.code === 'line-unfinished'));
});

test('a quoted field with line breaks, cut anywhere inside it between two updates, follows as one read of the file', async () => {
  const before = 'step,note,loss\n1,"plain",3.0\n';
  const field = '"two\nlines, ""quoted""\n\nand a blank one"';
  const text = `${before}2,${field},2.9\n3,"x",2.8\n`;
  const from = before.length + 2; // the opening quote
  const path = join(dir, 'multiline.csv');
  writeFileSync(path, text);
  const whole = await readTable(path);
  const located = (t: Table) => t.problems.map((p) => [p.code, p.line, p.message]);
  assert.equal(whole.rowCount, 3);
  // Cut at every byte of the field, its quotes included; first read before the cut (readAppended) or at it (readWhole).
  for (let cut = from; cut <= from + field.length; cut++) {
    for (const first of [before.length, cut]) {
      writeFileSync(path, text.slice(0, first));
      const tail = new TextTail(path);
      await tail.update();
      appendFileSync(path, text.slice(first, cut));
      await tail.update();
      const held = tail.current().tables[0];
      assert.equal(held.rowCount, 1, `cut at ${cut}: the open field's row is not read yet`);
      assert.ok(!held.problems.some((p) => p.code === 'quote-unclosed'), `cut at ${cut}: not said to be unclosed`);
      const unfinished = held.problems.find((p) => p.code === 'line-unfinished');
      assert.ok(cut === from || unfinished?.line === 3, `cut at ${cut}: the held row is said, at its line`);
      appendFileSync(path, text.slice(cut));
      await tail.update();
      const followed = tail.current().tables[0];
      assert.deepEqual(content(followed), content(whole), `cut at ${cut}, first read to ${first}`);
      assert.deepEqual(located(followed), located(whole), `cut at ${cut}, first read to ${first}: the same problems`);
    }
  }
});

test('a stray quote in a followed file holds the rows after it only for a bounded number of bytes', async () => {
  const path = join(dir, 'stray.csv');
  const rows = Array.from({ length: 8000 }, (_, i) => `${i + 3},2.5\n`).join('');
  const text = `step,loss\n1,3.0\n2,"2.9\n${rows}`;
  writeFileSync(path, '');
  const tail = new TextTail(path);
  for (let at = 0; at < text.length; at += 1000) {
    appendFileSync(path, text.slice(at, at + 1000));
    await tail.update();
  }
  const followed = tail.current().tables[0];
  const whole = await readTable(path);
  assert.ok(text.length > 64 * 1024 && whole.rowCount > 4000);
  assert.deepEqual(content(followed), content(whole));
  assert.ok(followed.problems.some((p) => p.code === 'quote-unclosed' && p.line === 3));
});
