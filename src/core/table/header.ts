// Header names -> unique column names. Roles and the CLI address columns by name, so every name must be
// non-empty and distinct; the file keeps its own spelling wherever possible.

import type { CellLocation } from './columnBuilder';
import { ProblemLog, quote } from './problems';

/**
 * Trims names, names empty ones "column_N" (pandas writes an unnamed index column) and renames repeats
 * "loss (2)", "loss (3)" with a warning at each repeat.
 */
export function uniqueColumnNames(
  raw: readonly string[],
  problems: ProblemLog,
  where: (index: number) => CellLocation,
): string[] {
  const taken = new Set<string>();
  const seen = new Map<string, number>();
  return raw.map((rawName, index) => {
    let name = rawName.trim();
    if (name === '') {
      name = `column_${index + 1}`;
      const at = where(index);
      problems.add(
        'header-empty-name',
        'info',
        at.line,
        at.column,
        `header field ${index + 1} has no name; it is called ${quote(name)} — give it a name in the file to refer to it`,
        at.field,
      );
    }
    const times = (seen.get(name) ?? 0) + 1;
    seen.set(name, times);
    if (times === 1 && !taken.has(name)) {
      taken.add(name);
      return name;
    }
    let n = Math.max(times, 2);
    while (taken.has(`${name} (${n})`)) n++;
    const renamed = `${name} (${n})`;
    taken.add(renamed);
    const at = where(index);
    problems.add(
      'header-duplicate',
      'warning',
      at.line,
      at.column,
      // The suffix after the name as quoted: a long name shortened alike in both would hide which one this is.
      `column name ${quote(name)} appears more than once in the header; this one is called ${quote(name).slice(0, -1)} (${n})" — ` +
        'rename the columns in the file to choose which is which',
      at.field,
    );
    return renamed;
  });
}
