// Issue 13 through the command-line tool: the same run written as a hostile file (lone CR or mixed line ends,
// padded with NUL bytes by a crash, decimal commas) gives the same fit as the clean file, with a finding that says
// how it was read; the shapes that used to take minutes or gigabytes are answered in seconds; and a FIFO or
// /dev/stdin is read as a stream. Inputs are generated here, never committed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../helpers/shared';
import { scratchDir } from '../../helpers/scratch';

interface Finding {
  code: string;
  severity: string;
  line?: number;
  message: string;
}

interface Report {
  files: { rows: number; rowsRejected: number; format: string; delimiter?: string }[];
  fits: { params: Record<string, number> }[];
  findings: Finding[];
}

const CLI = [process.execPath, '--import', 'tsx', join(REPO, 'src/cli/main.ts')];

/**
 * Runs the CLI (from source, as cli.test.ts does); exit code, output and seconds taken. With `stdinFrom`, that file
 * is piped in by a shell, as `cat run.csv | scaling-lens ...` does (node's own stdin pipes are sockets, which
 * /dev/stdin cannot open).
 */
function cli(args: string[], stdinFrom?: string) {
  const started = performance.now();
  const quoted = [...CLI, ...args].map((a) => `'${a}'`).join(' ');
  const [command, argv] =
    stdinFrom === undefined ? [CLI[0], [...CLI.slice(1), ...args]] : ['sh', ['-c', `cat '${stdinFrom}' | ${quoted}`]];
  const run = spawnSync(command, argv, { encoding: 'utf8', cwd: REPO, maxBuffer: 64 * 1024 * 1024 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, seconds: (performance.now() - started) / 1000 };
}

const dir = scratchDir('scaling-lens-hostile-');

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function json(args: string[], stdinFrom?: string): Report & { seconds: number; code: number | null } {
  const run = cli([...args, '--json'], stdinFrom);
  assert.ok(run.stdout.startsWith('{'), `${args.join(' ')}: ${run.stderr}`);
  return { ...(JSON.parse(run.stdout) as Report), seconds: run.seconds, code: run.code };
}

const codes = (report: Report) => report.findings.map((f) => f.code);
const clean = readFileSync(join(REPO, 'examples/loss/cosine.csv'), 'utf8');

test('the same run as a hostile file gives the same fit as the clean file, and says how it was read', () => {
  const reference = json(['fit', file('cosine.csv', clean), '--bootstrap', '0']).fits[0].params;
  let n = 0;
  const mixed = clean.replace(/\n/g, () => ['\n', '\r\n', '\r'][n++ % 3]);
  const variants: [string, string, string | null][] = [
    ['lone-cr.csv', clean.replace(/\n/g, '\r'), null],
    ['mixed.csv', mixed, 'line-ends-mixed'],
    ['crashed.csv', `${clean}\u0000`.padEnd(clean.length + 100_000, '\u0000'), 'nul-bytes'],
    ['decimal.tsv', clean.replace(/,/g, '\t').replace(/\./g, ','), 'decimal-comma'],
    ['decimal.txt', clean.replace(/,/g, ';').replace(/\./g, ','), 'decimal-comma'],
  ];
  for (const [name, content, code] of variants) {
    const report = json(['fit', file(name, content), '--bootstrap', '0']);
    assert.equal(report.files[0].rows, 200, name);
    assert.equal(report.fits.length, 1, `${name}: ${JSON.stringify(report.findings)}`);
    for (const [param, value] of Object.entries(reference))
      assert.ok(Math.abs(report.fits[0].params[param] - value) <= 1e-9 * Math.abs(value), `${name}: ${param}`);
    if (code !== null) assert.ok(codes(report).includes(code), `${name}: ${codes(report).join(', ')}`);
  }
});

test('a decimal comma that splits a row of a `,` file: the row is flagged and left out, the rest fitted', () => {
  const lines = clean.split('\n');
  lines[50] = lines[50].replace(/\.(\d+)$/, ',$1'); // "5000,0.0003,2.6" -> "5000,0.0003,2,6"
  const report = json(['fit', file('split.csv', lines.join('\n')), '--bootstrap', '0']);
  assert.equal(report.files[0].rows, 199);
  assert.equal(report.files[0].rowsRejected, 1);
  const ragged = report.findings.find((f) => f.code === 'row-ragged');
  assert.equal(ragged?.line, 51);
  assert.match(ragged!.message, /looks like one number written with a decimal comma/);
  assert.equal(report.fits.length, 1);
});

test('the shapes that took minutes or gigabytes are answered in seconds, saying what was left out', () => {
  let keys = '';
  for (let i = 0; keys.length < 2 * 1024 * 1024; i++) keys += `{"step":${i + 1},"loss":${3 - i / 1e6},"k${i}":1}\n`;
  const deep = `{"step":1,"loss":3,"d":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}\n{"step":2,"loss":2.9}\n`;
  const cases: [string, string, string][] = [
    ['keys.jsonl', keys, 'columns-capped'],
    ['deep.jsonl', deep, 'jsonl-value-ignored'],
    ['wide.csv', ','.repeat(5 * 1024 * 1024), 'columns-capped'],
    ['line.jsonl', `{${Array.from({ length: 400_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`, 'columns-capped'],
    [
      'mac.csv',
      `step,lr,loss\r${Array.from({ length: 100_000 }, (_, i) => `${i + 1},0.001,${3 - i / 1e6}`).join('\r')}`,
      '',
    ],
  ];
  for (const [name, content, code] of cases) {
    const report = json(['inspect', file(name, content)]);
    assert.ok(report.seconds < 30, `${name}: ${report.seconds.toFixed(1)} s`);
    if (code !== '') assert.ok(codes(report).includes(code), `${name}: ${codes(report).join(', ')}`);
  }
  const mac = json(['inspect', join(dir, 'mac.csv')]);
  assert.equal(mac.files[0].rows, 100_000);
});

test('/dev/stdin and a FIFO are read as streams', async () => {
  const piped = json(['fit', '/dev/stdin', '--bootstrap', '0'], file('piped.csv', clean));
  assert.equal(piped.files[0].rows, 200);
  assert.equal(piped.fits.length, 1);
  // A program's stdin pipe is a socket, which /dev/stdin cannot open: said so, with what to do.
  const socket = spawnSync(CLI[0], [...CLI.slice(1), 'inspect', '/dev/stdin', '--json'], {
    input: clean,
    encoding: 'utf8',
  });
  assert.match(socket.stdout, /cannot be opened \(a socket/);

  const fifo = join(dir, 'run.fifo');
  execFileSync('mkfifo', [fifo]);
  const writer = spawn('sh', ['-c', `cat '${file('fifo-source.csv', clean)}' > '${fifo}'`]);
  const reader = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'inspect', fifo, '--json'],
    {
      cwd: REPO,
    },
  );
  let stdout = '';
  reader.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => reader.on('close', resolve));
  writer.kill();
  assert.equal(code, 0);
  assert.equal((JSON.parse(stdout) as Report).files[0].rows, 200);
});

