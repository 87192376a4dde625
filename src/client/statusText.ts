// The language status item's words for a file's fit, without VS Code (so they are tested in plain Node); status.ts
// shows them.
import { KIND_NAMES } from '../core/analysis/lawNames';
import { plural } from '../core/util/format';
import type { FitSummary } from '../shared/protocol';
import { partLabel, shownMetric } from '../shared/runPart';

/**
 * The item's text ("Scaling Lens: loss curves · 1 fit · 5.1 s": what the file holds in words, not its id
 * "loss-curve"), the detail beside it, and the tooltip of its link.
 */
export function statusText(summary: FitSummary): { text: string; detail?: string; tooltip: string } {
  const kind = summary.partOf
    ? `${partLabel(summary.partOf)} · `
    : summary.kind === 'unknown'
      ? ''
      : `${KIND_NAMES[summary.kind]} · `;
  const outcome = summary.state === 'done' ? plural(summary.fits, 'fit') : summary.state;
  const time = summary.state === 'fitting' ? undefined : formatMs(summary.ms);
  // The hover shows the item on one line that never wraps, with room for about 70 characters at the status bar of a
  // 1400-px window: a fit's headline (the lens above the file says the same) and a metric file's whole run id go to
  // the tooltip of the item's link, and so does a metric file's time, whose label fills the line (a file's own
  // label is short: its time stays in sight). A failure's or a skip's reason stays in sight, as it tells what to
  // do, but on a metric file: its lens says the same, as its link (Fit Scaling Law) does.
  const shownTime = time && !summary.partOf ? ` · ${time}` : '';
  const text = summary.state === 'fitting' ? 'Scaling Lens: fitting…' : `Scaling Lens: ${kind}${outcome}${shownTime}`;
  const detail = summary.state === 'done' || summary.partOf ? undefined : summary.message;
  const part = summary.partOf;
  // A metric file's whole metric name, when the label cut it, and its run's whole id.
  const metric = part && shownMetric(part) !== part.metric && `metric ${part.metric}`;
  const hidden = [summary.message, part && time, metric, part && `run ${part.run}`];
  return { text, detail, tooltip: hidden.filter(Boolean).join(' · ') };
}

/** A fit's time as the status says it: "238 ms", "1.4 s". */
function formatMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
