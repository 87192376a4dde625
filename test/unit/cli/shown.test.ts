// Issue 13, text shown from a file: a header or run name of megabytes is shown shortened (its start, an ellipsis and
// its length) by `inspect` and `fit`, text and `--json` messages, while the name itself stays whole where it is an
// identifier (`curves[].name`, `--fit-on`); many runs with one finding each come out as a bounded list with a count;
// a step column of hex is named with its first cell. Inputs are generated here, never committed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shownName, shownText } from '../../../src/core/util/controls';
import { REPO } from '../../helpers/shared';
import { scratchDir } from '../../helpers/scratch';

const CLI = [process.execPath, '--import', 'tsx', join(REPO, 'src/cli/main.ts')];
const dir = scratchDir('scaling-lens-shown-');

function cli(args: string[]) {
  const run = spawnSync(CLI[0], [...CLI.slice(1), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('shownName keeps short names whole and shortens long ones to their start, an ellipsis and their length', () => {
  assert.equal(shownName('x'.repeat(200)), 'x'.repeat(200));
  assert.equal(shownName('x'.repeat(201)), `${'x'.repeat(80)}… (201 characters)`);
  // Never cut between the halves of a surrogate pair.
  const emoji = `${'x'.repeat(79)}😀${'y'.repeat(300)}`;
  assert.equal(shownName(emoji), `${'x'.repeat(79)}… (381 characters)`);
  // In a sentence only the long stretch is shortened; our words stay.
  assert.equal(
    shownText(`column "${'z'.repeat(5000)}" is empty, ${'w '.repeat(200)}`),
    `column "${shownName('z'.repeat(5000))}" is empty, ${'w '.repeat(200)}`,
  );
});

test('a 2 MB one-name header: inspect and fit print its start and length, not the name', () => {
  const header = write('huge-header.csv', `${'q'.repeat(2 * 1024 * 1024)}\n1\n2\n`);
  const shown = `${'q'.repeat(80)}… (2,097,152 characters)`;
  for (const args of [
    ['inspect', header],
    ['fit', header, '--bootstrap', '0'],
  ]) {
    const { stdout, stderr } = cli(args);
    assert.ok(stdout.length + stderr.length < 20_000, `${args.join(' ')}: ${stdout.length} + ${stderr.length} bytes`);
    assert.ok(stdout.includes(shown), stdout.slice(0, 2000));
  }
  // inspect --json: the column's name whole (an identifier, once), every note shortened.
  const inspected = cli(['inspect', header, '--json']).stdout;
  assert.ok(inspected.length < 2 * 1024 * 1024 + 20_000, `${inspected.length} bytes`);
  const notes = (JSON.parse(inspected) as { files: { notes: string[] }[] }).files[0].notes;
  assert.ok(notes.length > 0 && notes.every((n) => n.length < 2000), notes.join('\n').slice(0, 500));
  // --json: the findings' messages are shortened; the column's name (what --columns names) stays whole, once.
  const json = cli(['fit', header, '--json', '--bootstrap', '0']).stdout;
  const report = JSON.parse(json) as { findings: { message: string }[]; files: { columns: { name: string }[] }[] };
  assert.equal(report.files[0].columns[0].name.length, 2 * 1024 * 1024);
  assert.ok(report.findings.length > 0);
  for (const f of report.findings) assert.ok(f.message.length < 2000, f.message.slice(0, 300));
  assert.ok(json.length < 2 * 1024 * 1024 + 20_000, `${json.length} bytes`);
});

test('runs with 300-character names: shown shortened, matched whole by --fit-on', () => {
  const names = ['a', 'b', 'c'].map((c) => c.repeat(300));
  let text = 'run,step,lr,loss\n';
  names.forEach((name, r) => {
    for (let s = 100; s <= 3000; s += 100)
      text += `${name},${s},3e-4,${((1 + r / 50) * (2.5 + 3 * s ** -0.4)).toFixed(5)}\n`;
  });
  const runs = write('long-names.csv', text);
  const plain = cli(['fit', runs, '--bootstrap', '0']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.ok(!plain.stdout.includes('a'.repeat(201)), 'no name printed whole');
  assert.ok(plain.stdout.includes(`${'a'.repeat(80)}… (300 characters)`), plain.stdout.slice(0, 3000));
  const fitOn = cli(['fit', runs, '--bootstrap', '0', '--json', '--fit-on', names.slice(0, 2).join(',')]);
  assert.equal(fitOn.code, 0, fitOn.stderr);
  const report = JSON.parse(fitOn.stdout) as { curves: { name: string; role: string }[] };
  const roles = new Map(report.curves.map((c) => [c.name, c.role]));
  assert.deepEqual([...roles.keys()].sort(), names);
  assert.equal(roles.get(names[2]), 'heldout');
});

test('100,000 runs without an LR: the findings are a bounded list with a count, in text and in --json', () => {
  let text = '';
  for (let r = 0; r < 100_000; r++)
    text += `{"run":"r${r}","step":${(r % 7) + 1},"loss":${(3 - (r % 7) / 10).toFixed(2)}}\n`;
  const runs = write('many-runs.jsonl', text);
  const json = cli(['fit', runs, '--json', '--bootstrap', '0']);
  const report = JSON.parse(json.stdout) as { findings: { code: string; curves?: number }[] };
  const missing = report.findings.filter((f) => f.code === 'lr-missing');
  assert.equal(missing.length, 11);
  assert.equal(missing[10].curves, 1990);
  const plain = cli(['fit', runs, '--bootstrap', '0']);
  const findings = plain.stdout.slice(plain.stdout.indexOf('\nFindings'));
  assert.ok(findings.length < 10_000, `${findings.length} bytes of findings`);
  assert.match(findings, /1,990 more curves with this finding \("r10", "r11", "r12", "r13", "r14", …\)/);
});

test('a step column of hex or with units is named with its first cell that is not a number', () => {
  for (const [name, cellOf] of [
    ['hex.csv', (i: number) => `0x${(i * 10).toString(16)}`],
    ['units.csv', (i: number) => `${i * 10} steps`],
  ] as const) {
    let text = 'step,lr,loss\n';
    for (let i = 1; i <= 400; i++) text += `${cellOf(i)},3e-4,${(2.5 + 3 * (i * 10) ** -0.4).toFixed(5)}\n`;
    const path = write(name, text);
    const { code, stdout } = cli(['fit', path, '--bootstrap', '0']);
    assert.equal(code, 1);
    assert.ok(
      stdout.includes(
        `the step column looks like "step" (column 1), but none of its cells is a number: ${path}:2 holds "${cellOf(1)}"`,
      ),
      stdout,
    );
  }
});
