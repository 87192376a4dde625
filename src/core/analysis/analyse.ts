// Files in, one Analysis out: read each file, decide what it is, run the laws that apply, collect every finding.
import { readTable, detectRoles } from '../table';
import type { ParseProblem, ReadOptions, RoleAssignment, Table } from '../table/types';
import { seededRandom } from '../util/random';
import { analyseCompute } from './compute';
import { analyseDownstream } from './downstream';
import { disambiguateCurveNames, extractLossCurves, mergeScheduleOnlyCurves, type LossCurve } from './lossCurves';
import { analyseLossCurves } from './lossAnalysis';
import { withDefaults, type AnalysisOptions } from './options';
import { analysePower } from './power';
import type { Analysis, FileSummary, Finding, LawAnalysis } from './types';

export function problemToFinding(p: ParseProblem): Finding {
  return { code: p.code, severity: p.severity, message: p.message, file: p.file, line: p.line, column: p.column };
}

export function summarise(table: Table, assignment: RoleAssignment): FileSummary {
  const roleOf = new Map(Object.entries(assignment.roles).map(([role, index]) => [index, role]));
  return {
    file: table.file,
    format: table.format,
    delimiter: table.delimiter,
    kind: assignment.kind,
    rows: table.rowCount,
    rowsRejected: table.rowsRejected,
    columns: table.columns.map((c, i) => ({
      name: c.name,
      role: roleOf.get(i) as FileSummary['columns'][number]['role'],
      numeric: c.numericCount,
      text: c.textCount,
      empty: c.emptyCount,
    })),
    notes: assignment.notes,
    headerLine: table.headerLine,
    bytes: table.bytesRead,
  };
}

/** The kind a forced law needs; 'auto' trusts what the columns say. */
function kindFor(law: AnalysisOptions['law'], assignment: RoleAssignment): RoleAssignment['kind'] | 'power' {
  const detected = assignment.kind;
  switch (law) {
    case 'auto':
      // Step and LR without a loss: the schedule half of a run logged in two files (TensorBoard exports).
      if (detected === 'unknown' && assignment.roles.step !== undefined && assignment.roles.lr !== undefined) return 'loss-curve';
      return detected;
    case 'lr-annealing':
      return 'loss-curve';
    case 'bleu':
    case 'downstream-ce':
      return 'downstream';
    case 'chinchilla':
      return 'compute';
    case 'power':
      return 'power';
  }
}

function unidentified(table: Table, assignment: RoleAssignment, law: AnalysisOptions['law']): Finding {
  const names = table.columns.map((c) => c.name).join(', ') || 'none';
  const wanted = law === 'auto' ? '' : ` for the ${law} law`;
  return {
    code: 'columns-unidentified',
    severity: table.rowCount ? 'warning' : 'info',
    message: `Could not tell what this file holds${wanted} from its columns (${names}). ${assignment.notes.join(' ')} Map the columns with --columns role=name (setting scalingLens.columns), e.g. step=iter,loss=val_loss,lr=learning_rate.`.replace(/\s+/g, ' '),
    file: table.file,
    line: table.headerLine || 1,
  };
}

function merge(into: LawAnalysis, part: LawAnalysis): void {
  into.curves.push(...part.curves);
  into.fits.push(...part.fits);
  into.predictions.push(...part.predictions);
  into.findings.push(...part.findings);
}

/** Analyse tables already read (the language server reads open documents itself). */
export function analyseTables(tables: Table[], partial: Partial<AnalysisOptions> = {}, parseMs = 0): Analysis {
  const options = withDefaults(partial);
  const started = performance.now();
  const random = seededRandom(options.seed + 7);
  const out: LawAnalysis = { curves: [], fits: [], predictions: [], findings: [] };
  const files: FileSummary[] = [];
  const lossCurves: LossCurve[] = [];
  const kinds = new Set<RoleAssignment['kind']>();

  for (const table of tables) {
    out.findings.push(...table.problems.map(problemToFinding));
    const assignment = detectRoles(table, options.columns);
    files.push(summarise(table, assignment));
    const kind = kindFor(options.law, assignment);
    if (table.rowCount === 0) continue;
    switch (kind) {
      case 'loss-curve': {
        kinds.add('loss-curve');
        if (assignment.roles.step === undefined || (assignment.roles.loss === undefined && assignment.roles.lr === undefined)) {
          out.findings.push(unidentified(table, assignment, options.law));
          break;
        }
        const extracted = extractLossCurves(table, assignment);
        lossCurves.push(...extracted.curves);
        out.findings.push(...extracted.findings);
        break;
      }
      case 'downstream':
        kinds.add('downstream');
        merge(out, analyseDownstream(table, assignment, options));
        break;
      case 'compute':
        kinds.add('compute');
        merge(out, analyseCompute(table, assignment, options));
        break;
      case 'power':
        kinds.add('compute');
        merge(out, analysePower(table, assignment, options));
        break;
      default:
        out.findings.push(unidentified(table, assignment, options.law));
    }
  }
  if (lossCurves.length) {
    const curves = mergeScheduleOnlyCurves(lossCurves);
    disambiguateCurveNames(curves);
    merge(out, analyseLossCurves(curves, options, random));
  }
  return {
    version: 1,
    kind: kinds.size === 1 ? [...kinds][0] : 'unknown',
    files,
    ...out,
    timings: { parseMs, fitMs: performance.now() - started },
  };
}

/** Read every file from disk (streaming) and analyse them together. */
export async function analyseFiles(paths: string[], partial: Partial<AnalysisOptions> = {}, read: ReadOptions = {}): Promise<Analysis> {
  const started = performance.now();
  const tables = await Promise.all(paths.map((p) => readTable(p, read)));
  return analyseTables(tables, partial, performance.now() - started);
}
