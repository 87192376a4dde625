// Findings every sweep law (downstream, compute, power) raises the same way: too few points for a law, a fit that
// failed, rows left out because a value is unusable.
import { finding } from '../findings';
import type { Table } from '../table/types';
import type { Finding } from './types';

/** `law`: which law was not fitted, when a group has others that were (a downstream group's BLEU or CE law). */
export function tooFewPoints(
  table: Table,
  group: string,
  count: number,
  lines: number[],
  why: string,
  law = 'law',
): Finding {
  return finding('too-few-points', 'info', {
    message: `${group}: only ${count} usable point(s), so no ${law} was fitted. ${why}; the paper's guideline is to fit once there are at least 3 points. Add runs at more sizes to this group.`,
    file: table.file,
    line: lines[0] ?? (table.headerLine || 1),
    group,
    related: lines.slice(1).map((line) => ({ file: table.file, line, message: 'point of this group' })),
  });
}

export function fitFailed(table: Table, group: string, line: number): Finding {
  return finding('fit-failed', 'warning', {
    message: `${group}: the law could not be fitted (no starting point reached a finite objective). Check the rows for values the law cannot produce (e.g. a metric that does not change with x).`,
    file: table.file,
    line,
    group,
  });
}

/** Rows left out of a sweep because `rule` does not hold for them: one finding at the first, the rest related. */
export function invalidRows(
  table: Table,
  rows: number[],
  rule: string,
  code: 'compute-invalid-row' | 'power-invalid-row',
): Finding {
  return finding(code, 'warning', {
    message: `${rows.length} row(s) skipped: ${rule} (first at line ${table.lines[rows[0]]}). Fix or remove them to include them in the fit.`,
    file: table.file,
    line: table.lines[rows[0]],
    related: rows.slice(1, 20).map((r) => ({ file: table.file, line: table.lines[r], message: 'also skipped' })),
  });
}
