// (N, D) sweeps: Chinchilla's L(N, D) = E + A/N^alpha + B/D^beta fitted exactly as the reference (summed Huber of
// log residuals), case-bootstrap intervals, loss-versus-compute curves by model size, and the compute-optimal
// N*, D* and loss at each budget the user asks for.
import { bootstrapIntervals, bootstrapParams, narrowedSpread, resampleIndices } from '../fit/bootstrap';
import {
  CHINCHILLA_PARAMETERS,
  chinchillaCoefficients,
  chinchillaLaw,
  chinchillaPoints,
  computeOptimal,
  fitChinchilla,
  type ChinchillaPoints,
} from '../laws/chinchilla';
import { finding, type Hint } from '../findings';
import { THIN_FIT_POINTS } from '../fit/robust';
import type { ColumnRole, RoleAssignment, Table } from '../table/types';
import { quantile, seededRandom } from '../util/random';
import { medianOf } from '../util/select';
import { formatCompact, formatRange, formatSizes, sizeNames } from '../util/format';
import { findColumn, groupBy, unitNote } from './groups';
import { scoreFit } from './metrics';
import type { AnalysisOptions } from './options';
import {
  BOOTSTRAP_POINTS,
  mapBand,
  newRunBand,
  noRunBand,
  predictWithBand,
  runBandSetting,
  runScatter,
  type BandedPrediction,
  type RunScatter,
} from './bands';
import { curveReport, emptyAnalysis, fitSummary, lineList } from './reports';
import { MAX_PARAMS, MAX_TOKENS } from '../util/counts';
import { fitFailed, invalidRows, tooFewPoints } from './sweepFindings';
import type { BeyondFitted, CurveReport, Finding, FitProblem, LawAnalysis, LawLine, Prediction } from './types';
import { verdictFinding, withheld, withholdAllFor } from './trust';
import { beyondReach, farReason, pastPhrase, reachOf, sideOf, type Reach } from './reach';
import { appendAll, logGrid, maxOf, minOf } from '../util/arrays';

/** Columns flagging rows to leave out of the fit (value 1), as in Epoch's Chinchilla replication file. */
const EXCLUSION_COLUMNS = ['epoch_excluded', 'excluded', 'exclude'];
/** Five coefficients: fewer rows than this cannot pin them down. */
const MIN_ROWS = 6;
/** Above this many distinct model sizes, curves bin N by quarter decades instead of one curve per size. */
const MAX_SIZE_CURVES = 20;

interface ComputeRows {
  rows: number[];
  n: number[];
  d: number[];
  c: number[];
  loss: number[];
  /** 'tokens column' or 'C / (6N)'. */
  dSource: string;
  /** Rows flagged to leave out of the fit that are otherwise valid: charted greyed, never fitted. */
  excluded: { rows: number[]; c: number[]; loss: number[]; flag: string };
}

