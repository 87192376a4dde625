// Hostile run folders, one test per class of input that once hung, crashed or lost data: a protobuf record that
// nests groups deeper than any stack, files inside a run folder that are FIFOs or devices (a read would block forever
// or never end), and a symbolic link to a folder above the one given. Inputs are generated here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { readSources } from '../../../src/core/sources';
import type { Table } from '../../../src/core/table/types';
import { binaryReason } from '../../../src/core/table/detect';
import { EventFileWriter, Proto, recordOffset } from '../../helpers/eventWriter';
import { maskedCrc32c } from '../../../src/core/sources/tensorboard/crc32c';
import { hostileScratch } from '../../helpers/hostileScratch';
import { mlflowLines, writeLightningMetrics, writeMlflowRun, lawCurve, constantLr } from '../../helpers/frameworkRuns';

const { root, fifo } = hostileScratch('sl-hostile-sources-');

const posix = process.platform !== 'win32';

const codes = (table: Table) => table.problems.map((p) => p.code);
const columnValues = (table: Table, name: string) =>
  Array.from(table.columns.find((c) => c.name === name)?.values ?? [], (v) => (Number.isNaN(v) ? null : v));

test('a record of 100,000 nested protobuf groups is one corrupt record: the records around it are read', async () => {
  const w = new EventFileWriter();
  for (let s = 1; s <= 5; s++) w.scalar('loss', s, 3 - s / 10);
  const groups = new Proto().double(1, 1.7e9).uint(2, 6);
  for (let i = 0; i < 100_000; i++) groups.key(15, 3); // start-group, never ended
  w.raw(groups.done());
  const nested = w.events.length - 1;
  for (let s = 6; s <= 10; s++) w.scalar('loss', s, 3 - s / 10);
  const balanced = new Proto().double(1, 1.7e9);
  for (let i = 0; i < 50_000; i++) balanced.key(15, 3);
  for (let i = 0; i < 50_000; i++) balanced.key(15, 4);
  w.raw(balanced.uint(2, 11).done()); // well-formed: groups are skipped, the event has no summary
  for (let s = 12; s <= 14; s++) w.scalar('loss', s, 3 - s / 10);
  const dir = join(root, 'groups');
  w.write(dir);

  const { tables } = await readSources([dir]);
  const table = tables[0];
  assert.deepEqual(
    columnValues(table, 'step'),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14],
    JSON.stringify(table.problems),
  );
  const corrupt = table.problems.filter((p) => p.code === 'event-record-corrupt');
  assert.equal(corrupt.length, 1, JSON.stringify(table.problems));
  assert.match(corrupt[0].message, new RegExp(`at byte ${recordOffset(w, nested)} `));
  assert.ok(!codes(table).includes('file-unreadable'), JSON.stringify(table.problems));
});

