// Escape sequences in a file's headers and run names must reach the terminal as visible text, never as commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { displayWidth, jsonSafe, oneLine, terminalSafe } from '../../../src/cli/terminal';
import { cliMessage, table } from '../../../src/cli/text';
import { REPO } from '../../helpers/shared';
import { scratchDir } from '../../helpers/scratch';

// Anything a terminal would act on: ESC, BEL, CR, backspace, DEL and C1's CSI.
const ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

test('terminalSafe shows control characters as \\xHH and keeps text, tabs and newlines', () => {
  assert.equal(terminalSafe('a\tb\nc'), 'a\tb\nc');
  assert.equal(terminalSafe('\u001b[2J'), '\\x1b[2J');
  assert.equal(terminalSafe('x\ry\u0007\u009b\u007f'), 'x\\x0dy\\x07\\x9b\\x7f');
  assert.equal(terminalSafe('λ · ✔'), 'λ · ✔');
});

test('jsonSafe keeps the same JSON value and leaves no raw DEL or C1', () => {
  const value = { name: 'run\u009b\u007f\u001b' };
  const safe = jsonSafe(JSON.stringify(value));
  assert.doesNotMatch(safe, ACTIVE);
  assert.deepEqual(JSON.parse(safe), value);
});

test('fit and inspect print run names and headers holding escape sequences as visible text', () => {
  const dir = scratchDir('scaling-lens-term-');
  const file = join(dir, 'evil.csv');
  const osc52 = '\u001b]52;c;ZXZpbA==\u0007';
  const rows = ['step,lr,loss,run,\u001b[2Jnote'];
  for (const [run, scale] of [
    [`a${osc52}`, 1],
    ['\u001b]0;owned\u0007b', 1.02],
  ] as const)
    for (let s = 100; s <= 3000; s += 100)
      rows.push(`${s},3e-4,${(scale * (2.5 + 3 * s ** -0.4)).toFixed(5)},${run},x`);
  writeFileSync(file, rows.join('\n') + '\n');
  for (const args of [
    ['fit', file, '--bootstrap', '0'],
    ['inspect', file],
    ['fit', file, '--bootstrap', '0', '--json'],
  ]) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], {
      encoding: 'utf8',
      cwd: REPO,
    });
    assert.doesNotMatch(run.stdout, ACTIVE, args.join(' '));
    assert.doesNotMatch(run.stderr, ACTIVE, args.join(' '));
    if (!args.includes('--json'))
      assert.match(run.stdout + run.stderr, /\\x1b\]52;c;ZXZpbA==\\x07|\\x1b\[2Jnote/, args.join(' '));
  }
});

test('oneLine also shows tab, newline and return as \\xHH', () => {
  assert.equal(oneLine('bs:8\nin:64\r\tx'), 'bs:8\\x0ain:64\\x0d\\x09x');
});

// A public log_history.json held JSON keys with newlines ("bs:8\nin:64\nout:64"); each broke inspect's table.
test('inspect keeps a column whose name holds a newline on its own row', () => {
  const dir = scratchDir('scaling-lens-term-');
  const file = join(dir, 'bench.json');
  writeFileSync(
    file,
    '{"mla": {"bs:8\\nin:64": 6.9, "bs:8\\nin:256\\n  error forged": 20.1}}\n{"mla": {"bs:8\\nin:64": 5.1}}\n',
  );
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'inspect', file], {
    encoding: 'utf8',
    cwd: REPO,
  });
  const lines = run.stdout.split('\n');
  const rows = lines.filter((l) => l.startsWith('  mla/'));
  assert.deepEqual(
    rows.map((l) => l.trim().split(/\s+/)[0]),
    ['mla/bs:8\\x0ain:64', 'mla/bs:8\\x0ain:256\\x0a'],
    run.stdout,
  );
  assert.ok(!lines.some((l) => /^\s+error forged/.test(l)), 'no line starts with text from the file');
});

test('bidirectional formatting characters from a file reach the terminal and --json as visible escapes', () => {
  // A right-to-left override in a run name would make the terminal draw the rest of the line backwards.
  const name = 'run\u202e1.2 = )k4(L\u2066x\u2069\u200f\u2028';
  assert.equal(terminalSafe(name), 'run\\u202e1.2 = )k4(L\\u2066x\\u2069\\u200f\\u2028');
  const json = jsonSafe(JSON.stringify({ name }));
  assert.doesNotMatch(json, /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u2028]/);
  assert.deepEqual(JSON.parse(json), { name });
});

test('a finding that quotes file text holding newlines prints on one line, its file too', () => {
  const finding = { message: "the run's configuration says lr: 0.0003\n0.1", hints: [] };
  assert.equal(cliMessage(finding), "the run's configuration says lr: 0.0003\\x0a0.1");
});

test('a table row whose run name holds escape sequences stays in line with the others', () => {
  // Measured before its ESCs were shown as `\x1b` (one character printed as four), the row ran past the others.
  const shown = terminalSafe(
    table(
      ['curve', 'metric'],
      [
        ['run\u001b[2J\u001b[H0', 'loss'],
        ['plain', 'loss'],
      ],
    ),
  );
  const columnTwo = shown.split('\n').map((l) => l.search(/ {2}\S/));
  assert.deepEqual(columnTwo, [17, 17, 17, 17], shown);
});

test('CLI tables: names that start with a digit (MLflow run ids, 2024-run) stay left-aligned; numbers with units right', () => {
  const out = table(
    ['curve', 'PredE', 'points'],
    [
      ['0/run', '0.945 %', '8'],
      ['2024-run', '12.5 %', '120'],
    ],
  ).split('\n');
  assert.deepEqual(out.slice(2), ['0/run     0.945 %       8', '2024-run   12.5 %     120']);
});

test('a table keeps its columns in line past names with combining marks, wide characters and emoji', () => {
  // Padded by UTF-16 length, `e\u0301` (one column) and `損失` or an emoji (two each) pushed the next column off.
  const names = ['plain', 'e\u0301\u0301x', '損失曲線', 'run😀', 'a\u200db'];
  const shown = table(
    ['curve', 'metric'],
    names.map((n) => [n, 'loss']),
  ).split('\n');
  const column = (line: string) => displayWidth(line.slice(0, line.lastIndexOf('  ') + 2));
  assert.deepEqual(
    shown.map(column),
    shown.map(() => 10),
    shown.join('\n'),
  );
  assert.equal(displayWidth('e\u0301'), 1);
  assert.equal(displayWidth('損失'), 4);
  assert.equal(displayWidth('©→λ'), 3);
});
