// Where the target and break labels go: each box beside its marker line, at the highest spot that covers neither
// another box nor, where the plot has room, the data drawn there, so labels of many runs never print over each
// other and a label never hides the points it is about. Pure geometry, no canvas.
import { lowerBound, maxOf, upperBound } from '../core/util/arrays';

export interface LabelBox {
  /** The marker's x on screen (px). */
  x: number;
  width: number;
  height: number;
  /** Where the box would sit, its middle at this y (px), among spots covering as few points; else the highest. */
  y?: number;
}

export interface PlacedBox {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface Area {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Drawn data on screen (px): the points of every visible series, in any order. */
export interface ScreenPoints {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

const GAP = 3;
/** How far down the plot the spots a box may take are tried (px). */
const STEP = 6;
/** A point this close to a box (px: a marker's radius and its border) counts as covered by it. */
const POINT_REACH = 4;

/**
 * A place for each box (in order), or null when the area has no room left: beside its marker (right of it first),
 * covering no box placed before it, and covering as few data points as the plot allows; among spots that cover
 * equally few, the highest. O(boxes² + boxes * points): a chart has a handful of markers.
 */
export function layoutLabels(boxes: LabelBox[], area: Area, points?: ScreenPoints): (PlacedBox | null)[] {
  const placed: PlacedBox[] = [];
  return boxes.map((b) => {
    let best: { box: PlacedBox; covered: number } | undefined;
    for (const left of sidesOf(b, area)) {
      const right = left + b.width;
      const across = placed.filter((p) => p.left < right + GAP && p.right + GAP > left);
      const ys = pointsBetween(points, left - POINT_REACH, right + POINT_REACH);
      for (const top of topsFor(b.height, area, across)) {
        if (!across.every((p) => top >= p.bottom + GAP || top + b.height + GAP <= p.top)) continue;
        const covered = countWithin(ys, top - POINT_REACH, top + b.height + POINT_REACH);
        const better =
          !best || covered < best.covered || (covered === best.covered && rank(b, top) < rank(b, best.box.top));
        if (better) best = { box: { left, top, right, bottom: top + b.height }, covered };
        if (covered === 0 && b.y === undefined) break; // the highest spot on this side that covers nothing
      }
    }
    if (best) placed.push(best.box);
    return best?.box ?? null;
  });
}

/**
 * Lines of label text at one marker: their widths (px), each line `line` px tall, a box `pad` px taller; and where each
 * line would sit alone (its value's y, px), if anywhere.
 */
export interface LabelStack {
  x: number;
  widths: number[];
  ys?: (number | undefined)[];
}

/** A box of lines [from, to) of stack `stack`, where it is drawn (null: no room left). */
export interface PlacedLines {
  stack: number;
  from: number;
  to: number;
  box: PlacedBox | null;
  /** The data points it covers (0 where the plot had room). */
  covers: number;
}

/**
 * Boxes for stacks of label lines: a stack keeps one box where it has room off the data; a stack whose box would
 * cover data is split into a box per line, each placed in the gaps on its own, as near its own value as the gaps allow
 * (the nine targets of a model-size sweep at one step hid a whole run's points beside them in one box). Each line
 * keeps its marker's colour and run name.
 */
export function layoutStacks(
  stacks: LabelStack[],
  area: Area,
  points: ScreenPoints | undefined,
  size: { line: number; pad: number },
): PlacedLines[] {
  const whole = stacks.map((st, k) => ({ stack: k, from: 0, to: st.widths.length }));
  let units = whole;
  let placed = place(units, stacks, area, points, size);
  const split = new Set(placed.filter((p) => p.covers > 0 && p.to - p.from > 1).map((p) => p.stack));
  if (split.size) {
    units = whole.flatMap((u) =>
      split.has(u.stack) ? stacks[u.stack].widths.map((_, i) => ({ stack: u.stack, from: i, to: i + 1 })) : [u],
    );
    placed = inValueOrder(place(units, stacks, area, points, size), stacks, split);
  }
  return placed;
}

/**
 * A split stack's lines, top to bottom in the order of their values (the highest value's line on top), over the
 * boxes placed for them: placed one by one, a line that found no room by its own value went above lines of higher
 * values, and the labels read out of order. Its boxes are all as wide, so any line fits any of them.
 */
function inValueOrder(placed: PlacedLines[], stacks: LabelStack[], split: Set<number>): PlacedLines[] {
  for (const k of split) {
    const mine = placed.filter((p) => p.stack === k && p.box);
    const ys = stacks[k].ys ?? [];
    const lines = mine.map((p) => p.from).sort((a, b) => (ys[a] ?? Infinity) - (ys[b] ?? Infinity) || a - b);
    const boxes = mine.map((p) => p.box!).sort((a, b) => a.top - b.top);
    mine.forEach((p, i) => {
      p.from = lines[i];
      p.to = lines[i] + 1;
      p.box = boxes[i];
    });
  }
  return placed;
}

function place(
  units: { stack: number; from: number; to: number }[],
  stacks: LabelStack[],
  area: Area,
  points: ScreenPoints | undefined,
  size: { line: number; pad: number },
): PlacedLines[] {
  const boxes = units.map((u) => {
    // A line split from its stack: as wide as the stack (inValueOrder may give it another line), near its value.
    const split = u.to - u.from === 1 && stacks[u.stack].widths.length > 1;
    return {
      x: stacks[u.stack].x,
      width: maxOf(split ? stacks[u.stack].widths : stacks[u.stack].widths.slice(u.from, u.to)),
      height: (u.to - u.from) * size.line + size.pad,
      y: split ? stacks[u.stack].ys?.[u.from] : undefined,
    };
  });
  const placed = layoutLabels(boxes, area, points);
  return units.map((u, k) => ({ ...u, box: placed[k], covers: placed[k] ? coveredPoints(placed[k]!, points) : 0 }));
}

/** How many data points a placed box covers (within POINT_REACH of it). */
function coveredPoints(box: PlacedBox, points: ScreenPoints | undefined): number {
  const ys = pointsBetween(points, box.left - POINT_REACH, box.right + POINT_REACH);
  return countWithin(ys, box.top - POINT_REACH, box.bottom + POINT_REACH);
}

/** How far a spot is from where its box would sit: from its wanted y, or from the plot's top. */
function rank(b: LabelBox, top: number): number {
  return b.y === undefined ? top : Math.abs(top + b.height / 2 - b.y);
}

/**
 * The box's left edge right of its marker and left of it, each where it fits inside the area; when neither fits, left
 * of it pushed inside. A side pushed inside would cover its own marker line (a target at the plot's right edge).
 */
function sidesOf(b: LabelBox, area: Area): number[] {
  const sides = [b.x + 4, b.x - 4 - b.width].filter((left) => left >= area.left && left + b.width <= area.right);
  return sides.length ? sides : [Math.max(area.left, Math.min(b.x - 4 - b.width, area.right - b.width))];
}

/** The tops a box may take, highest first: the area's top, just below each box in its way, and every STEP px. */
function topsFor(height: number, area: Area, across: PlacedBox[]): number[] {
  const last = area.bottom - height;
  const tops = [area.top + GAP, ...across.map((p) => p.bottom + GAP)];
  for (let t = area.top + GAP + STEP; t <= last; t += STEP) tops.push(t);
  return tops.filter((t) => t <= last).sort((a, c) => a - c);
}

/** The y of every point whose x lies in [left, right], sorted. */
function pointsBetween(points: ScreenPoints | undefined, left: number, right: number): Float64Array {
  if (!points) return new Float64Array(0);
  const ys: number[] = [];
  for (let i = 0; i < points.x.length; i++) {
    const x = points.x[i];
    if (x >= left && x <= right) ys.push(points.y[i]);
  }
  return Float64Array.from(ys).sort();
}

/** How many of the sorted values lie in [low, high]. */
function countWithin(sorted: Float64Array, low: number, high: number): number {
  return upperBound(sorted, high) - lowerBound(sorted, low);
}

/** Whether two placed boxes overlap (tests and the hook's checks). */
export function overlaps(a: PlacedBox, b: PlacedBox): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/**
 * `text` as it fits in `room` px by `measure`: whole when it does, else its longest start that fits with an ellipsis
 * (a chart narrower than a label cut it at the canvas edge mid-word).
 */
export function fitText(text: string, room: number, measure: (s: string) => number): string {
  if (measure(text) <= room) return text;
  let [lo, hi] = [0, text.length - 1];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(`${text.slice(0, mid).trimEnd()}…`) <= room) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo).trimEnd()}…`;
}