test(
  'files of run folders that are FIFOs or devices are left out, each named, and the rest of each run is read',
  { skip: !posix && 'FIFOs and /dev/zero are POSIX', timeout: 20_000 },
  async () => {
    const points = lawCurve(constantLr, 2000, 100);
    // Lightning: hparams.yaml a FIFO, then /dev/zero; metrics.csv still read.
    const lightning = join(root, 'lightning');
    writeLightningMetrics(join(lightning, 'version_0'), points);
    fifo(join(lightning, 'version_0', 'hparams.yaml'));
    writeLightningMetrics(join(lightning, 'version_1'), points);
    symlinkSync('/dev/zero', join(lightning, 'version_1', 'hparams.yaml'));
    // TensorBoard: a FIFO and /dev/zero named as event files beside the run's real one.
    const tb = join(root, 'tb');
    const w = new EventFileWriter();
    for (const p of points) w.scalar('train/loss', p.step, p.loss);
    w.write(join(tb, 'run'));
    fifo(join(tb, 'run', 'events.out.tfevents.1800000000.host.1.0'));
    symlinkSync('/dev/zero', join(tb, 'run', 'events.out.tfevents.1900000000.host.1.0'));
    // MLflow: meta.yaml a FIFO, one metric /dev/zero, another a FIFO; the loss metric still read.
    const mlflow = join(root, 'mlflow');
    const run = writeMlflowRun(join(mlflow, 'mlruns', '1'), 'a'.repeat(32), {
      metrics: { loss: mlflowLines(points.map((p) => ({ step: p.step, value: p.loss }))) },
    });
    rmSync(join(run, 'meta.yaml'));
    fifo(join(run, 'meta.yaml'));
    symlinkSync('/dev/zero', join(run, 'metrics', 'zero'));
    fifo(join(run, 'metrics', 'pipe'));
    // A Hugging Face output_dir whose trainer_state.json is a FIFO.
    const hf = join(root, 'hf', 'out');
    mkdirSync(hf, { recursive: true });
    fifo(join(hf, 'trainer_state.json'));

    const { tables } = await readSources([lightning, tb, mlflow, join(root, 'hf')]);
    const said = (table: Table | undefined, name: string, kind: RegExp) =>
      assert.ok(
        table?.problems.some((p) => p.message.includes(name) && kind.test(p.message)),
        `${name}: ${JSON.stringify(table?.problems)}`,
      );
    const loss = (table: Table | undefined) => table?.columns.find((c) => /loss/.test(c.name))?.numericCount ?? 0;

    const [v0, v1] = tables.filter((t) => t.format === 'lightning');
    said(v0, join('version_0', 'hparams.yaml'), /is a FIFO \(named pipe\), not a regular file/);
    said(v1, join('version_1', 'hparams.yaml'), /is a character device, not a regular file/);
    assert.equal(loss(v0), points.length);
    assert.equal(loss(v1), points.length);

    const events = tables.find((t) => t.format === 'tensorboard');
    said(events, 'events.out.tfevents.1800000000.host.1.0', /is a FIFO \(named pipe\)/);
    said(events, 'events.out.tfevents.1900000000.host.1.0', /is a character device/);
    assert.equal(loss(events), points.length);

    const ml = tables.find((t) => t.format === 'mlflow');
    said(ml, 'meta.yaml', /is a FIFO/);
    said(ml, join('metrics', 'zero'), /is a character device/);
    said(ml, join('metrics', 'pipe'), /is a FIFO/);
    assert.equal(loss(ml), points.length);

    const state = tables.find((t) => t.run === 'out');
    said(state, join('out', 'trainer_state.json'), /is a FIFO/);
  },
);

test(
  'a symbolic link to a folder above the one given is not followed, and the scan says so',
  { timeout: 20_000 },
  async () => {
    const outer = join(root, 'outer');
    const given = join(outer, 'runs');
    mkdirSync(given, { recursive: true });
    writeFileSync(join(outer, 'not-mine.csv'), 'step,loss\n1,3\n2,2.9\n');
    writeFileSync(join(given, 'mine.csv'), 'step,loss\n1,3\n2,2.9\n');
    symlinkSync(outer, join(given, 'up'));
    symlinkSync('/', join(given, 'slash'));

    const { tables, problems } = await readSources([given]);
    assert.deepEqual(
      tables.map((t) => t.run),
      ['mine'],
    );
    const note = problems.find((p) => p.code === 'source-skipped' && /symbolic link/.test(p.message));
    assert.ok(note, JSON.stringify(problems));
    assert.match(note.message, /2 symbolic link\(s\) to a folder that holds this one were not followed \(slash, up\)/);
  },
);

