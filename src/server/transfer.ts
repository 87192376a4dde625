// Moving an Analysis from the worker thread to the server's thread. Structured clone copies a million-element
// number[] element by element (about 0.5 s for a million-row log); typed arrays are handed over without a copy.
// A loss curve's series are typed arrays already and travel as they are; other long series are packed into
// Float64Arrays first. The server keeps them so (plainCopy gives number[] where JSON needs them).
// A follower's analysis (followJob.ts) shares its arrays with what the follower keeps for the next update (its tables,
// the warm start's curves, areas and predictions): it moves copies instead, so nothing is held in both threads but
// what the follower needs.
import { mapSeries } from '../core/analysis/series';
import type { Analysis, Series } from '../core/analysis/types';

/** number[] shorter than this are cloned as they are: packing them would cost more than it saves. */
const PACK_FROM = 4096;

/** Packs each long number[] series into a Float64Array (in place) and returns the buffers to transfer. */
export function packAnalysis(analysis: Analysis<Series>): ArrayBuffer[] {
  // A set: series that share an array, or views of one buffer, hand it over once.
  const buffers = new Set<ArrayBuffer>();
  mapSeries(analysis, (values) => {
    if (Array.isArray(values) && values.length < PACK_FROM) return values;
    const typed = Array.isArray(values) ? Float64Array.from(values) : values;
    // Shared memory (tables of large files are parsed into it) crosses as it is; it cannot be in a transfer list.
    if (!(typed.buffer instanceof SharedArrayBuffer)) buffers.add(typed.buffer);
    return typed;
  });
  return [...buffers];
}

/**
 * Replaces each long series by a copy in a buffer of its own, in place, and returns those buffers to transfer: the
 * copies move, and once they have, the analysis left behind holds no series (its arrays are detached). The arrays it
 * held stay only where something else holds them. A series met twice is copied once, so it stays one array.
 */
export function copyForTransfer(analysis: Analysis<Series>): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  mapSeries(analysis, (values) => {
    if (Array.isArray(values) && values.length < PACK_FROM) return values;
    // slice() gives a buffer of its own, never shared memory, exactly the series' length.
    const copy = Array.isArray(values) ? Float64Array.from(values) : values.slice();
    buffers.push(copy.buffer as ArrayBuffer);
    return copy;
  });
  return buffers;
}

/**
 * A provisional analysis (job.ts) as it moves to the server's thread: copies (its curves' arrays are the tables' the
 * full analysis goes on with), without its curves' LR schedules. The server reads a provisional analysis only for
 * lenses, hovers and the status; the chart, exports and predictions wait for the full one. A million-row schedule
 * is 16 MB the server would hold beside the full fit for nothing.
 */
export function provisionalForTransfer(analysis: Analysis<Series>): ArrayBuffer[] {
  for (const curve of analysis.curves) delete curve.schedule;
  return copyForTransfer(analysis);
}
