// Run files in the JSON shapes training frameworks write, made by the tests: a Hugging Face trainer_state.json as
// Python's json.dumps(indent=2, sort_keys=True) writes it (bare NaN and Infinity included), LLaMA-Factory's
// trainer_log.jsonl and W&B's legacy wandb-history.jsonl. The shapes follow public run folders (see FORMATS.md).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from './scratch';

type Entry = Record<string, number | string>;

/** Python's JSON: sorted keys, two-space indent, bare NaN / Infinity / -Infinity for non-finite floats. */
export function pythonJson(value: unknown, indent = ''): string {
  const inner = indent + '  ';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return JSON.stringify(value);
  }
  if (Array.isArray(value))
    return value.length === 0 ? '[]' : `[\n${value.map((v) => inner + pythonJson(v, inner)).join(',\n')}\n${indent}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    if (keys.length === 0) return '{}';
    const members = keys.map((k) => `${inner}${JSON.stringify(k)}: ${pythonJson((value as Entry)[k], inner)}`);
    return `{\n${members.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

export interface TrainerRun {
  /** Training entries every `logging` steps up to `globalStep`; an eval entry every `evalEvery` steps. */
  globalStep: number;
  maxSteps: number;
  logging: number;
  evalEvery?: number;
  /** The loss at a step (a cosine-like decay by default). */
  loss?: (step: number) => number;
  /** Ends with the run's summary entry (train_loss, train_runtime, ...), as a finished run does. */
  finished?: boolean;
}

export const defaultLoss = (step: number): number => 2.5 + 3 / Math.sqrt(step);
const lrAt = (step: number, maxSteps: number): number =>
  3e-4 * Math.min(1, step / 100) * 0.5 * (1 + Math.cos((Math.PI * step) / maxSteps));

/** The log_history of a run. */
export function logHistory(run: TrainerRun): Entry[] {
  const loss = run.loss ?? defaultLoss;
  const entries: Entry[] = [];
  for (let step = run.logging; step <= run.globalStep; step += run.logging) {
    const epoch = step / 1000;
    entries.push({ epoch, grad_norm: 0.8, learning_rate: lrAt(step, run.maxSteps), loss: loss(step), step });
    if (run.evalEvery !== undefined && step % run.evalEvery === 0)
      entries.push({ epoch, eval_loss: loss(step) + 0.1, eval_runtime: 12.5, eval_samples_per_second: 80, step });
  }
  if (run.finished)
    entries.push({
      epoch: run.globalStep / 1000,
      step: run.globalStep,
      total_flos: 1e18,
      train_loss: 2.9,
      train_runtime: 3600,
    });
  return entries;
}

/** A trainer_state.json's text. */
export function trainerState(run: TrainerRun, history: Entry[] = logHistory(run)): string {
  return pythonJson({
    best_metric: null,
    best_model_checkpoint: null,
    epoch: run.globalStep / 1000,
    eval_steps: run.evalEvery ?? 500,
    global_step: run.globalStep,
    is_hyper_param_search: false,
    is_local_process_zero: true,
    is_world_process_zero: true,
    log_history: history,
    logging_steps: run.logging,
    max_steps: run.maxSteps,
    num_train_epochs: 3,
    total_flos: 1e18,
    trial_name: null,
    trial_params: null,
  });
}

/** A fresh temporary folder, removed after the test (or file) that made it. */
export function tempDir(prefix: string): string {
  return scratchDir(`sl-${prefix}-`);
}

/** Writes `text` at `dir/relative`, making its folders; returns the path. */
export function writeAt(dir: string, relative: string, text: string | Uint8Array): string {
  const path = join(dir, relative);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** An output_dir as the Trainer leaves it: checkpoint-N/ copies of the state at each save, and its own at the end. */
export function outputDir(run: TrainerRun, saveEvery: number, withRoot = true): string {
  const dir = tempDir('hf');
  for (let step = saveEvery; step <= run.globalStep; step += saveEvery) {
    writeAt(dir, `checkpoint-${step}/trainer_state.json`, trainerState({ ...run, globalStep: step }));
    writeAt(
      dir,
      `checkpoint-${step}/config.json`,
      pythonJson({ architectures: ['LlamaForCausalLM'], hidden_size: 64 }),
    );
  }
  if (withRoot) writeAt(dir, 'trainer_state.json', trainerState({ ...run, finished: true }));
  writeAt(dir, 'all_results.json', pythonJson({ epoch: 3, train_loss: 2.9 }));
  writeAt(dir, 'tokenizer_config.json', pythonJson({ model_max_length: 2048, padding_side: 'right' }));
  return dir;
}

/** LLaMA-Factory's trainer_log.jsonl lines. */
export function llamaFactoryLog(steps: number, total: number, every = 10): string {
  const lines: string[] = [];
  for (let step = every; step <= steps; step += every)
    lines.push(
      JSON.stringify({
        current_steps: step,
        total_steps: total,
        loss: defaultLoss(step),
        lr: lrAt(step, total),
        epoch: step / 100,
        percentage: (100 * step) / total,
        elapsed_time: '0:00:10',
        remaining_time: '0:10:00',
      }),
    );
  return lines.join('\n') + '\n';
}

/** W&B's legacy wandb-history.jsonl lines. */
export function wandbHistory(steps: number): string {
  const lines: string[] = [];
  for (let step = 0; step < steps; step++)
    lines.push(
      JSON.stringify({
        _step: step,
        _runtime: step * 0.5,
        _timestamp: 1.6e9 + step,
        'train/loss': defaultLoss(step + 1),
        lr: 3e-4,
      }),
    );
  return lines.join('\n') + '\n';
}
