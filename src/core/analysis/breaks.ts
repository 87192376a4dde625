// Does BLEU follow the downstream law as pretraining grows? When the pretraining data is aligned with the task, BLEU
// follows (log(A*D_p^alpha))^beta; when it is not, BLEU goes flat, falls or fluctuates while cross-entropy still
// improves (the law's source: docs/laws-downstream.md, break detection). The source gives no numeric criterion; ours
// is below and in docs/findings.md.
//
// Every criterion is in BLEU points (the user's tolerance), judged per group on points sorted by D_p.
import { finding } from '../findings';
import { BETA_GRID } from '../laws/bleu';
import { formatCompact, formatQuantity, formatRange } from '../util/format';
import { minOf, maxOf } from '../util/arrays';
import { medianOf } from '../util/select';
import type { Analysis, CurveReport, Finding, Series } from './types';

/** One (D_p, metric) point of a group after duplicates were merged. */
export interface SweepPoint {
  dp: number;
  value: number;
  line: number;
}

export interface BreakContext {
  file: string;
  group: string;
  /** BLEU points. */
  tolerance: number;
  /** Prefix length of the law-break test (at least 3). */
  fitFirst: number;
}

export interface BreakResult {
  findings: Finding[];
  /** Index of the first point that leaves the law, when one does. */
  breakIndex?: number;
  /** Lowest BLEU any tolerated prefix curve allows at each later level (index k..): what a test can inspect. */
  lowerEdge?: number[];
}

const MIN_PREFIX = 3;

/** Past this many points a group is judged on the medians of runs of consecutive points (sweepLevels). */
export const DENSE_POINTS = 24;

/** A group's points as the break tests judge them: each level the median of `size` consecutive points or fewer. */
export interface SweepLevels {
  points: SweepPoint[];
  /** Index of each level's first point in the group's points. */
  starts: number[];
  /** Points per level (1: the points themselves). */
  size: number;
}

/**
 * A dense sweep (BLEU evaluated at every checkpoint of a pretraining run) judged point by point would read its noise
 * as breaks: a 0.3-BLEU scatter falls by more than 1 BLEU between some neighbours once there are a hundred of them,
 * and a law-break prefix of four neighbours spans no D_p at all. So past DENSE_POINTS the points are cut into
 * DENSE_POINTS runs of consecutive D_p and each run counts as one point: its median BLEU, at its middle point's D_p
 * and line. A sweep of a few pretraining budgets, as in Isik et al., is judged point by point.
 */
export function sweepLevels(points: SweepPoint[]): SweepLevels {
  const n = points.length;
  if (n <= DENSE_POINTS) return { points, starts: points.map((_, i) => i), size: 1 };
  const starts = Array.from({ length: DENSE_POINTS }, (_, b) => Math.floor((b * n) / DENSE_POINTS));
  const levels = starts.map((from, b) => {
    const run = points.slice(from, b + 1 < starts.length ? starts[b + 1] : n);
    const middle = run[run.length >> 1];
    return { dp: middle.dp, line: middle.line, value: medianOf(run.map((p) => p.value)) };
  });
  return { points: levels, starts, size: Math.ceil(n / DENSE_POINTS) };
}

/** How a finding names a level's BLEU: the value itself, or the median it is. */
function levelNote(size: number): string {
  return size > 1 ? ` (BLEU as the median of each run of about ${size} consecutive points of this dense sweep)` : '';
}

function related(file: string, points: SweepPoint[], what: (p: SweepPoint, i: number) => string) {
  return points.map((p, i) => ({ file, line: p.line, message: what(p, i) }));
}

/** The indices of the points that fall below the one before by more than the tolerance. */
function dropIndices(points: SweepPoint[], tolerance: number): number[] {
  const out: number[] = [];
  for (let i = 1; i < points.length; i++) if (points[i - 1].value - points[i].value > tolerance) out.push(i);
  return out;
}

