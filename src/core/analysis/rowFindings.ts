// Findings about single rows, bounded: a log with a million `nan` losses or 300,000 negative steps must not produce a
// million findings (the editor would get a 100 MB diagnostics message, the CLI a million lines). The first rows of
// each code keep a finding each, so a few bad rows are marked where they are; the rest become one finding with their
// count and the first of them linked.
import { finding, type FindingCode, type SeverityOf } from '../findings';
import type { Finding, FindingCell } from './types';
import { pluralNoun } from '../util/format';

/** Rows of one code that get a finding of their own. */
const ROWS_SHOWN = 20;
/** Rows past those named in the summary's related list (the Problems panel links each). */
export const ROWS_LINKED = 20;
/** Rows of one code a group ever reads the message or place of: those past it are only counted (RowFindings.count). */
export const ROWS_READ = ROWS_SHOWN + ROWS_LINKED;

interface Group {
  shown: Finding[];
  /** The rows past ROWS_SHOWN: how many, and the first ROWS_LINKED of them. */
  more: number;
  linked: { file: string; line: number; message: string }[];
  /** The cell of the first of them, where the summary is said (its value as its message shows it: FindingCell.shown). */
  firstCell?: FindingCell;
}

/** A finding on a row's line, with the cell at fault when the table knows it (Finding.cell). */
export function rowFinding<C extends FindingCode>(
  code: C,
  severity: SeverityOf<C>,
  message: string,
  file: string,
  line: number,
  cell?: FindingCell,
): Finding {
  return finding(code, severity, { message, file, line, ...(cell && { cell }) });
}

const groupKey = (code: FindingCode, severity: string, file: string) => `${code}\u0000${severity}\u0000${file}`;

export class RowFindings {
  private readonly groups = new Map<string, Group>();

  /** A row's finding (rowFinding): its own while its code has few, else counted into one (and never built). */
  add<C extends FindingCode>(
    code: C,
    severity: SeverityOf<C>,
    message: string,
    file: string,
    line: number,
    cell?: FindingCell,
  ): void {
    const key = groupKey(code, severity, file);
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = { shown: [], more: 0, linked: [] }));
    if (group.shown.length < ROWS_SHOWN) group.shown.push(rowFinding(code, severity, message, file, line, cell));
    else {
      if (group.more++ === 0) group.firstCell = cell;
      if (group.linked.length < ROWS_LINKED) group.linked.push({ file, line, message });
    }
  }

  /**
   * More rows of a code, only counted: those a caller held back past ROWS_READ of them (given to add first), which the
   * summary would count and never name.
   */
  count<C extends FindingCode>(code: C, severity: SeverityOf<C>, file: string, rows: number): void {
    const group = this.groups.get(groupKey(code, severity, file));
    if (group) group.more += rows;
  }

  /** Each code's first rows as they are, then one finding for the rest of them with their count. */
  findings(): Finding[] {
    return [...this.groups.values()].flatMap(({ shown, more, linked, firstCell }) => {
      if (more === 0) return shown;
      const [first] = linked;
      const lines = linked.slice(0, 5).map((r) => r.line);
      const summary: Finding = {
        ...shown[0],
        message: `${more.toLocaleString('en-US')} more ${pluralNoun(more, 'row')} like line ${shown[0].line} (${pluralNoun(lines.length, 'line')} ${lines.join(', ')}${more > lines.length ? ', …' : ''}): ${first.message}`,
        line: first.line,
        rows: more,
        related: linked,
      };
      // Its line is another row's: the column is found there again from that row's cell (the same column's).
      delete summary.column;
      delete summary.cell;
      if (firstCell) summary.cell = firstCell;
      return [...shown, summary];
    });
  }
}
