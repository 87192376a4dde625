// The header line's hover: the file's fits in a user's words (what was fitted, how well, what it predicts, how the law
// was chosen, its coefficients) and what to watch out for. Pure functions of the analysis, tested directly
// (test/server/hovers.test.ts, lawChoiceHover.test.ts).
import type { Analysis, FitResult, LawId, LawSelection, Prediction, Series } from '../core/analysis/types';
import { isSizeLaw } from '../core/analysis/lossLaw';
import { hasValue } from '../core/analysis/trust';
import { undeterminedGroups } from '../core/analysis/unseenDrop';
import {
  formatEstimate,
  formatFlop,
  formatNumber,
  formatQuantity,
  formatR2,
  formatPercent,
  pluralNoun,
} from '../core/util/format';
import {
  beyondFittedText,
  computeOptimumText,
  downstreamTarget,
  estimateText,
  predictionAt,
  SWEEP_BANDS_NOTE,
  sweepBandsNote,
} from '../core/analysis/describe';
import { LAW_ONLY_BANDS } from '../core/analysis/bands';
import { FINDINGS } from '../core/findings';
import { breakPoint } from '../core/analysis/breaks';
import {
  fitLawName,
  LAW_NAMES,
  meanWeighing,
  notPinnedText,
  runnerUpLawName,
  shortLawName,
  weightText,
} from '../core/analysis/lawNames';
import { Commands } from '../shared/protocol';
import { keepHyphenated, markdownCode, markdownText, tableHead } from '../shared/markdown';
import { fileOf, provisionalNote, shownLawName, UNSUPPORTED, withheldText } from './present';

/** The fits the header hover of `file` tells about: those fitted on the file, its curves or groups, or on no curve. */
function fitsOfFile(analysis: Analysis<Series>, file: string): FitResult[] {
  return analysis.fits.filter(
    (f) =>
      f.fittedOn.length === 0 ||
      f.fittedOn.includes(file) ||
      analysis.curves.some((c) => c.file === file && (f.group ? c.group === f.group : f.fittedOn.includes(c.name))),
  );
}

/** Where the details left out of hovers are: one click away. */
const DETAILS_NOTE = `Solver settings and every fitted row: **Export Fit…** (command palette) or [Show Log](command:${Commands.showLog}).`;

/**
 * The header line's hover: what was fitted, how well, what it predicts and what to watch out for, in a user's words
 * (the solver's settings are in Export Fit and the log). Downstream sweeps get one table for all their groups.
 */
export function hoverForHeader(analysis: Analysis<Series>, file: string, column?: string): string | null {
  const fits = fitsOfFile(analysis, file);
  if (fits.length === 0) return null;
  const downstream = fits.every((f) => f.law === 'bleu' || f.law === 'downstream-ce');
  const body = downstream
    ? downstreamHeader(analysis, file, fits)
    : fits.map((fit) => fitMarkdown(analysis, fit)).join('\n\n---\n\n');
  // A provisional analysis raises no diagnostics (fileCache.ts): nothing to point at in the Problems panel yet.
  const warnings = analysis.provisional ? '' : watchOut(analysis, file);
  return [column ? `column **${markdownText(column)}**` : '', body, warnings, DETAILS_NOTE]
    .filter(Boolean)
    .join('\n\n');
}

/** "run a" or "3 curves": what a fit was fitted on, short enough for a hover's first line. */
function fittedOnText(fit: FitResult): string {
  if (fit.law === 'chinchilla') return `${fit.points} runs`;
  const names = fit.fittedOn.length <= 2 ? fit.fittedOn.map(markdownText).join(', ') : `${fit.fittedOn.length} curves`;
  return `${names} (${fit.points} points)`;
}