export function analyseCompute(table: Table, roles: RoleAssignment, options: AnalysisOptions): LawAnalysis {
  const out = emptyAnalysis();
  const { params, tokens, compute, loss } = roles.roles;
  if (params === undefined || loss === undefined || (tokens === undefined && compute === undefined)) {
    out.findings.push(missingColumns(table, roles));
    return out;
  }
  const data = readRows(table, roles, out.findings);
  if (data.rows.length < MIN_ROWS) {
    const short = { name: 'L(N, D)', count: data.rows.length, lines: data.rows.map((r) => table.lines[r]) };
    const words = { why: 'L(N, D) has 5 coefficients and needs at least 6 runs', remedy: 'Add runs at more sizes.' };
    const few = tooFewPoints(table, [short], words);
    if (few) out.findings.push(few);
    return out;
  }
  const points = chinchillaPoints(data.n, data.d);
  const observed = Float64Array.from(data.loss);
  const started = performance.now();
  const fit = fitChinchilla(points, observed, { delta: options.chinchillaDelta });
  if (!fit) {
    out.findings.push(fitFailed(table, 'L(N, D)', table.lines[data.rows[0]]));
    return out;
  }
  const fitMs = performance.now() - started;
  const sets = caseBootstrap(points, observed, fit.params, options);
  const k = chinchillaCoefficients(fit.params);
  const intervals = sets.length >= 2 ? bootstrapIntervals(k, sets.map(chinchillaCoefficients)) : undefined;
  const frontier = computeOptimal(k, 1);
  const scatter = runScatter(chinchillaLaw, points, observed, fit.params, options.seed);
  const onPoints = predictWithBand(chinchillaLaw, fit.params, sets, points, scatter);
  out.fits.push({
    law: 'chinchilla',
    formula: 'L = E + A / N^alpha + B / D^beta',
    params: { ...k },
    units: { A: 'loss · parameters^alpha', B: 'loss · tokens^beta', E: 'loss', alpha: '1', beta: '1' },
    normalized: {
      params: Object.fromEntries(CHINCHILLA_PARAMETERS.map((name, j) => [name, fit.params[j]])),
      note: 'solver parameters: A = e^a, B = e^b, E = e^e; log L = LSE(a - alpha ln N, b - beta ln D, e)',
    },
    intervals,
    ...fitSummary(fit, chinchillaLaw),
    fittedOn: [table.file],
    points: data.rows.length,
    settings: {
      huberDelta: options.chinchillaDelta,
      objective: 'summed Huber of ln(prediction) - ln(loss)',
      starts: `variable projection over (alpha, beta) in ${formatRange('0.05', '1.5')} (non-negative linear solve for E, A, B), best 4 refined by L-BFGS${data.rows.length > THIN_FIT_POINTS ? ` on ${THIN_FIT_POINTS} evenly spaced rows, the best of them then on every row by damped Gauss-Newton` : ''}`,
      N: unitNote(table.columns[params], 'parameters'),
      D: data.dSource,
      fittedRows: lineList(data.rows.map((r) => table.lines[r])),
      frontierG: frontier.G,
      frontierExponent: frontier.a,
      band: sets.length ? caseBandMethod(sets.length, data.rows.length) : 'none',
      ...runBandSetting(sets, scatter),
      fitMs: Math.round(fitMs),
    },
    quality: scoreFit(data.loss, onPoints.value),
    ...noRunBand(scatter),
  });
  const lineAt = (n: number, x: number[]) => ({
    x,
    ...predictWithBand(
      chinchillaLaw,
      fit.params,
      sets,
      chinchillaPoints(
        x.map(() => n),
        x.map((C) => C / (6 * n)),
      ),
      scatter,
    ),
  });
  appendAll(out.curves, sizeCurves(table, data, onPoints, lineAt));
  if (data.excluded.rows.length) out.curves.push(excludedCurve(table, data.excluded));
  const fitted: FittedRange = {
    N: { smallest: minOf(data.n), largest: maxOf(data.n) },
    D: { smallest: minOf(data.d), largest: maxOf(data.d) },
  };
  for (const budget of budgetsOf(options, data))
    out.predictions.push(budgetPrediction(budget, fit.params, { sets, scatter }, fitted));
  const where = { file: table.file, line: table.lines[data.rows[0]] };
  const levels = levelsProblem(data);
  if (levels) withholdAll(out, levels, where);
  withholdFar(out, data, where);
  return out;
}

/**
 * Fewer distinct values than this in N (or D) leave E + A/N^alpha (or E + B/D^beta) one number per value: three
 * unknowns for one or two values, so the term's exponent, and with it the compute-optimal split, is not pinned down.
 * The bootstrap does not show it: every refit stops where the solver's path does (E on its bound, intervals narrow).
 */
const MIN_LEVELS = 3;
/** Values within this ratio of the one below are one level (a size written 1.0e8 in one row and 1.004e8 in another). */
const SAME_LEVEL = 1.01;

/** The distinct levels of a quantity, ascending, values within SAME_LEVEL of a level's first counted as it. */
function levelsOf(values: readonly number[]): number[] {
  const levels: number[] = [];
  for (const v of [...values].sort((a, b) => a - b))
    if (!levels.length || v > levels[levels.length - 1] * SAME_LEVEL) levels.push(v);
  return levels;
}

