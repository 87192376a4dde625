// A folder is a set of runs: the scan finds run files and run folders, names them by their path relative to the
// folder given, skips the rest with a count, stays inside its bounds, and never loops on a symbolic link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSources } from '../../../src/core/sources';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import { scratchDir } from '../../helpers/scratch';

function curve(schedule: (s: number) => number, steps = 60): string {
  const rows = ['step,lr,loss'];
  let area = 0;
  for (let s = 1; s <= steps * 100; s += 100) {
    area += schedule(s) * 100;
    rows.push(`${s},${schedule(s)},${(2.5 + 0.6 * Math.pow(area, -0.5)).toFixed(6)}`);
  }
  return rows.join('\n') + '\n';
}

function tree(): string {
  const root = scratchDir('sl-scan-');
  mkdirSync(join(root, 'runs', 'deeper'), { recursive: true });
  mkdirSync(join(root, 'runs', 'node_modules'), { recursive: true });
  writeFileSync(
    join(root, 'runs', 'constant.csv'),
    curve(() => 3e-4),
  );
  writeFileSync(
    join(root, 'runs', 'deeper', 'cosine.csv'),
    curve((s) => 3e-4 * (0.55 + 0.45 * Math.cos((Math.PI * s) / 6000))),
  );
  writeFileSync(
    join(root, 'runs', 'node_modules', 'ignored.csv'),
    curve(() => 1e-4),
  );
  writeFileSync(join(root, 'runs', 'config.yaml'), 'lr: 3e-4\n');
  writeFileSync(join(root, 'runs', 'model.pt'), Buffer.from([0x80, 0x02, 0, 0, 1, 2, 3, 0, 0, 0]));
  return join(root, 'runs');
}

test('runs in a folder are named by their path relative to it, other files skipped and counted', async () => {
  const { tables, problems } = await readSources([tree()]);
  assert.deepEqual(tables.map((t) => t.run).sort(), ['constant', 'deeper/cosine']);
  const skipped = problems.find((p) => p.code === 'source-skipped');
  assert.ok(skipped, 'a note says what was skipped');
  assert.match(skipped.message, /2 file\(s\).*config\.yaml.*model\.pt/);
  assert.ok(!problems.some((p) => p.severity === 'error'));
});

test('fit on a folder: curves go by run name, so --fit-on names runs', async () => {
  const analysis = await analyseFiles([tree()], { fitOn: ['constant'] });
  const curves = analysis.curves.map((c) => `${c.name}:${c.role}`).sort();
  assert.deepEqual(curves, ['constant:fit', 'deeper/cosine:heldout']);
});

test('a symbolic link back up the tree is followed once, never in a loop', async () => {
  const root = tree();
  symlinkSync(root, join(root, 'deeper', 'loop'));
  const { tables } = await readSources([root]);
  assert.deepEqual(tables.map((t) => t.run).sort(), ['constant', 'deeper/cosine']);
});

test('a folder of many files is scanned within its bounds, and says it stopped', async () => {
  const root = scratchDir('sl-many-');
  for (let i = 0; i < 300; i++) writeFileSync(join(root, `note${i}.txt`), 'x');
  const { tables, problems } = await readSources([root], { scan: { maxEntries: 100 } });
  assert.equal(tables.length, 0);
  assert.ok(problems.some((p) => p.code === 'scan-limited' && /over 100 entries/.test(p.message)));
});

test('an empty folder says no run was found; a missing path says it does not exist; each input stands alone', async () => {
  const empty = scratchDir('sl-empty-');
  const { tables, problems } = await readSources([empty, join(empty, 'missing.csv'), tree()]);
  assert.ok(problems.some((p) => p.code === 'folder-no-runs'));
  assert.ok(tables.some((t) => t.problems.some((p) => p.code === 'file-unreadable')));
  assert.equal(tables.filter((t) => t.run !== undefined).length, 2);
});

// `latest.csv -> run-7.csv` beside its run: the same rows twice would count double in a shared fit. A link to a file
// outside the folder is the only way to that run, and is kept under its own name.
test('a run file reached through a link and its own path is one run, named by the file; a link out is kept', async () => {
  const root = tree();
  symlinkSync('constant.csv', join(root, 'a-latest.csv'));
  symlinkSync(join(root, 'deeper', 'cosine.csv'), join(root, 'deeper', 'b-link.csv'));
  const outside = join(scratchDir('sl-outside-'), 'elsewhere.csv');
  writeFileSync(
    outside,
    curve(() => 2e-4),
  );
  symlinkSync(outside, join(root, 'out.csv'));
  const { tables, problems } = await readSources([root]);
  assert.deepEqual(tables.map((t) => t.run).sort(), ['constant', 'deeper/cosine', 'out']);
  const note = problems.find((p) => /read once/.test(p.message));
  assert.match(
    note?.message ?? '',
    /2 symbolic link\(s\).*a-latest\.csv -> constant\.csv.*deeper\/b-link\.csv -> deeper\/cosine\.csv/,
  );
});

test("a link to a folder inside the one given (wandb's latest-run) is read as that folder, by its own name", async () => {
  const root = scratchDir('sl-latest-');
  for (const run of ['run-1', 'run-2']) {
    mkdirSync(join(root, run));
    writeFileSync(
      join(root, run, 'log.csv'),
      curve(() => 3e-4),
    );
  }
  symlinkSync('run-2', join(root, 'latest-run'));
  const { tables } = await readSources([root]);
  assert.deepEqual(tables.map((t) => t.run).sort(), ['run-1/log', 'run-2/log']);
});

/** A run file named `caf\xe9.csv` in Latin-1 bytes (not UTF-8) in `root`. */
function writeLatin1Run(root: string): void {
  writeFileSync(
    Buffer.concat([Buffer.from(`${root}/caf`), Buffer.from([0xe9]), Buffer.from('.csv')]),
    curve(() => 3e-4),
  );
}

// Linux names are bytes: `caf\xe9.csv` (Latin-1) reads as `caf\ufffd.csv`, a path no file has. It was left out
// without a word.
test(
  'a run file whose name is not UTF-8 is named as unreadable, the other runs read',
  { skip: process.platform !== 'linux' },
  async () => {
    const root = tree();
    writeLatin1Run(root);
    const { tables, problems } = await readSources([root]);
    assert.deepEqual(tables.map((t) => t.run).sort(), ['constant', 'deeper/cosine']);
    const said = problems.find((p) => p.code === 'file-unreadable');
    assert.match(
      said?.message ?? '',
      /1 entry whose name is not UTF-8 could not be opened \(caf\ufffd\.csv;.*rename them/,
    );
  },
);

test(
  'a file given by a name that is not UTF-8 is said so, not "does not exist"',
  { skip: process.platform !== 'linux' },
  async () => {
    // A shell passes `caf\xe9.csv`'s bytes; Node's argv holds `caf\ufffd.csv`.
    const root = tree();
    writeLatin1Run(root);
    const { tables } = await readSources([join(root, 'caf\ufffd.csv')]);
    assert.match(
      tables[0]?.problems[0]?.message ?? '',
      /caf\ufffd\.csv cannot be opened: its name is not UTF-8 .*rename the file/,
    );
  },
);
