// Property-based fuzzing of the readers (fast-check, seeded, bounded in time): for any text a crashed writer, an odd
// locale or an attacker leaves, the reader returns a table without throwing, in bounded time, accounts for every data
// line (a row, or a problem that says why it was left out), keeps memory proportional to the input, and reads the same
// table whatever the chunks the bytes arrive in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseText } from '../../../src/core/table';
import type { Table } from '../../../src/core/table/types';
import { plain } from './helpers';

const SEED = 20261204;
/** Each property stops drawing new inputs after this long (fast-check's own time limit), so the suite stays bounded. */
const BUDGET_MS = 8000;
/** No input of these sizes may take longer to read: a hang, or work that grows faster than the input, fails. */
const MAX_PARSE_MS = 2000;

/** Bytes the table holds: its numeric columns, the line index and its text dictionaries. */
function tableBytes(table: Table): number {
  let bytes = table.lines.byteLength;
  for (const c of table.columns) {
    bytes += c.values.byteLength + c.name.length * 2;
    if (c.text) bytes += c.text.codes.byteLength + c.text.dictionary.reduce((n, s) => n + 2 * s.length + 16, 0);
  }
  return bytes;
}

/**
 * Lines that should become a row: after the header, not blank, not a # comment. Lines end at LF, CRLF or a lone CR;
 * a run of CRs before a LF is one line end, as the reader reads it ("\r\r\n" is a CRLF file converted twice).
 */
function dataLines(text: string, headerLine: number): number[] {
  const lines = text.split(/\r*\n|\r/);
  const out: number[] = [];
  lines.forEach((l, i) => {
    if (i + 1 > headerLine && l.trim() !== '' && !l.startsWith('#')) out.push(i + 1);
  });
  return out;
}

function checkTable(text: string, table: Table): void {
  assert.ok(table.rowCount >= 0 && table.rowCount <= table.lines.length);
  for (const c of table.columns) assert.equal(c.values.length >= table.rowCount, true);
  // Memory proportional to the input: a few times its size in UTF-16 plus a constant, whatever its shape.
  const budget = 64 * 1024 + 24 * text.length;
  assert.ok(tableBytes(table) <= budget, `table of ${tableBytes(table)} bytes for ${text.length} characters`);
}

/** Every data line is a row or is covered by a problem: nothing is lost without a word. */
function checkAccounting(text: string, table: Table): void {
  const rows = new Set<number>();
  for (let r = 0; r < table.rowCount; r++) rows.add(table.lines[r]);
  const lost = dataLines(text, table.headerLine).filter((l) => !rows.has(l));
  if (lost.length > 0)
    assert.ok(table.problemCount > 0 || table.rowsRejected > 0, `lines ${lost.slice(0, 5)} lost silently`);
}

const cell = fc.oneof(
  fc.double({ noNaN: false }).map(String),
  fc.integer({ min: -1e6, max: 1e9 }).map(String),
  fc.constantFrom('', 'nan', 'NaN', 'inf', '-Infinity', '1e300', '3,958', '0,001', '2,95', '1.2.3', '12B', '7e9'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('"quoted, cell"', '"unclosed', '\u0000', 'a\u0000b', '=cmd()', '\u001b[2J'),
);
const newline = fc.constantFrom('\n', '\r\n', '\r');

const delimited = fc
  .record({
    delimiter: fc.constantFrom(',', '\t', ';', '|'),
    header: fc.array(fc.constantFrom('step', 'loss', 'lr', 'run', 'bleu', 'D_p', 'x', '', 'loss'), {
      minLength: 1,
      maxLength: 6,
    }),
    rows: fc.array(fc.array(cell, { maxLength: 8 }), { maxLength: 60 }),
    eol: newline,
    mixed: fc.boolean(),
    tail: fc.constantFrom('', '\u0000\u0000\u0000\u0000', '12,0.0', '"'),
  })
  .chain((spec) =>
    fc.array(newline, { minLength: spec.rows.length, maxLength: spec.rows.length }).map((eols) => {
      const lines = [spec.header.join(spec.delimiter), ...spec.rows.map((r) => r.join(spec.delimiter))];
      return lines.map((l, i) => l + (spec.mixed && i > 0 ? eols[i - 1] : spec.eol)).join('') + spec.tail;
    }),
  );

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.double(),
    fc.string({ maxLength: 8 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const jsonl = fc
  .array(
    fc.oneof(
      fc.record({ step: fc.nat(), loss: fc.double(), lr: fc.double() }).map((o) => JSON.stringify(o)),
      fc.dictionary(fc.string({ maxLength: 10 }), jsonValue, { maxKeys: 6 }).map((o) => JSON.stringify(o)),
      fc.string({ maxLength: 30 }),
      fc.constantFrom('{"step": 1, "loss": NaN}', '{"step": 2, "loss": 3.1', '[1,2,3]', '{"a":{"b":{"c":1}}}'),
    ),
    { maxLength: 60 },
  )
  .chain((lines) => newline.map((eol) => lines.join(eol)));

const anything = fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 }));