/** Why the fitted rows cannot pin the law's N or D term (too few model sizes, too few token counts), or undefined. */
function levelsProblem(data: ComputeRows): FitProblem | undefined {
  const few = [
    { values: data.n, levels: levelsOf(data.n), what: 'model size', symbol: 'N', term: 'A/N^alpha' },
    { values: data.d, levels: levelsOf(data.d), what: 'token count', symbol: 'D', term: 'B/D^beta' },
  ].filter((q) => q.levels.length < MIN_LEVELS);
  if (!few.length) return oneLineProblem(data);
  const reasons = few.map(({ values, levels, what, symbol, term }) => {
    // Values merged into a level are said to be, or "two model sizes" reads false beside curves of 100M, 101M, 102M.
    const merged = new Set(values).size > levels.length ? `; ${what}s within 1 % of each other counted as one` : '';
    const shown = formatSizes(levels).join(' and ') + merged;
    return levels.length === 1
      ? `the runs are of one ${what} (${symbol} = ${shown}), so ${term} cannot be told from E`
      : `the runs are of two ${what}s (${symbol} = ${shown}): E and ${term} are three unknowns for two values`;
  });
  return {
    code: 'compute-levels-few',
    reason: `${reasons.join('; ')}: the law needs runs of at least three ${few.map((q) => `${q.what}s`).join(' and three ')}`,
  };
}

/**
 * Why the runs cannot tell the N term from the D term though each has three levels or more: every run's D is one
 * power of its N (every size trained at D = 20·N, the layout without IsoFLOP or other spread), so along the runs
 * A/N^alpha + B/D^beta is one function of N and the split between the terms, which sets N*, is free. From Hoffmann's
 * law with 0.05 % noise, ten sizes at D = 20·N put N* at 19M for a true 1.8B at C = 1e21, and its loss band left out
 * the true loss; the bootstrap's refits, started at the fit, stayed by it. Runs off the line by less than SAME_LEVEL
 * count as on it, as in levelsOf.
 */
function oneLineProblem(data: ComputeRows): FitProblem | undefined {
  const x = data.n.map(Math.log);
  const y = data.d.map(Math.log);
  const mx = x.reduce((a, v) => a + v, 0) / x.length;
  const my = y.reduce((a, v) => a + v, 0) / y.length;
  let sxx = 0;
  let sxy = 0;
  x.forEach((xi, i) => {
    sxx += (xi - mx) ** 2;
    sxy += (xi - mx) * (y[i] - my);
  });
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const off = y.map((yi, i) => Math.exp(yi - intercept - slope * x[i]));
  if (levelsOf(off).length >= MIN_LEVELS) return undefined;
  const line = `D ≈ ${formatCompact(Math.exp(intercept), 3)}·N^${slope.toFixed(2)}`;
  return {
    code: 'compute-levels-few',
    reason: `every run's token count is one power of its model size (${line}), so N and D change together and A/N^alpha cannot be told from B/D^beta: the law needs runs of several token counts at each model size (an IsoFLOP grid, say)`,
  };
}

/** The fit is not supported (`problem`): said where its rows start, and every prediction of the sweep withheld. */
function withholdAll(out: LawAnalysis, problem: FitProblem, where: { file: string; line: number }): void {
  const fit = out.fits[out.fits.length - 1];
  withholdAllFor(out, fit, problem);
  out.findings.push(verdictFinding(problem, `The fit of ${fit.formula}`, where));
}

/**
 * Compute-optimal answers whose N* or D* lies further past (or below) the fitted N or D than they span (reach.ts): over sizes
 * 1e8-1.03e8 alpha fitted 1.5 for a true 0.34, its refits stayed there, and N* was shown 1.6e8 for a true 6.4e8 with
 * a D/N band that left out the true ratio. Each is withheld with the reason, and one finding says so.
 */
