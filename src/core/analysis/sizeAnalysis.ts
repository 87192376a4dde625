// Laws of the loss over model sizes on loss curves of several sizes, fitted together: each curve's N from the file's
// params column or the `sizes` option, one fit over every fitted curve by the law asked for (SizedLaw: the
// LR-annealing model-size law in tissueSizeAnalysis.ts; the multi-power one in mplSizeAnalysis.ts), and a prediction
// of every curve whose size the fit can speak for, at its logged steps and its target steps, with bands.
//
// Identifiability (docs/laws-loss.md, the model-size law): L0 + B·N^(-beta) takes one value per size, so with one
// size the size term is a constant (held at zero) and with two sizes L0, the size term's scale and its exponent are
// three unknowns for two values: fits of the same objective extrapolate to a third size 1-2 % apart. Then only the
// fitted sizes are predicted, unless the user holds the size exponent.
import type { RobustFit } from '../fit/robust';
import { beyondReach, pastPhrase, reachOf, type Reach } from './reach';
import { finding } from '../findings';
import type { Table } from '../table/types';
import { concat, appendAll } from '../util/arrays';
import { formatSizes } from '../util/format';
import type { Random } from '../util/random';
import {
  curveBand,
  reportCurve,
  resolveFitOn,
  singlePointCurves,
  targetReason,
  targetSteps,
  unfittedReport,
  unusableReason,
} from './lossAnalysis';
import { atQueries, prepare, type PreparedCurve } from './lossAreas';
import type { LossReplicates } from './lossLaw';
import { tissueSizeLaw } from './tissueSizeAnalysis';
import { folderOf, type LossCurve } from './lossCurves';
import { cellPlaces, rowOfLine } from './cellPlace';
import { applyDisagreement } from './disagreement';
import { averageMetrics, scoreFit } from './metrics';
import { dropSumsTooLongFix } from './multiPowerFit';
import { isModelSize, MAX_PARAMS } from '../util/counts';
import type { AnalysisOptions } from './options';
import type { CurveReport, Finding, FitResult, LawAnalysis, Metrics, Series, SizeLawId } from './types';
import { earlierCut, findUnseenDrops, markUndetermined, scoreShown, withheldFrom } from './unseenDrop';
import { areaReachCuts } from './areaReach';
import { fittedLrPeaks } from './lrPeaks';

// ---- N per curve ----

/**
 * Sets each curve's modelSize from the table's params column (one value per curve; when it varies within a curve,
 * the median, with a finding). Rows are found by their source line: curves keep the line of each point.
 */
export function attachModelSizes(table: Table, paramsColumn: number, curves: LossCurve[]): Finding[] {
  const values = table.columns[paramsColumn].values;
  const sizeAt = (line: number) => values[rowOfLine(table.lines, line)];
  const { atLine } = cellPlaces(table);
  const findings: Finding[] = [];
  for (const curve of curves) {
    const seen: number[] = [];
    for (const line of curve.lines) {
      const v = sizeAt(line);
      if (isModelSize(v)) seen.push(v);
    }
    if (!seen.length) continue;
    seen.sort((a, b) => a - b);
    const size = seen[Math.floor(seen.length / 2)];
    curve.modelSize = size;
    if (seen[0] === seen[seen.length - 1]) continue;
    // Said at the first row whose size is not the one used, on its params cell: where the column is off.
    const line = curve.lines.find((l) => isModelSize(sizeAt(l)) && sizeAt(l) !== size) ?? curve.firstLine;
    const [file, cellLine, cell] = atLine(paramsColumn, line);
    const [least, most, here, median] = formatSizes([seen[0], seen[seen.length - 1], sizeAt(line), size]);
    findings.push(
      finding('size-varies', 'warning', {
        message: `The params column of "${curve.name}" takes several values (${least} to ${most}; ${here} on this row); a curve is one model, so its median ${median} is used as its size N. Is the column the parameter count?`,
        file,
        line: cellLine,
        curve: curve.name,
        ...(cell && { cell }),
      }),
    );
  }
  return findings;
}

