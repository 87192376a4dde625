// Workloads 2 and 3: the LR-annealing fit and the Chinchilla fit (+ bootstrap), ours against scipy's L-BFGS-B on the
// same objective, gradient, starts, scaling and stopping rule. Both sides do one untimed warm-up fit (JIT / numpy
// first-call costs) and then the same number of timed fits; the median is reported. Process start, imports and data
// loading are outside the timers on both sides.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_DATA } from './paths';
import { extractLossCurves, type LossCurve } from '../src/core/analysis/lossCurves';
import { concat, pick, thinIndices } from '../src/core/util/arrays';
import { bootstrapIntervals, bootstrapParams, resampleIndices } from '../src/core/fit/bootstrap';
import { fitRobust, logHuberObjective, refineRobust, type RobustFit } from '../src/core/fit/robust';
import { chinchillaCoefficients, chinchillaLaw, chinchillaPoints, chinchillaStarts } from '../src/core/laws/chinchilla';
import { lrAnnealingLaw, lrAnnealingStarts, type AreaPoints } from '../src/core/laws/lrAnnealing';
import { lrAreas, StepLr } from '../src/core/laws/schedule';
import { detectRoles, readTable } from '../src/core/table';
import { seededRandom } from '../src/core/util/random';
import { fmtMs, median, speedRatio, type BenchRow } from './report';
import { pythonPeer, runPython, writeArrays } from './python';
import { syntheticCurve } from './workloads';
import { LUO_FIT } from '../test/helpers/shared';

/** The public multi-power-law curves of one model size (docs/laws-loss.md, Public curves) and the official split's fit curves. */
export const luoDir = (size: '25' | '100' | '400') => join(SHARED_DATA, 'multipowerlaw-luo2025', `csv_${size}`);
const LUO_400 = luoDir('400');
const CHINCHILLA_CSV = join(SHARED_DATA, 'chinchilla', 'chinchilla_epoch_derived.csv');

export const DELTA = 1e-3;
/** fitRobust's defaults (robust.ts): pgtol 1e-12, ftol 2.22e-9 relative to |f| (floor 1e-300), 2000 iterations. */
export const PGTOL = 1e-12;
const OUR_FTOL = 2.220446049250313e-9;
export const MAX_ITER = 2000;
/** lossAnalysis.ts: above this many points the starts are searched on a thinned copy. */
const THIN_FIT_POINTS = 5000;
/** Objective no worse than scipy's within this relative margin. */
export const OBJECTIVE_TOLERANCE = 1e-6;

/**
 * scipy's L-BFGS-B stops when (f_k - f_k+1) <= ftol * max(|f_k|, |f_k+1|, 1); ours uses max(|f_k|, |f_k+1|, 1e-300).
 * On objectives below 1 the same rule at the optimum is ftol = 2.22e-9 * f*.
 */
export function scipyFtol(objective: number): number {
  return OUR_FTOL * Math.min(1, Math.max(objective, 1e-300));
}

export function timeFits<T>(reps: number, body: () => T): { result: T; ms: number[] } {
  let result = body(); // warm-up, untimed
  const ms: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    result = body();
    ms.push(performance.now() - t0);
  }
  return { result, ms };
}

/** Loss curves of the named files of one directory, read as the CLI reads them. */
export async function readCurves(dir: string, names: string[]): Promise<LossCurve[]> {
  const curves: LossCurve[] = [];
  for (const name of names) {
    const table = await readTable(join(dir, `${name}.csv`));
    curves.push(...extractLossCurves(table, detectRoles(table)).curves);
  }
  return curves;
}

/** The official 400M fit set, prepared exactly as analyseLossCurves prepares fitting curves (lambda 0.999, peak warmup). */
async function luoFitSet(): Promise<{ data: AreaPoints; observed: Float64Array; curves: number }> {
  const curves = await readCurves(LUO_400, LUO_FIT);
  const etaMax = Math.max(...curves.map((c) => new StepLr(c.schedule).peak));
  const parts = curves.map((c) => {
    const a = lrAreas(c.schedule, c.steps, { lambda: 0.999, warmup: 'peak' });
    return { s1: a.s1.map((v) => v / etaMax), s2: a.s2.map((v) => v / etaMax) };
  });
  return {
    data: { s1: concat(parts.map((p) => p.s1)), s2: concat(parts.map((p) => p.s2)) },
    observed: concat(curves.map((c) => c.loss)),
    curves: curves.length,
  };
}