function withholdFar(out: LawAnalysis, data: ComputeRows, where: { file: string; line: number }): void {
  const reach = { N: reachOf(data.n), D: reachOf(data.d) };
  let first: { name: 'N' | 'D'; at: number; C: number } | undefined;
  out.predictions.forEach((p, i) => {
    if (p.status !== 'ok' || !p.extra) return;
    const { extra } = p;
    const name = (['N', 'D'] as const).find((q) => beyondReach(reach[q], extra[q]));
    if (!name) return;
    first ??= { name, at: extra[name], C: p.x };
    out.predictions[i] = withheld(p, 'fit-unsupported', farReason(`${name}*`, reach[name], extra[name], name));
  });
  if (first) out.findings.push(computeRangeShort(first, reach[first.name], where));
}

function computeRangeShort(
  far: { name: 'N' | 'D'; at: number; C: number },
  reach: Reach,
  where: { file: string; line: number },
): Finding {
  const { name, at, C } = far;
  const what = name === 'N' ? 'model sizes' : 'token counts';
  return finding('compute-range-short', 'warning', {
    ...where,
    message: `The compute-optimal answer at C = ${formatCompact(C)} lies further ${sideOf(reach, at)} the runs than they span: ${pastPhrase(`${name}*`, reach, at, name)}. Over so narrow a range of ${what} the law's exponent is not told from its scale and E (refits agree only because they start at the fit), so compute-optimal answers whose N* or D* lie more than one span past or below the fitted N or D are withheld. Add runs of ${what} spread wider, or ask a budget nearer the runs.`,
  });
}

/** What the law lacks, with the roles to map for exactly that (tokens stands for tokens or compute). */
function missingColumns(table: Table, assignment: RoleAssignment): Finding {
  const { params, tokens, compute, loss } = assignment.roles;
  const roles: ColumnRole[] = [];
  if (params === undefined) roles.push('params');
  if (tokens === undefined && compute === undefined) roles.push('tokens');
  if (loss === undefined) roles.push('loss');
  const hint: Hint = { kind: 'map-role', roles };
  return finding('compute-missing-column', 'error', {
    message: `The Chinchilla law needs model parameters N (role params), the loss, and training tokens D (role tokens) or FLOP C (role compute, D = C/(6N)). Columns in this file: ${table.columns.map((c) => c.name).join(', ')}; none was found for ${roles.join(', ')}.`,
    file: table.file,
    line: table.headerLine || 1,
    hints: [hint],
  });
}

function readRows(table: Table, roles: RoleAssignment, findings: Finding[]): ComputeRows {
  const col = (i: number | undefined) => (i === undefined ? undefined : table.columns[i].values);
  const N = col(roles.roles.params)!;
  const L = col(roles.roles.loss)!;
  const D = col(roles.roles.tokens);
  const C = col(roles.roles.compute);
  const excludedIndex = findColumn(table, EXCLUSION_COLUMNS);
  const excluded: number[] = [];
  const bad: number[] = [];
  const huge: number[] = [];
  const out: ComputeRows = {
    rows: [],
    n: [],
    d: [],
    c: [],
    loss: [],
    dSource: D
      ? `tokens as written in column '${table.columns[roles.roles.tokens!].name}'`
      : `D = C / (6N) from column '${table.columns[roles.roles.compute!].name}'`,
    excluded: { rows: [], c: [], loss: [], flag: excludedIndex === undefined ? '' : table.columns[excludedIndex].name },
  };
  for (let r = 0; r < table.rowCount; r++) {
    const isExcluded = excludedIndex !== undefined && table.columns[excludedIndex].values[r] === 1;
    if (isExcluded) excluded.push(r);
    const n = N[r];
    const d = D && D[r] > 0 ? D[r] : C ? C[r] / (6 * n) : NaN;
    const ok = [n, d, L[r]].every((v) => v > 0 && Number.isFinite(v));
    if (isExcluded) {
      if (ok) keepExcluded(out.excluded, r, C && C[r] > 0 ? C[r] : 6 * n * d, L[r]);
      continue;
    }
    if (!ok) {
      bad.push(r);
      continue;
    }
    if (n > MAX_PARAMS || d > MAX_TOKENS) {
      huge.push(r);
      continue;
    }
    out.rows.push(r);
    out.n.push(n);
    out.d.push(d);
    out.c.push(C && C[r] > 0 ? C[r] : 6 * n * d);
    out.loss.push(L[r]);
  }
  if (C && D) checkComputeUnits(table, roles.roles.compute!, out, findings);
  if (excluded.length) {
    findings.push(
      finding('rows-excluded', 'info', {
        message: `${excluded.length} row(s) are flagged with ${table.columns[excludedIndex!].name} = 1 and were left out of the fit (first at line ${table.lines[excluded[0]]}). Set the flag to 0 to include them.`,
        file: table.file,
        line: table.lines[excluded[0]],
        related: excluded.slice(1, 20).map((r) => ({ file: table.file, line: table.lines[r], message: 'excluded' })),
      }),
    );
  }
  if (bad.length)
    findings.push(
      invalidRows(table, bad, 'N, D (or C) and the loss must all be positive numbers', 'compute-invalid-row'),
    );
  if (huge.length)
    findings.push(
      invalidRows(
        table,
        huge,
        `N above ${MAX_PARAMS.toExponential(0)} parameters or D above ${MAX_TOKENS.toExponential(0)} tokens, a thousand times past any model and a million times past any corpus: a stray value, or a column that is not a count`,
        'compute-invalid-row',
      ),
    );
  return out;
}

