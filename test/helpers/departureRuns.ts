// Loss runs that leave their law, for the law-departure tests of every layer (core, server, the VS Code host): a
// warmup + cosine run of the LR-annealing law (bench/workloads.ts) with log-normal noise, as CSV, whose loss a bend
// changes from some step on.
import { lossRows } from '../../bench/workloads';

/** Changes the loss logged at a step, given the law's noiseless loss at any step. */
export type Bend = (step: number, loss: number, law: (s: number) => number) => number;

/** The loss unchanged: a clean run. */
export const clean: Bend = (_s, loss) => loss;

/** The loss 20 % higher from `from` on: a spike the run does not recover from. */
export const spikeFrom =
  (from: number): Bend =>
  (s, loss) =>
    s >= from ? loss * 1.2 : loss;

/** `steps` rows of `step,lr,loss`, with a header, the loss bent by `bend`. */
export function lossRunCsv(steps: number, seed: number, noise: number, bend: Bend): string {
  const rows = [...lossRows(steps, seed, noise)];
  const law = [...lossRows(steps, seed, 0)].map((r) => r.loss);
  const lines = rows.map((r) => `${r.step},${r.lr},${bend(r.step, r.loss, (s) => law[s - 1])}`);
  return `step,lr,loss\n${lines.join('\n')}\n`;
}
