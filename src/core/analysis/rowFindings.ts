// Findings about single rows, summarised: a log with a million `nan` losses or 300,000 negative steps must not
// produce a million findings (the editor would get a 100 MB diagnostics message, the CLI a million lines). Each code
// keeps its first row's finding, a count and the first few lines; one finding per code comes out.
import { finding, type FindingCode, type SeverityOf } from '../findings';
import type { Finding } from './types';

/** Rows named in a summary's related list (the Problems panel links each). */
const LISTED_ROWS = 20;

interface Group {
  first: Finding;
  count: number;
  related: { file: string; line: number; message: string }[];
}

export class RowFindings {
  private readonly groups = new Map<string, Group>();

  add<C extends FindingCode>(code: C, severity: SeverityOf<C>, message: string, file: string, line: number): void {
    const key = `${code}\u0000${severity}\u0000${file}`;
    const group = this.groups.get(key);
    if (!group) {
      this.groups.set(key, { first: finding(code, severity, { message, file, line }), count: 1, related: [] });
      return;
    }
    group.count++;
    if (group.related.length < LISTED_ROWS) group.related.push({ file, line, message });
  }

  /** One finding per code: the first row's, with the count and the next rows listed when there were more. */
  findings(): Finding[] {
    return [...this.groups.values()].map(({ first, count, related }) => {
      if (count === 1) return first;
      const more = count - 1;
      return {
        ...first,
        message: `${first.message} Also on ${more.toLocaleString('en-US')} more row${more === 1 ? '' : 's'} (${related
          .slice(0, 5)
          .map((r) => `line ${r.line}`)
          .join(', ')}${more > 5 ? ', …' : ''}).`,
        rows: count,
        related,
      };
    });
  }
}