/** C / (6·N·D) at its median beyond this factor either way: the compute column is not FLOP of C = 6·N·D. */
const COMPUTE_UNITS_FACTOR = 3;

/**
 * The compute-optimal answer is for C = 6·N·D; a compute column in other units (PF-days, GFLOP) or of another count
 * would set the default budget and the rows' C a thousandfold off with nothing said. When N and D are both given,
 * the column is checked against them; off, 6·N·D is used instead, and said.
 */
function checkComputeUnits(table: Table, column: number, out: ComputeRows, findings: Finding[]): void {
  if (!out.rows.length) return;
  const ratios = out.rows.map((_, k) => out.c[k] / (6 * out.n[k] * out.d[k]));
  const ratio = medianOf(ratios);
  if (ratio >= 1 / COMPUTE_UNITS_FACTOR && ratio <= COMPUTE_UNITS_FACTOR) return;
  const name = table.columns[column].name;
  findings.push(
    finding('compute-units', 'warning', {
      message: `Column '${name}' is ${Number(ratio.toPrecision(3))} times 6·N·D on the rows fitted (at their median): not FLOP of C = 6·N·D, which the compute-optimal answer is for (other units, such as PF-days, or another count). Each row's compute and the default budget are taken as 6·N·D instead; convert the column to FLOP to use it.`,
      file: table.file,
      line: table.lines[out.rows[0]],
    }),
  );
  out.c = out.rows.map((_, k) => 6 * out.n[k] * out.d[k]);
}

function keepExcluded(excluded: ComputeRows['excluded'], row: number, c: number, loss: number): void {
  excluded.rows.push(row);
  excluded.c.push(c);
  excluded.loss.push(loss);
}

/** The flagged rows as one unfitted curve of loss against compute, in compute order, so the chart can grey them. */
function excludedCurve(table: Table, excluded: ComputeRows['excluded']): CurveReport {
  const order = excluded.rows.map((_, i) => i).sort((a, b) => excluded.c[a] - excluded.c[b]);
  const label = `excluded (${excluded.flag} = 1)`;
  const report = curveReport({
    table,
    name: label,
    xName: 'C',
    metric: 'loss',
    law: undefined,
    x: order.map((i) => excluded.c[i]),
    observed: order.map((i) => excluded.loss[i]),
    lines: order.map((i) => table.lines[excluded.rows[i]]),
    fitted: null,
    group: { label, fields: { N: label } },
  });
  return { ...report, excludedBy: excluded.flag };
}

