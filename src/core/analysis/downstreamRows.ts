// Which rows of a downstream sweep are usable: a D_p (or the not-pretrained baseline marker), BLEU in [0, 100] and a
// positive CE. Every rejected cell becomes a located finding, and so does a sweep missing a column it needs.
import { maxOf } from '../util/arrays';
import { MAX_TOKENS } from '../util/counts';
import { finding, type SeverityOf } from '../findings';
import { textAt, type Column, type ColumnRole, type Table } from '../table/types';
import { cellText } from './groups';
import type { Finding } from './types';

/** D_p cells that mean "not pretrained" (the baseline row), compared lower-case and trimmed. */
const BASELINE_MARKER = /^(none|baseline|no[ _-]?pretrain(ing|ed)?|not[ _-]?pretrained|scratch|from[ _-]scratch|-)$/;

/** Columns the analysis reads; optional ones may be absent. */
export interface SweepColumns {
  dp: Column;
  group?: Column;
  df?: Column;
  bleu?: Column;
  ce?: Column;
}

/** Cells of a sweep row that cannot be used, each reported once for all its rows. */
type InvalidCellCode = 'dp-invalid' | 'bleu-out-of-range' | 'bleu-zero' | 'ce-invalid';

/** One usable row after validation. */
export interface SweepRow {
  row: number;
  line: number;
  baseline: boolean;
  dp: number;
  bleu: number;
  ce: number;
}

export function baselineCell(dp: Column, row: number): boolean {
  const text = textAt(dp, row);
  if (text !== undefined) return BASELINE_MARKER.test(text.trim().toLowerCase());
  return dp.values[row] === 0;
}

/** What the sweep lacks (D_p, a score, or both), with the roles to map for exactly that. */
export function missingColumns(table: Table, cols: Partial<SweepColumns>): Finding {
  const noScore = !cols.bleu && !cols.ce;
  const missing = [
    !cols.dp && 'pretraining tokens D_p (role pretrainData)',
    noScore && 'a BLEU or downstream cross-entropy column (roles bleu, ce)',
  ]
    .filter(Boolean)
    .join(' and ');
  const roles: ColumnRole[] = [];
  if (!cols.dp) roles.push('pretrainData');
  if (noScore) roles.push('bleu', 'ce');
  return finding('downstream-missing-column', 'error', {
    message: `A downstream sweep needs ${missing}. Columns in this file: ${table.columns.map((c) => c.name).join(', ')}.`,
    file: table.file,
    line: table.headerLine || 1,
    hints: [{ kind: 'map-role', roles }],
  });
}

/** Rows with a usable D_p; every rejected cell becomes a located finding. Metric cells out of range become NaN. */
export function validRows(table: Table, cols: SweepColumns, findings: Finding[]): SweepRow[] {
  const bad = {
    dp: [] as number[],
    huge: [] as number[],
    bleu: [] as number[],
    zero: [] as number[],
    ce: [] as number[],
  };
  const rows: SweepRow[] = [];
  for (let row = 0; row < table.rowCount; row++) {
    const baseline = baselineCell(cols.dp, row);
    const dp = cols.dp.values[row];
    if (!baseline && !(dp > 0 && Number.isFinite(dp))) {
      bad.dp.push(row);
      continue;
    }
    if (!baseline && dp > MAX_TOKENS) {
      bad.huge.push(row);
      continue;
    }
    let bleu = cols.bleu ? cols.bleu.values[row] : NaN;
    if (bleu < 0 || bleu > 100 || bleu === Infinity) {
      bad.bleu.push(row);
      bleu = NaN;
    } else if (bleu === 0 && !baseline) bad.zero.push(row);
    let ce = cols.ce ? cols.ce.values[row] : NaN;
    if (!Number.isNaN(ce) && !(ce > 0 && Number.isFinite(ce))) {
      bad.ce.push(row);
      ce = NaN;
    }
    rows.push({ row, line: table.lines[row], baseline, dp: baseline ? 0 : dp, bleu, ce });
  }
  const cell = (c: Column | undefined, r: number) => (c ? cellText(c, r) || '(empty)' : '');
  const report = <C extends InvalidCellCode>(
    list: number[],
    code: C,
    severity: SeverityOf<C>,
    message: string,
    column?: Column,
  ) => {
    if (!list.length) return;
    findings.push(
      finding(code, severity, {
        message: message
          .replace('{first}', `line ${table.lines[list[0]]}, value ${cell(column, list[0])}`)
          .replace('{n}', String(list.length)),
        file: table.file,
        line: table.lines[list[0]],
        related: list.slice(1, 50).map((r) => ({
          file: table.file,
          line: table.lines[r],
          message: `${column?.name ?? ''} = ${cell(column, r)}`,
        })),
      }),
    );
  };
  report(
    bad.dp,
    'dp-invalid',
    'warning',
    `{n} row(s) have a pretraining-token count D_p ('${cols.dp.name}') that is negative, empty or not a number ({first}); they were skipped. D_p must be > 0, or 0 / 'none' / 'baseline' / 'not pretrained' for the not-pretrained baseline.`,
    cols.dp,
  );
  report(
    bad.huge,
    'dp-invalid',
    'warning',
    `{n} row(s) have a pretraining-token count D_p ('${cols.dp.name}') above ${MAX_TOKENS.toExponential(0)} ({first}), a million times the largest corpora: a stray value, or a column that is not a token count; they were skipped.`,
    cols.dp,
  );
  report(
    bad.bleu,
    'bleu-out-of-range',
    'warning',
    `{n} row(s) have BLEU outside [0, 100] ({first}); those BLEU values were ignored (cross-entropy on the same rows is kept). BLEU is on the 0–100 scale; a value outside it is a logging error.`,
    cols.bleu,
  );
  report(
    bad.zero,
    'bleu-zero',
    'info',
    `{n} row(s) have BLEU = 0 ({first}). The law is fitted on log BLEU, so these rows are left out of the fit; they still count in the non-monotonic and break checks.`,
    cols.bleu,
  );
  report(
    bad.ce,
    'ce-invalid',
    'warning',
    `{n} row(s) have a cross-entropy that is not a positive number ({first}); those values were ignored.`,
    cols.ce,
  );
  return rows;
}

/** BLEU written as a fraction (all values <= 1) makes a tolerance in BLEU points meaningless: say so. */
export function bleuScaleFindings(table: Table, cols: SweepColumns, rows: SweepRow[]): Finding[] {
  const values = rows.map((r) => r.bleu).filter((v) => v > 0);
  if (!cols.bleu || values.length < 3 || maxOf(values) > 1) return [];
  return [
    finding('bleu-fraction-scale', 'info', {
      message: `Every BLEU value in '${cols.bleu.name}' is at most 1: the scores look like fractions, not BLEU points (0–100). Break tolerances are in BLEU points (default 1.0), so either multiply the column by 100 or set the break tolerance to e.g. 0.01.`,
      file: table.file,
      line: table.headerLine || 1,
    }),
  ];
}
