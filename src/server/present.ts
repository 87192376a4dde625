// What a user reads in the editor, built from one Analysis: CodeLens titles, hover markdown and diagnostics.
// Pure functions of the analysis (no connection, no documents), so they are tested directly.
import type { Analysis, CurveReport, FitResult, Prediction, Series } from '../core/analysis/types';
import { formatCompact, formatNumber, formatPercent } from '../core/util/format';
import { breakPoint } from '../core/analysis/breaks';
import { Commands } from '../shared/protocol';
import { editorMessage, findingHref } from './hints';

export interface LensSpec {
  /** 0-based line. */
  line: number;
  title: string;
  command: string;
  arguments: unknown[];
}

const LAW_NAMES: Record<FitResult['law'], string> = {
  'lr-annealing': 'LR-annealing law',
  bleu: 'BLEU law',
  'downstream-ce': 'CE law',
  chinchilla: 'Chinchilla law',
  power: 'power law',
};

const METRIC_NAMES: Record<Prediction['metric'], string> = { loss: 'Loss', bleu: 'BLEU', ce: 'CE' };

function band(p: { low: number; high: number }, digits = 4): string {
  return Number.isFinite(p.low) && Number.isFinite(p.high)
    ? ` [${formatNumber(p.low, digits)}, ${formatNumber(p.high, digits)}]`
    : '';
}

/** The label a downstream group shows: `en-fr / D_f 42M`. */
export function groupLabel(fields: Record<string, string | number> | undefined, fallback = ''): string {
  if (!fields) return fallback;
  const entries = Object.entries(fields);
  const mix = entries.find(([k]) => !/^d_?f$/i.test(k));
  const df = entries.find(([k]) => /^d_?f$/i.test(k));
  const parts = [
    mix ? String(mix[1]) : '',
    df ? `D_f ${typeof df[1] === 'number' ? formatCompact(df[1]) : df[1]}` : '',
  ];
  return parts.filter(Boolean).join(' / ') || fallback;
}

function fileOf(analysis: Analysis<Series>, file: string): CurveReport<Series>[] {
  return analysis.curves.filter((c) => c.file === file);
}

function lossLenses(analysis: Analysis<Series>, file: string, uri: string): LensSpec[] {
  const curves = fileOf(analysis, file).filter((c) => c.law === 'lr-annealing');
  const fit = analysis.fits.find((f) => f.law === 'lr-annealing');
  if (!fit || curves.length === 0) return [];
  const single = curves.length === 1;
  const lenses: LensSpec[] = [];
  if (!single) {
    lenses.push({
      line: 0,
      title: `Loss · ${LAW_NAMES['lr-annealing']} · fitted on ${fit.fittedOn.length} curves · R² ${formatNumber(fit.quality.r2, 4)}${fit.heldOut ? ` · held-out PredE ${formatPercent(fit.heldOut.predE)}` : ''}`,
      command: Commands.showChart,
      arguments: [uri],
    });
  }
  for (const curve of curves) {
    const line = single ? 0 : Math.max(0, curve.firstLine - 1);
    const who = single ? 'Loss' : curve.name;
    for (const p of analysis.predictions.filter((x) => x.curve === curve.name && x.metric === 'loss')) {
      const quality =
        curve.role === 'heldout' && curve.metrics
          ? `held-out PredE ${formatPercent(curve.metrics.predE)}`
          : `R² ${formatNumber(curve.metrics?.r2 ?? NaN, 4)}`;
      lenses.push({
        line,
        title: `${who} · ${LAW_NAMES['lr-annealing']} · L(${formatCompact(p.step ?? p.x)}) = ${formatNumber(p.value, 4)}${band(p)} · ${quality}`,
        command: Commands.predictAt,
        arguments: [uri, { kind: 'step' }],
      });
    }
  }
  return lenses;
}