function syntheticFitSet(steps: number): { data: AreaPoints; observed: Float64Array } {
  const c = syntheticCurve(steps);
  const schedule = { steps: c.steps, lr: c.lr };
  const etaMax = new StepLr(schedule).peak;
  const a = lrAreas(schedule, c.steps, { lambda: 0.999, warmup: 'peak' });
  return { data: { s1: a.s1.map((v) => v / etaMax), s2: a.s2.map((v) => v / etaMax) }, observed: c.loss };
}

interface LrCase {
  name: string;
  label: string;
  data: AreaPoints;
  observed: Float64Array;
  reps: number;
}

export interface PeerFit {
  name: string;
  ms: number[];
  objective: number;
  params: number[];
  iterations: number;
  evaluations: number;
  /** Evaluations on all points after the thinned fit (huge curves only). */
  refineEvaluations?: number | null;
}

/** Our fit as lossAnalysis.ts fitAll runs it, with the starts computed beforehand (and handed to scipy too). */
function prepareLrCase(c: LrCase) {
  const n = c.observed.length;
  const t0 = performance.now();
  if (n <= THIN_FIT_POINTS) {
    const starts = lrAnnealingStarts(c.data, c.observed);
    return { starts, startsMs: performance.now() - t0, thin: null };
  }
  const idx = thinIndices(n, THIN_FIT_POINTS);
  const thin = { data: { s1: pick(c.data.s1, idx), s2: pick(c.data.s2, idx) }, observed: pick(c.observed, idx) };
  const starts = lrAnnealingStarts(thin.data, thin.observed);
  return { starts, startsMs: performance.now() - t0, thin };
}

function oursLr(c: LrCase, prepared: ReturnType<typeof prepareLrCase>): RobustFit {
  const { starts, thin } = prepared;
  if (!thin) return fitRobust(lrAnnealingLaw, c.data, c.observed, { delta: DELTA, starts })!;
  const coarse = fitRobust(lrAnnealingLaw, thin.data, thin.observed, { delta: DELTA, starts })!;
  return refineRobust(lrAnnealingLaw, c.data, c.observed, coarse.params, { delta: DELTA })!;
}