/**
 * The size the `sizes` option gives a curve, by the most specific key that matches: the curve's name (or its name
 * before a disambiguating "(...)"), then its file path without extension ending in the key (`csv_25/cosine_24000`),
 * then a folder of its file (`csv_25`, or `runs/csv_25`). Among keys of the same kind, the longest wins.
 */
export function sizeFromOption(curve: LossCurve, sizes: Record<string, number>): number | undefined {
  let best: { rank: number; length: number; value: number } | undefined;
  for (const [key, value] of Object.entries(sizes)) {
    const rank = sizeKeyRank(curve, key);
    const length = sizeKey(key).length;
    if (rank && (!best || rank > best.rank || (rank === best.rank && length > best.length)))
      best = { rank, length, value };
  }
  return best?.value;
}

/** A `sizes` key as paths are compared: forward slashes, no trailing one. */
function sizeKey(key: string): string {
  return key.replace(/\\/g, '/').replace(/\/+$/, '');
}

/** How specifically a `sizes` key names a curve: 3 its name, 2 its file path without extension, 1 a folder, 0 not. */
function sizeKeyRank(curve: LossCurve, key: string): number {
  const k = sizeKey(key);
  const path = curve.file.replace(/\\/g, '/');
  const stem = path.replace(/\.[^./]*$/, '');
  const folder = folderOf(path);
  const endsWith = (whole: string, part: string) => whole === part || whole.endsWith(`/${part}`);
  return curve.name === k || curve.name.startsWith(`${k} (`) ? 3 : endsWith(stem, k) ? 2 : endsWith(folder, k) ? 1 : 0;
}

/**
 * A finding per `sizes` key that names no curve, file or folder: a misspelt key was dropped unsaid, its curve then
 * called "no size was given" (or, under 'auto', the set fitted as one size by a loss-curve law).
 */
export function unmatchedSizes(curves: LossCurve[], sizes: Record<string, number>): Finding[] {
  if (!curves.length) return [];
  const names = curves.slice(0, 5).map((c) => `"${c.name}"`);
  const found = names.join(', ') + (curves.length > 5 ? ` and ${curves.length - 5} more` : '');
  // Each size to the digits that tell it from the other sizes given, as every message naming sizes writes them.
  const entries = Object.entries(sizes);
  const shown = formatSizes(entries.map(([, value]) => value));
  return entries
    .map(([key], i) => ({ key, size: shown[i] }))
    .filter(({ key }) => curves.every((c) => sizeKeyRank(c, key) === 0))
    .map(({ key, size }) =>
      finding('size-unmatched', 'warning', {
        message: `A model size (N = ${size}) was given for "${key}", but no curve, file or folder has that name, so it was not used. Curves found: ${found}.`,
        file: curves[0].file,
        line: 0,
      }),
    );
}

// ---- the choice of law ----

/**
 * Whether the model-size law fits these curves, and why: asked for, or under 'auto' when the curves carry two or
 * more model sizes (a params column or the sizes option). One loss law over curves of several sizes would share one
 * L0 between models that do not share it, so the size is never ignored. Undefined: the loss-curve laws apply (one
 * size or none: N is then a constant and carries nothing the size term could use).
 */
export function sizeLawChoice(curves: LossCurve[], options: AnalysisOptions): string | undefined {
  if (options.law === 'lr-annealing-size' || options.law === 'mpl-size') return 'asked for';
  if (options.law !== 'auto') return undefined;
  const sizes = new Set(curves.flatMap((c) => sizeOf(c, options) ?? []));
  if (sizes.size < 2) return undefined;
  const listed = formatSizes([...sizes].sort((a, b) => a - b));
  return `chosen automatically: the curves are of ${sizes.size} model sizes (${listed.join(', ')}), fitted together`;
}

/** A curve's model size: the sizes option's entry for it first, else its params column. */
function sizeOf(c: LossCurve, options: AnalysisOptions): number | undefined {
  return sizeFromOption(c, options.sizes) ?? c.modelSize;
}

// ---- the analysis ----