/** Drops between consecutive D_p points larger than the tolerance: the law (increasing in D_p) cannot fit them. */
export function nonMonotonicFindings(points: SweepPoint[], ctx: BreakContext, note = ''): Finding[] {
  return dropIndices(points, ctx.tolerance).map((i) => {
    const [from, to] = [points[i - 1], points[i]];
    const drop = from.value - to.value;
    return finding('bleu-non-monotonic', 'warning', {
      message: `BLEU falls by ${drop.toFixed(2)} points as pretraining grows from ${formatQuantity('D_p', from.dp)} (line ${from.line}, BLEU ${from.value.toFixed(2)}) to ${formatQuantity('D_p', to.dp)} (BLEU ${to.value.toFixed(2)}), more than the ${ctx.tolerance} BLEU tolerance${note}. The downstream law only rises with D_p, so it cannot describe this group: the pretraining data looks poorly aligned with the task, and more pretraining on it will probably not help (Isik et al. 2024).`,
      file: ctx.file,
      line: to.line,
      group: ctx.group,
      related: related(
        ctx.file,
        [from],
        (p) => `BLEU ${p.value.toFixed(2)} at ${formatQuantity('D_p', p.dp)} before the drop`,
      ),
    });
  });
}

/**
 * The lowest value at u_t of any curve (c + alpha*u)^beta with alpha >= 0 and beta on BETA_GRID that passes within
 * ±tol of every prefix point; NaN per target when no such curve exists. For fixed beta the curve is monotone in
 * g = c + alpha*u, so the band |f - y_i| <= tol is the strip lo_i <= g(u_i) <= hi_i and minimising g(u_t) is a
 * two-variable linear program: its optimum sits on a vertex, and the few vertices are enumerated exactly.
 */
export function lowestTolerableCurve(
  prefixU: ArrayLike<number>,
  prefixY: ArrayLike<number>,
  targetsU: ArrayLike<number>,
  tol: number,
): number[] {
  const out = Array.from(targetsU, () => NaN);
  for (const beta of BETA_GRID) {
    const lo = Array.from(prefixY, (y) => Math.pow(Math.max(y - tol, 0), 1 / beta));
    const hi = Array.from(prefixY, (y) => Math.pow(y + tol, 1 / beta));
    const vertices = feasibleVertices(prefixU, lo, hi);
    for (let t = 0; t < targetsU.length; t++) {
      let best = Infinity;
      for (const [c, alpha] of vertices) best = Math.min(best, c + alpha * targetsU[t]);
      if (best === Infinity) continue;
      const f = Math.pow(Math.max(best, 0), beta);
      if (Number.isNaN(out[t]) || f < out[t]) out[t] = f;
    }
  }
  return out;
}

/** Vertices (c, alpha) of { lo_i <= c + alpha*u_i <= hi_i for all i, alpha >= 0 }. */
function feasibleVertices(u: ArrayLike<number>, lo: number[], hi: number[]): [number, number][] {
  // Each boundary line is c + alpha*slope = level; alpha = 0 is slope-less and handled as its own kind.
  const lines: { slope: number; level: number }[] = [];
  for (let i = 0; i < u.length; i++) lines.push({ slope: u[i], level: lo[i] }, { slope: u[i], level: hi[i] });
  const scale = Math.max(maxOf(hi), 1);
  const eps = 1e-9 * scale;
  const feasible = (c: number, alpha: number) => {
    for (let i = 0; i < u.length; i++) {
      const g = c + alpha * u[i];
      if (g < lo[i] - eps || g > hi[i] + eps) return false;
    }
    return true;
  };
  const out: [number, number][] = [];
  for (let p = 0; p < lines.length; p++) {
    // With alpha = 0: c = level.
    if (feasible(lines[p].level, 0)) out.push([lines[p].level, 0]);
    for (let q = p + 1; q < lines.length; q++) {
      const du = lines[p].slope - lines[q].slope;
      if (Math.abs(du) < 1e-12) continue;
      const alpha = (lines[p].level - lines[q].level) / du;
      const c = lines[p].level - alpha * lines[p].slope;
      if (alpha >= 0 && feasible(c, alpha)) out.push([c, alpha]);
    }
  }
  return out;
}

/** Widening steps tried when no law curve fits the prefix within the tolerance (noisier data than assumed). */
const WIDEN_FACTOR = 1.5;
const WIDEN_STEPS = 12;

/**
 * The law-break test. Prefix = the first k = max(3, fitFirst) points. A later point breaks the law when it lies more
 * than tol BLEU below the lowest value that any law curve within ±tol of every prefix point allows there (any
 * beta in 0.1..10, alpha >= 0). Only shortfalls count: the finding that matters is BLEU stalling, not rising faster.
 * If no curve fits the prefix within tol, the tolerance is widened (×1.5 steps) until one does, and said so.
 */