export async function lrBench(options: { quick: boolean; log: (s: string) => void }): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const cases: LrCase[] = [];
  if (existsSync(LUO_400)) {
    const luo = await luoFitSet();
    cases.push({
      name: 'luo400',
      label: `LR-annealing fit, 400M official fit set (${luo.curves} curves, ${luo.observed.length} points)`,
      ...luo,
      reps: options.quick ? 3 : 20,
    });
  } else {
    rows.push({
      group: 2,
      workload: 'LR-annealing fit, 400M official fit set',
      ours: 'skipped',
      peer: '',
      ratio: '',
      budget: '',
      met: null,
      note: `data not found at ${LUO_400}`,
    });
  }
  const steps = options.quick ? 20_000 : 1_000_000;
  options.log(`  building the ${steps.toLocaleString('en')}-step synthetic curve...`);
  const synth = syntheticFitSet(steps);
  cases.push({
    name: `synthetic${steps}`,
    label: `LR-annealing fit, synthetic ${steps.toLocaleString('en')}-step curve (starts on a thinned copy, then all points)`,
    ...synth,
    reps: options.quick ? 1 : 3,
  });

  const python = pythonPeer();
  const prepared = cases.map(prepareLrCase);
  const ours = cases.map((c, i) => {
    options.log(`  ours: ${c.label}`);
    return timeFits(c.reps, () => oursLr(c, prepared[i]));
  });
  let peer: PeerFit[] | null = null;
  if (python.ok) {
    const arrays: Record<string, string> = {};
    const fits = cases.map((c, i) => {
      const p = prepared[i];
      const own: Record<string, Float64Array> = { s1: c.data.s1, s2: c.data.s2, obs: c.observed };
      if (p.thin) Object.assign(own, { thinS1: p.thin.data.s1, thinS2: p.thin.data.s2, thinObs: p.thin.observed });
      const names: Record<string, string> = {};
      for (const [key, path] of Object.entries(writeArrays(`lr-${c.name}`, own))) {
        arrays[`${c.name}:${key}`] = path;
        names[key] = `${c.name}:${key}`;
      }
      const coarseObjective = p.thin
        ? fitRobust(lrAnnealingLaw, p.thin.data, p.thin.observed, { delta: DELTA, starts: p.starts })!.objective
        : NaN;
      return {
        name: c.name,
        reps: c.reps,
        ...names,
        starts: p.starts.map((s) => Array.from(s)),
        options: {
          delta: DELTA,
          maxiter: MAX_ITER,
          pgtol: PGTOL,
          ftol: scipyFtol(ours[i].result.objective),
          coarseFtol: scipyFtol(coarseObjective),
        },
      };
    });
    const job = { arrays, fits };
    options.log(`  scipy: ${cases.length} fit sets (${python.version})`);
    peer = runPython<{ fits: PeerFit[] }>('peer_lr.py', job).fits;
  }

  cases.forEach((c, i) => {
    const o = ours[i];
    const oursMs = median(o.ms);
    const p = peer?.[i];
    const base = { group: 2, workload: c.label, budget: `objective <= scipy's (rel 1e-6) and faster than scipy` };
    const oursText = `${fmtMs(oursMs)}/fit, f=${o.result.objective.toExponential(6)}`;
    const data = {
      points: c.observed.length,
      reps: c.reps,
      startsCount: prepared[i].starts.length,
      startsMs: prepared[i].startsMs,
      ours: {
        msMedian: oursMs,
        ms: o.ms,
        objective: o.result.objective,
        params: Array.from(o.result.params),
        iterations: o.result.iterations,
        evaluations: o.result.evaluations,
        converged: o.result.converged,
        reason: o.result.reason,
      },
      scipy: p ? { msMedian: median(p.ms), ...p } : null,
    };
    if (!p) {
      rows.push({
        ...base,
        ours: oursText,
        peer: `skipped: ${python.ok ? 'no result' : python.reason}`,
        ratio: '',
        met: null,
        data,
      });
      return;
    }
    const peerMs = median(p.ms);
    const noWorse = o.result.objective <= p.objective * (1 + OBJECTIVE_TOLERANCE);
    const rel = (o.result.objective - p.objective) / p.objective;
    rows.push({
      ...base,
      ours: oursText,
      peer: `${fmtMs(peerMs)}/fit, f=${p.objective.toExponential(6)}`,
      ratio: `${speedRatio(oursMs, peerMs)}; f rel ${rel >= 0 ? '+' : ''}${rel.toExponential(1)}`,
      met: noWorse && oursMs < peerMs,
      data,
      note: `starts: ${prepared[i].starts.length} (our variable projection, ${fmtMs(prepared[i].startsMs)}, not timed on either side)${prepared[i].thin ? `; the best coarse fit is refined on all points by our damped Gauss-Newton (${o.result.evaluations} evaluations) and by scipy's L-BFGS-B (${p.refineEvaluations ?? '?'} evaluations)` : ''}`,
    });
  });
  return rows;
}