test('a trainer_state.json saved as UTF-16, UTF-32 or gzipped is said to be so, not reported as a JSON error at byte 1', async () => {
  const text = JSON.stringify({ log_history: [{ step: 10, loss: 3 }] });
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const be = Buffer.from(le).swap16();
  const noBom = Buffer.from(text, 'utf16le');
  // UTF-32 (its little-endian mark begins with UTF-16's, and was called UTF-16).
  const utf32 = Buffer.from(Array.from(text).flatMap((c) => [c.charCodeAt(0), 0, 0, 0]));
  const le32 = Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), utf32]);
  const be32 = Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), Buffer.from(utf32).swap32()]);
  const gzip = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 3, 0xab, 0x56, 0xca, 0xc9, 0x4f, 0x8f, 0xcf, 0xc8]);
  const cases: [string, Buffer, RegExp][] = [
    ['le', le, /is UTF-16 text; save it as UTF-8/],
    ['be', be, /is UTF-16 text; save it as UTF-8/],
    ['nobom', noBom, /is UTF-16 text; save it as UTF-8/],
    ['le32', le32, /is UTF-32 text; save it as UTF-8/],
    ['be32', be32, /is UTF-32 text; save it as UTF-8/],
    ['gzip', gzip, /is gzip-compressed/],
  ];
  for (const [name, bytes, message] of cases) {
    const dir = join(root, `encoding-${name}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'trainer_state.json'), bytes);
    const { tables } = await readSources([join(dir, 'trainer_state.json')]);
    const problem = tables[0].problems.find((p) => p.code === 'file-not-text');
    assert.match(problem?.message ?? JSON.stringify(tables[0].problems), message, name);
    assert.ok(problem?.message.includes(join(dir, 'trainer_state.json')), name);
  }
});

test('a Git LFS pointer in place of a log (a clone without git lfs pull) says so and how to fetch it, in any reader', async () => {
  const pointer = 'version https://git-lfs.github.com/spec/v1\noid sha256:' + 'ab'.repeat(32) + '\nsize 2529\n';
  for (const name of ['metrics.jsonl', 'metrics.csv', 'trainer_state.json']) {
    const dir = join(root, `lfs-${name}`);
    mkdirSync(dir);
    writeFileSync(join(dir, name), pointer);
    const { tables } = await readSources([join(dir, name)]);
    const problem = tables[0].problems.find((p) => p.code === 'file-not-text');
    assert.match(problem?.message ?? JSON.stringify(tables[0].problems), /is a Git LFS pointer, not the log/, name);
    assert.match(problem!.message, /2\.5 KiB\); fetch the file with `git lfs pull`/, name);
  }
});

test('a Git LFS pointer whose size line has any number of digits says a size a user can read', () => {
  const reason = (size: string) => {
    const pointer = Buffer.from(
      `version https://git-lfs.github.com/spec/v1\noid sha256:${'ab'.repeat(32)}\nsize ${size}\n`,
    );
    return binaryReason(pointer, 0, pointer.length, 'm.csv');
  };
  assert.match(reason('0000002529') ?? '', /\(the file itself is 2\.5 KiB\)/);
  // A 64-bit size in EiB, not thousands of TiB.
  assert.match(reason(String(2 ** 62)) ?? '', /\(the file itself is 4\.0 EiB\)/);
  // Past any file's size (a float's Infinity from 400 digits): the digits as written, cut.
  for (const digits of ['9'.repeat(400), '9'.repeat(25)]) {
    const text = reason(digits) ?? '';
    assert.match(
      text,
      /\(its size line says "9{23}…" bytes, more than any file holds\); fetch the file/,
      digits.length.toString(),
    );
    assert.doesNotMatch(text, /Infinity|NaN|e\+/);
  }
});

test('log_history values that are not numbers (text, a duplicate key whose last value is text) are counted and named', async () => {
  const entries = Array.from(
    { length: 20 },
    (_, i) => `{"step": ${10 * (i + 1)}, "loss": ${3 - i / 100}, "loss": "x"}`,
  );
  entries.push('{"step": 300, "loss": 2.5, "lr": {"a": 1}}');
  const dir = join(root, 'not-numbers');
  mkdirSync(dir);
  writeFileSync(join(dir, 'trainer_state.json'), `{"log_history": [\n${entries.join(',\n')}\n]}`);
  const { tables } = await readSources([join(dir, 'trainer_state.json')]);
  const warning = tables[0].problems.find((p) => p.code === 'log-history' && p.severity === 'warning');
  assert.equal(
    warning?.message,
    '20 log_history values are not a number (the first: "loss" = "x" at line 2); left out',
    JSON.stringify(tables[0].problems),
  );
  assert.equal(warning?.line, 2);
  // "lr" is never a number: no column lost, so info, not a warning.
  const info = tables[0].problems.find((p) => p.code === 'log-history' && p.severity === 'info');
  assert.equal(
    info?.message,
    '1 log_history value is not a number (the first: "lr" = an array or object at line 22); never a number, so no column to fit; not read',
  );
  assert.deepEqual(columnValues(tables[0], 'loss'), [2.5], 'JSON keeps the last of duplicate keys');
});