export function lawBreakFindings(points: SweepPoint[], ctx: BreakContext, note = ''): BreakResult {
  const k = Math.max(MIN_PREFIX, ctx.fitFirst);
  if (points.length <= k) return { findings: [] };
  const u = points.map((p) => Math.log(p.dp));
  const centre = u.slice(0, k).reduce((s, v) => s + v, 0) / k;
  const uc = u.map((v) => v - centre);
  const prefixY = points.slice(0, k).map((p) => p.value);
  const targets = uc.slice(k);
  let tol = ctx.tolerance;
  let edge = lowestTolerableCurve(uc.slice(0, k), prefixY, targets, tol);
  for (let step = 0; step < WIDEN_STEPS && edge.every(Number.isNaN); step++) {
    tol *= WIDEN_FACTOR;
    edge = lowestTolerableCurve(uc.slice(0, k), prefixY, targets, tol);
  }
  if (edge.every(Number.isNaN)) return { findings: [] };
  const later = points.slice(k);
  const below = later.map((p, j) => p.value < edge[j] - tol);
  const first = below.indexOf(true);
  if (first < 0) return { findings: [], lowerEdge: edge };
  const at = later[first];
  const prefix = points.slice(0, k);
  const widened =
    tol > ctx.tolerance
      ? ` (the first ${k} points scatter more than ±${ctx.tolerance}, so the tolerance was widened to ±${tol.toFixed(2)})`
      : '';
  const lawBreak = finding('bleu-law-break', 'warning', {
    message: `The BLEU law breaks at ${formatQuantity('D_p', at.dp)} (line ${at.line}): observed BLEU ${at.value.toFixed(2)}, but every law curve that passes within ±${tol.toFixed(2)} BLEU of the first ${k} points (D_p ${formatRange(formatCompact(prefix[0].dp), formatCompact(prefix[k - 1].dp))}) predicts at least ${edge[first].toFixed(2)} there${widened}${note}. BLEU follows the law at first and then leaves it: the pretraining data looks insufficiently aligned with the task, and more pretraining on this mix will probably not improve BLEU even if cross-entropy keeps falling (Isik et al. 2024).`,
    file: ctx.file,
    line: at.line,
    group: ctx.group,
    related: [
      ...related(ctx.file, prefix, (p) => `prefix point ${formatQuantity('D_p', p.dp)}, BLEU ${p.value.toFixed(2)}`),
      ...related(
        ctx.file,
        later.filter((_, j) => below[j] && j !== first),
        (p) => `also below the law: ${formatQuantity('D_p', p.dp)}, BLEU ${p.value.toFixed(2)}`,
      ),
    ],
  });
  return { findings: [lawBreak], breakIndex: k + first, lowerEdge: edge };
}

/**
 * Non-monotonic drops and the prefix law-break test together, on the group's levels (sweepLevels); the break index
 * is of the group's points: the first point of the level where the law stops holding.
 */
export function detectBleuBreaks(points: SweepPoint[], ctx: BreakContext): BreakResult {
  const levels = sweepLevels(points);
  const judged = levels.points;
  const note = levelNote(levels.size);
  const law = lawBreakFindings(judged, ctx, note);
  const drops = nonMonotonicFindings(judged, ctx, note);
  // The fit should cover the part that follows the law: up to the first drop or the first break, whichever is first.
  const firstDrop = dropIndices(judged, ctx.tolerance)[0];
  const candidates = [law.breakIndex, firstDrop].filter((v): v is number => v !== undefined);
  const breakIndex = candidates.length ? levels.starts[minOf(candidates)] : undefined;
  return { findings: [...drops, ...law.findings], breakIndex, lowerEdge: law.lowerEdge };
}

/** Relative CE decrease that counts as "still improving" (1 %): well above run-to-run CE noise. */
export const CE_IMPROVEMENT = 0.01;
/** A flat stretch must span at least this factor in D_p (two doublings) to count. */
const FLAT_SPAN = 4;

/**
 * CE keeps improving where BLEU is flat or falling. On D_p shared by both metrics: p = the point of highest BLEU.
 * Fires when later points exist and BLEU after p either falls by more than tol somewhere, or stays at or below the
 * peak over at least two later points spanning >= 4x D_p; and CE at the last point is >= 1 % below CE at p.
 */