/** The shapes of issue 13: deep nesting, many keys or fields on a line, runs of NULs, decimal commas. */
const hostile = fc.oneof(
  fc
    .record({ depth: fc.integer({ min: 0, max: 300 }), rows: fc.integer({ min: 0, max: 5 }), eol: newline })
    .map(({ depth, rows, eol }) => {
      const deep = `{"step":9,"d":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
      return [...Array.from({ length: rows }, (_, i) => `{"step":${i},"loss":3}`), deep].join(eol);
    }),
  fc
    .record({ keys: fc.integer({ min: 1, max: 6000 }), lines: fc.integer({ min: 1, max: 3 }) })
    .map(({ keys, lines }) =>
      Array.from({ length: lines }, (_, l) => `{${Array.from({ length: keys }, (_, k) => `"k${l}_${k}":${k}`)}}`).join(
        '\n',
      ),
    ),
  fc
    .record({
      fields: fc.integer({ min: 1, max: 6000 }),
      rows: fc.array(cell, { maxLength: 20 }),
      name: fc.constantFrom('', 'c', '1'),
    })
    .map(({ fields, rows, name }) => `${Array.from({ length: fields }, () => name).join(',')}\n${rows.join('\n')}`),
  fc
    .record({
      before: fc.array(fc.constantFrom('step,loss', '1,2.5', '2,2.4', ''), { maxLength: 10 }),
      nuls: fc.integer({ min: 1, max: 70_000 }),
      after: fc.array(fc.constantFrom('3,2.3', 'x', ''), { maxLength: 5 }),
      eol: newline,
    })
    .map(({ before, nuls, after, eol }) => `${before.join(eol)}${'\u0000'.repeat(nuls)}${after.join(eol)}`),
  fc
    .record({
      delimiter: fc.constantFrom('\t', ';', '|'),
      rows: fc.array(
        fc.array(fc.constantFrom('3,958', '0,001', '1,234,567', '1.234,5', '2,95', '12,000', '7', '2.5', '', 'x'), {
          minLength: 2,
          maxLength: 4,
        }),
        { maxLength: 30 },
      ),
    })
    .map(
      ({ delimiter, rows }) =>
        ['step', 'loss', 'lr', 'x'].join(delimiter) + '\n' + rows.map((r) => r.join(delimiter)).join('\n'),
    ),
);

/** Parses within MAX_PARSE_MS, with the basic checks. */
function parseChecked(text: string, fileName: string): Table {
  const started = performance.now();
  const table = parseText(text, { fileName, displayName: fileName });
  const ms = performance.now() - started;
  assert.ok(ms < MAX_PARSE_MS, `${ms.toFixed(0)} ms for ${text.length} characters`);
  checkTable(text, table);
  return table;
}

for (const [name, arbitrary, fileName] of [
  ['delimited text', delimited, 'fuzz.csv'],
  ['JSONL', jsonl, 'fuzz.jsonl'],
  ['any text', anything, 'fuzz.csv'],
  ['hostile shapes', hostile, 'fuzz.csv'],
] as const) {
  test(
    `fuzz: ${name} never throws or hangs, keeps memory proportional, and loses no line silently`,
    { timeout: 60_000 },
    () => {
      fc.assert(
        fc.property(arbitrary, (text) => {
          const table = parseChecked(text, fileName);
          if (name !== 'any text') checkAccounting(text, table);
        }),
        { seed: SEED, numRuns: 2000, interruptAfterTimeLimit: BUDGET_MS, endOnFailure: true },
      );
    },
  );
}

test(
  'fuzz: the chunks the bytes arrive in change nothing (lone CRs, NULs and quotes cut at every byte)',
  { timeout: 60_000 },
  () => {
    fc.assert(
      fc.property(fc.oneof(delimited, jsonl, hostile), fc.integer({ min: 1, max: 16 }), (text, chunkSize) => {
        const fileName = text.trimStart().startsWith('{') ? 'fuzz.jsonl' : 'fuzz.csv';
        const whole = parseText(text, { fileName });
        assert.deepEqual(plain(parseText(text, { fileName, chunkSize })), plain(whole));
      }),
      { seed: SEED, numRuns: 1000, interruptAfterTimeLimit: BUDGET_MS, endOnFailure: true },
    );
  },
);
