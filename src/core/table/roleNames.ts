// The names each column role goes by: exact aliases (in order of preference), aliases that count only in some
// files, the words of the fallback name patterns and the words that rule a pattern out, and how names are
// normalised before they are compared. Data for roles.ts, which assigns the roles. Documented in
// docs/column-roles.md.
import type { ColumnRole } from './types';

/** Aliases per role, in order of preference. Matching ignores case and treats '-', ' ' and '.' as '_'. */
export const ROLE_ALIASES: Record<ColumnRole, readonly string[]> = {
  step: [
    'step',
    'Step',
    'global_step',
    'trainer/global_step',
    'train/global_step',
    'iter',
    'iteration',
    'iterations',
    'steps',
    'current_steps',
    '_step',
  ],
  // Validation losses come first: when a file has both, the validation loss is the one scaling laws are fitted to.
  loss: [
    'val_loss',
    'eval/loss',
    'validation/loss',
    'validation loss',
    'valid_loss',
    'eval_loss',
    'loss',
    'train/loss',
    'train_loss',
    'lm_loss',
    'Value',
  ],
  lr: [
    'lr',
    'learning_rate',
    'learning rate',
    'train_lr',
    'train/learning_rate',
    'trainer/lr',
    'optimizer/lr',
    'lr-AdamW',
    'lr-Adam',
    'lr-SGD',
    'lr_0',
    // Lightning's LearningRateMonitor with several parameter groups: the first group's.
    'lr-AdamW/pg1',
    'lr-Adam/pg1',
    'lr-SGD/pg1',
  ],
  run: ['run', 'run_name', 'run_id', 'name', 'experiment', 'schedule', 'curve'],
  group: ['group', 'mix', 'pretrain_mix', 'pretraining_mix', 'dataset', 'pretraining_dataset', 'data'],
  pretrainData: [
    'D_p',
    'dp',
    'pretrain_tokens',
    'pretraining_tokens',
    'tokens_pretrain',
    'pretrain_data',
    'pretraining_data',
    'tokens',
  ],
  finetuneData: ['D_f', 'df', 'finetune_tokens', 'finetuning_tokens', 'finetune_data', 'task_tokens', 'ft_tokens'],
  bleu: ['bleu', 'BLEU', 'bleu_score', 'comet', 'COMET', 'chrf', 'score'],
  ce: ['ce', 'cross_entropy', 'downstream_ce', 'downstream_loss', 'xent', 'loss'],
  params: [
    'N',
    'params',
    'n_params',
    'num_params',
    'parameters',
    'model_size',
    'params_N',
    'model_params',
    'non_embedding_params',
  ],
  tokens: ['D', 'tokens', 'tokens_D', 'n_tokens', 'num_tokens', 'train_tokens', 'training_tokens', 'data_size'],
  compute: ['C', 'flops', 'flop', 'compute', 'flop_C', 'training_flops', 'FLOPs'],
};

/** Aliases that only count in some files: they are too generic elsewhere. */
export const CONDITIONAL_ALIASES: Partial<Record<ColumnRole, Readonly<Record<string, Condition>>>> = {
  loss: { value: 'tensorboard' },
  pretrainData: { tokens: 'downstream' },
  ce: { loss: 'downstream' },
};

export type Condition = 'tensorboard' | 'downstream';

/** Name patterns tried when no alias matches: the name ends (or starts) with one of these words. */
export const FALLBACK_WORDS: Partial<Record<ColumnRole, { last?: readonly string[]; first?: readonly string[] }>> = {
  step: { last: ['step', 'steps', 'iter', 'iteration'] },
  loss: { last: ['loss'], first: ['loss'] },
  lr: { last: ['lr', 'learning_rate'], first: ['lr'] },
  bleu: { last: ['bleu', 'comet', 'chrf'] },
  ce: { last: ['ce', 'xent', 'cross_entropy'] },
  params: { last: ['params', 'parameters'] },
  compute: { last: ['flops', 'flop'] },
};