/** One fit: what, how well, what it predicts, how the law was chosen, its coefficients, and a non-converged fit. */
function fitMarkdown(analysis: Analysis<Series>, fit: FitResult): string {
  const held = fit.heldOut ? ` · held-out PredE ${formatPercent(fit.heldOut.predE)}` : '';
  const head = `**${shownLawName(analysis, fit)}** fitted on ${fittedOnText(fit)} · R² ${formatR2(fit.quality.r2)}${held}`;
  const all = predictionsOf(analysis, fit);
  const predictions = all.slice(0, HOVER_PREDICTIONS).map((p) => `- ${predictionMarkdown(p)}`);
  if (all.length > HOVER_PREDICTIONS)
    predictions.push(`- and ${all.length - HOVER_PREDICTIONS} more, each on its curve's lens`);
  const coefficients = Object.entries(fit.params).map(([k, v]) => {
    // Its value is no measurement (FitResult.undetermined): why is said under the table, no number shown.
    if (fit.undetermined?.[k]) return `| ${k} | not determined | ${markdownText(fit.units[k] ?? '')} |`;
    const ci = fit.intervals?.[k];
    return `| ${k} | ${ci ? formatEstimate(v, ci[0], ci[1]) : formatNumber(v, 4)} | ${markdownText(fit.units[k] ?? '')} |`;
  });
  return [
    head,
    provisionalNote(analysis, fit.law)
      ? `⏳ **Provisional**: the automatic choice of law is still fitting and backtesting both loss-curve laws on this long log. Meanwhile this is the ${LAW_NAMES[fit.law]}'s fit, replaced by the law chosen once the choice is made (its predictions may change); no warning is raised from it.`
      : '',
    fit.converged ? '' : '⚠ **The fit did not converge**: its coefficients and predictions are not reliable.',
    fit.unsupported
      ? `${UNSUPPORTED}: ${markdownText(fit.unsupported.map((p) => p.reason).join('; '))}. No prediction is shown from this fit.`
      : '',
    // The answer first: which law predicts and why, then the numbers (VS Code shows ~250 px before it scrolls).
    fit.selection ? choiceLine(fit, fit.selection) : '',
    predictions.length ? ['Predicts:', ...predictions].join('\n') : '',
    predictions.length && LAW_ONLY_BANDS.has(fit.law) && all.some(hasValue) ? markdownText(sweepBandsNote(fit)) : '',
    fit.selection ? selectionMarkdown(fit, fit.selection) : '',
    isSizeLaw(fit.law) ? sizesMarkdown(fit) : '',
    markdownCode(fit.formula),
    [tableHead(['coefficient', 'value [95 % interval]', 'unit']), ...coefficients].join('\n'),
    undeterminedGroups(fit.undetermined)
      .map(({ names, why }) => `${names.join(', ')} ${markdownText(why)}.`)
      .join(' '),
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** The predictions a fit makes: its curves' loss targets, its budgets, or its group's targets. */
function predictionsOf(analysis: Analysis<Series>, fit: FitResult): Prediction[] {
  const belongs = (p: Prediction): boolean => {
    switch (fit.law) {
      case 'chinchilla':
        return p.xName === 'C';
      case 'bleu':
      case 'downstream-ce':
        return p.group === fit.group && (p.metric === 'bleu') === (fit.law === 'bleu');
      case 'power':
        return p.xName !== 'C' && p.curve !== undefined && fit.fittedOn.includes(p.curve);
      default:
        return p.metric === 'loss' && p.xName === 'step';
    }
  };
  return analysis.predictions.filter(belongs);
}

/** Predictions a header hover lists; the rest are counted (each is on its curve's lens). */
const HOVER_PREDICTIONS = 4;

/** One prediction as a hover line, with its extrapolation warning. */
function predictionMarkdown(p: Prediction): string {
  if (p.xName === 'C') return `at C = ${formatFlop(p.x)} FLOP: ${computeOptimumText(p)}`;
  const beyond = beyondFittedText(p.beyondFitted);
  const who = p.curve && p.xName === 'step' ? `${markdownText(p.curve)}: ` : '';
  if (!hasValue(p)) return `${who}${markdownText(withheldText(predictionAt(p), p))}`;
  return `${who}${markdownText(predictionAt(p))} = ${estimateText(p)}${beyond ? ` · ⚠ ${beyond}` : ''}`;
}

/** A downstream sweep: one row per group with each law's fit quality and first prediction, or its break. */
function downstreamHeader(analysis: Analysis<Series>, file: string, fits: FitResult[]): string {
  const groups = [...new Set(fits.map((f) => f.group ?? ''))];
  const cell = (group: string, law: LawId): string => {
    const fit = fits.find((f) => (f.group ?? '') === group && f.law === law);
    if (!fit) return 'no fit';
    const curve = fileOf(analysis, file).find(
      (c) => c.group === group && c.metric === (law === 'bleu' ? 'bleu' : 'ce'),
    );
    const at = law === 'bleu' && curve ? breakPoint(analysis, curve) : undefined;
    if (at !== undefined) return `⚠ law breaks at ${markdownText(formatQuantity('D_p', at))}`;
    const [first] = predictionsOf(analysis, fit);
    const answer =
      first && (hasValue(first) ? estimateText(first) : `no prediction (${markdownText(first.statusReason)})`);
    return `R² ${formatR2(fit.quality.r2)}${first ? ` · ${markdownText(downstreamTarget(first))} → ${answer}` : ''}`;
  };
  const rows = groups.map((g) => {
    // A narrow cell broke a group's name at its hyphens ("misaligned-en-" / "fr"): kept whole.
    const name = keepHyphenated(markdownText(g));
    return `| ${name} | ${cell(g, 'bleu')} | ${cell(g, 'downstream-ce')} |`;
  });
  // Each formula names its metric ("BLEU = …"): a label before it read "BLEU \`BLEU = …\` , CE \`CE = …\`".
  const formulas = (['bleu', 'downstream-ce'] as const).flatMap((law) => {
    const formula = fits.find((f) => f.law === law)?.formula;
    return formula ? [markdownCode(formula)] : [];
  });
  return [
    `**Downstream ${pluralNoun(formulas.length, 'law')}** (Isik et al. 2024), fitted per group: ${formulas.join(' and ')}`,
    [tableHead(['group', 'BLEU', 'CE']), ...rows].join('\n'),
    ...downstreamBandNotes(analysis, fits),
  ].join('\n\n');
}

/** The sweep bands' note under a downstream table: said once, and each group's law without a new-run band by name. */
function downstreamBandNotes(analysis: Analysis<Series>, fits: FitResult[]): string[] {
  if (!fits.some((f) => predictionsOf(analysis, f).some(hasValue))) return [];
  const without = fits.filter((f) => f.noRunBand);
  return [
    markdownText(SWEEP_BANDS_NOTE),
    ...without.map(
      (f) => `${markdownText(f.group ?? '')}, ${f.law === 'bleu' ? 'BLEU' : 'CE'}: ${markdownText(f.noRunBand!)}`,
    ),
  ];
}

/**
 * The model-size law's sizes: which were fitted, what was held, whether other sizes are predicted, and why this law.
 * Every part is the analysis's own text (sizes in the number rule), none of it from the file.
 */
function sizesMarkdown(fit: FitResult): string {
  const { sizesFitted, held, sizesExtrapolate, lawChoice } = fit.settings;
  const heldText = held && held !== 'none' ? ` · held: ${held}` : '';
  const reach = sizesExtrapolate
    ? 'predicts other sizes up to one span of their log range past them'
    : 'predicts only the fitted sizes (fewer than three sizes fitted and no size exponent given)';
  const why = lawChoice ? ` · law ${lawChoice}` : '';
  return `Model sizes fitted: ${sizesFitted}${heldText} · ${reach}${why}.`;
}

/** How `law: 'auto'` chose, in a line: the law that predicts (or the mean) and the rule that applied. */
function choiceLine(fit: FitResult, selection: LawSelection): string {
  return `Law chosen automatically: ${shortLawName(fit)}, because ${markdownText(selection.reason)}.`;
}

/**
 * The numbers behind the choice: each law's backtest error (and the runner-up's held-out PredE when curves were held
 * out) and weight, what a backtest is, how a mean weighs the laws, and where to see the runner-up. No sentence says
 * what the table shows.
 */
function selectionMarkdown(fit: FitResult, selection: LawSelection): string {
  const cuts = selection.cuts.map((c) => Math.round(c * 100));
  const cutList = cuts.length > 1 ? `${cuts.slice(0, -1).join(', ')} and ${cuts[cuts.length - 1]}` : `${cuts[0]}`;
  const heldOut = fit.heldOut && fit.runnerUpFit?.heldOut;
  const rows = selection.candidates.map((c) => {
    const chosen = c.law === selection.chosen;
    const note = !c.backtestErrors
      ? 'not backtested (no candidate: see why above)'
      : c.identified
        ? ''
        : `its terms are ${notPinnedText(c.atBounds)}`;
    // Under a mean, the chosen law's own held-out error is not measured: the mean's has a row of its own.
    const own = chosen ? (selection.weights ? undefined : fit.heldOut) : fit.runnerUpFit?.heldOut;
    const held = heldOut ? ` | ${own ? formatPercent(own.predE) : '—'}` : '';
    const weight = selection.weights?.[c.law];
    const mark =
      weight === undefined ? (chosen ? ' (chosen)' : '') : ` (${weightText(weight, selection.weightRange?.[c.law])})`;
    return `| ${LAW_NAMES[c.law]}${mark} | ${formatPercent(c.backtestError)}${held} | ${note} |`;
  });
  const overlay = fit.runnerUpFit
    ? ` The chart's **runner-up** toggle overlays the runner-up's predictions (${runnerUpLawName(selection)}).`
    : '';
  // How a mean weighs the laws, said once (the reason says why it is a mean).
  const mean = selection.weights
    ? ` The mean: ${meanWeighing(!!selection.weightRange)}; every band mixes both laws' bootstrap refits by the same weights; the coefficients below are the ${LAW_NAMES[selection.chosen]}'s.`
    : '';
  return [
    [
      tableHead(['law', 'backtest error', ...(heldOut ? ['held-out PredE'] : []), '']),
      ...rows,
      ...(selection.weights && fit.heldOut && heldOut
        ? [`| ${fitLawName(fit)} (chosen) | — | ${formatPercent(fit.heldOut.predE)} | |`]
        : []),
    ].join('\n'),
    `Backtest error: each law refitted on the first ${cutList} % of every fit curve, its mean relative error on the rest.${mean}${overlay}`,
  ].join('\n\n');
}

/** The warnings and errors of the file in a line: how many, and what they are about (titles of the catalogue). */
function watchOut(analysis: Analysis<Series>, file: string): string {
  const serious = analysis.findings.filter((f) => f.file === file && f.severity !== 'info');
  if (serious.length === 0) return '';
  // The catalogue's titles are the project's own words: no file text, nothing to escape.
  const titles = [...new Set(serious.map((f) => FINDINGS[f.code].title))];
  const shown = titles.slice(0, 3).join('; ') + (titles.length > 3 ? `; and ${titles.length - 3} more` : '');
  return `**Watch out** (${serious.length} in the Problems panel): ${shown}.`;
}
