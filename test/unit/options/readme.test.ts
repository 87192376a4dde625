// README's settings and CLI option tables list exactly the table's settings and flags, with the settings' defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KNOBS } from '../../../src/core/options/schema';
import { REPO } from '../../helpers/shared';

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');

/** The rows of the first table after a heading: cells without their surrounding spaces. */
function tableAfter(heading: string): string[][] {
  const start = readme.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README has no "${heading}"`);
  const lines = readme.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .replace(/\\\|/g, '\u0000')
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim().replace(/\u0000/g, '|')),
    );
  }
  return rows;
}

/** A default as README writes it (`1e-3`, `[2]`, `auto`) to a value. */
function cellValue(cell: string): unknown {
  const text = cell.replace(/^`|`$/g, '');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

test('README Settings: one row per setting, with its default', () => {
  const rows = tableAfter('### Settings');
  const byKey = new Map(rows.map(([key, value]) => [key.replace(/^`scalingLens\.|`$/g, ''), value]));
  const settings = KNOBS.filter((k) => k.setting);
  assert.deepEqual([...byKey.keys()].sort(), settings.map((k) => k.setting!.key).sort());
  for (const knob of settings)
    assert.deepEqual(cellValue(byKey.get(knob.setting!.key)!), knob.default, knob.setting!.key);
});

test('README Command-line tool: every flag has a row, and every row is a flag', () => {
  const rows = tableAfter('## Command-line tool');
  const documented = rows.flatMap(([option]) => [...option.matchAll(/--([a-z-]+)/g)].map((m) => m[1]));
  const flags = KNOBS.flatMap((k) => (k.flag ? [k.flag.name] : []));
  assert.deepEqual([...new Set(documented)].sort(), [...flags].sort());
});