test('a text ETA in log_history (remaining_time, never a number) is info, not a warning: no column is lost', async () => {
  const entries = Array.from(
    { length: 12 },
    (_, i) => `{"step": ${10 * (i + 1)}, "loss": ${3 - i / 100}, "remaining_time": "59h:${30 - i}m:19s"}`,
  );
  const dir = join(root, 'eta-text');
  mkdirSync(dir);
  writeFileSync(join(dir, 'trainer_state.json'), `{"log_history": [\n${entries.join(',\n')}\n]}`);
  const { tables } = await readSources([join(dir, 'trainer_state.json')]);
  const history = tables[0].problems.filter((p) => p.code === 'log-history');
  assert.deepEqual(
    history.map((p) => [p.severity, p.line, p.message]),
    [
      [
        'info',
        2,
        '12 log_history values are not a number (the first: "remaining_time" = "59h:30m:19s" at line 2); never a number, so no column to fit; not read',
      ],
    ],
  );
  assert.equal(columnValues(tables[0], 'loss').length, 12);
});

test("a later value whose metadata names another plugin does not turn a scalar tag's remaining values away", async () => {
  const w = new EventFileWriter();
  for (let s = 1; s <= 5; s++) w.scalar('loss', s, 3 - s / 10);
  // One value of `loss` carrying image-plugin metadata (a corrupt or foreign writer's), then scalars again.
  const metadata = new Proto().bytes(1, new Proto().bytes(1, 'images'));
  const value = new Proto().bytes(1, 'loss').bytes(9, metadata).float(2, 9);
  w.raw(new Proto().double(1, 1.7e9).uint(2, 6).bytes(5, new Proto().bytes(1, value)).done());
  for (let s = 7; s <= 10; s++) w.scalar('loss', s, 3 - s / 10);
  const dir = join(root, 'plugin-later');
  w.write(dir);
  const { tables } = await readSources([dir]);
  assert.deepEqual(
    columnValues(tables[0], 'step'),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    JSON.stringify(tables[0].problems),
  );
});