/** A curve a law over model sizes predicts: its queries, its model size N, and whether it has loss points. */
export interface SizedCurve {
  prepared: PreparedCurve;
  size: number;
  /** Has loss points (a schedule-only curve is predicted, never fitted or scored). */
  hasLoss: boolean;
}

/** What the shared analysis gives a law of the loss over model sizes to fit. */
export interface SizedFitInput {
  sized: SizedCurve[];
  /** Indices into `sized` of the curves whose points are fitted. */
  fitted: number[];
  /** The fitted sizes, ascending: the largest is N_ref, the unit N is counted in by the solver. */
  fittedSizes: number[];
  options: AnalysisOptions;
}

/** One law's fit over model sizes: its predictions at every query, bootstrap refits, and its own FitResult fields. */
export interface SizedLawFit {
  solver: RobustFit;
  /** Solver parameters held by their bounds (parameters held at a value left out). */
  atBounds: string[];
  /** The predicted loss at every query of sized curve i. */
  predict(i: number): Float64Array;
  /** Bootstrap refits (none for 0 samples) and the coefficients' 95 % intervals from them. */
  bootstrap(samples: number): { replicates: LossReplicates; intervals: Record<string, [number, number]> };
  describe(): Pick<FitResult, 'formula' | 'params' | 'units' | 'normalized' | 'settings'>;
}

/** A law of the loss over model sizes, fitted over curves of several sizes by analyseSizedCurves. */
export interface SizedLaw {
  id: SizeLawId;
  /** The law in a sentence, for messages: "The model-size law". */
  name: string;
  coefficients: number;
  /** The size term's scale and exponent (solver names): held by their bounds, the fit has not found the term. */
  sizeTerm: readonly string[];
  fit(input: SizedFitInput): SizedLawFit | null;
}

/**
 * Fits `law` over every sized curve chosen to fit and predicts every curve whose size the fit can speak for.
 * `why`: how the law came to be used (sizeLawChoice), for the fit's settings.
 */
