// The CodeLenses of a run file, as the LSP lenses the server sends: a prediction lens per loss curve (and a summary
// lens over several), per downstream group, per compute budget and per power-law target, each running one of the
// extension's commands.
// Pure functions of the analysis, tested directly (test/server/lenses.test.ts).
import type { CodeLens } from 'vscode-languageserver';
import type { Analysis, CurveReport, FitResult, LawDeparture, LawId, Series } from '../core/analysis/types';
import { hasValue } from '../core/analysis/trust';
import {
  distinctDigits,
  formatCompact,
  formatFlop,
  formatQuantity,
  formatR2,
  formatPercent,
} from '../core/util/format';
import { computeOptimumText, estimateText, predictionAt, sweepBandsNote } from '../core/analysis/describe';
import { defaultHints } from '../core/findings';
import { departureDetail, departureLabel } from '../core/analysis/departureText';
import { breakPoint } from '../core/analysis/breaks';
import { fitLawName, meanWeighing, shortLawName } from '../core/analysis/lawNames';
import { Commands, type PredictAtHint, type RunPartOf } from '../shared/protocol';
import { editorHint } from './hints';
import { labelText } from '../shared/markdown';
import { fileOf, lineRange, METRIC_NAMES, NO_PREDICTION, shownLawName, UNSUPPORTED, withheldText } from './present';
import { shownRun } from '../shared/runPart';
import { appendAll } from '../core/util/arrays';

/** The lenses of one file (`file` is the path findings carry, `uri` what the commands are given). */
export function buildLenses(analysis: Analysis<Series>, file: string, uri: string): CodeLens[] {
  return [
    ...lossLenses(analysis, file, uri),
    ...downstreamLenses(analysis, file, uri),
    ...computeLenses(analysis, uri),
    ...powerLenses(analysis, file, uri),
  ];
}

/** A metric file whose run is not fitted (auto-fit off): a lens at its top that fits the run, as its status says. */
export function fitRunLens(uri: string, part: RunPartOf): CodeLens {
  return lens(0, `Scaling Lens: auto-fit is off · Fit Scaling Law on run ${shownRun(part)}`, Commands.fit, [uri]);
}

/** A lens on a 0-based line that runs one of the extension's commands; its texts quote run names, shown as text. */
function lens(line: number, title: string, command: string, args: unknown[], tooltip?: string): CodeLens {
  return {
    range: lineRange(line, 0, line, 0),
    command: {
      title: labelText(title),
      command,
      arguments: args,
      ...(tooltip && { tooltip: labelText(tooltip, 'many') }),
    },
  };
}

/** The laws fitted across loss curves: one fit, a lens per curve. */
const LOSS_CURVE_LAWS: ReadonlySet<LawId> = new Set<LawId>(['lr-annealing', 'mpl', 'lr-annealing-size', 'mpl-size']);

