// Synthetic loss curves where one loss-curve law is the truth, with lognormal noise, under several LR schedules: what
// the tests of the automatic choice of law (lawChoice.ts) fit and predict.
import assert from 'node:assert/strict';
import type { LossCurve } from '../../src/core/analysis/lossCurves';
import { predictMultiPower } from '../../src/core/analysis/multiPowerFit';
import { multiPowerParams, type MultiPowerCoefficients } from '../../src/core/laws/multiPower';
import { lrAreas, type LoggedSchedule } from '../../src/core/laws/schedule';
import { normal, seededRandom } from '../../src/core/util/random';

export const PEAK = 3e-4;
export const SYNTH_WARMUP = 500;
const TOTAL = 12_000;
/** Lognormal noise of 0.05 %, about the seed-to-seed noise of the public runs. */
export const NOISE = 0.0005;
export const KINDS = ['constant', 'cosine', 'wsd', 'two-stage', 'step-down', 'linear'] as const;
export type Kind = (typeof KINDS)[number];

function lrAt(kind: Kind, step: number): number {
  const x = (step - SYNTH_WARMUP) / (TOTAL - SYNTH_WARMUP);
  switch (kind) {
    case 'constant':
      return PEAK;
    case 'cosine':
      return PEAK * (0.1 + 0.45 * (1 + Math.cos(Math.PI * x)));
    case 'wsd':
      return x < 0.8 ? PEAK : PEAK * (1 - (0.9 * (x - 0.8)) / 0.2);
    case 'two-stage':
      return x < 0.5 ? PEAK : 0.3 * PEAK;
    case 'step-down':
      return x < 0.4 ? PEAK : x < 0.7 ? 0.5 * PEAK : 0.1 * PEAK;
    case 'linear':
      return PEAK * (1 - 0.95 * x);
  }
}

function scheduleOf(kind: Kind): LoggedSchedule {
  const steps = Float64Array.from({ length: (TOTAL - SYNTH_WARMUP) / 50 }, (_, i) => SYNTH_WARMUP + (i + 1) * 50);
  return { steps, lr: steps.map((s) => lrAt(kind, s)) };
}

function curve(name: string, schedule: LoggedSchedule, clean: Float64Array, seed: number, noise: number): LossCurve {
  const random = seededRandom(seed);
  const loss = clean.map((v) => v * Math.exp(noise * normal(random)));
  return {
    name,
    file: `${name}.csv`,
    steps: schedule.steps,
    loss,
    lines: new Int32Array(loss.length),
    schedule,
    firstLine: 1,
  };
}

export function tissueTruth(kind: Kind, seed: number, noise = NOISE): LossCurve {
  const schedule = scheduleOf(kind);
  const { s1, s2 } = lrAreas(schedule, schedule.steps, { lambda: 0.999, warmup: 'peak', warmupSteps: SYNTH_WARMUP });
  const [l0, a, alpha, c] = [2.8, 0.45, 0.5, 0.4 / PEAK];
  const clean = s1.map((v, i) => l0 + a * Math.pow(v / PEAK, -alpha) * Math.pow(PEAK, alpha) - c * s2[i] * 1e-3 * PEAK);
  return curve(kind, schedule, clean, seed, noise);
}

export function mplTruth(kind: Kind, raw: MultiPowerCoefficients, seed: number, noise = NOISE): LossCurve {
  const schedule = scheduleOf(kind);
  const scale = { etaRef: PEAK, s1Max: 3 };
  const model = {
    params: multiPowerParams(raw, scale),
    coefficients: raw,
    scale,
    convention: 'paper' as const,
    warmupSteps: SYNTH_WARMUP,
  };
  return curve(kind, schedule, predictMultiPower(model, schedule, schedule.steps), seed, noise);
}

/** CSV rows [from, to) of a clean power-law loss curve logged every 100 steps under a constant LR (no header). */
export function powerLawRows(from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) {
    const step = (i + 1) * 100;
    text += `${step},0.0003,${(2.5 + 4 * Math.pow(step, -0.45)).toFixed(5)}\n`;
  }
  return text;
}

/**
 * Six points of a linear decay whose loss falls from 15 to 0.3 (LR areas and losses): squares-fitted starts of a law
 * that subtracts C·S2 put it at or below 0 at the last points (startsInsideLaw's case).
 */
export function tenfoldFall(): { s1: Float64Array; s2: Float64Array; observed: Float64Array } {
  const lr = Array.from({ length: 6 }, (_, k) => 1 - (k + 1) / 7);
  const logged = lr.map((_, k) => k + 1);
  const a = lrAreas({ steps: Float64Array.from(logged), lr: Float64Array.from(lr) }, logged, {
    lambda: 0.999,
    warmup: 'peak',
  });
  return { s1: a.s1, s2: a.s2, observed: Float64Array.of(15, 2.4, 0.35, 0.32, 0.31, 0.305) };
}

/** The starts' check: every start predicts a positive loss at every point. */
export function assertStartsInside<D>(
  law: { predict(p: Float64Array, d: D, out: Float64Array): void },
  data: D,
  size: number,
  starts: Float64Array[],
): void {
  assert.ok(starts.length > 0);
  for (const start of starts) {
    const out = new Float64Array(size);
    law.predict(start, data, out);
    assert.ok(
      out.every((v) => v > 0),
      `start ${Array.from(start).join(', ')} predicts ${Array.from(out).join(', ')}`,
    );
  }
}

/**
 * A run's CSV held at the peak LR, then one step down to 60 % of it (a two-stage run), the loss answering the drop: the
 * multi-power law fitted on it cannot tell its gamma (its drops land at one LR).
 */
export function twoStageRunCsv(): string {
  const rows = ['step,lr,loss'];
  for (let step = 100; step <= 20_000; step += 100) {
    const lr = step < 500 ? (3e-4 * step) / 500 : step <= 10_000 ? 3e-4 : 1.8e-4;
    const drop = step > 10_000 ? 0.04 * (1 - Math.pow(1 + (step - 10_000) / 400, -0.6)) : 0;
    const loss = 2.4 + 1.1 * Math.pow(step, -0.3) - drop + 0.001 * Math.sin(step * 0.37);
    rows.push(`${step},${lr},${loss.toFixed(5)}`);
  }
  return rows.join('\n') + '\n';
}