function downstreamLenses(analysis: Analysis<Series>, file: string, uri: string): LensSpec[] {
  const lenses: LensSpec[] = [];
  const curves = fileOf(analysis, file).filter((c) => c.metric === 'bleu' || c.metric === 'ce');
  for (const curve of curves) {
    const line = Math.max(0, curve.firstLine - 1);
    const label = groupLabel(curve.groupFields, curve.group ?? curve.name);
    const metric = METRIC_NAMES[curve.metric];
    const at = curve.metric === 'bleu' ? breakPoint(analysis, curve) : undefined;
    if (at !== undefined) {
      lenses.push({
        line,
        title: `${metric} · ${label} · law breaks at D_p = ${formatCompact(at)}`,
        command: Commands.showChart,
        arguments: [uri, curve.group],
      });
      continue;
    }
    const predictions = analysis.predictions.filter((p) => p.group === curve.group && p.metric === curve.metric);
    if (predictions.length === 0) {
      const fitted = analysis.fits.some(
        (f) => f.group === curve.group && (f.law === 'bleu') === (curve.metric === 'bleu'),
      );
      if (!fitted)
        lenses.push({
          line,
          title: `${metric} · ${label} · no fit (see Problems)`,
          command: Commands.showChart,
          arguments: [uri, curve.group],
        });
      continue;
    }
    for (const p of predictions) {
      const what = p.dataMultiplier !== undefined ? `${p.dataMultiplier}×D_p` : `D_p ${formatCompact(p.x)}`;
      lenses.push({
        line,
        title: `${metric} · ${label} · ${what} -> ${formatNumber(p.value, 3)}${band(p, 3)}`,
        command: Commands.showChart,
        arguments: [uri, curve.group],
      });
    }
  }
  return lenses;
}

function computeLenses(analysis: Analysis<Series>, uri: string): LensSpec[] {
  const lenses: LensSpec[] = [];
  for (const fit of analysis.fits.filter((f) => f.law === 'chinchilla' || f.law === 'power')) {
    const coeffs = Object.entries(fit.params)
      .map(([k, v]) => `${k} ${formatNumber(v, 4)}`)
      .join(' · ');
    lenses.push({
      line: 0,
      title: `Loss · ${LAW_NAMES[fit.law]} · ${coeffs} · R² ${formatNumber(fit.quality.r2, 4)}`,
      command: Commands.showChart,
      arguments: [uri],
    });
  }
  for (const p of analysis.predictions.filter((x) => x.xName === 'C')) {
    const extra = p.extra
      ? Object.entries(p.extra)
          .map(([k, v]) => `${k} = ${formatCompact(v)}`)
          .join(', ')
      : '';
    lenses.push({
      line: 0,
      title: `C = ${formatNumber(p.x, 3)} FLOP -> loss ${formatNumber(p.value, 4)}${band(p)}${extra ? ` · ${extra}` : ''}`,
      command: Commands.predictAt,
      arguments: [uri, { kind: 'compute' }],
    });
  }
  return lenses;
}

export function buildLenses(analysis: Analysis<Series>, file: string, uri: string): LensSpec[] {
  return [
    ...lossLenses(analysis, file, uri),
    ...downstreamLenses(analysis, file, uri),
    ...computeLenses(analysis, uri),
  ];
}

