// Files in, one Analysis out: read each file, decide what it is, run the laws that apply, collect every finding.
import { finding } from '../findings';
import { detectRoles } from '../table';
import { readSources, type SourceOptions } from '../sources';
import type { ColumnRole, FileKind, ParseProblem, RoleAssignment, Table, TextOnlyColumn } from '../table/types';
import { seededRandom } from '../util/random';
import { analyseCompute } from './compute';
import { summariseCurveFindings } from './curveFindings';
import { analyseDownstream } from './downstream';
import {
  curveNameOf,
  disambiguateCurveNames,
  extractLossCurves,
  leaveOutUntrained,
  mergeScheduleOnlyCurves,
  type LossCurve,
} from './lossCurves';
import { analyseLossCurves, tooFewLossPoints, withoutMootRepeats } from './lossAnalysis';
import { withDefaults, type AnalysisOptions } from './options';
import { analysePower } from './power';
import { mplSizeLaw } from './mplSizeAnalysis';
import { analyseSizedCurves, attachModelSizes, sizeLawChoice, unmatchedSizes } from './sizeAnalysis';
import { tissueSizeLaw } from './tissueSizeAnalysis';
import { plainAnalysis } from './series';
import { judgeFits } from './trust';
import { withholdDiverged } from './departure';
import { warmupFalls } from './warmupFall';
import type { Analysis, AnalysisKind, FileSummary, Finding, LawAnalysis, LossLawId, Series } from './types';
import type { LossWarmStart } from './warmStart';
import { appendAll } from '../util/arrays';
import { plural } from '../util/format';

