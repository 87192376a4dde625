// Findings every sweep law (downstream, compute, power) raises the same way: too few points for a law, a fit that
// failed, rows left out because a value is unusable.
import { finding } from '../findings';
import type { Table } from '../table/types';
import { shownName } from '../util/controls';
import { CURVES_LINKED, CURVES_NAMED } from './curveFindings';
import type { Finding } from './types';
import { plural } from '../util/format';

/** A group (or a run's curve) with too few usable points for its law. */
export interface ShortGroup {
  name: string;
  /** Usable points. */
  count: number;
  /** Their source lines (the first locates the finding). */
  lines: number[];
  /** What this group lacks, said before the law's `why` (a downstream group's points per metric). */
  detail?: string;
}

/** Why a law was not fitted and what adds the points it needs, said once however many groups are short. */
export interface TooFewWords {
  /** What the law needs: "The power law has 3 coefficients and needs at least 3 points". */
  why: string;
  /** The remedy for what was fitted: more runs of a sweep, more logged points of a loss curve. */
  remedy: string;
  /** Which law was not fitted, when a group has others that were (a downstream group's BLEU or CE law). */
  law?: string;
  /** What the short ones are called together: a sweep's groups, or the curves of a file's runs. */
  plural?: 'groups' | 'curves';
}

/**
 * The groups of one table short of points for their law, as one finding: each group named with its count and the
 * why and remedy said once (a file of eight runs, each too short for the power law, read the same remedy eight times).
 * One group keeps its own message, located on its first point with the others related.
 */
export function tooFewPoints(table: Table, short: readonly ShortGroup[], words: TooFewWords): Finding | undefined {
  const [first] = short;
  if (!first) return undefined;
  const law = words.law ?? 'law';
  const file = table.file;
  const line = (g: ShortGroup) => g.lines[0] ?? (table.headerLine || 1);
  const tail = `${words.why}. ${words.remedy}`;
  if (short.length === 1)
    return finding('too-few-points', 'info', {
      message: `${first.name}: only ${first.count} usable point(s), so no ${law} was fitted. ${first.detail ? `${first.detail}. ` : ''}${tail}`,
      file,
      line: line(first),
      group: first.name,
      related: first.lines.slice(1).map((l) => ({ file, line: l, message: 'point of this group' })),
    });
  const each = (g: ShortGroup) => `"${shownName(g.name)}" (${g.detail ?? plural(g.count, 'usable point')})`;
  const named = short.slice(0, CURVES_NAMED).map(each).join(', ');
  return finding('too-few-points', 'info', {
    message: `${short.length} ${words.plural ?? 'groups'} have too few usable points, so no ${law} was fitted: ${named}${short.length > CURVES_NAMED ? ', …' : ''}. ${tail}`,
    file,
    line: line(first),
    group: first.name,
    curves: short.length,
    related: short
      .slice(1, CURVES_LINKED + 1)
      .map((g) => ({ file, line: line(g), message: `${shownName(g.name)}: only ${g.count} usable point(s)` })),
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