/**
 * Case bootstrap: whole runs resampled with replacement, each replicate refitted from the point estimate. A sweep of
 * more than BOOTSTRAP_POINTS runs draws that many per replicate and narrows the refits to n runs' spread
 * (narrowedSpread): 200 refits of every row of a 300,000-run sweep took over 300 s, and their spread is that of
 * BOOTSTRAP_POINTS rows times sqrt(BOOTSTRAP_POINTS / n) all the same.
 */
export function caseBootstrap(
  points: ChinchillaPoints,
  observed: Float64Array,
  params: Float64Array,
  options: AnalysisOptions,
): Float64Array[] {
  if (options.bootstrapSamples <= 0) return [];
  const n = observed.length;
  const m = Math.min(n, BOOTSTRAP_POINTS);
  const sets = bootstrapParams(
    chinchillaLaw,
    params,
    (random) => {
      const idx = resampleIndices(n, random, m);
      return {
        data: { lnN: Float64Array.from(idx, (i) => points.lnN[i]), lnD: Float64Array.from(idx, (i) => points.lnD[i]) },
        observed: Float64Array.from(idx, (i) => observed[i]),
      };
    },
    { samples: options.bootstrapSamples, seed: options.seed, delta: options.chinchillaDelta, maxIterations: 300 },
  );
  return narrowedSpread(params, sets, m, n);
}

/** How the band was drawn, in words: the m-out-of-n form named when the sweep is larger than BOOTSTRAP_POINTS. */
function caseBandMethod(refits: number, n: number): string {
  const rows =
    n > BOOTSTRAP_POINTS
      ? `${BOOTSTRAP_POINTS} of the ${n} rows resampled with replacement, each refit's departure from the fit narrowed by sqrt(${BOOTSTRAP_POINTS}/${n}) to the spread of ${n} rows`
      : 'rows resampled with replacement';
  return `case bootstrap: ${refits} refits on ${rows}, 95 % percentile intervals`;
}

/** Loss-versus-compute curves, one per model size (or per quarter-decade of N when sizes barely repeat). */
/** How far past a size's last run its law line runs, in compute (CurveReport.lawLine). */
export const COMPUTE_LINE_REACH = 4;
/** Points of a size's law line and its bands: the law and its bands are smooth in log C. */
const LINE_POINTS = 64;

/**
 * One curve per model size (per quarter decade of N past MAX_SIZE_CURVES sizes), each with its law line and bands
 * from `lineAt` (the law at N over a grid of compute) at its N, a bin's at its geometric mean.
 */
function sizeCurves(
  table: Table,
  data: ComputeRows,
  band: BandedPrediction,
  lineAt: (n: number, x: number[]) => LawLine,
) {
  const distinct = new Set(data.n).size;
  const binned = distinct > MAX_SIZE_CURVES;
  const keyOf = (i: number) => (binned ? String(Math.floor(4 * Math.log10(data.n[i]))) : String(data.n[i]));
  const groups = groupBy(data.n.keys(), keyOf);
  // Each size's curve is told apart by its name (the chart's legend and hovers): 1e8 and 1e8+1 both read "N=100M".
  const sizeName = sizeNames(binned ? [] : data.n);
  return Array.from(groups.values())
    .sort((a, b) => data.n[a[0]] - data.n[b[0]])
    .map((members) => {
      members.sort((a, b) => data.c[a] - data.c[b]);
      const label = binned ? quarterDecadeLabel(data.n[members[0]]) : sizeName(data.n[members[0]]);
      const pick = (values: number[]) => members.map((i) => values[i]);
      const n = binned ? geometricMean(pick(data.n)) : data.n[members[0]];
      const c = pick(data.c);
      const report = curveReport({
        table,
        name: label,
        xName: 'C',
        metric: 'loss',
        law: 'chinchilla',
        x: c,
        observed: pick(data.loss),
        lines: members.map((i) => table.lines[data.rows[i]]),
        fitted: mapBand(band, pick),
        group: { label, fields: binned ? { N: label, Nmean: n } : { N: n } },
      });
      const line = lineAt(n, logGrid(minOf(c), maxOf(c) * COMPUTE_LINE_REACH, LINE_POINTS));
      return { ...report, lawLine: line };
    });
}

