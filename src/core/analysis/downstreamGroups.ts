// A downstream sweep's rows in groups, one law each: (pretraining mix, D_f), named `MIX, D_f=VALUE`; and a group's
// rows at one D_p averaged into one point, with a finding that says which rows were merged (duplicate-dp).
import { finding } from '../findings';
import type { Column, Table } from '../table/types';
import { formatQuantity } from '../util/format';
import type { SweepPoint } from './breaks';
import type { SweepColumns, SweepRow } from './downstreamRows';
import { cellText, groupBy } from './groups';
import type { Finding } from './types';

/** The rows of one group and how it is named. */
export interface Group {
  label: string;
  /** D_f as written compactly ('42M'), when the file has a D_f column. */
  finetune?: string;
  fields: Record<string, string | number>;
  rows: SweepRow[];
}

/** How a row's group is named: `MIX, D_f=VALUE`, or the mix alone when the file has no D_f column. */
export function groupLabeller(group: Column | undefined, df: Column | undefined): (row: number) => string {
  return (row) => {
    const mix = (group ? cellText(group, row) : '') || (group ? '(no mix)' : 'all rows');
    return df ? `${mix}, D_f=${cellText(df, row) || '(empty)'}` : mix;
  };
}

/** The sweep's valid rows bucketed by (mix, D_f), in order of first appearance. */
export function groupRows(cols: SweepColumns, rows: SweepRow[]): Group[] {
  const byRow = new Map(rows.map((r) => [r.row, r]));
  const mixOf = (row: number) => (cols.group ? cellText(cols.group, row) : '');
  const dfOf = (row: number) => (cols.df ? cellText(cols.df, row) : '');
  const labelOf = groupLabeller(cols.group, cols.df);
  const buckets = groupBy(byRow.keys(), (row) => `${mixOf(row)}\u0000${dfOf(row)}`);
  return Array.from(buckets.values(), (members) => {
    const first = members[0];
    const mix = mixOf(first) || (cols.group ? '(no mix)' : 'all rows');
    const fields: Record<string, string | number> = { mix };
    if (cols.df) {
      const df = cols.df.values[first];
      fields.D_f = Number.isNaN(df) ? dfOf(first) : df;
    }
    return {
      label: labelOf(first),
      finetune: cols.df ? dfOf(first) : undefined,
      fields,
      rows: members.map((r) => byRow.get(r)!),
    };
  });
}

/** A group's BLEU and CE points, one per D_p (rows at one D_p averaged, said), ascending in D_p. */
export function mergeDuplicates(
  table: Table,
  group: Group,
  rows: SweepRow[],
  what: string,
  findings: Finding[],
): { bleu: SweepPoint[]; ce: SweepPoint[] } {
  const byDp = groupBy(rows.keys(), (i) => String(rows[i].dp));
  const bleu: SweepPoint[] = [];
  const ce: SweepPoint[] = [];
  for (const members of byDp.values()) {
    const list = members.map((i) => rows[i]);
    const mean = (f: (r: SweepRow) => number) => {
      const v = list.map(f).filter((x) => !Number.isNaN(x));
      return v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN;
    };
    const point = { dp: list[0].dp, line: list[0].line };
    const b = mean((r) => r.bleu);
    const c = mean((r) => r.ce);
    if (!Number.isNaN(b)) bleu.push({ ...point, value: b });
    if (!Number.isNaN(c)) ce.push({ ...point, value: c });
    if (list.length > 1) {
      const at = list[0].baseline ? 'the not-pretrained baseline' : formatQuantity('D_p', list[0].dp);
      findings.push(
        finding('duplicate-dp', 'warning', {
          message: `${group.label}: ${list.length} rows for ${at} (${what}, lines ${list.map((r) => r.line).join(', ')}). They were averaged into one point (BLEU ${Number.isNaN(b) ? '–' : b.toFixed(2)}, CE ${Number.isNaN(c) ? '–' : c.toPrecision(4)}). If they are different runs on purpose (seeds), this is fine; if one is a stale row, delete it.`,
          file: table.file,
          line: list[1].line,
          group: group.label,
          related: list
            .filter((_, k) => k !== 1)
            .map((r) => ({
              file: table.file,
              line: r.line,
              message: `same D_p: BLEU ${Number.isNaN(r.bleu) ? '–' : r.bleu}, CE ${Number.isNaN(r.ce) ? '–' : r.ce}`,
            })),
        }),
      );
    }
  }
  const byDpAscending = (p: SweepPoint, q: SweepPoint) => p.dp - q.dp;
  return { bleu: bleu.sort(byDpAscending), ce: ce.sort(byDpAscending) };
}
