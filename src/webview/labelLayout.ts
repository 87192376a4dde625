// Where the target and break labels go: each box beside its marker line, at the highest spot that covers neither
// another box nor, where the plot has room, the data drawn there, so labels of many runs never print over each
// other and a label never hides the points it is about. Pure geometry, no canvas.
import { lowerBound, upperBound } from '../core/util/arrays';

export interface LabelBox {
  /** The marker's x on screen (px). */
  x: number;
  width: number;
  height: number;
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
        const better = !best || covered < best.covered || (covered === best.covered && top < best.box.top);
        if (better) best = { box: { left, top, right, bottom: top + b.height }, covered };
        if (covered === 0) break; // the highest spot on this side that covers nothing
      }
    }
    if (best) placed.push(best.box);
    return best?.box ?? null;
  });
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
