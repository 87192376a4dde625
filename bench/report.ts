// One row of the benchmark table, and how the table is printed.
import { spawnSync } from 'node:child_process';

export interface BenchRow {
  /** Workload group: 1 parsing, 2 LR-annealing fit, 3 Chinchilla, 4 language server, 5 panel, 6 multi-power law, 7 TensorBoard, 8 Runs view, 9 live, 10 sweep, 11 large non-loss-curve sweeps, 12 a dense downstream group's refits. */
  group: number;
  workload: string;
  /** Our figure, as printed. */
  ours: string;
  /** The peer's figure measured in the same run ('' when the row has no peer). */
  peer: string;
  /** ours relative to the peer, as printed (e.g. '12.1x faster'). */
  ratio: string;
  budget: string;
  /** true met, false not met, null informational or skipped. */
  met: boolean | null;
  /** Raw numbers behind the row, for latest.json. */
  data?: Record<string, unknown>;
  note?: string;
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 10000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function fmtMB(mb: number): string {
  return mb >= 1024 ? `${(mb / 1024).toFixed(2)} GB` : `${mb.toFixed(0)} MB`;
}

export function median(values: number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(values: number[], q: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** "3.2x faster" / "1.5x slower" for time ours vs peer. */
export function speedRatio(oursMs: number, peerMs: number): string {
  if (!Number.isFinite(oursMs) || !Number.isFinite(peerMs) || oursMs <= 0) return 'n/a';
  const r = peerMs / oursMs;
  return r >= 1 ? `${r.toFixed(r >= 10 ? 0 : 1)}x faster` : `${(1 / r).toFixed(1)}x slower`;
}

const MET = (m: boolean | null) => (m === null ? '-' : m ? 'yes' : 'NO');

export function renderTable(rows: BenchRow[]): string {
  const header = ['#', 'workload', 'ours', 'peer', 'ratio', 'budget', 'met'];
  const cells = rows.map((r) => [String(r.group), r.workload, r.ours, r.peer, r.ratio, r.budget, MET(r.met)]);
  const widths = header.map((h, j) => Math.max(h.length, ...cells.map((c) => c[j].length)));
  const line = (c: string[]) => c.map((v, j) => v.padEnd(widths[j])).join(' | ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('-|-')];
  let group = rows[0]?.group;
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].group !== group) {
      out.push(widths.map((w) => '-'.repeat(w)).join('-|-'));
      group = rows[i].group;
    }
    out.push(line(cells[i]));
  }
  return out.join('\n');
}

/** The same table as GitHub markdown (for the README / docs). */
export function renderMarkdown(rows: BenchRow[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const out = ['| # | workload | ours | peer | ratio | budget | met |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const r of rows)
    out.push(
      `| ${r.group} | ${esc(r.workload)} | ${esc(r.ours)} | ${esc(r.peer)} | ${esc(r.ratio)} | ${esc(r.budget)} | ${MET(r.met)} |`,
    );
  return out.join('\n');
}

/** What a live read child reports (mlflowLiveChild.ts, folderLiveChild.ts): the first read, and each update beside its peer. */
export interface LiveReadOutcome {
  firstMs: number;
  /** Each update's read. */
  updateMs: number[];
  /** The peer, alternated with them: a whole read of the grown input, as every update was before. */
  wholeMs: number[];
}

/**
 * A row of a live read: `script` (a child bundled) run in a process of its own with `args`, its outcome's median
 * update against the median whole read, met when `ratio` times faster or more.
 */
export function liveReadRow<T extends LiveReadOutcome>(
  script: string,
  args: readonly (string | number)[],
  row: { label: string; workload: (outcome: T) => string; peer: string; ratio: number },
  log: (s: string) => void,
): BenchRow[] {
  const run = spawnSync(process.execPath, [script, ...args.map(String)], { encoding: 'utf8' });
  for (const line of run.stderr.split('\n').filter(Boolean)) log(line);
  if (run.status !== 0) throw new Error(`${row.label} child failed (status ${run.status})`);
  const outcome = JSON.parse(run.stdout.trim().split('\n').pop()!) as T;
  const [ours, whole] = [median(outcome.updateMs), median(outcome.wholeMs)];
  log(`${row.label}: update ${fmtMs(ours)}, whole read ${fmtMs(whole)}, first read ${fmtMs(outcome.firstMs)}`);
  return [
    {
      group: 9,
      workload: row.workload(outcome),
      ours: fmtMs(ours),
      peer: `${row.peer} ${fmtMs(whole)}`,
      ratio: `${(whole / ours).toFixed(1)}x faster`,
      budget: `>= ${row.ratio}x faster than the whole read`,
      met: whole / ours >= row.ratio,
      data: { ...(outcome as LiveReadOutcome) },
      note: `updates ${outcome.updateMs.map(fmtMs).join(', ')}; whole reads ${outcome.wholeMs.map(fmtMs).join(', ')}; first read ${fmtMs(outcome.firstMs)}`,
    },
  ];
}