test('a valid-CRC header claiming more bytes than the file holds, with whole records after it, is corrupt: the read resyncs', async () => {
  const w = new EventFileWriter();
  for (let s = 1; s <= 40; s++) w.scalar('loss', s, 3 - s / 100);
  const clean = w.bytes();
  const cut = recordOffset(w, 21); // record 0 is the file version: steps 1-20 come before the cut
  for (const claim of [2n ** 60n, 2n ** 64n - 1n, 50n << 20n, 1n << 20n]) {
    const header = Buffer.alloc(12);
    header.writeBigUInt64LE(claim, 0);
    header.writeUInt32LE(maskedCrc32c(header, 0, 8), 8);
    const dir = join(root, `claims-${claim}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'events.out.tfevents.1.host'),
      Buffer.concat([clean.subarray(0, cut), header, clean.subarray(cut)]),
    );
    const { tables } = await readSources([dir]);
    const steps = columnValues(tables[0], 'step');
    assert.equal(steps.length, 40, `${claim}: ${JSON.stringify(tables[0].problems)}`);
    const corrupt = tables[0].problems.filter((p) => p.code === 'event-record-corrupt');
    assert.equal(corrupt.length, 1, `${claim}`);
    assert.match(corrupt[0].message, new RegExp(`record at byte ${cut} .*whole records follow from byte ${cut + 12}`));
    assert.ok(!codes(tables[0]).includes('event-record-partial'), `${claim}`);
  }
  // The same header at the very end is a record still being written: the records before it are read, and no alarm.
  const tail = join(root, 'claims-tail');
  mkdirSync(tail, { recursive: true });
  const header = Buffer.alloc(12);
  header.writeBigUInt64LE(2n ** 60n, 0);
  header.writeUInt32LE(maskedCrc32c(header, 0, 8), 8);
  writeFileSync(join(tail, 'events.out.tfevents.1.host'), Buffer.concat([clean, header]));
  const { tables } = await readSources([tail]);
  assert.equal(columnValues(tables[0], 'step').length, 40);
  assert.deepEqual(codes(tables[0]), ['event-record-partial']);
});

test('a trainer_state.json with a value nested 300,000 deep before log_history keeps its log_history', async () => {
  const history = Array.from({ length: 30 }, (_, i) => `{"step": ${(i + 1) * 10}, "loss": ${3 - i / 100}}`);
  const deep = `${'['.repeat(300_000)}${']'.repeat(300_000)}`;
  const dir = join(root, 'deep-state');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'trainer_state.json'), `{"global_step": 300, "extra": ${deep}, "log_history": [${history}]}`);
  const { tables } = await readSources([dir]);
  assert.equal(columnValues(tables[0], 'step').length, 30, JSON.stringify(tables[0].problems));
  const deepProblem = tables[0].problems.find((p) => p.code === 'json-too-deep');
  assert.equal(deepProblem?.severity, 'warning');
  assert.equal(deepProblem?.column, 31 + 63); // the 63 arrays after the root object fill the 64 levels
});

test(
  'symbolic links in a key tree (MLflow metrics, DVCLive plots) are followed once each: a loop of links costs no more than a folder',
  { skip: !posix && 'symbolic links to folders need privileges on Windows', timeout: 60_000 },
  async () => {
    const points = lawCurve(constantLr, 2000, 100);
    const run = writeMlflowRun(join(root, 'links', 'mlruns', '1'), 'b'.repeat(32), {
      metrics: { loss: mlflowLines(points.map((p) => ({ step: p.step, value: p.loss }))) },
    });
    // Six links to their own folder: 6^8 = 1.7 million paths eight levels deep, one folder on disk. Before, the walk
    // took each path (minutes); a link to the run folder read meta.yaml as a metric under every name.
    const loops = join(run, 'metrics', 'system');
    mkdirSync(loops);
    for (let i = 0; i < 6; i++) symlinkSync('.', join(loops, `l${i}`));
    symlinkSync('..', join(run, 'metrics', 'up'));
    // A link to a folder inside the tree is read by the folder's own name, once.
    mkdirSync(join(run, 'metrics', 'val'));
    writeFileSync(join(run, 'metrics', 'val', 'loss'), mlflowLines([{ step: 10, value: 3 }]));
    symlinkSync('val', join(run, 'metrics', 'a-link'));

    const started = Date.now();
    const { tables } = await readSources([run]);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 5000, `read in ${elapsed} ms`);
    const table = tables[0];
    assert.deepEqual(
      table.columns.map((c) => c.name).filter((n) => n !== 'step'),
      ['loss', 'val/loss'],
      JSON.stringify(table.problems),
    );
    assert.ok(!codes(table).includes('metric-line-invalid'), 'meta.yaml is never read as a metric');
    const note = table.problems.find((p) => p.code === 'source-skipped');
    assert.match(
      note?.message ?? '',
      /^8 symbolic link\(s\) to a folder read already, or holding this one, were not followed \(up, a-link, system\/l0, system\/l1, system\/l2, …\)/,
    );
  },
);

test(
  'a FIFO, a socket or a device among the files of a folder is named, not left out unsaid; the runs beside it are read',
  { skip: !posix && 'FIFOs, sockets and /dev/zero are POSIX', timeout: 20_000 },
  async () => {
    const dir = join(root, 'specials');
    mkdirSync(dir, { recursive: true });
    const points = lawCurve(constantLr, 2000, 100);
    writeFileSync(join(dir, 'good.csv'), ['step,loss', ...points.map((p) => `${p.step},${p.loss}`)].join('\n') + '\n');
    fifo(join(dir, 'live.csv'));
    symlinkSync('/dev/zero', join(dir, 'zero.jsonl'));
    const server = createServer();
    await new Promise<void>((done) => server.listen(join(dir, 'sock.csv'), done));
    try {
      const { tables, problems } = await readSources([dir]);
      assert.deepEqual(
        tables.map((t) => t.run),
        ['good'],
      );
      const note = problems.find((p) => p.code === 'source-skipped' && /not regular files/.test(p.message));
      assert.equal(
        note?.message,
        '3 entries that are not regular files were not read (live.csv is a FIFO (named pipe); sock.csv is a socket; ' +
          "zero.jsonl is a character device): a folder's runs are read from regular files",
        JSON.stringify(problems),
      );
    } finally {
      server.close();
    }
  },
);

test('a key tree of more files than a table keeps columns says where it stopped, not "no scalar values"', async () => {
  // 4,100 empty metric files sorted before the loss: the walk kept the first 4,096 and left the rest out unsaid.
  const points = lawCurve(constantLr, 2000, 100);
  const run = writeMlflowRun(join(root, 'many-keys', 'mlruns', '1'), 'c'.repeat(32), {
    metrics: { loss: mlflowLines(points.map((p) => ({ step: p.step, value: p.loss }))) },
  });
  for (let i = 0; i < 4100; i++) writeFileSync(join(run, 'metrics', `e${String(i).padStart(5, '0')}`), '');
  const { tables } = await readSources([run]);
  const capped = tables[0].problems.find((p) => p.code === 'columns-capped');
  assert.equal(capped?.severity, 'warning', JSON.stringify(tables[0].problems));
  assert.match(
    capped?.message ?? '',
    /holds over 4096 files, each a column: the first 4096 are read, and from "e04096" on they are left out/,
  );
});

test(
  "an output_dir's FIFO and device copies of trainer_state.json are named, never read, the latest regular copy read",
  { skip: !posix && 'FIFOs and /dev/zero are POSIX', timeout: 20_000 },
  async () => {
    const dir = join(root, 'hf-specials');
    const state = (globalStep: number) =>
      JSON.stringify(
        {
          global_step: globalStep,
          log_history: Array.from({ length: globalStep / 10 }, (_, i) => ({ step: 10 * (i + 1), loss: 3 / (i + 1) })),
        },
        null,
        2,
      );
    for (const [folder, step] of [
      ['', 200],
      ['checkpoint-100', 100],
    ] as const) {
      mkdirSync(join(dir, folder), { recursive: true });
      writeFileSync(join(dir, folder, 'trainer_state.json'), state(step));
    }
    // Their checkpoint-N outranked the regular copies: /dev/zero was the copy read, and the FIFO went unnamed.
    mkdirSync(join(dir, 'checkpoint-300'));
    fifo(join(dir, 'checkpoint-300', 'trainer_state.json'));
    mkdirSync(join(dir, 'checkpoint-400'));
    symlinkSync('/dev/zero', join(dir, 'checkpoint-400', 'trainer_state.json'));
    const { tables } = await readSources([dir]);
    assert.equal(tables.length, 1);
    assert.equal(tables[0].file, join(dir, 'trainer_state.json'));
    assert.equal(tables[0].rowCount, 20);
    const note = tables[0].hints?.notes.find((n) => n.includes('copies of trainer_state.json')) ?? '';
    assert.match(
      note,
      new RegExp(
        `^4 copies .*; 2 not regular files are not read \\(${join('checkpoint-300', 'trainer_state.json')} is a FIFO \\(named pipe\\); ` +
          `${join('checkpoint-400', 'trainer_state.json')} is a character device\\)$`,
      ),
    );
  },
);

test("a run's YAML config that cannot be parsed is said in that file at its line and column; one nested 5,000 deep says so", async () => {
  // The finding carried the YAML's line and column on the run's metrics.csv (or its MLflow run folder), and a value
  // nested deeper than the parser's stack was "not valid YAML (Maximum call stack size exceeded)".
  const cases: [string, string, RegExp, number][] = [
    [
      'deep',
      `max_steps: 100\nhidden: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
      /nested too deep for the YAML parser/,
      2,
    ],
    ['invalid', 'max_steps: 100\nbad: [1, 2\nother: {\n', /not valid YAML/, 3],
  ];
  for (const [name, yaml, why, line] of cases) {
    const dir = join(root, `yaml-${name}`, 'version_0');
    writeLightningMetrics(dir, lawCurve(constantLr, 1000, 100));
    writeFileSync(join(dir, 'hparams.yaml'), yaml);
    const [table] = (await readSources([dir])).tables;
    assert.equal(table.rowCount, 10, name);
    const warning = table.problems.find((p) => p.code === 'run-config-invalid');
    assert.ok(warning, `${name}: ${JSON.stringify(table.problems)}`);
    assert.equal(warning.file, join(dir, 'hparams.yaml'), name);
    assert.match(warning.message, why, name);
    assert.ok(warning.line >= line, `${name}: line ${warning.line}`);
    assert.match(warning.message, new RegExp(`line ${warning.line}, column ${warning.column}:`), name);
  }
});
