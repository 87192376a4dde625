// Deterministic workload generator for the benchmarks. Files go to bench/workloads/ (git-ignored) and are reused
// across runs when a sidecar .meta.json says they were written by this generator version with the same size.
//
// A "loss log" is what a training loop writes: one row per optimiser step with
//   step, lr, loss, grad_norm, tokens_seen, throughput, wall_time, epoch
// The LR follows a linear warmup (1 % of the steps) and a cosine decay to 10 % of the 3e-4 peak; the loss follows the
// LR-annealing law (Tissue et al. 2024) on that schedule with multiplicative noise, so fits on it are realistic.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom, normal } from '../src/core/util/random';
import { WORKLOAD_DIR } from './paths';

export { WORKLOAD_DIR };
const GENERATOR_VERSION = 3;

export const PEAK_LR = 3e-4;
/** Law coefficients in normalised form (areas divided by the peak LR), as a 400M model shows. */
export const TRUE_LAW = { L0: 2.6, A: 1.2, alpha: 0.45, C: 0.0009, lambda: 0.999 };
const TOKENS_PER_STEP = 2048;

export interface LossRow {
  step: number;
  lr: number;
  loss: number;
}

/** The schedule (warmup + cosine) at step s of total. */
export function scheduleLr(s: number, total: number): number {
  const warmup = Math.max(1, Math.round(total * 0.01));
  if (s <= warmup) return (PEAK_LR * s) / warmup;
  const t = (s - warmup) / Math.max(1, total - warmup);
  return PEAK_LR * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/**
 * The law's loss step by step (steps 1, 2, ...): each call takes the step's LR as the areas count it (the peak during
 * warmup, the paper's convention) and returns the noise-free loss there.
 */
function lawSteps(): (annealed: number) => number {
  let [s1, s2, momentum, previous, first] = [0, 0, 0, PEAK_LR, true];
  return (annealed) => {
    s1 += annealed;
    if (!first) momentum = TRUE_LAW.lambda * momentum + (previous - annealed);
    s2 += momentum;
    previous = annealed;
    first = false;
    return TRUE_LAW.L0 + TRUE_LAW.A * Math.pow(s1 / PEAK_LR, -TRUE_LAW.alpha) - TRUE_LAW.C * (s2 / PEAK_LR);
  };
}

/**
 * Streams the rows of a loss log: per-step LR, and the law's loss on the paper's areas (warmup counted at the peak)
 * times exp(noise). O(1) memory per row, so a 4M-row log never sits in memory.
 */
export function* lossRows(
  total: number,
  seed = 42,
  noise = 0.01,
): Generator<LossRow & { gradNorm: number; throughput: number; wallTime: number }> {
  const random = seededRandom(seed);
  const warmup = Math.max(1, Math.round(total * 0.01));
  const law = lawSteps();
  let wall = 0;
  for (let step = 1; step <= total; step++) {
    const lr = scheduleLr(step, total);
    const clean = law(step <= warmup ? PEAK_LR : lr);
    const loss = clean * Math.exp(noise * normal(random));
    const throughput = 52000 + 1500 * normal(random);
    wall += TOKENS_PER_STEP / throughput;
    yield {
      step,
      lr,
      loss,
      gradNorm: 0.25 + 2 / Math.sqrt(step) + 0.05 * Math.abs(normal(random)),
      throughput,
      wallTime: wall,
    };
  }
}

export const LOG_COLUMNS = [
  'step',
  'lr',
  'loss',
  'grad_norm',
  'tokens_seen',
  'throughput',
  'wall_time',
  'epoch',
] as const;

interface Meta {
  version: number;
  kind: string;
  rows: number;
  bytes: number;
}

function upToDate(path: string, kind: string, rows: number): Meta | null {
  const metaPath = `${path}.meta.json`;
  if (!existsSync(path) || !existsSync(metaPath)) return null;
  try {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Meta;
    if (meta.version !== GENERATOR_VERSION || meta.kind !== kind || meta.rows !== rows) return null;
    return statSync(path).size === meta.bytes ? meta : null;
  } catch {
    return null;
  }
}

export interface Workload {
  path: string;
  rows: number;
  bytes: number;
  /** Bytes of the numeric columns as typed arrays (8 bytes a cell). */
  numericBytes: number;
  columns: number;
  reused: boolean;
}

/** Buffered writer: strings are gathered into ~4 MB blocks before each write. */
function blockWriter(path: string) {
  const fd = openSync(path, 'w');
  let parts: string[] = [];
  let pending = 0;
  let bytes = 0;
  const flush = () => {
    if (!parts.length) return;
    const block = Buffer.from(parts.join(''), 'utf8');
    writeSync(fd, block);
    bytes += block.length;
    parts = [];
    pending = 0;
  };
  return {
    write(s: string) {
      parts.push(s);
      pending += s.length;
      if (pending > 4 << 20) flush();
    },
    get bytes() {
      return bytes + pending;
    },
    close() {
      flush();
      closeSync(fd);
      return bytes;
    },
  };
}

function formatRow(
  r: ReturnType<typeof lossRows> extends Generator<infer T> ? T : never,
  total: number,
  format: 'csv' | 'jsonl',
  columns: number,
): string {
  const cells = [
    String(r.step),
    r.lr.toExponential(4),
    r.loss.toFixed(4),
    r.gradNorm.toFixed(3),
    String(r.step * TOKENS_PER_STEP),
    r.throughput.toFixed(0),
    r.wallTime.toFixed(1),
    (r.step / total).toFixed(4),
  ].slice(0, columns);
  if (format === 'csv') return `${cells.join(',')}\n`;
  return `{${cells.map((c, i) => `"${LOG_COLUMNS[i]}":${c}`).join(',')}}\n`;
}

/**
 * A loss log of `rows` steps as CSV or JSONL. `columns` keeps the first k columns (3 = step, lr, loss).
 * `maxBytes` stops early (JSONL repeats its keys, so the same byte budget holds fewer rows).
 */
export function lossLog(
  name: string,
  format: 'csv' | 'jsonl',
  rows: number,
  options: { columns?: number; maxBytes?: number; log?: (s: string) => void } = {},
): Workload {
  const columns = options.columns ?? LOG_COLUMNS.length;
  mkdirSync(WORKLOAD_DIR, { recursive: true });
  const path = join(WORKLOAD_DIR, `${name}.${format}`);
  const kind = `loss-log:${format}:${columns}:${options.maxBytes ?? 0}:${rows}`;
  const existing = upToDate(path, kind, rows);
  if (existing) {
    const written = Number((existing as Meta & { written?: number }).written ?? rows);
    return { path, rows: written, bytes: existing.bytes, numericBytes: written * columns * 8, columns, reused: true };
  }
  options.log?.(`generating ${path} (${rows} rows)...`);
  const out = blockWriter(path);
  if (format === 'csv') out.write(`${LOG_COLUMNS.slice(0, columns).join(',')}\n`);
  let written = 0;
  for (const row of lossRows(rows)) {
    const line = formatRow(row, rows, format, columns);
    if (options.maxBytes !== undefined && out.bytes + line.length > options.maxBytes) break;
    out.write(line);
    written++;
  }
  const bytes = out.close();
  writeFileSync(`${path}.meta.json`, JSON.stringify({ version: GENERATOR_VERSION, kind, rows, bytes, written }));
  return { path, rows: written, bytes, numericBytes: written * columns * 8, columns, reused: false };
}

/** An in-memory single curve of `steps` logged steps (every step): the schedule and the loss. */
export function syntheticCurve(steps: number, seed = 7): { steps: Float64Array; lr: Float64Array; loss: Float64Array } {
  const out = { steps: new Float64Array(steps), lr: new Float64Array(steps), loss: new Float64Array(steps) };
  let i = 0;
  for (const r of lossRows(steps, seed)) {
    out.steps[i] = r.step;
    out.lr[i] = r.lr;
    out.loss[i] = r.loss;
    i++;
  }
  return out;
}

/** Schedules of a sweep's runs, one after another: a cosine to 10 % of the peak, a constant LR, WSD (20 % linear decay). */
const SWEEP_SCHEDULES = ['cosine', 'constant', 'wsd'] as const;

/** Run r's LR at step s of `total` (2 % linear warmup, then its schedule). */
function sweepLr(kind: (typeof SWEEP_SCHEDULES)[number], s: number, total: number): number {
  const warmup = Math.round(total * 0.02);
  if (s <= warmup) return (PEAK_LR * s) / warmup;
  const t = (s - warmup) / (total - warmup);
  if (kind === 'constant') return PEAK_LR;
  if (kind === 'cosine') return PEAK_LR * (0.1 + 0.45 * (1 + Math.cos(Math.PI * t)));
  return t < 0.8 ? PEAK_LR : PEAK_LR * (1 - (0.9 * (t - 0.8)) / 0.2);
}

/**
 * A sweep's export of many short runs, one CSV with a run column (`run,step,lr,loss`): `runs` runs of `rowsPerRun`
 * loss rows each, their schedules cycling through cosine, constant and WSD and their lengths through 2,000-4,000
 * steps, the loss the LR-annealing law's on each schedule times 0.5 % noise.
 */
export function sweepLog(name: string, runs: number, rowsPerRun: number, log?: (s: string) => void): Workload {
  mkdirSync(WORKLOAD_DIR, { recursive: true });
  const path = join(WORKLOAD_DIR, `${name}.csv`);
  const kind = `sweep:${runs}:${rowsPerRun}`;
  const rows = runs * rowsPerRun;
  const existing = upToDate(path, kind, rows);
  if (existing) return { path, rows, bytes: existing.bytes, numericBytes: rows * 3 * 8, columns: 4, reused: true };
  log?.(`generating ${path} (${runs} runs x ${rowsPerRun} rows)...`);
  const random = seededRandom(42);
  const out = blockWriter(path);
  out.write('run,step,lr,loss\n');
  for (let r = 0; r < runs; r++) {
    const schedule = SWEEP_SCHEDULES[r % SWEEP_SCHEDULES.length];
    const total = rowsPerRun * (100 + 10 * (r % 11));
    const every = total / rowsPerRun;
    const law = lawSteps();
    for (let step = 1; step <= total; step++) {
      const lr = sweepLr(schedule, step, total);
      const clean = law(step <= Math.round(total * 0.02) ? PEAK_LR : lr);
      if (step % every !== 0) continue;
      const loss = clean * Math.exp(0.005 * normal(random));
      out.write(`run_${String(r).padStart(4, '0')}_${schedule},${step},${lr.toPrecision(8)},${loss.toFixed(6)}\n`);
    }
  }
  const bytes = out.close();
  writeFileSync(`${path}.meta.json`, JSON.stringify({ version: GENERATOR_VERSION, kind, rows, bytes }));
  return { path, rows, bytes, numericBytes: rows * 3 * 8, columns: 4, reused: false };
}
