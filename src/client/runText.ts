// What the Runs view says of a run, without VS Code (so it is tested in plain Node): its state, the line beside its
// name and its tooltip's Markdown. src/client/runsView.ts draws them.
import { KIND_NAMES, LAW_NAMES } from '../core/analysis/lawNames';
import { departureDetail, departureLabel, departureReason } from '../core/analysis/departureText';
import type { LawDeparture } from '../core/analysis/types';
import { formatCompact, formatEstimate, formatNumber } from '../core/util/format';
import { shownOnOneLine } from '../core/util/controls';
import { keepHyphenated, markdownText } from '../shared/markdown';
import { TRAINING_WITHIN_MS, type RunEntry, type RunOverview } from '../shared/runs';

export type RunState =
  | { kind: 'fitting' }
  | { kind: 'training'; agoMs: number }
  | { kind: 'finished' }
  | { kind: 'unfitted'; why: string }
  | { kind: 'sweep'; what: string }
  | { kind: 'departed'; departure: LawDeparture; agoMs: number };

export function stateOf(entry: RunEntry, now: number): RunState {
  const o = entry.overview;
  if (!o) return { kind: 'fitting' };
  // A run above its law has no prediction on purpose: said as such, not as a run that cannot be fitted.
  if (o.departure) return { kind: 'departed', departure: o.departure, agoMs: now - entry.modifiedMs };
  // A downstream or (N, D) sweep has no loss to predict, and its own law was fitted: no run, but nothing wrong.
  if (o.sweep) return { kind: 'sweep', what: KIND_NAMES[o.sweep] };
  if (!o.prediction) return { kind: 'unfitted', why: o.problem ?? 'no law could be fitted' };
  const ago = now - entry.modifiedMs;
  return ago < TRAINING_WITHIN_MS ? { kind: 'training', agoMs: ago } : { kind: 'finished' };
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 90 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}

/** The line beside a run's name: where it stands, and its prediction or why there is none. */
export function describe(o: RunOverview | undefined, state: RunState): string {
  if (!o) return 'fitting…';
  const now =
    o.lastStep !== undefined && o.lastLoss !== undefined
      ? `step ${formatCompact(o.lastStep)} · loss ${formatNumber(o.lastLoss, 4)}`
      : `${o.rows} rows`;
  if (state.kind === 'unfitted') return `${now} · cannot be fitted`;
  if (state.kind === 'sweep') return `${now} · ${state.what}, no training run`;
  const when = 'agoMs' in state && state.agoMs < TRAINING_WITHIN_MS ? ` · training, updated ${ago(state.agoMs)}` : '';
  const p = o.prediction;
  const predicted = p ? ` → L(${formatCompact(p.step)}) = ${formatEstimate(p.value, p.low, p.high)}` : '';
  // A run above its law has no prediction (withheld in the core); one below keeps it: both are flagged.
  const departed = state.kind === 'departed' ? ` · ⚠ ${departureLabel(state.departure)}` : '';
  return `${now}${predicted}${departed}${when}`;
}

/**
 * The tooltip's Markdown: the run's name, then a paragraph per fact. Text is escaped by markdownText, which keeps its
 * spaces (VS Code's appendText made every space a no-break space, so a line broke only at hyphens: "LR-" / "annealing
 * law"), and a hyphenated word stays on one line (keepHyphenated).
 */
export function runTooltip(entry: RunEntry, state: RunState): string {
  const o = entry.overview;
  const lines: string[] = [shownOnOneLine(entry.name)];
  if (state.kind === 'fitting') lines.push('Fitting…');
  if (state.kind === 'training' || (state.kind === 'departed' && state.agoMs < TRAINING_WITHIN_MS))
    lines.push(`Training: updated ${ago(state.agoMs)}.`);
  if (state.kind === 'finished') lines.push('Finished (not changed in the last 10 minutes).');
  if (o?.format) lines.push(`Format: ${o.format}, ${o.rows} rows.`);
  if (o?.prediction)
    lines.push(
      `Predicted by the ${o.prediction.lawName ?? LAW_NAMES[o.prediction.law]} at step ${formatCompact(o.prediction.step)} (${o.prediction.why}); ` +
        'the chart has the full fit.',
    );
  if (state.kind === 'departed') {
    const reason = departureReason(state.departure);
    lines.push(`${reason[0].toUpperCase()}${reason.slice(1)}.`);
    lines.push(departureDetail(state.departure));
    lines.push(
      o?.prediction
        ? 'Its prediction assumes the run returns to its law; the Problems panel and the chart mark the step.'
        : 'No prediction is shown for it; the Problems panel and the chart mark the step.',
    );
  } else if (state.kind === 'unfitted') lines.push(`Cannot be fitted: ${state.why}`);
  else {
    if (state.kind === 'sweep')
      lines.push(
        `A ${state.what}, not a training run: the view predicts the loss of runs. Its own laws are fitted when it is opened: its lens, hovers and chart show them.`,
      );
    if (o?.problem) lines.push(`Note: ${o.problem}`);
  }
  return keepHyphenated(lines.map(markdownText).join('\n\n'));
}