export function analyseSizedCurves(
  curves: LossCurve[],
  options: AnalysisOptions,
  random: Random,
  why = 'asked for',
  law: SizedLaw = tissueSizeLaw,
): LawAnalysis<Series> {
  const findings: Finding[] = [];
  const reports: CurveReport<Series>[] = [];
  const result: LawAnalysis<Series> = { curves: reports, fits: [], predictions: [], findings };
  const candidates: { curve: LossCurve; size: number; hasLoss: boolean }[] = [];
  for (const c of curves) {
    const problem = unusableReason(c, options.warmupSteps);
    if (problem) findings.push(problem);
    const size = sizeOf(c, options);
    if (size !== undefined && c.modelSize !== undefined && size !== c.modelSize)
      findings.push(sizeOverridden(c, c.modelSize, size));
    if (problem && problem.code !== 'loss-missing') reports.push(unfittedReport(c));
    else if (size === undefined) {
      findings.push(missingSize(c));
      reports.push(unfittedReport(c));
    } else candidates.push({ curve: c, size, hasLoss: !problem });
  }
  const withLoss = candidates.filter((c) => c.hasLoss).map((c) => c.curve);
  const fitNames = resolveFitOn(withLoss, options.fitOn, findings);
  const fitting = candidates.filter((c) => c.hasLoss && fitNames.has(c.curve.name));
  const fitPoints = fitting.reduce((n, c) => n + c.curve.steps.length, 0);
  const minPoints = law.coefficients + 1;
  const single = singlePointCurves(fitting.map((c) => c.curve));
  if (fitPoints < minPoints || single) {
    const first = fitting[0]?.curve ?? curves[0];
    findings.push(
      single ??
        finding('too-few-points', 'error', {
          message: `${law.name} has ${law.coefficients} coefficients and needs at least ${minPoints} loss points of curves with an LR and a model size; ${fitPoints} ${fitPoints === 1 ? 'is' : 'are'} available.`,
          file: first?.file ?? '',
          line: first?.firstLine ?? 0,
        }),
    );
    appendAll(
      reports,
      candidates.map((c) => unfittedReport(c.curve)),
    );
    return result;
  }

  const fittedSizes = [...new Set(fitting.map((c) => c.size))].sort((a, b) => a - b);
  // Another size is predicted only when the fit pins the size term there: three sizes, or two and a held exponent.
  const extrapolates = fittedSizes.length >= 3 || (fittedSizes.length === 2 && options.sizeExponent !== undefined);
  // And then no further than one span of the fitted sizes' log range past them (reach.ts).
  const sizeReach = reachOf(fittedSizes);
  const far = candidates.filter((c) => extrapolates && beyondReach(sizeReach, c.size));
  const predictable = candidates.filter((c) => fittedSizes.includes(c.size) || (extrapolates && !far.includes(c)));
  const withheld = candidates.filter((c) => !predictable.includes(c));
  if (!extrapolates) findings.push(tooFewSizes(fittedSizes, withheld, fitting[0].curve));
  else if (far.length) findings.push(sizesRangeShort(fittedSizes, sizeReach, far, fitting[0].curve));
  appendAll(
    reports,
    withheld.map((c) => ({ ...unfittedReport(c.curve), modelSize: c.size })),
  );

  const sized: SizedCurve[] = predictable.map((c) => ({
    prepared: prepare(c.curve, targetSteps(c.curve, options)),
    size: c.size,
    hasLoss: c.hasLoss,
  }));
  const fitted = sized.flatMap((s, i) => (s.hasLoss && fitNames.has(s.prepared.curve.name) ? [i] : []));
  const fit = law.fit({ sized, fitted, fittedSizes, options });
  if (!fit) {
    findings.push(
      finding('fit-failed', 'error', {
        message: `${law.name} could not be fitted: ${whySizedNotFitted(law, sized, options.warmupSteps)}`,
        file: fitting[0].curve.file,
        line: fitting[0].curve.firstLine,
      }),
    );
    appendAll(
      reports,
      sized.map((s) => unfittedReport(s.prepared.curve)),
    );
    return result;
  }
  const { solver } = fit;
  if (!solver.converged)
    findings.push(
      finding('fit-not-converged', 'warning', {
        message: `The fit stopped before converging (${solver.reason} after ${solver.iterations} iterations); treat its predictions with care.`,
        file: fitting[0].curve.file,
        line: fitting[0].curve.firstLine,
      }),
    );

  // A size term the box held (its scale at 0, its exponent at a limit) was not found in the data: as with two sizes,
  // only the fitted sizes are predicted (three sizes labelled out of order once extrapolated with B = 0).
  const heldTerm = law.sizeTerm.filter((name) => fit.atBounds.includes(name));
  const reach = extrapolates && heldTerm.length === 0;
  if (extrapolates && !reach) {
    const others = sized
      .filter((s) => !fittedSizes.includes(s.size))
      .map((s) => ({ curve: s.prepared.curve, size: s.size }));
    findings.push(sizeTermHeld(fittedSizes, heldTerm, others, fitting[0].curve));
  }
  const { replicates, intervals } = fit.bootstrap(options.bootstrapSamples);
  const sizedCurves = sized.map((s) => s.prepared.curve);
  const { floor, drops: unseen } = findUnseenDrops(
    sizedCurves,
    (i) => fitted.includes(i),
    options.warmupSteps,
    findings,
  );
  // Steps past the fitted logs' reach in S1 are withheld as the loss-curve laws' are (areaReach.ts): three sizes
  // resumed and logged over steps 20k-21k showed step 100k 2.4 band widths off the law they were drawn from.
  const areaCuts = areaReachCuts(
    sizedCurves,
    sized.map((s) => s.prepared.targets),
    fitted,
    options,
  );
  if (areaCuts.found) findings.push(areaCuts.found);
  const drops = unseen.map((d, i) => earlierCut(d, areaCuts.cuts[i]));
  const peaks = fittedLrPeaks(
    fitted.map((i) => sizedCurves[i]),
    options.warmupSteps,
  );
  const heldOut: Metrics[] = [];
  const fittedObserved: Float64Array[] = [];
  const fittedPredicted: Float64Array[] = [];
  const sizesShown = formatSizes(sized.map((s) => s.size));
  sized.forEach((s, i) => {
    const p = s.prepared;
    if (!reach && !fittedSizes.includes(s.size)) {
      reports.push({ ...unfittedReport(p.curve), modelSize: s.size });
      return;
    }
    const own = fit.predict(i);
    const band = curveBand(replicates, i, p, own, random);
    const predicted = withheldFrom(own, p.queries, drops[i]);
    const pointPredicted = atQueries(predicted, p.pointIndex);
    const metrics = s.hasLoss ? scoreShown(p.curve, pointPredicted, drops[i]) : undefined;
    const isFitted = fitted.includes(i);
    if (metrics && isFitted) {
      fittedObserved.push(p.curve.loss);
      fittedPredicted.push(pointPredicted);
    } else if (metrics) heldOut.push(metrics);
    reportCurve({ curves: reports, predictions: result.predictions }, p, predicted, pointPredicted, band, {
      law: law.id,
      role: isFitted ? 'fit' : s.hasLoss ? 'heldout' : 'unfitted',
      metrics,
      reason: (step) => `${targetReason(p.curve, step, options)}; model size N = ${sizesShown[i]}`,
      extra: { N: s.size },
      modelSize: s.size,
      withheldFrom: drops[i],
    });
  });

  const quality = scoreFit(concat(fittedObserved), concat(fittedPredicted));
  const { settings, ...described } = fit.describe();
  result.fits.push({
    law: law.id,
    ...described,
    intervals,
    objective: solver.objective,
    converged: solver.converged,
    stopReason: solver.reason,
    iterations: solver.iterations,
    startsTried: solver.startsTried,
    fittedOn: fitted.map((i) => sized[i].prepared.curve.name),
    points: quality.points,
    settings: {
      lawChoice: why,
      ...settings,
      nRef: fittedSizes[fittedSizes.length - 1],
      sizesFitted: formatSizes(fittedSizes).join(', '),
      sizesExtrapolate: reach,
      band: replicates.method,
    },
    quality,
    atBounds: fit.atBounds,
    ...(heldOut.length ? { heldOut: averageMetrics(heldOut) } : {}),
    ...(floor !== undefined && { lrFloor: floor }),
    ...(areaCuts.reach && { s1Reach: areaCuts.reach }),
    ...(peaks && { lrPeaks: peaks }),
  });
  markUndetermined(result.fits[0]);
  // A curve whose level the law does not give at its size (a wrong size, other data): nothing is predicted.
  applyDisagreement(result, result.fits[0]);
  return result;
}