/** Words that make a pattern match a setting rather than the quantity: loss_scale, lr_warmup_steps, loss_weight. */
export const NOT_THE_QUANTITY: ReadonlySet<string> = new Set([
  'scale',
  'scaler',
  'weight',
  'coef',
  'warmup',
  'decay',
  'ratio',
  'factor',
  'momentum',
]);

/**
 * Suffixes a logger appends to a metric's name to say how it was aggregated: Lightning's `self.log(on_step=True,
 * on_epoch=True)` writes `train_loss_step` and `train_loss_epoch`, other loops `train_loss_batch`. The loss pattern
 * looks through them; per-step values are preferred to epoch means (denser on the step axis).
 */
export const AGGREGATION_SUFFIXES: readonly string[] = ['step', 'batch', 'epoch'];

/** Words that keep a name from the step pattern: `train_loss_step` is a loss logged per step, not a step count. */
export const NOT_A_STEP: ReadonlySet<string> = new Set(['loss', 'lr', 'acc', 'accuracy']);

/**
 * Whether a normalised name counts epochs (`epoch`, `train/epoch`): its last word is `epoch` and no word names a
 * metric, for Lightning writes a metric's epoch mean as `val_loss_epoch` beside its own `epoch` column.
 */
export function isEpochCount(normalised: string): boolean {
  const parts = words(normalised);
  return parts.at(-1) === 'epoch' && !parts.some((w) => NOT_A_STEP.has(w));
}

/** Words that mark a metric as measured on held-out data (`val_loss`, `eval/loss`). */
const VALIDATION_WORDS: ReadonlySet<string> = new Set([
  'val',
  'valid',
  'validation',
  'eval',
  'evaluation',
  'test',
  'dev',
]);

/** Lower case, '-', ' ' and '.' as '_' (runs collapsed), '/' kept: "lr-AdamW" -> "lr_adamw". */
export function normaliseColumnName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-\s.]+/g, '_');
}

/** Words of a normalised name, split at '/' and '_'. */
export function words(normalised: string): string[] {
  return normalised.split(/[/_]+/).filter((w) => w !== '');
}

/** Whether a column's name says it holds a validation metric. */
export function isValidation(name: string): boolean {
  return words(normaliseColumnName(name)).some((w) => VALIDATION_WORDS.has(w));
}

/**
 * A step column's rank among those the step pattern finds: a micro-batch step (`micro_step`, gradient accumulation's
 * forward passes) ranks after an optimizer step beside it (`opt_step`), whose steps are the LR schedule's.
 */
export function stepRank(name: string): number {
  return words(name).includes('micro') ? 1 : 0;
}

/**
 * Words that mark a loss as smoothed over the steps before it (`train/running_loss`, `avg_loss`, `smoothed_loss`):
 * it lags the loss at its step, so a plain loss beside it is preferred (ranked after every aggregation suffix).
 */
const SMOOTHING_WORDS: ReadonlySet<string> = new Set([
  'running',
  'avg',
  'average',
  'ema',
  'smooth',
  'smoothed',
  'moving',
]);

/**
 * A loss name without its aggregation suffix ("train_loss_step" -> "train_loss"), with the suffix's rank; a smoothed
 * loss ranks last.
 */
export function withoutAggregation(name: string): { base: string; rank: number } {
  const smoothed = words(name).some((w) => SMOOTHING_WORDS.has(w)) ? AGGREGATION_SUFFIXES.length + 1 : 0;
  for (const [rank, suffix] of AGGREGATION_SUFFIXES.entries())
    if (name.endsWith(`_${suffix}`) && name.length > suffix.length + 1)
      return { base: name.slice(0, -suffix.length - 1), rank: rank + 1 + smoothed };
  return { base: name, rank: smoothed };
}

/** A role's aliases without the conditional ones, normalised. */
export function strictAliases(role: ColumnRole): string[] {
  const conditional = CONDITIONAL_ALIASES[role] ?? {};
  return ROLE_ALIASES[role].map(normaliseColumnName).filter((a) => conditional[a] === undefined);
}
