// What the tool sees in files without fitting anything: the parse-only path (also what the benchmarks time).
import { detectRoles } from '../table';
import { readSources, type SourceOptions } from '../sources';
import { textAt, type Table } from '../table/types';
import { problemToFinding, summarise } from './analyse';
import { groupLabeller } from './downstreamGroups';
import { curveNameOf, extractLossCurves } from './lossCurves';
import type { AnalysisOptions } from './options';
import type { FileSummary, Finding } from './types';
import { appendAll } from '../util/arrays';

export interface Inspection {
  files: FileSummary[];
  /** Per file: the curves (loss files) or groups (downstream files) found. */
  series: Map<string, string[]>;
  findings: Finding[];
}

function distinctValues(table: Table, column: number | undefined): string[] {
  if (column === undefined) return [];
  const c = table.columns[column];
  const seen = new Set<string>();
  for (let r = 0; r < table.rowCount; r++) {
    const text = textAt(c, r);
    if (text !== undefined) seen.add(text);
    else if (!Number.isNaN(c.values[r])) seen.add(String(c.values[r]));
  }
  return [...seen];
}

export function inspectTables(tables: Table[], columns: AnalysisOptions['columns'] = {}): Inspection {
  const files: FileSummary[] = [];
  const series = new Map<string, string[]>();
  const findings: Finding[] = [];
  for (const table of tables) {
    const assignment = detectRoles(table, columns, tables.length === 1);
    files.push(summarise(table, assignment));
    appendAll(findings, table.problems.map(problemToFinding));
    if (assignment.kind === 'loss-curve') {
      const extracted = extractLossCurves(table, assignment);
      series.set(
        table.file,
        extracted.curves.map((c) => c.name),
      );
      appendAll(findings, extracted.findings);
    } else if (assignment.kind === 'downstream') {
      const col = (i: number | undefined) => (i === undefined ? undefined : table.columns[i]);
      const label = groupLabeller(col(assignment.roles.group), col(assignment.roles.finetuneData));
      series.set(table.file, [...new Set(Array.from({ length: table.rowCount }, (_, r) => label(r)))]);
    } else {
      const runs = distinctValues(table, assignment.roles.run);
      if (runs.length) series.set(table.file, runs);
      else if (table.rowCount) series.set(table.file, [curveNameOf(table)]);
    }
  }
  return { files, series, findings };
}

export async function inspectFiles(
  paths: string[],
  columns: AnalysisOptions['columns'] = {},
  read: SourceOptions = {},
): Promise<Inspection> {
  const { tables, problems } = await readSources(paths, read);
  const inspection = inspectTables(tables, columns);
  appendAll(inspection.findings, problems.map(problemToFinding));
  return inspection;
}
