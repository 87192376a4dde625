// Row grouping and cell display shared by the sweep analyses (downstream, compute, power): reading a cell as the
// user wrote it, and the unit notes that must travel with every coefficient.
import { finding } from '../findings';
import { textAt, type Column, type Table } from '../table/types';
import { formatCompact } from '../util/format';
import type { Finding } from './types';

/** A cell as text: its dictionary string, or the number written compactly; '' when empty. */
export function cellText(column: Column, row: number): string {
  const text = textAt(column, row);
  if (text !== undefined) return text;
  const v = column.values[row];
  return Number.isNaN(v) ? '' : formatCompact(v);
}

/** Rows bucketed by a key, in order of first appearance (so groups list in file order). */
export function groupBy(rows: Iterable<number>, key: (row: number) => string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const row of rows) {
    const k = key(row);
    const bucket = out.get(k);
    if (bucket) bucket.push(row);
    else out.set(k, [row]);
  }
  return out;
}

/** Index of the first column whose name matches one of `names` (case-insensitive), or undefined. */
export function findColumn(table: Table, names: readonly string[]): number | undefined {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const index = table.columns.findIndex((c) => wanted.has(c.name.trim().toLowerCase()));
  return index >= 0 ? index : undefined;
}

/** How a numeric column's unit should be described next to a coefficient. */
export function unitNote(column: Column, quantity: string): string {
  return column.suffixes.length
    ? `${quantity} (suffixes K/M/B/T expanded; column '${column.name}')`
    : `${quantity} as written in column '${column.name}'`;
}

/** Plain cells below this sit oddly beside suffixed ones: "0.5" next to "12B" is most likely 0.5B written bare. */
const PLAIN_NEXT_TO_SUFFIX = 1000;

/**
 * Mixed notation in one numeric column. Several suffixes (500M beside 12B) expand to one unit, so that is only
 * noted; small bare numbers beside suffixed ones probably mean another unit (billions written bare) and are warned.
 * `ignore` skips rows that are legitimately small (e.g. the D_p = 0 baseline).
 */
export function mixedUnitFindings(
  table: Table,
  columnIndex: number,
  ignore: (row: number) => boolean = () => false,
): Finding[] {
  const column = table.columns[columnIndex];
  if (!column.suffixes.length) return [];
  const findings: Finding[] = [];
  if (column.suffixes.length > 1) {
    findings.push(
      finding('mixed-units', 'info', {
        message: `Column '${column.name}' mixes unit suffixes (${column.suffixes.join(', ')}). Each was expanded to plain counts (K=1e3, M=1e6, B=G=1e9, T=1e12), so the values are comparable; check that this is what the file means.`,
        file: table.file,
        line: table.headerLine || 1,
      }),
    );
  }
  const bare: number[] = [];
  for (let row = 0; row < table.rowCount; row++) {
    const v = column.values[row];
    if (v > 0 && v < PLAIN_NEXT_TO_SUFFIX && !ignore(row)) bare.push(row);
  }
  if (bare.length) {
    findings.push(
      finding('mixed-units', 'warning', {
        message: `Column '${column.name}' has suffixed values (${column.suffixes.join(', ')}) but ${bare.length} row(s) hold small bare numbers (e.g. ${column.values[bare[0]]} at line ${table.lines[bare[0]]}). They are read as plain counts, not as ${column.suffixes[0]}-units: write them with a suffix (e.g. ${column.values[bare[0]]}${column.suffixes[0]}) or as full counts so the fit sees one unit.`,
        file: table.file,
        line: table.lines[bare[0]],
        related: bare
          .slice(1, 20)
          .map((row) => ({ file: table.file, line: table.lines[row], message: `bare value ${column.values[row]}` })),
      }),
    );
  }
  return findings;
}