export function ceBleuDivergence(bleu: SweepPoint[], ce: SweepPoint[], ctx: BreakContext): Finding[] {
  const ceAt = new Map(ce.map((p) => [p.dp, p]));
  const both = bleu.filter((p) => ceAt.has(p.dp));
  if (both.length < 3) return [];
  // A dense sweep's peak and falls are its levels', not its noise's (sweepLevels); both metrics cut alike.
  const levels = sweepLevels(both);
  const shared = levels.points;
  const ceLevels = sweepLevels(both.map((p) => ceAt.get(p.dp)!)).points;
  let peak = 0;
  shared.forEach((p, i) => {
    if (p.value > shared[peak].value) peak = i;
  });
  const after = shared.slice(peak + 1);
  if (!after.length) return [];
  const last = shared[shared.length - 1];
  const maxDrop = shared[peak].value - minOf(after.map((p) => p.value));
  const falling = maxDrop > ctx.tolerance;
  const flat = after.length >= 2 && last.dp >= FLAT_SPAN * shared[peak].dp;
  const ceFrom = ceLevels[peak];
  const ceTo = ceLevels[shared.length - 1];
  const improving = ceTo.value < ceFrom.value * (1 - CE_IMPROVEMENT);
  if (!(falling || flat) || !improving) return [];
  const trend = falling ? `falls by up to ${maxDrop.toFixed(2)} BLEU` : 'stays flat';
  return [
    finding('ce-bleu-divergence', 'warning', {
      message: `Cross-entropy keeps improving (${ceFrom.value.toPrecision(4)} → ${ceTo.value.toPrecision(4)}, ${(100 * (1 - ceTo.value / ceFrom.value)).toFixed(1)} % lower) from ${formatQuantity('D_p', shared[peak].dp)} to ${formatQuantity('D_p', last.dp)} while BLEU ${trend} after its peak of ${shared[peak].value.toFixed(2)} (line ${shared[peak].line})${levelNote(levels.size).replace('BLEU as', 'BLEU and CE as')}. CE alone would suggest more pretraining helps; BLEU says this pretraining data is not aligned enough with the task for that (Isik et al. 2024). Decide on BLEU, not CE.`,
      file: ctx.file,
      line: last.line,
      group: ctx.group,
      related: related(
        ctx.file,
        shared.slice(peak, -1),
        (p, j) =>
          `${formatQuantity('D_p', p.dp)}: BLEU ${p.value.toFixed(2)}, CE ${ceLevels[peak + j].value.toPrecision(4)}`,
      ),
    }),
  ];
}

/** Pretraining does not beat the not-pretrained baseline by more than tol BLEU at any D_p. */
export function pretrainingNoGain(
  bleu: SweepPoint[],
  baseline: SweepPoint,
  ctx: BreakContext & { finetune?: string },
): Finding[] {
  if (!bleu.length) return [];
  const best = bleu.reduce((b, p) => (p.value > b.value ? p : b));
  const gain = best.value - baseline.value;
  if (gain > ctx.tolerance) return [];
  const df = ctx.finetune ? ` with ${formatQuantity('D_f', ctx.finetune)} fine-tuning tokens` : '';
  return [
    finding('pretraining-no-gain', 'warning', {
      message: `Pretraining barely helps this task${df}: the best pretrained BLEU is ${best.value.toFixed(2)} (${formatQuantity('D_p', best.dp)}, line ${best.line}), ${gain >= 0 ? `only ${gain.toFixed(2)} above` : `${(-gain).toFixed(2)} below`} the not-pretrained baseline's ${baseline.value.toFixed(2)}, within the ${ctx.tolerance} BLEU tolerance. With this much fine-tuning data the pretraining budget buys little (Isik et al. 2024); spend it elsewhere or pretrain on better-aligned data.`,
      file: ctx.file,
      line: baseline.line,
      group: ctx.group,
      related: related(
        ctx.file,
        [best],
        (p) => `best pretrained BLEU ${p.value.toFixed(2)} at ${formatQuantity('D_p', p.dp)}`,
      ),
    }),
  ];
}

/** The D_p of a group's first point that left the BLEU law, from the bleu-law-break finding on its line. */
export function breakPoint(analysis: Analysis<Series>, c: CurveReport<Series>): number | undefined {
  const found = analysis.findings.find((f) => f.code === 'bleu-law-break' && f.group === c.group);
  if (!found) return undefined;
  const i = c.points.lines.indexOf(found.line);
  return i >= 0 ? c.points.x[i] : undefined;
}