function lossLenses(analysis: Analysis<Series>, file: string, uri: string): CodeLens[] {
  const fit = analysis.fits.find((f) => LOSS_CURVE_LAWS.has(f.law));
  const curves = fileOf(analysis, file).filter((c) => c.law === fit?.law);
  if (!fit || curves.length === 0) return [];
  // A provisional analysis's law says so on every lens, with every number it shows. A mean of both laws is named
  // short ("weighted mean of both laws"), its full name in the tooltip: a long name pushed the number off the editor.
  const lawName = shownLawName(analysis, fit, shortLawName);
  const account = lawAccount(fit);
  const single = curves.length === 1;
  // Sizes to as many digits as tell the fit's sizes apart, in every file of it.
  const sizeDigits = distinctDigits(analysis.curves.flatMap((c) => c.modelSize ?? []));
  const lenses: CodeLens[] = [];
  if (!single) {
    const heldOut = fit.heldOut ? ` · held-out PredE ${formatPercent(fit.heldOut.predE)}` : '';
    const trust = fit.unsupported ? ` · ${UNSUPPORTED}${analysis.provisional ? '' : ' (see Problems)'}` : '';
    const title = `Loss · ${lawName} · fitted on ${fit.fittedOn.length} curves · R² ${formatR2(fit.quality.r2)}${heldOut}${trust}`;
    lenses.push(lens(0, title, Commands.showChart, [uri], account));
  }
  for (const curve of curves) {
    const line = single ? 0 : Math.max(0, curve.firstLine - 1);
    const shown: Shown[] = [];
    for (const p of analysis.predictions.filter((x) => x.curve === curve.name && x.metric === 'loss')) {
      const at = `L(${formatCompact(p.step ?? p.x)})`;
      if (!hasValue(p)) {
        const tooltip = p.status === 'law-departed' && curve.departure ? departureTooltip(curve.departure) : undefined;
        shown.push({ title: withheldText(at, p), tooltip });
        continue;
      }
      // The law in full, what the prediction assumes past the log (the LR held), and how a departure was judged.
      const tooltip = [
        account,
        p.assumption && `${at} assumes the ${p.assumption}`,
        curve.departure && departureTooltip(curve.departure),
      ]
        .filter(Boolean)
        .join('. ');
      shown.push({ title: `${predictionAt(p)} = ${estimateText(p)}`, tooltip: tooltip || undefined, valued: true });
    }
    // VS Code strings a line's lenses together: the numbers come first, then, once, what they are (the run, its law
    // and the fit quality), so "L(8k) = 2.57 | L(16k) = 2.55 · a · LR-annealing law · R² 0.99" shows the numbers
    // in a narrow editor. A run below its law keeps its numbers, flagged (one above has none: withheld in the core).
    const valued = shown.some((x) => x.valued);
    const quality =
      curve.role === 'heldout' && curve.metrics
        ? `held-out PredE ${formatPercent(curve.metrics.predE)}`
        : `R² ${formatR2(curve.metrics?.r2 ?? NaN)}`;
    const about = [
      valued && curve.departure && `⚠ ${departureLabel(curve.departure)}`,
      single ? '' : curve.name,
      `${lawName}${sizeText(curve, sizeDigits)}`,
      valued && quality,
    ];
    appendAll(lenses, linedUp(shown, about, line, Commands.predictAt, [uri, { kind: 'step' }]));
  }
  return lenses;
}

/** A lens's title and tooltip before it is placed; `valued`: it gives a number. */
interface Shown {
  title: string;
  tooltip?: string;
  valued?: boolean;
}

/**
 * One line's lenses, each its number (or why it has none) first, what they are about said once after the last of them
 * (`about`, its empty parts left out), all running one command.
 */
function linedUp(
  shown: Shown[],
  about: (string | false | undefined)[],
  line: number,
  command: string,
  args: unknown[],
): CodeLens[] {
  const tail = about.filter(Boolean).join(' · ');
  return shown.map((x, i) =>
    lens(line, i === shown.length - 1 && tail ? `${x.title} · ${tail}` : x.title, command, args, x.tooltip),
  );
}

/**
 * A mean of both laws in full, for a lens's tooltip where its title names it short (shortLawName), and how it weighs
 * them; undefined for a law whose title gives its full name.
 */
function lawAccount(fit: FitResult): string | undefined {
  if (!fit.selection?.weights) return undefined;
  return `Predicted by the ${fitLawName(fit)}: ${meanWeighing(!!fit.selection.weightRange)}`;
}

/** How a run that left its law was judged (tolerance, points off and outside the band), and where to change it. */
function departureTooltip(departure: LawDeparture): string {
  const settings = defaultHints('law-departure').map(editorHint).join(' ');
  return `${departureDetail(departure)} ${settings}`;
}

function downstreamLenses(analysis: Analysis<Series>, file: string, uri: string): CodeLens[] {
  const lenses: CodeLens[] = [];
  const curves = fileOf(analysis, file).filter((c) => c.metric === 'bleu' || c.metric === 'ce');
  for (const curve of curves) {
    const line = Math.max(0, curve.firstLine - 1);
    // As a loss curve's: the numbers (or why there are none) first, then the metric and the group, once.
    const about = [METRIC_NAMES[curve.metric], curve.group ?? curve.name];
    const at = curve.metric === 'bleu' ? breakPoint(analysis, curve) : undefined;
    const predictions = analysis.predictions.filter((p) => p.group === curve.group && p.metric === curve.metric);
    const shown: Shown[] = [];
    if (predictions.length === 0) {
      const fitted = analysis.fits.some(
        (f) => f.group === curve.group && (f.law === 'bleu') === (curve.metric === 'bleu'),
      );
      if (at !== undefined) shown.push({ title: `law breaks at ${formatQuantity('D_p', at)}` });
      else if (!fitted) shown.push({ title: 'no fit (see Problems)' });
    }
    // Targets withheld for one reason (a break, an unsupported fit) share one lens that says why.
    const reasons = new Set(predictions.flatMap((p) => (hasValue(p) ? [] : [p.statusReason])));
    for (const reason of reasons) shown.push({ title: `${NO_PREDICTION}${reason}` });
    const fit = analysis.fits.find((f) => f.group === curve.group && (f.law === 'bleu') === (curve.metric === 'bleu'));
    for (const p of predictions.filter(hasValue)) {
      const what = p.dataMultiplier !== undefined ? `${p.dataMultiplier}×D_p` : `D_p ${formatCompact(p.x)}`;
      shown.push({ title: `${what} → ${estimateText(p)}`, tooltip: fit && sweepBandsNote(fit) });
    }
    appendAll(lenses, linedUp(shown, about, line, Commands.showChart, [uri, curve.group]));
  }
  return lenses;
}

