// Generated loss-curve examples: constant, cosine and WSD schedules with linear warmup, logged every 100 steps,
// losses from the LR-annealing law with coefficients near those of a 400M-parameter model, plus realistic noise
// (independent jitter and a slowly wandering offset). Formats: one curve per CSV, one JSONL in W&B style, and a CSV
// holding several runs with a run column. Fixed seeds: the files are the same on every run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lrAreas } from '../../src/core/laws/schedule';
import { normal, seededRandom, type Random } from '../../src/core/util/random';

const PEAK = 3e-4;
const WARMUP = 500;
const EVERY = 100;
const LAW = { L0: 2.6, A: 4.2, alpha: 0.45, C: 0.0002 }; // normalised form: areas in units of the peak LR

type Schedule = (step: number, total: number) => number;

const warm = (inner: Schedule): Schedule => (s, total) => (s <= WARMUP ? (PEAK * s) / WARMUP : inner(s, total));
export const SCHEDULES: Record<string, Schedule> = {
  constant: warm(() => PEAK),
  cosine: warm((s, total) => 0.1 * PEAK + 0.9 * PEAK * 0.5 * (1 + Math.cos((Math.PI * (s - WARMUP)) / (total - WARMUP)))),
  wsd: warm((s, total) => {
    const decayStart = Math.round(total * 0.8);
    return s <= decayStart ? PEAK : PEAK * Math.pow(0.1, (s - decayStart) / (total - decayStart));
  }),
};

interface Row {
  step: number;
  lr: number;
  loss: number;
}

function curve(schedule: Schedule, total: number, random: Random, withStepZero: boolean): Row[] {
  const logged = Array.from({ length: total / EVERY }, (_, k) => (k + 1) * EVERY);
  // The LR at every step, so areas come from the true schedule rather than the logged samples.
  const steps = Float64Array.from({ length: total }, (_, i) => i + 1);
  const lr = steps.map((s) => schedule(s, total));
  const areas = lrAreas({ steps, lr }, logged, { lambda: 0.999, warmup: 'peak' });
  let drift = 0;
  const rows = logged.map((step, k) => {
    const s1 = areas.s1[k] / PEAK;
    const s2 = areas.s2[k] / PEAK;
    drift = 0.97 * drift + 0.0006 * normal(random);
    const clean = LAW.L0 + LAW.A * Math.pow(s1, -LAW.alpha) - LAW.C * s2;
    return { step, lr: schedule(step, total), loss: clean * Math.exp(drift + 0.002 * normal(random)) };
  });
  return withStepZero ? [{ step: 0, lr: 0, loss: 10.83 }, ...rows] : rows;
}

const fixed = (v: number, digits: number) => Number(v.toPrecision(digits)).toString();

export function generate(outDir: string): string[] {
  const written: string[] = [];
  const put = (name: string, text: string) => {
    const path = join(outDir, name);
    writeFileSync(path, text);
    written.push(path);
  };
  const random = seededRandom(2024);
  const constant = curve(SCHEDULES.constant, 20000, random, true);
  const cosine = curve(SCHEDULES.cosine, 20000, random, false);
  const wsd = curve(SCHEDULES.wsd, 20000, random, false);
  const csv = (rows: Row[]) => ['step,lr,loss', ...rows.map((r) => `${r.step},${fixed(r.lr, 6)},${fixed(r.loss, 5)}`)].join('\n') + '\n';
  put('constant.csv', csv(constant));
  put('cosine.csv', csv(cosine));
  // W&B-style history: _step, nested train metrics flattened by the reader to train/loss.
  put('wsd.jsonl', wsd.map((r) => JSON.stringify({ _step: r.step, train: { loss: Number(fixed(r.loss, 5)) }, lr: Number(fixed(r.lr, 6)) })).join('\n') + '\n');
  // Several runs in one file: a sweep over schedule lengths, told apart by the run column.
  const sweep = [
    ...curve(SCHEDULES.cosine, 10000, random, false).map((r) => ({ ...r, run: 'cosine_10k' })),
    ...curve(SCHEDULES.wsd, 10000, random, false).map((r) => ({ ...r, run: 'wsd_10k' })),
    ...curve(SCHEDULES.cosine, 30000, random, false).map((r) => ({ ...r, run: 'cosine_30k' })),
  ];
  put('sweep.csv', ['run,step,lr,loss', ...sweep.map((r) => `${r.run},${r.step},${fixed(r.lr, 6)},${fixed(r.loss, 5)}`)].join('\n') + '\n');
  return written;
}
