// Shared helpers for the table reader tests: column lookup by name and temporary files.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { textAt, type Column, type ParseProblem, type Table } from '../../../src/core/table/types';
import { makeScratch, removeScratch } from '../../helpers/scratch';

export function column(table: Table, name: string): Column {
  const found = table.columns.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no column ${name} in ${table.columns.map((c) => c.name).join(', ')}`);
  return found;
}

/** The column's numbers (NaN for empty or text cells). */
export function numbers(table: Table, name: string): number[] {
  return Array.from(column(table, name).values);
}

/** The column's text cells (null where the cell is numeric or empty). */
export function texts(table: Table, name: string): (string | null)[] {
  const cells = column(table, name);
  return Array.from({ length: table.rowCount }, (_, row) => textAt(cells, row) ?? null);
}

export function names(table: Table): string[] {
  return table.columns.map((c) => c.name);
}

export function codes(table: Table): string[] {
  return table.problems.map((p) => p.code);
}

export function problem(table: Table, code: string): ParseProblem {
  const found = table.problems.find((p) => p.code === code);
  if (found === undefined) throw new Error(`no ${code} problem; got ${JSON.stringify(table.problems)}`);
  return found;
}

/** Writes files into a fresh temporary folder; returns their paths and a cleanup function. */
export function tempFiles(files: Record<string, string | Buffer>): {
  path: (name: string) => string;
  cleanup: () => void;
} {
  const dir = makeScratch('scaling-lens-table-');
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return { path: (name) => join(dir, name), cleanup: () => removeScratch(dir) };
}

/** Plain-object view of a table (typed arrays as arrays) for deepEqual comparisons. */
export function plain(table: Table): unknown {
  return {
    ...table,
    lines: Array.from(table.lines),
    columns: table.columns.map((c) => ({
      ...c,
      values: Array.from(c.values),
      text: c.text && { codes: Array.from(c.text.codes), dictionary: c.text.dictionary },
    })),
  };
}
