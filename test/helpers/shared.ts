// Where the real data lives (../shared/data beside the repo), and the skip reason when it is absent.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { seededRandom } from '../../src/core/util/random';

export const REPO = resolve(__dirname, '..', '..');
export const SHARED_DATA = resolve(REPO, '..', 'shared', 'data');
export const LUO = join(SHARED_DATA, 'multipowerlaw-luo2025');
export const CHINCHILLA = join(SHARED_DATA, 'chinchilla');

/** `false` when the data is there, else a reason node:test prints for the skipped test. */
export function skipUnless(path: string): false | string {
  return existsSync(path) ? false : `real data not found at ${path} (../shared/data is absent in this checkout)`;
}

export const LUO_FIT = ['cosine_24000', 'constant_24000', 'wsdcon_9'];
export const LUO_HELDOUT = [
  'constant_72000',
  'cosine_72000',
  'wsd_20000_24000',
  'wsdld_20000_24000',
  'wsdcon_3',
  'wsdcon_18',
];
export const luoFiles = (size: string) => [...LUO_FIT, ...LUO_HELDOUT].map((n) => join(LUO, `csv_${size}`, `${n}.csv`));

/** The rows (step,lr,loss) of one public Luo et al. curve; its files end lines with CRLF. */
function luoRows(size: string, name: string): string[] {
  return readFileSync(join(LUO, `csv_${size}`, `${name}.csv`), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1);
}

/**
 * One public curve logged at every step (a long live log): the LR and log-loss interpolated linearly between its
 * logged rows, each loss times 1 + uniform noise of `noise` in all (seeded). Rows `step,lr,loss`, no header.
 */
export function luoEveryStep(size: string, name: string, noise = 0.002): string[] {
  const rows = luoRows(size, name).map((r) => r.split(',').map(Number));
  const random = seededRandom(7);
  const out: string[] = [];
  for (let k = 0; k + 1 < rows.length; k++) {
    const [[s0, lr0, l0], [s1, lr1, l1]] = [rows[k], rows[k + 1]];
    for (let step = s0; step < s1 || (k + 2 === rows.length && step === s1); step++) {
      const t = (step - s0) / (s1 - s0);
      const loss = Math.exp(Math.log(l0) * (1 - t) + Math.log(l1) * t) * (1 + noise * (random() - 0.5));
      out.push(`${step},${(lr0 + (lr1 - lr0) * t).toPrecision(6)},${loss.toFixed(5)}`);
    }
  }
  return out;
}

/** One CSV with a run column holding the named curves of a size (the look of a sweep logged to one file). */
export function luoRunsCsv(size: string, names: string[]): string {
  return ['step,lr,loss,run', ...names.flatMap((n) => luoRows(size, n).map((r) => `${r},${n}`))].join('\n') + '\n';
}

/** A pretty-printed Hugging Face trainer_state.json whose log_history is one curve (entries as the Trainer writes). */
export function luoTrainerState(size: string, name: string): string {
  const log_history = luoRows(size, name).map((r) => {
    const [step, learning_rate, loss] = r.split(',').map(Number);
    return { epoch: Number((step / 24000).toFixed(4)), learning_rate, loss, step };
  });
  const last = log_history[log_history.length - 1].step;
  return JSON.stringify({ global_step: last, max_steps: last, log_history }, null, 2) + '\n';
}
