// Workload 12: the refits of a dense downstream group (BLEU at every checkpoint: 2,000 points, the most a replicate
// takes), which are nearly all of its analysis. Each of the 200 residual-bootstrap refits starts at the fit and at
// the best line of the law's exponent grid on its replicate (41 line fits): the scan factors the line's design once
// per set of points and takes one logarithm per point, where it solved each line afresh and took a power and its
// logarithm (test/helpers/formerBleuStarts.ts, the peer, run alternately in the same process). Same refits to the
// bit, asserted. --quick: 600 points, 50 refits.
import { residualBootstrapSets } from '../src/core/analysis/bands';
import { analyseDownstream } from '../src/core/analysis/downstream';
import { withDefaults } from '../src/core/analysis/options';
import { bleuLaw, bleuStarts, fitBleu, type BleuPoints } from '../src/core/laws/bleu';
import { normal, seededRandom } from '../src/core/util/random';
import { formerBleuStarts } from '../test/helpers/formerBleuStarts';
import { alignedLaw, ceLaw, sweepTable } from '../test/unit/downstream/sweep';
import { fmtMs, median, type BenchRow } from './report';

const GROUP = 12;
/** The scan's refits at most this share of the former scan's time. */
const BUDGET = 0.9;
/** Alternated runs of each. */
const RUNS = 3;

type Starts = (data: BleuPoints, observed: Float64Array, keep?: number) => Float64Array[];

export function downstreamGroupBench(options: { quick: boolean; log: (s: string) => void }): BenchRow[] {
  const [points, samples] = options.quick ? [600, 50] : [2000, 200];
  const grid = Array.from({ length: points }, (_, i) => (i + 1) * 1e8);
  const law = alignedLaw(grid, 12, 30, 1.5);
  const random = seededRandom(1);
  const bleu = grid.map((dp) => law(dp) + 0.4 * normal(random));
  const fitted = fitBleu(grid, bleu, { delta: 0.1 })!;
  const refits = (starts: Starts) => {
    const t = process.cpuUsage();
    const sets = residualBootstrapSets(bleuLaw, fitted.points, Float64Array.from(bleu), fitted.fit, {
      ...{ samples, seed: 42, delta: 0.1 },
      startsOf: (data, observed) => starts(data, observed, 1),
    });
    const used = process.cpuUsage(t);
    return { ms: (used.user + used.system) / 1000, sets };
  };
  options.log(`12. downstream group of ${points} points, ${samples} refits (${RUNS} runs each, alternated)`);
  const [ours, peer]: number[][] = [[], []];
  let same = true;
  for (let run = 0; run < RUNS; run++) {
    const [now, before] = [refits(bleuStarts), refits(formerBleuStarts)];
    [ours[run], peer[run]] = [now.ms, before.ms];
    same &&= sameSets(now.sets, before.sets);
  }
  const whole = wholeGroupMs(points, grid, law);
  const ratio = median(ours) / median(peer);
  return [
    {
      group: GROUP,
      workload: `Downstream group of ${points.toLocaleString('en')} points (BLEU): ${samples} bootstrap refits, CPU time (median of ${RUNS}, alternated in one process)`,
      ours: `${fmtMs(median(ours))} (${ours.map(fmtMs).join(', ')}); the group's whole analysis, BLEU and CE: ${fmtMs(whole)}`,
      peer: `start scan as before: ${fmtMs(median(peer))} (${peer.map(fmtMs).join(', ')})`,
      ratio: `${ratio.toFixed(2)}x the time${same ? ', the same refits to the bit' : ', OTHER REFITS'}`,
      budget: `<= ${BUDGET}x, the same refits`,
      met: same && ratio <= BUDGET,
      data: { points, samples, ours, peer, whole, same },
    },
  ];
}

function sameSets(a: Float64Array[], b: Float64Array[]): boolean {
  return a.length === b.length && a.every((set, i) => set.every((v, j) => Object.is(v, b[i][j])));
}

/** CPU time of the group's whole analysis (BLEU and CE, default options). */
function wholeGroupMs(points: number, grid: number[], law: (dp: number) => number): number {
  const random = seededRandom(2);
  const rows = grid.map((dp) => [
    'run',
    '42M',
    dp,
    (law(dp) + 0.4 * normal(random)).toFixed(2),
    (ceLaw(dp) * (1 + 0.002 * normal(random))).toFixed(4),
  ]);
  const { table, roles } = sweepTable(rows);
  const t = process.cpuUsage();
  const analysis = analyseDownstream(table, roles, withDefaults({}));
  const used = process.cpuUsage(t);
  if (analysis.fits.length !== 2) throw new Error(`the ${points}-point group has ${analysis.fits.length} fits, not 2`);
  return (used.user + used.system) / 1000;
}