/** (N, D) sweeps lead with what to train at each budget (N*, D*, the loss, and whether that lies past the runs). */
function computeLenses(analysis: Analysis<Series>, uri: string): CodeLens[] {
  const lenses: CodeLens[] = [];
  const fit = analysis.fits.find((f) => f.law === 'chinchilla');
  for (const p of analysis.predictions.filter((x) => x.xName === 'C')) {
    const title = hasValue(p)
      ? `C = ${formatFlop(p.x)} FLOP → ${computeOptimumText(p)}`
      : withheldText(`C = ${formatFlop(p.x)} FLOP`, p);
    const tooltip = hasValue(p) && fit ? sweepBandsNote(fit) : undefined;
    lenses.push(lens(0, title, Commands.predictAt, [uri, { kind: 'compute' }], tooltip));
  }
  for (const fit of analysis.fits.filter((f) => f.law === 'chinchilla')) lenses.push(sweepFitLens(fit, 'runs', uri));
  return lenses;
}

/**
 * A power law (one per run of a file of several runs, each lens naming its run): how well it fits, then the loss at
 * each target over its own x, which Predict at... asks again at another value of that x (never a compute budget).
 */
function powerLenses(analysis: Analysis<Series>, file: string, uri: string): CodeLens[] {
  const lenses: CodeLens[] = [];
  // Only this file's fits: files fitted together each show their own (a fit is fitted on one curve of one file).
  const curves = fileOf(analysis, file);
  const fits = analysis.fits.filter(
    (f) => f.law === 'power' && f.fittedOn.some((n) => curves.some((c) => c.name === n)),
  );
  for (const fit of fits) {
    // Several runs' lenses sit on each run's first row, as loss curves' do: on one line they ran past the editor.
    const curve = curves.find((c) => fit.fittedOn.includes(c.name));
    const line = fits.length > 1 && curve ? Math.max(0, curve.firstLine - 1) : 0;
    // Each target's lens gives its prediction alone, first; the fit's lens after them names the run and the law.
    for (const p of analysis.predictions.filter((x) => x.metric === 'loss' && x.group === fit.group)) {
      const title = hasValue(p) ? `${predictionAt(p)} = ${estimateText(p)}` : withheldText(predictionAt(p), p);
      const tooltip = hasValue(p) ? sweepBandsNote(fit) : undefined;
      lenses.push(lens(line, title, Commands.predictAt, [uri, predictHint(p.xName)], tooltip));
    }
    lenses.push(sweepFitLens(fit, 'points', uri, line));
  }
  return lenses;
}

/** What a power law's lens tells Predict at...: a value of its x, named (the column it was fitted over). */
function predictHint(xName: string): PredictAtHint {
  return { kind: 'powerX', xName };
}

/** A sweep law's fit in one lens (on 0-based `line`), what it was fitted on and how well, opening the chart. */
function sweepFitLens(fit: FitResult, unit: 'runs' | 'points', uri: string, line = 0): CodeLens {
  const trust = fit.unsupported ? ` · ${UNSUPPORTED} (see Problems)` : '';
  const run = fit.group !== undefined ? `${fit.group} · ` : '';
  const title = `Loss · ${run}${fitLawName(fit)} · fitted on ${fit.points} ${unit} · R² ${formatR2(fit.quality.r2)}${trust}`;
  return lens(line, title, Commands.showChart, [uri]);
}

/** The model size a model-size-law curve is predicted at, for its lens: " (N=25M)"; empty for other laws. */
function sizeText(curve: CurveReport<Series>, digits: number): string {
  return curve.modelSize !== undefined ? ` (N=${formatCompact(curve.modelSize, digits)})` : '';
}