/** A reading problem as a finding, with the hints the catalogue gives its code. */
export function problemToFinding(p: ParseProblem): Finding {
  const { message, file, line, column } = p;
  // A delimited field is found on its line by position (cellColumn.ts): its name is not needed.
  const cell = p.cell && { cell: { name: '', ...p.cell } };
  return finding(p.code, p.severity, { message, file, line, column, ...cell });
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
      if (detected === 'unknown' && assignment.roles.step !== undefined && assignment.roles.lr !== undefined)
        return 'loss-curve';
      return detected;
    case 'lr-annealing':
    case 'lr-annealing-size':
    case 'mpl-size':
    case 'mpl':
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

/** Each known kind of file in words, for a law asked of a file of another kind. */
const KIND_NAMES: Record<Exclude<FileKind, 'unknown'>, string> = {
  'loss-curve': 'loss curves',
  downstream: 'a downstream sweep (D_p with BLEU or cross-entropy)',
  compute: 'an (N, D) compute sweep',
};

function unidentified(table: Table, assignment: RoleAssignment, law: AnalysisOptions['law']): Finding {
  const names = table.columns.map((c) => c.name).join(', ') || 'none';
  const wanted = law === 'auto' ? '' : ` for the ${law} law`;
  // A law asked of a file the columns tell is of another kind: say both, not that the file could not be told.
  const needs = kindFor(law, assignment);
  const detected = assignment.kind;
  const mismatch =
    law !== 'auto' && detected !== 'unknown' && needs !== 'power' && needs !== 'unknown' && needs !== detected
      ? `The ${law} law fits ${KIND_NAMES[needs]}, and the columns of this file (${names}) make it ${KIND_NAMES[detected]}.`
      : undefined;
  // Only tables with rows get here: an empty one has its own finding (no-data-rows, file-empty).
  return finding('columns-unidentified', 'warning', {
    message: (
      mismatch ??
      `Could not tell what this file holds${wanted} from its columns (${names}). ${assignment.notes.join(' ')}`
    )
      .replace(/\s+/g, ' ')
      .trim(),
    file: table.file,
    line: table.headerLine || 1,
    // Each shell names its own way to choose the law (a flag, a setting, the picker).
    ...(mismatch && { hints: [{ kind: 'choose-law', law: 'auto' }] }),
  });
}

/**
 * A column named like the step, loss or LR without a single number: every row's value is left out, and without this
 * the analysis would only say the curve has no loss (or no LR), not which column and cell were the reason.
 */
function textOnlyFinding(table: Table, c: TextOnlyColumn): Finding {
  return finding('cell-not-numeric', 'warning', {
    message: `column "${c.name}" holds no number, only text (the first: "${c.cell}" at line ${c.line}), so it is not taken as the ${c.role}; fix its cells, or map another column to the ${c.role} role.`,
    file: table.file,
    line: c.line,
    hints: [{ kind: 'map-role', roles: [c.role] }],
  });
}

function merge(into: LawAnalysis<Series>, part: LawAnalysis<Series>): void {
  appendAll(into.curves, part.curves);
  appendAll(into.fits, part.fits);
  appendAll(into.predictions, part.predictions);
  appendAll(into.findings, part.findings);
}

/** What an analysis keeps of its tables: everything but the tables themselves. */
export interface CollectedTables {
  options: AnalysisOptions;
  /** When the analysis proper started (after reading), for timings.fitMs. */
  started: number;
  out: LawAnalysis<Series>;
  files: FileSummary[];
  lossCurves: LossCurve[];
  kinds: Set<AnalysisKind>;
  /** The loss curves were merged and named apart (fittedCurves): done once, however often they are fitted. */
  curvesReady?: boolean;
  /** The first loss log whose every row was left out (no curve from it), where "nothing to fit" is said. */
  lossRowsLeftOut?: { file: string; line: number };
}

/**
 * The first half of an analysis: each table read into what its law needs (a downstream or compute table is analysed
 * here, a loss log gives its curves, fitted together by finishAnalysis). Nothing returned refers to the tables, so a
 * caller that lets go of them has them collected before the fit (a million-row table is tens of MB).
 */
export function collectTables(tables: Table[], partial: Partial<AnalysisOptions> = {}): CollectedTables {
  const options = withDefaults(partial);
  const collected: CollectedTables = {
    options,
    started: performance.now(),
    out: { curves: [], fits: [], predictions: [], findings: [] },
    files: [],
    lossCurves: [],
    kinds: new Set(),
  };
  const { out, files, lossCurves, kinds } = collected;
  const sources = sourceNames(tables);
  const unmatched = new UnmatchedMappings(tables.length);

  for (const [i, table] of tables.entries()) {
    appendAll(out.findings, table.problems.map(problemToFinding));
    const assignment = detectRoles(table, options.columns, tables.length === 1);
    unmatched.add(table, assignment);
    files.push(summarise(table, assignment));
    const kind = kindFor(options.law, assignment);
    if (table.rowCount === 0) continue;
    switch (kind) {
      case 'loss-curve': {
        kinds.add('loss-curve');
        appendAll(
          out.findings,
          (assignment.textOnly ?? []).map((c) => textOnlyFinding(table, c)),
        );
        if (
          assignment.roles.step === undefined ||
          (assignment.roles.loss === undefined && assignment.roles.lr === undefined)
        ) {
          out.findings.push(unidentified(table, assignment, options.law));
          break;
        }
        const extracted = extractLossCurves(table, assignment);
        if (extracted.curves.length === 0) collected.lossRowsLeftOut ??= { file: table.file, line: table.lines[0] };
        appendAll(lossCurves, extracted.curves);
        appendAll(out.findings, extracted.findings);
        const params = assignment.roles.params;
        // Under 'auto' too: curves of several sizes choose the model-size law (sizeLawChoice).
        if (['lr-annealing-size', 'mpl-size', 'auto'].includes(options.law) && params !== undefined)
          appendAll(out.findings, attachModelSizes(table, params, extracted.curves));
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
        kinds.add('power');
        merge(out, analysePower(table, assignment, options, sources?.[i]));
        break;
      default:
        out.findings.push(unidentified(table, assignment, options.law));
    }
  }
  appendAll(out.findings, unmatched.findings());
  return collected;
}

/** Files and column names a finding lists before it says how many more there are. */
const LISTED = 5;

/**
 * Column mappings that name no column of a file, gathered over the files of one analysis: one mapping applied to a
 * folder of runs is said once, naming the files it missed, not once per file (inspect says it per file).
 */
class UnmatchedMappings {
  private readonly byMapping = new Map<string, { role: ColumnRole; first: Table; files: string[]; count: number }>();

  constructor(private readonly tableCount: number) {}

  add(table: Table, assignment: RoleAssignment): void {
    for (const { role, name } of assignment.unmatched ?? []) {
      const key = `${role}=${name}`;
      const seen = this.byMapping.get(key) ?? { role, first: table, files: [], count: 0 };
      seen.count++;
      if (seen.files.length < LISTED) seen.files.push(table.file);
      this.byMapping.set(key, seen);
    }
  }

  findings(): Finding[] {
    return [...this.byMapping].map(([mapping, { role, first, files, count }]) => {
      const more = (n: number) => (n > 0 ? `, and ${n} more` : '');
      const names = first.columns.map((c) => c.name);
      const columns = (names.slice(0, 4 * LISTED).join(', ') || 'none') + more(names.length - 4 * LISTED);
      const where =
        this.tableCount === 1
          ? `this file, so the columns detected were used instead (its columns: ${columns})`
          : `${plural(count, 'file')} of ${this.tableCount} (${files.join(', ')}${more(count - files.length)}), so the columns detected there were used instead (the columns of ${first.file}: ${columns})`;
      return finding('column-mapping-unmatched', 'warning', {
        message: `The column mapping ${mapping} names no column in ${where}; map a column the file has, or check the name's spelling.`,
        file: first.file,
        line: first.headerLine || 1,
        hints: [{ kind: 'map-role', roles: [role] }],
      });
    });
  }
}

/**
 * Each table's name among several (a folder's runs, files fitted together), told apart as loss curves' names are:
 * the power law, fitted per table, names its curves by them, or every run's curve was "loss vs step". Undefined for
 * one table, whose curve needs no name of its file.
 */
function sourceNames(tables: readonly Table[]): string[] | undefined {
  if (tables.length < 2) return undefined;
  const names = tables.map((t) => ({ name: curveNameOf(t), file: t.file }));
  disambiguateCurveNames(names);
  return names.map((n) => n.name);
}

/**
 * The second half: the loss curves of every table fitted together, and everything in one Analysis. Loss curves'
 * series are typed arrays here (the language server keeps them so); analyseTables gives the plain form.
 */
export function finishAnalysis(collected: CollectedTables, parseMs = 0, warm?: LossWarmStart): Analysis<Series> {
  const { options, started, out, files, kinds } = collected;
  const curves = fittedCurves(collected);
  if (curves.length) {
    const random = seededRandom(options.seed + 7);
    const sized = sizeLawChoice(curves, options);
    const sizeLaw = options.law === 'mpl-size' ? mplSizeLaw : tissueSizeLaw;
    appendAll(out.findings, unmatchedSizes(curves, options.sizes));
    appendAll(out.findings, warmupFalls(curves, options.warmupSteps));
    merge(
      out,
      sized
        ? analyseSizedCurves(curves, options, random, sized, sizeLaw)
        : analyseLossCurves(curves, options, random, warm),
    );
    withholdDiverged(out, curves);
    out.findings = withoutMootRepeats(out.findings, curves);
  } else if (collected.lossRowsLeftOut) {
    // Every row of the loss logs was left out (negative steps, no step): their findings say why, this that nothing
    // was fitted, as it is said for curves with too few points.
    const why = ' (every row was left out; the findings on its rows say why)';
    out.findings.push(tooFewLossPoints(options, 0, why, collected.lossRowsLeftOut));
  }
  judgeFits(out);
  out.findings = summariseCurveFindings(out.findings);
  return {
    version: 1,
    kind: kinds.size === 1 ? [...kinds][0] : 'unknown',
    files,
    ...out,
    timings: { parseMs, fitMs: performance.now() - started },
  };
}

/**
 * The loss curves to fit: a schedule logged apart merged into its curve, same-named curves told apart. Both change
 * the curves in place, so they are done once and kept: tables collected once may be finished twice
 * (finishAnalysisWith).
 */
function fittedCurves(collected: CollectedTables): LossCurve[] {
  if (!collected.curvesReady) {
    collected.lossCurves = mergeScheduleOnlyCurves(collected.lossCurves);
    disambiguateCurveNames(collected.lossCurves);
    appendAll(collected.out.findings, leaveOutUntrained(collected.lossCurves));
    collected.curvesReady = true;
  }
  return collected.lossCurves;
}

/**
 * The loss rows `law: 'auto'` compares both loss-curve laws on (lawChoice.ts): every loss row of the curves; 0 when
 * it compares none (a law is forced, or the curves are of several model sizes and the model-size law is chosen).
 */
export function lawChoiceRows(collected: CollectedTables): number {
  const curves = fittedCurves(collected);
  if (collected.options.law !== 'auto' || sizeLawChoice(curves, collected.options) !== undefined) return 0;
  return curves.reduce((rows, c) => rows + c.steps.length, 0);
}

/**
 * The law a provisional first answer is fitted with while `law: 'auto'` compares both: the fast one (a million-row
 * log in about a second, against auto's 15 s, which fits and backtests both laws).
 */
export const PROVISIONAL_LAW: LossLawId = 'lr-annealing';

/**
 * The analysis with the loss-curve law forced to `law`, flagged provisional: a cheap first answer from tables
 * collected once while `law: 'auto'` compares the laws on them. `collected` is left as it was (its findings, fits
 * and predictions are copied before this analysis adds to them), so finishAnalysis gives the full answer after it.
 */
export function finishAnalysisWith(collected: CollectedTables, law: LossLawId, parseMs = 0): Analysis<Series> {
  fittedCurves(collected);
  const { out } = collected;
  const copy: CollectedTables = {
    ...collected,
    options: { ...collected.options, law },
    out: {
      curves: [...out.curves],
      fits: [...out.fits],
      predictions: [...out.predictions],
      findings: [...out.findings],
    },
  };
  return { ...finishAnalysis(copy, parseMs), provisional: { law } };
}

/**
 * A provisional first answer (PROVISIONAL_LAW's analysis) when `law: 'auto'` is to compare the laws on at least
 * `fromRows` loss rows, and its wait is worth shortening; null otherwise.
 */
export function provisionalAnalysis(
  collected: CollectedTables,
  fromRows: number,
  parseMs = 0,
): Analysis<Series> | null {
  return lawChoiceRows(collected) >= fromRows ? finishAnalysisWith(collected, PROVISIONAL_LAW, parseMs) : null;
}

/** Analyse tables already read. */
export function analyseTables(tables: Table[], partial: Partial<AnalysisOptions> = {}, parseMs = 0): Analysis {
  return plainAnalysis(finishAnalysis(collectTables(tables, partial), parseMs));
}

/** Read every file from disk (streaming) and analyse them together. */
export async function analyseFiles(
  paths: string[],
  partial: Partial<AnalysisOptions> = {},
  read: SourceOptions = {},
): Promise<Analysis> {
  const started = performance.now();
  const collected = await readAndCollect(paths, partial, read);
  return plainAnalysis(finishAnalysis(collected, collected.started - started));
}

/** Its own frame, so the tables are garbage by the time the curves are fitted. */
async function readAndCollect(
  paths: string[],
  partial: Partial<AnalysisOptions>,
  read: SourceOptions,
): Promise<CollectedTables> {
  const { tables, problems } = await readSources(paths, read);
  const collected = collectTables(tables, partial);
  appendAll(collected.out.findings, problems.map(problemToFinding));
  return collected;
}
