// The multi-power law's cost on a long log, standalone (not part of bench/run.ts):
//
//   npx tsx bench/mpl.ts [--every=1] [--repeat=3]
//
// A 1,000,000-step cosine (10,000-step warmup synthesised, a row every `every` steps) with a loss made by the law
// itself plus 0.2 % lognormal noise; the fit is timed from LossCurve to fitted coefficients, `repeat` times. Then
// the compressed loss-drop sum is compared with the exact one at probe steps, and, where ../shared/data is checked
// out, the official split of the public curves is fitted and timed per model size.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { extractLossCurves, type LossCurve } from '../src/core/analysis/lossCurves';
import { fitMultiPower, predictMultiPower, type MultiPowerModel } from '../src/core/analysis/multiPowerFit';
import { multiPowerParams } from '../src/core/laws/multiPower';
import { detectRoles, readTable } from '../src/core/table';
import { normal, seededRandom } from '../src/core/util/random';
import { SHARED_DATA } from './paths';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) =>
  Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const EVERY = option('every', 1);
const REPEAT = option('repeat', 3);

const TOTAL = 1_000_000;
const WARMUP = 10_000;
const PEAK = 3e-4;
/** The loss is computed by the law every this many steps and interpolated between: the curve is smooth there. */
const LOSS_GRID = 100;

function cosineLog(): LossCurve {
  const steps = Float64Array.from({ length: Math.floor((TOTAL - WARMUP) / EVERY) }, (_, i) => WARMUP + (i + 1) * EVERY);
  const lr = steps.map((s) => PEAK * (0.1 + 0.45 * (1 + Math.cos((Math.PI * (s - WARMUP)) / (TOTAL - WARMUP)))));
  const schedule = { steps, lr };
  const raw = { L0: 3.1558, A: 0.5166, alpha: 0.5086, B: 445.56, C: 0.05203, beta: 0.4056, gamma: 0.6 };
  const scale = { etaRef: PEAK, s1Max: 7 };
  const truth: MultiPowerModel = {
    params: multiPowerParams(raw, scale),
    coefficients: raw,
    scale,
    convention: 'paper',
    warmupSteps: WARMUP,
  };
  const grid = Float64Array.from({ length: (TOTAL - WARMUP) / LOSS_GRID + 1 }, (_, i) => WARMUP + i * LOSS_GRID);
  const onGrid = predictMultiPower(truth, schedule, grid, 'compressed');
  const random = seededRandom(1);
  const loss = steps.map((s) => {
    const k = Math.min(grid.length - 2, Math.floor((s - WARMUP) / LOSS_GRID));
    const t = (s - grid[k]) / LOSS_GRID;
    return (onGrid[k] + t * (onGrid[k + 1] - onGrid[k])) * Math.exp(0.002 * normal(random));
  });
  return {
    name: 'cosine_1M',
    file: 'synthetic',
    steps,
    loss,
    lines: new Int32Array(steps.length),
    schedule,
    firstLine: 1,
  };
}

function timed<T>(run: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = run();
  return { value, ms: performance.now() - started };
}

function longLog(): void {
  const made = timed(cosineLog);
  const curve = made.value;
  console.log(`1M-step cosine: ${curve.steps.length} rows, made in ${(made.ms / 1000).toFixed(1)} s`);
  for (let r = 0; r < REPEAT; r++) {
    const { value: fit, ms } = timed(() => fitMultiPower([curve], { warmupSteps: WARMUP }));
    if (!fit) throw new Error('fit failed');
    const held = fit.atBounds.map((h) => `${h.name} (${h.bound})`).join(', ') || 'none';
    console.log(
      `  fit ${r + 1}: ${(ms / 1000).toFixed(2)} s, ${fit.pointsFitted} points fitted, ${fit.fit.evaluations} evaluations, ${fit.fit.reason}; at bounds: ${held}`,
    );
  }
  const fit = fitMultiPower([curve], { warmupSteps: WARMUP })!;
  const probes = Float64Array.from({ length: 16 }, (_, i) => Math.round(WARMUP + ((TOTAL - WARMUP) * (i + 1)) / 16));
  const exact = timed(() => predictMultiPower(fit, curve.schedule, probes, 'exact'));
  const compressed = timed(() => predictMultiPower(fit, curve.schedule, probes, 'compressed'));
  const error = exact.value.reduce((m, v, i) => Math.max(m, Math.abs(v - compressed.value[i])), 0);
  console.log(
    `  16 probes: exact ${exact.ms.toFixed(0)} ms, compressed ${compressed.ms.toFixed(0)} ms, largest difference ${error.toExponential(2)} in loss`,
  );
}

async function publicSplit(): Promise<void> {
  const luo = join(SHARED_DATA, 'multipowerlaw-luo2025');
  if (!existsSync(luo)) return console.log(`public curves skipped: ${luo} not found`);
  for (const size of ['25', '100', '400']) {
    const curves = await Promise.all(
      ['cosine_24000', 'constant_24000', 'wsdcon_9'].map(async (name) => {
        const table = await readTable(join(luo, `csv_${size}`, `${name}.csv`));
        return extractLossCurves(table, detectRoles(table)).curves[0];
      }),
    );
    const { value: fit, ms } = timed(() => fitMultiPower(curves, { warmupSteps: 2160 }));
    console.log(
      `public ${size}M official split: ${(ms / 1000).toFixed(2)} s, objective ${fit?.fit.objective.toExponential(6)}, ${fit?.fit.evaluations} evaluations`,
    );
  }
}

longLog();
void publicSplit();