/** Why a model-size law gave no fit: schedules too long for the loss-drop sums (named), or no finite start. */
function whySizedNotFitted(law: SizedLaw, sized: SizedCurve[], warmupSteps?: number): string {
  const curves = sized.map((s) => s.prepared.curve);
  const long =
    law.id === 'mpl-size' ? dropSumsTooLongFix(curves, warmupSteps, 'the LR-annealing law with model size') : undefined;
  return long ?? 'every start gave a non-finite loss. Check the LR, loss and model sizes.';
}

/**
 * The size option's entry for a curve wins over its params column (the documented precedence), but the two disagree:
 * said, or a column that is right loses to a stale option without a word.
 */
function sizeOverridden(c: LossCurve, column: number, given: number): Finding {
  const [fromColumn, fromOption] = formatSizes([column, given]);
  return finding('size-overridden', 'info', {
    message: `The params column gives "${c.name}" N = ${fromColumn}, but the model size given for it is N = ${fromOption}; the size given is used.`,
    file: c.file,
    line: c.firstLine,
    curve: c.name,
  });
}

function missingSize(c: LossCurve): Finding {
  return finding('size-missing', 'warning', {
    message: `"${c.name}" has no model size N (no params value in its rows is a parameter count, above 0 and at most ${MAX_PARAMS.toExponential()}, and no size was given for it), so the model-size law can neither fit nor predict it.`,
    file: c.file,
    line: c.firstLine,
    curve: c.name,
  });
}

