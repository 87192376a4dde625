// Where the target and break labels go: each box beside its marker line, moved down past the boxes it would cover,
// so labels of many runs never print over each other. Pure geometry, no canvas.

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

const GAP = 3;

/**
 * A place for each box (in order), or null when the area has no room left: right of its marker when it fits, else
 * left of it, at the highest free spot. O(n²) in boxes: a chart has a handful of markers.
 */
export function layoutLabels(boxes: LabelBox[], area: Area): (PlacedBox | null)[] {
  const placed: PlacedBox[] = [];
  return boxes.map((b) => {
    let left = b.x + 4;
    if (left + b.width > area.right) left = b.x - 4 - b.width;
    left = Math.max(area.left, Math.min(left, area.right - b.width));
    const right = left + b.width;
    const across = placed.filter((p) => p.left < right + GAP && p.right + GAP > left);
    const candidates = [area.top + GAP, ...across.map((p) => p.bottom + GAP)].sort((a, c) => a - c);
    const top = candidates.find((t) => across.every((p) => t >= p.bottom + GAP || t + b.height + GAP <= p.top));
    if (top === undefined || top + b.height > area.bottom) return null;
    const box = { left, top, right, bottom: top + b.height };
    placed.push(box);
    return box;
  });
}

/** Whether two placed boxes overlap (tests and the hook's checks). */
export function overlaps(a: PlacedBox, b: PlacedBox): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}