/** The bin's typical model size, where its law line is drawn (the sizes in a bin span a quarter decade). */
function geometricMean(values: number[]): number {
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}

function quarterDecadeLabel(n: number): string {
  const k = Math.floor(4 * Math.log10(n));
  return `N=${formatRange(formatCompact(10 ** (k / 4)), formatCompact(10 ** ((k + 1) / 4)))}`;
}

/**
 * The budgets to answer at: the user's, or else the next power of ten above the largest run's compute (the question
 * a sweep is run to answer: what the next scale up should look like).
 */
function budgetsOf(options: AnalysisOptions, data: ComputeRows): { C: number; reason: string }[] {
  const asked = options.computeBudgets.filter((c) => c > 0);
  if (asked.length) return asked.map((C) => ({ C, reason: 'compute budget' }));
  return [{ C: 10 ** Math.floor(Math.log10(maxOf(data.c)) + 1), reason: 'next power of ten above the largest run' }];
}

/** The smallest and largest N and D of the runs fitted. */
type FittedRange = Record<'N' | 'D', { smallest: number; largest: number }>;

/**
 * N* and D* where they lie outside the N and D fitted: the budget's answer is then an extrapolation. Past the largest
 * is the usual case (the next scale up); below the smallest too (a small budget, or a compute column out of step
 * with 6·N·D), where N* 1e-174 gave a loss of 2.9e55 unflagged.
 */
function beyondFitted(best: { N: number; D: number }, fitted: FittedRange): BeyondFitted[] {
  return (['N', 'D'] as const)
    .filter((name) => best[name] > fitted[name].largest || best[name] < fitted[name].smallest)
    .map((name) => ({
      name: `${name}*`,
      value: best[name],
      largestFitted: fitted[name].largest,
      ...(best[name] < fitted[name].smallest && { smallestFitted: fitted[name].smallest }),
    }));
}

/** The compute-optimal point at a budget, with the bootstrap spread of its loss and where it lies past the data. */
function budgetPrediction(
  { C, reason }: { C: number; reason: string },
  params: Float64Array,
  { sets, scatter }: { sets: Float64Array[]; scatter: RunScatter },
  fitted: FittedRange,
): Prediction {
  const best = computeOptimal(chinchillaCoefficients(params), C);
  const refitLosses = Float64Array.from(sets, (s) => computeOptimal(chinchillaCoefficients(s), C).loss).filter(
    Number.isFinite,
  );
  const losses = refitLosses.slice().sort();
  const ratios = Float64Array.from(sets, (s) => computeOptimal(chinchillaCoefficients(s), C).ratio)
    .filter(Number.isFinite)
    .sort();
  const spread = losses.length >= 2;
  const low = spread ? Math.min(quantile(losses, 0.025), best.loss) : NaN;
  const high = spread ? Math.max(quantile(losses, 0.975), best.loss) : NaN;
  // A run trained at the budget's N* and D*: each refit's optimal loss plus a residual of the fit (the refits' own
  // N*, D* differ, but the loss at the optimum is flat in them).
  const run =
    scatter.residuals &&
    newRunBand(
      Array.from(refitLosses, (loss) => Float64Array.of(loss)),
      Float64Array.of(best.loss),
      scatter.residuals,
      seededRandom(scatter.seed),
      { low: [low], high: [high] },
    );
  return {
    metric: 'loss',
    x: C,
    xName: 'C',
    status: 'ok' as const,
    value: best.loss,
    low,
    high,
    ...(run && { runLow: run.runLow[0], runHigh: run.runHigh[0] }),
    reason,
    extra: {
      N: best.N,
      D: best.D,
      ratio: best.ratio,
      ...(ratios.length >= 2 ? { ratioLow: quantile(ratios, 0.025), ratioHigh: quantile(ratios, 0.975) } : {}),
    },
    beyondFitted: beyondFitted(best, fitted),
  };
}