test('a reader that goes away (`| head`) ends the output quietly: no EPIPE stack trace, in text and --json', async () => {
  const path = file('piped-away.csv', clean);
  for (const args of [
    ['fit', path, '--bootstrap', '0', '--json'],
    ['inspect', path],
  ]) {
    const child = spawn(CLI[0], [...CLI.slice(1), ...args], { cwd: REPO });
    // Closed before the command prints: its first write meets a pipe nobody reads.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.doesNotMatch(stderr, /EPIPE|\n\s+at /, stderr);
    assert.equal(code, 0, `${args.join(' ')}: ${stderr}`);
  }
});

test('a log appended to while it is read is read, and says it grew', async () => {
  const rows = Array.from({ length: 400_000 }, (_, i) => `${i + 1},0.001,${3 - i / 1e6}`).join('\n');
  const path = file('live.csv', `step,lr,loss\n${rows}\n`);
  const append = `const fs = require('fs'); let i = 0; setInterval(() => fs.appendFileSync(${JSON.stringify(path)}, \`\${500000 + i++},0.001,2\\n\`), 1);`;
  const writer = spawn(process.execPath, ['-e', append]);
  try {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const report = json(['inspect', path]);
    const grew = report.findings.find((f) => f.code === 'file-changed');
    assert.equal(grew?.severity, 'info', codes(report).join(', '));
    assert.match(grew!.message, /grew while it was read/);
    assert.ok(report.files[0].rows >= 400_000);
  } finally {
    writer.kill();
  }
});

// A hang or a runaway allocation fails by the timeout (and the worker's limits in the editor).
test(
  '100,000 distinct run names: inspected, and fitted on the first 2,000 runs with a runs-capped finding',
  { timeout: 120_000 },
  () => {
    let text = 'run,step,loss,lr\n';
    for (let i = 0; i < 100_000; i++) text += `run-${i},${1 + (i % 3)},${3 - (i % 3) / 10},0.001\n`;
    const path = file('runs.csv', text);
    const inspected = json(['inspect', path]);
    assert.equal(inspected.files[0].rows, 100_000);
    const fitted = json(['fit', path, '--bootstrap', '0']);
    const capped = fitted.findings.filter((f) => f.code === 'runs-capped');
    assert.equal(capped.length, 1);
    assert.match(capped[0].message, /more than 2,000 runs: 98000 more runs/);
  },
);