/** The curve point whose source line is `line` (1-based), found by binary search on each curve's lines. */
export function pointAtLine(
  analysis: Analysis<Series>,
  file: string,
  line: number,
): { curve: CurveReport<Series>; index: number } | null {
  for (const curve of fileOf(analysis, file)) {
    const lines = curve.points.lines;
    let lo = 0;
    let hi = lines.length - 1;
    // Lines are ascending when rows were logged in step order; otherwise fall back to a scan.
    const sorted = lines.length < 2 || lines[0] <= lines[lines.length - 1];
    if (!sorted) {
      const index = lines.indexOf(line);
      if (index >= 0) return { curve, index };
      continue;
    }
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (lines[mid] === line) return { curve, index: mid };
      if (lines[mid] < line) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  return null;
}

export function hoverForRow(analysis: Analysis<Series>, file: string, line: number): string | null {
  const hit = pointAtLine(analysis, file, line);
  if (!hit) return null;
  const { curve, index } = hit;
  const p = curve.points;
  const observed = p.observed[index];
  const predicted = p.predicted[index];
  const title = `**${curve.group ? groupLabel(curve.groupFields, curve.group) : curve.name}** · ${curve.xName} ${formatNumber(p.x[index], 6)} · ${METRIC_NAMES[curve.metric]}`;
  if (predicted === undefined || !Number.isFinite(predicted)) {
    return `${title}\n\nobserved ${formatNumber(observed, 5)} · no law fitted to this ${curve.group ? 'group' : 'curve'} (see the Problems panel)`;
  }
  const low = p.low[index];
  const high = p.high[index];
  const residual = observed - predicted;
  const inside =
    Number.isFinite(low) && Number.isFinite(high)
      ? observed >= low && observed <= high
        ? 'inside the 95 % band'
        : '**outside** the 95 % band'
      : 'no band (bootstrap off)';
  const law = curve.law ? LAW_NAMES[curve.law] : 'law';
  return [
    title,
    '',
    '| | |',
    '|---|---|',
    `| observed | ${formatNumber(observed, 5)} |`,
    `| predicted (${law}) | ${formatNumber(predicted, 5)}${band({ low, high }, 5)} |`,
    `| residual | ${residual >= 0 ? '+' : ''}${formatNumber(residual, 3)} (${residual >= 0 ? '+' : ''}${formatPercent(residual / observed)}) |`,
    '',
    `${inside} · ${curve.role === 'heldout' ? 'this curve was held out: a true prediction' : 'this point was fitted'}`,
  ].join('\n');
}

export function hoverForHeader(analysis: Analysis<Series>, file: string, column?: string): string | null {
  const fits = analysis.fits.filter(
    (f) =>
      f.fittedOn.length === 0 ||
      analysis.curves.some((c) => c.file === file && (f.group ? c.group === f.group : f.fittedOn.includes(c.name))),
  );
  if (fits.length === 0) return null;
  const parts = fits.slice(0, 6).map((fit) => {
    const rows = Object.entries(fit.params).map(([k, v]) => {
      const ci = fit.intervals?.[k];
      return `| ${k} | ${formatNumber(v, 5)} | ${ci ? `[${formatNumber(ci[0], 4)}, ${formatNumber(ci[1], 4)}]` : ''} | ${fit.units[k] ?? ''} |`;
    });
    const settings = Object.entries(fit.settings)
      .filter(([k]) => k !== 'band')
      .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`)
      .join(' · ');
    const held = fit.heldOut
      ? `\n\nheld-out: PredE ${formatPercent(fit.heldOut.predE)} · WorstE ${formatPercent(fit.heldOut.worstE)} · R² ${formatNumber(fit.heldOut.r2, 5)}`
      : '';
    return [
      `**${LAW_NAMES[fit.law]}**${fit.group ? ` · ${groupLabel(fit.groupFields, fit.group)}` : ''}: \`${fit.formula}\``,
      '',
      '| coefficient | value | 95 % interval | unit |',
      '|---|---|---|---|',
      ...rows,
      '',
      `fitted on ${fit.fittedOn.join(', ')} (${fit.points} points) · ${fit.converged ? 'converged' : '**not converged**'} (${fit.stopReason}, ${fit.iterations} iterations) · objective ${formatNumber(fit.objective, 5)} · R² ${formatNumber(fit.quality.r2, 5)}`,
      '',
      settings,
      held,
    ].join('\n');
  });
  const more = fits.length > 6 ? `\n\n… and ${fits.length - 6} more fits (Export Fit… has them all)` : '';
  return `${column ? `column \`${column}\`\n\n` : ''}${parts.join('\n\n---\n\n')}${more}`;
}

export interface DiagnosticSpec {
  line: number; // 0-based
  character: number;
  endLine: number;
  endCharacter: number;
  severity: 1 | 2 | 3;
  code: string;
  href: string;
  message: string;
  related: { file: string; line: number; message: string }[];
}

const SEVERITY = { error: 1, warning: 2, info: 3 } as const;

export function buildDiagnostics(analysis: Analysis<Series>, file: string, maxChar = 10000): DiagnosticSpec[] {
  return analysis.findings
    .filter((f) => f.file === file)
    .map((f) => {
      const line = Math.max(0, (f.line || 1) - 1);
      const character = f.column ? f.column - 1 : 0;
      return {
        line,
        character,
        endLine: Math.max(line, (f.endLine ?? f.line ?? 1) - 1),
        endCharacter: f.column ? character + 1 : maxChar,
        severity: SEVERITY[f.severity],
        code: f.code,
        href: findingHref(f.code),
        message: editorMessage(f),
        related: f.related ?? [],
      };
    });
}