/** The sizes-too-few finding of a fit on three sizes or more whose size term sat on its bounds (`held`). */
function sizeTermHeld(
  fittedSizes: number[],
  held: string[],
  withheld: { curve: LossCurve; size: number }[],
  at: LossCurve,
): Finding {
  const shown = sizesWithWithheld(fittedSizes, withheld);
  const sizes = shown.fitted.join(', ');
  const why = `The fitted curves are of ${fittedSizes.length} model sizes (N = ${sizes}), but the size term's ${held.join(' and ')} held at the limit of ${held.length === 1 ? 'its' : 'their'} range: the sizes do not pin the term down (are they the curves' parameter counts?), so other sizes are not predicted. Check the sizes, or give the size exponent.`;
  return finding('sizes-too-few', 'warning', {
    message: why + notPredicted(withheld, shown.withheld),
    file: at.file,
    line: at.firstLine,
  });
}

function tooFewSizes(fittedSizes: number[], withheld: { curve: LossCurve; size: number }[], at: LossCurve): Finding {
  const shown = sizesWithWithheld(fittedSizes, withheld);
  const sizes = shown.fitted.join(' and ');
  const why =
    fittedSizes.length === 1
      ? `The fitted curves are of one model size (N = ${sizes}), so the size term (a scale times N to a power) cannot be told from L0 and is left out.`
      : `The fitted curves are of two model sizes (N = ${sizes}): L0 and the size term's scale and exponent are three unknowns for two values, so fits of the same quality extrapolate to a third size a percent or more apart. Give the size exponent, or fit curves of a third size.`;
  return finding('sizes-too-few', 'warning', {
    message: why + notPredicted(withheld, shown.withheld),
    file: at.file,
    line: at.firstLine,
  });
}

/** The fitted sizes and the withheld curves' sizes, each to the digits that tell all of them apart (one message). */
function sizesWithWithheld(
  fittedSizes: number[],
  withheld: { size: number }[],
): { fitted: string[]; withheld: string[] } {
  const shown = formatSizes([...fittedSizes, ...withheld.map((c) => c.size)]);
  return { fitted: shown.slice(0, fittedSizes.length), withheld: shown.slice(fittedSizes.length) };
}

/**
 * The sizes-range-short finding: curves of sizes further past (or below) the fitted ones than they span, in log N. Three sizes
 * within 10 % (1e8, 1.05e8, 1.1e8) gave a 1e9 curve 2.187 [2.172, 2.206] where the law it was drawn from gives 2.243:
 * B and beta trade off with L0 over so narrow a range, and the refits, started at the fit, stay by it.
 */
function sizesRangeShort(
  fittedSizes: number[],
  reach: Reach,
  far: { curve: LossCurve; size: number }[],
  at: LossCurve,
): Finding {
  const shown = sizesWithWithheld(fittedSizes, far);
  const why = `The fitted curves are of model sizes N = ${shown.fitted.join(', ')}, and ${pastPhrase('N', reach, far[0].size)}: over so narrow a range of sizes the size term's scale and exponent are not told from L0 (refits agree only because they start at the fit), so sizes more than one span past or below the fitted ones are not predicted. Fit curves of sizes spread wider, or predict sizes nearer them.`;
  return finding('sizes-range-short', 'warning', {
    message: why + notPredicted(far, shown.withheld),
    file: at.file,
    line: at.firstLine,
  });
}

/**
 * The curves of sizes not fitted, named with their sizes as shown (`sizes`, one per curve), that a fit which does not
 * pin its size term leaves without predictions.
 */
function notPredicted(withheld: { curve: LossCurve }[], sizes: string[]): string {
  return withheld.length
    ? ` Not predicted: ${withheld.map((c, i) => `"${c.curve.name}" (N = ${sizes[i]})`).join(', ')}.`
    : ' Only curves of the fitted sizes are predicted.';
}