test('nothing fitted: the reason on stderr is what the findings say, never "no file had the columns" for a known file', () => {
  const sweep = readFileSync(join(REPO, 'examples/downstream/downstream_sweep.csv'), 'utf8').split('\n');
  const oneDp = file('one-dp.csv', [sweep[0], ...sweep.filter((l) => l.includes(',0.5B,'))].join('\n'));
  const cases: [string, RegExp][] = [
    [oneDp, /nothing could be fitted: 2 groups have too few usable points, .*: "aligned-en-de, D_f=42M" \(BLEU has 1,/],
    [file('header-only.csv', 'step,lr,loss\n'), /nothing could be fitted \(no file holds data rows/],
    [file('notes.csv', 'alpha,beta\n1,2\n'), /no file had the columns of a known law/],
  ];
  for (const [path, said] of cases) {
    const run = cli(['fit', path, '--bootstrap', '0']);
    assert.equal(run.code, 1, path);
    assert.match(run.stderr, said, path);
  }
});

test('a finding about a cell shows its line and column, in text and in --json, as a parse problem does', () => {
  const lines = clean.split('\n');
  const at = 7; // 1-based line of the row made bad
  const cells = lines[at - 1].split(',');
  const lossField = lines[0].split(',').indexOf('loss');
  cells[lossField] = 'nan';
  lines[at - 1] = cells.join(',');
  const path = file('cell.csv', lines.join('\n'));
  const column = cells.slice(0, lossField).join(',').length + 2;
  const text = cli(['fit', path, '--bootstrap', '0']);
  assert.match(text.stdout, new RegExp(`cell\\.csv:${at}:${column} `));
  const report = json(['fit', path, '--bootstrap', '0']);
  const found = report.findings.find((f) => f.code === 'loss-invalid') as Finding & { column?: number; cell?: unknown };
  assert.deepEqual([found.line, found.column, found.cell], [at, column, undefined]);
  // inspect shows the same place, in text and in --json.
  assert.match(cli(['inspect', path]).stdout, new RegExp(`cell\\.csv:${at}:${column} `));
  const inspected = json(['inspect', path]).findings.find((f) => f.code === 'loss-invalid') as typeof found;
  assert.deepEqual([inspected.line, inspected.column, inspected.cell], [at, column, undefined]);
});

test("a warmup at or past the log's last step is the option's fault, said with the flag; a bad one a usage error", () => {
  const path = file('warmup.csv', clean);
  for (const law of ['mpl', 'lr-annealing', 'auto'])
    for (const warmup of ['9007199254740991', '20000']) {
      const run = cli(['fit', path, '--law', law, '--warmup-steps', warmup, '--bootstrap', '0']);
      assert.equal(run.code, 1, `${law} ${warmup}: ${run.stderr}`);
      assert.match(run.stderr, /"warmup" logs its last loss at step 20000: every logged point lies within the warmup/);
      assert.match(run.stderr, /with --warmup-steps N\./);
      assert.doesNotMatch(run.stdout + run.stderr, /loss-drop sum|\n\s+at /);
    }
  const report = json(['fit', path, '--law', 'mpl', '--warmup-steps', '9007199254740991', '--bootstrap', '0']);
  assert.deepEqual(codes(report), ['warmup-covers-log', 'too-few-points']);
  // 2^53 and 1e308 are steps no run has (the data's rule, step-implausible).
  for (const bad of ['-1', '1.5', 'NaN', '1e400', '9007199254740992', '1e308']) {
    const run = cli(['fit', path, `--warmup-steps=${bad}`]);
    assert.equal(run.code, 2, bad);
    assert.match(run.stderr, new RegExp(`--warmup-steps must be an integer >= 1 and <= 2\\^53 - 1; got "${bad}"`));
  }
  // Without the `=`, a negative value reads as a flag: still a usage error naming the option.
  const spaced = cli(['fit', path, '--warmup-steps', '-1']);
  assert.equal(spaced.code, 2);
  assert.match(spaced.stderr, /'--warmup-steps'/);
});

test('a power law over columns named with a newline prints its formula and settings on their lines, the name escaped', () => {
  // The formula and the settings (x=, y=, xUnit=) name the columns: a newline in a name began a line of its own.
  const x = 'tokens\nfake: line';
  const y = 'val\u202eloss';
  let text = `"${x}","${y}"\n`;
  for (let i = 1; i < 40; i++) text += `${i * 1e6},${(2 + 3 * (i * 1e6) ** -0.3).toFixed(6)}\n`;
  const run = cli(['fit', file('power.csv', text), '--law', 'power', '--power-x', x, '--columns', `loss=${y}`]);
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stdout, /^fake: line/m, run.stdout);
  assert.match(run.stdout, /^power law: val\\u202eloss = E \+ A \* tokens\\x0afake: line\^\(-alpha\)$/m, run.stdout);
  assert.match(run.stdout, /; x=tokens\\x0afake: line; y=val\\u202eloss; xUnit=/, run.stdout);
});
