// Workload 11: `fit` of large sweeps of every law family besides the loss-curve laws (an (N, D) compute sweep, a
// power law over one x, downstream BLEU and CE groups, loss curves of 100 model sizes under the power law), whole
// process, default options (200 bootstrap refits). Each family's 300,000-row sweep is measured against its own
// 30,000-row sweep in the same run: the ratio of their CPU times against a linear budget (10x the rows, at most 10x
// the time), and the large sweep against an absolute one (a user's large sweep fits in tens of seconds, not
// minutes). Before the fixes of 2026-12-07 a 300,000-row compute sweep took over 300 s and 100 sizes 225 s.
// --quick: 3,000 against 30,000 rows.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAMILY_ARGS, FAMILY_LABELS, largeSweep, SWEEP_FAMILIES, type SweepFamily } from '../test/helpers/largeSweeps';
import { REPO_DIR, WORKLOAD_DIR } from './paths';
import { fmtMs, type BenchRow } from './report';
import { CPU_AT_EXIT } from './sweep';

const GROUP = 11;
/** The large sweep's time at most this many times the small one's (rows x10: linear). */
const RATIO_BUDGET = 10;
/** The large sweep's CPU time at most this. */
const LARGE_BUDGET_MS = 60_000;

interface Options {
  quick: boolean;
  log: (s: string) => void;
}

interface SweepFit {
  rows: number;
  cpuMs: number;
  wallMs: number;
  fits: number;
}

export function sweepSizesBench(options: Options): BenchRow[] {
  const cli = join(REPO_DIR, 'dist', 'cli.js');
  const [small, large] = options.quick ? [3_000, 30_000] : [30_000, 300_000];
  return SWEEP_FAMILIES.map((family) => {
    const workload = `CLI \`fit\` of a ${large.toLocaleString('en')}-row ${FAMILY_LABELS[family]} (default options, 200 bootstrap refits): CPU time, whole process`;
    if (!existsSync(cli)) return skipped(workload, `${cli} not found: run node esbuild.mjs`);
    options.log(`11. ${family}: fit of ${small} and ${large} rows`);
    const [few, many] = [small, large].map((rows) => fitSweep(cli, family, rows));
    const ratio = many.cpuMs / few.cpuMs;
    return {
      group: GROUP,
      workload,
      ours: `${fmtMs(many.cpuMs)} CPU (wall ${fmtMs(many.wallMs)})`,
      peer: `${small.toLocaleString('en')} rows: ${fmtMs(few.cpuMs)} CPU (wall ${fmtMs(few.wallMs)})`,
      ratio: `${ratio.toFixed(1)}x the time for ${large / small}x the rows`,
      budget: `<= ${RATIO_BUDGET}x (linear); < ${fmtMs(LARGE_BUDGET_MS)}`,
      met: ratio <= RATIO_BUDGET && many.cpuMs < LARGE_BUDGET_MS,
      data: { family, few, many },
    };
  });
}

/** One `fit` of the family's generated sweep of `rows` rows (written into bench/workloads/ afresh: a second or two). */
function fitSweep(cli: string, family: SweepFamily, rows: number): SweepFit {
  mkdirSync(WORKLOAD_DIR, { recursive: true });
  const file = join(WORKLOAD_DIR, `large-${family}-${rows}.csv`);
  writeFileSync(file, largeSweep(family, rows));
  const t0 = performance.now();
  const out = spawnSync(
    process.execPath,
    ['--import', CPU_AT_EXIT, cli, 'fit', file, ...FAMILY_ARGS[family], '--json'],
    { encoding: 'utf8', maxBuffer: 1 << 30 },
  );
  const wallMs = performance.now() - t0;
  const cpu = out.stderr.match(/cpu-us (\{.*\})/)?.[1];
  if (out.status !== 0 || !cpu) throw new Error(`fit of ${file} failed: exit ${out.status}, ${out.stderr.trim()}`);
  const { user, system } = JSON.parse(cpu) as { user: number; system: number };
  const report = JSON.parse(out.stdout) as { fits: unknown[] };
  return { rows, cpuMs: (user + system) / 1000, wallMs, fits: report.fits.length };
}

function skipped(workload: string, note: string): BenchRow {
  return { group: GROUP, workload, ours: 'skipped', peer: '', ratio: '', budget: '', met: null, note };
}