/** The 240 runs of Epoch's Chinchilla file (epoch_excluded = 0), N and D as compute.ts reads them (tokens column). */
function chinchillaRows(): { n: number[]; d: number[]; loss: number[] } {
  const lines = readFileSync(CHINCHILLA_CSV, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const at = (name: string) => header.indexOf(name);
  const out = { n: [] as number[], d: [] as number[], loss: [] as number[] };
  for (const line of lines.slice(1)) {
    const cells = line.split(',').map(Number);
    if (cells[at('epoch_excluded')] === 1) continue;
    out.n.push(cells[at('params_N')]);
    out.d.push(cells[at('tokens_D')]);
    out.loss.push(cells[at('loss')]);
  }
  return out;
}

export async function chinchillaBench(options: { quick: boolean; log: (s: string) => void }): Promise<BenchRow[]> {
  if (!existsSync(CHINCHILLA_CSV))
    return [
      {
        group: 3,
        workload: 'Chinchilla fit',
        ours: 'skipped',
        peer: '',
        ratio: '',
        budget: '',
        met: null,
        note: `data not found at ${CHINCHILLA_CSV}`,
      },
    ];
  const rows = chinchillaRows();
  const points = chinchillaPoints(rows.n, rows.d);
  const observed = Float64Array.from(rows.loss);
  const n = observed.length;
  const samples = options.quick ? 20 : 1000;
  const reps = options.quick ? 3 : 20;
  const t0 = performance.now();
  const starts = chinchillaStarts(points, observed);
  const startsMs = performance.now() - t0;

  options.log(`  ours: point fit x${reps}, ${samples} bootstrap refits`);
  const point = timeFits(reps, () => fitRobust(chinchillaLaw, points, observed, { delta: DELTA, starts })!);
  // The replicates compute.ts draws (case resampling, seed 1), drawn once so scipy refits the very same ones.
  const random = seededRandom(1);
  const indices = Array.from({ length: samples }, () => resampleIndices(n, random));
  const replicate = (idx: Int32Array) => ({
    data: { lnN: Float64Array.from(idx, (i) => points.lnN[i]), lnD: Float64Array.from(idx, (i) => points.lnD[i]) },
    observed: Float64Array.from(idx, (i) => observed[i]),
  });
  const bootstrapMaxiter = 300; // compute.ts caseBootstrap
  const runBootstrap = () => {
    let b = 0;
    return bootstrapParams(chinchillaLaw, point.result.params, () => replicate(indices[b++]), {
      samples,
      seed: 1,
      delta: DELTA,
      maxIterations: bootstrapMaxiter,
    });
  };
  runBootstrap(); // warm-up, untimed (scipy's side warms up on its point fit)
  const bt0 = performance.now();
  const sets = runBootstrap();
  const bootMs = performance.now() - bt0;
  // Objectives of our bootstrap refits, for the same-optimum check (evaluated once more, outside the timer).
  const ourBootObjectives = sets.map((s, b) => {
    const r = replicate(indices[b]);
    return logHuberObjective(chinchillaLaw, r.data, r.observed, DELTA)(s, new Float64Array(s.length));
  });

  const python = pythonPeer();
  const pointMs = median(point.ms);
  const k = chinchillaCoefficients(point.result.params);
  const oursPointText = `${fmtMs(pointMs)}/fit, f=${point.result.objective.toExponential(6)}`;
  const pointData: Record<string, unknown> = {
    points: n,
    reps,
    starts: starts.map((s) => Array.from(s)),
    startsMs,
    ours: {
      msMedian: pointMs,
      ms: point.ms,
      objective: point.result.objective,
      params: Array.from(point.result.params),
      coefficients: k,
      iterations: point.result.iterations,
      evaluations: point.result.evaluations,
    },
  };
  const ourIntervals = bootstrapIntervals(k, sets.map(chinchillaCoefficients));
  const bootData: Record<string, unknown> & { scipy?: { ms: number; intervals: Record<string, [number, number]> } } = {
    samples,
    refits: sets.length,
    maxIterations: bootstrapMaxiter,
    ours: { ms: bootMs, intervals: ourIntervals },
  };
  const pointBudget = 'faster than scipy, same optimum (f rel 1e-6)';
  const bootBudget = 'faster than scipy, same 95 % intervals (within 0.5 %)';
  if (!python.ok) {
    return [
      {
        group: 3,
        workload: `Chinchilla point fit (${n} runs, ${starts.length} starts)`,
        ours: oursPointText,
        peer: `skipped: ${python.reason}`,
        ratio: '',
        budget: pointBudget,
        met: null,
        data: pointData,
      },
      {
        group: 3,
        workload: `Chinchilla bootstrap, ${samples} refits`,
        ours: fmtMs(bootMs),
        peer: `skipped: ${python.reason}`,
        ratio: '',
        budget: bootBudget,
        met: null,
        data: bootData,
      },
    ];
  }
  options.log(`  scipy: point fit x${reps}, ${samples} bootstrap refits (${python.version})`);
  const indexArray = new Float64Array(samples * n);
  indices.forEach((idx, b) => indexArray.set(idx, b * n));
  const peer = runPython<{
    point: PeerFit;
    bootstrap: { ms: number; objectives: number[]; params: (number[] | null)[] };
  }>('peer_chinchilla.py', {
    arrays: writeArrays('chinchilla', { lnN: points.lnN, lnD: points.lnD, obs: observed, bootstrapIndex: indexArray }),
    reps,
    starts: starts.map((s) => Array.from(s)),
    bootstrapStart: Array.from(point.result.params),
    options: {
      delta: DELTA,
      maxiter: MAX_ITER,
      bootstrapMaxiter,
      pgtol: PGTOL,
      ftol: scipyFtol(point.result.objective),
    },
  });
  const peerPointMs = median(peer.point.ms);
  const rel = (point.result.objective - peer.point.objective) / peer.point.objective;
  const sameOptimum =
    point.result.objective <= peer.point.objective * (1 + OBJECTIVE_TOLERANCE) && Math.abs(rel) <= 1e-4;
  pointData.scipy = {
    msMedian: peerPointMs,
    ...peer.point,
    coefficients: chinchillaCoefficients(Float64Array.from(peer.point.params)),
  };

  const pairs = ourBootObjectives
    .map((f, b) => [f, peer.bootstrap.objectives[b]])
    .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  const noWorse = pairs.filter(([a, b]) => a <= b * (1 + OBJECTIVE_TOLERANCE)).length;
  const relDiffs = pairs.map(([a, b]) => (a - b) / b);
  const peerSets = peer.bootstrap.params
    .filter((p): p is number[] => p !== null)
    .map((p) => chinchillaCoefficients(Float64Array.from(p)));
  bootData.scipy = { ms: peer.bootstrap.ms, intervals: bootstrapIntervals(k, peerSets) } as {
    ms: number;
    intervals: Record<string, [number, number]>;
  };
  bootData.comparison = {
    replicates: pairs.length,
    oursNoWorse: noWorse,
    worstRelative: Math.max(...relDiffs),
    bestRelative: Math.min(...relDiffs),
    medianAbsRelative: median(relDiffs.map(Math.abs)),
  };
  // Same optima, judged where a bootstrap's result lives: the 95 % intervals of the five coefficients. Per replicate,
  // both solvers stop at the same 300-iteration cap and relative-decrease rule, so single refits differ by up to ~1e-4.
  const peerIntervals = bootData.scipy.intervals as Record<string, [number, number]>;
  const intervalGap = Math.max(
    ...Object.entries(ourIntervals).flatMap(([name, [lo, hi]]) => [
      Math.abs(lo / peerIntervals[name][0] - 1),
      Math.abs(hi / peerIntervals[name][1] - 1),
    ]),
  );
  (bootData.comparison as Record<string, number>).intervalMaxRelativeGap = intervalGap;
  return [
    {
      group: 3,
      workload: `Chinchilla point fit (${n} runs, ${starts.length} projection starts)`,
      ours: oursPointText,
      peer: `${fmtMs(peerPointMs)}/fit, f=${peer.point.objective.toExponential(6)}`,
      ratio: `${speedRatio(pointMs, peerPointMs)}; f rel ${rel >= 0 ? '+' : ''}${rel.toExponential(1)}`,
      budget: pointBudget,
      met: sameOptimum && pointMs < peerPointMs,
      data: pointData,
      note: `A=${k.A.toFixed(1)} B=${k.B.toFixed(0)} E=${k.E.toFixed(4)} alpha=${k.alpha.toFixed(4)} beta=${k.beta.toFixed(4)}`,
    },
    {
      group: 3,
      workload: `Chinchilla bootstrap, ${samples} refits (same replicates both sides)`,
      ours: fmtMs(bootMs),
      peer: fmtMs(peer.bootstrap.ms),
      ratio: `${speedRatio(bootMs, peer.bootstrap.ms)}; 95 % intervals within ${(intervalGap * 100).toFixed(2)} %`,
      budget: bootBudget,
      met: intervalGap <= 0.005 && bootMs < peer.bootstrap.ms,
      data: bootData,
      note: `per replicate: ours no worse (rel 1e-6) on ${noWorse}/${pairs.length}, objectives differ by ${Math.min(...relDiffs).toExponential(1)}..+${Math.max(...relDiffs).toExponential(1)} relative (median |diff| ${median(relDiffs.map(Math.abs)).toExponential(1)})`,
    },
  ];
}
