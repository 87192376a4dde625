// Which column plays which role, from column names (the names each role goes by are in roleNames.ts). Exact aliases
// first (in the order listed: earlier aliases are preferred), then a few name patterns, and user overrides above all.
// Documented in docs/column-roles.md.

import { isModelSize } from '../util/counts';
import {
  FALLBACK_WORDS,
  NOT_A_STEP,
  NOT_THE_QUANTITY,
  ROLE_ALIASES,
  CONDITIONAL_ALIASES,
  isEpochCount,
  isValidation,
  normaliseColumnName,
  strictAliases,
  stepRank,
  withoutAggregation,
  words,
  type Condition,
} from './roleNames';
import {
  textAt,
  type Column,
  type ColumnRole,
  type FileKind,
  type RoleAssignment,
  type Table,
  type TextOnlyColumn,
} from './types';

/** Roles whose column may hold text (names); every other role needs numbers. */
const TEXT_ROLES: ReadonlySet<ColumnRole> = new Set<ColumnRole>(['run', 'group']);

/** Assignment order: specific roles claim their columns before the generic ones (ce before loss, and so on). */
const ROLE_ORDER: readonly ColumnRole[] = [
  'run',
  'group',
  'step',
  'params',
  'compute',
  'pretrainData',
  'finetuneData',
  'tokens',
  'bleu',
  'ce',
  'lr',
  'loss',
];

interface Context {
  table: Table;
  normalised: string[];
  conditions: Set<Condition>;
  taken: Set<number>;
  roles: Partial<Record<ColumnRole, number>>;
  /** Roles set by the user: detection neither changes nor second-guesses them. */
  overridden: Set<ColumnRole>;
  notes: string[];
  unmatched: { role: ColumnRole; name: string }[];
}

/**
 * Assigns roles to columns and decides what kind of file this is. Overrides name columns exactly. `alone`: the table
 * is fitted on its own, not with others (fallBackFromSparseValidation).
 */
export function detectRoles(
  table: Table,
  overrides: Partial<Record<ColumnRole, string>> = {},
  alone = true,
): RoleAssignment {
  const context: Context = {
    table,
    normalised: table.columns.map((c) => normaliseColumnName(c.name)),
    conditions: new Set(),
    taken: new Set(),
    roles: {},
    overridden: new Set(),
    notes: [],
    unmatched: [],
  };
  applyOverrides(context, overrides);
  if (table.format === 'tensorboard-csv') context.conditions.add('tensorboard');
  const tensorboardLr = table.format === 'tensorboard-csv' && tensorboardTagIsLr(context);
  if (looksDownstream(context)) context.conditions.add('downstream');
  for (const role of ROLE_ORDER) assignByAlias(context, role, tensorboardLr);
  for (const role of ROLE_ORDER) assignByPattern(context, role);
  if (!(alone && fallBackFromSparseValidation(context))) noteLossChoice(context);
  const kind = decideKind(context);
  noteMissing(context, kind);
  const textOnly = TEXT_CHECKED_ROLES.flatMap((role) => textOnlyColumn(context, role) ?? []);
  const { unmatched } = context;
  return {
    kind,
    roles: context.roles,
    notes: context.notes,
    ...(textOnly.length > 0 && { textOnly }),
    ...(unmatched.length > 0 && { unmatched }),
  };
}

function applyOverrides(context: Context, overrides: Partial<Record<ColumnRole, string>>): void {
  const names = context.table.columns.map((c) => c.name);
  for (const [role, name] of Object.entries(overrides) as [ColumnRole, string | undefined][]) {
    if (name === undefined) continue;
    if (!Object.hasOwn(ROLE_ALIASES, role)) {
      context.notes.push(
        `column mapping ${role}=${name}: "${role}" is not a role (roles: ${Object.keys(ROLE_ALIASES).join(', ')}).`,
      );
      continue;
    }
    let index = names.indexOf(name);
    if (index < 0) index = context.normalised.indexOf(normaliseColumnName(name));
    if (index < 0) {
      context.notes.push(
        `column mapping ${role}=${name}: there is no column named "${name}" (columns: ${names.join(', ')}).`,
      );
      context.unmatched.push({ role, name });
      continue;
    }
    if (!usable(context.table.columns[index], role)) {
      context.notes.push(
        `column mapping ${role}=${name}: column "${names[index]}" has no numeric cells, so it cannot be the ${role}.`,
      );
      continue;
    }
    assign(context, role, index, 'set by the column mapping');
    context.overridden.add(role);
  }
}

function usable(column: Column, role: ColumnRole): boolean {
  return TEXT_ROLES.has(role) ? column.numericCount + column.textCount > 0 : column.numericCount > 0;
}

/** Roles whose values are read at a step: a column of them holding numbers only on rows without one gives none. */
const PER_STEP_ROLES: ReadonlySet<ColumnRole> = new Set<ColumnRole>(['lr', 'loss']);

/**
 * Whether a column can take a per-step role: it has a number on a row that has a step too. An event log's config
 * line (`{"event": "config", "lr": 1e-6, ...}`, no step) has the bare alias `lr`, while the steps log `train/lr`:
 * taking `lr` would leave the curve with no LR at all. Other roles, and tables with no step column, are not held
 * to it.
 */
function usableAt(context: Context, index: number, role: ColumnRole): boolean {
  const column = context.table.columns[index];
  if (!usable(column, role)) return false;
  const step = context.roles.step;
  if (!PER_STEP_ROLES.has(role) || step === undefined) return true;
  const steps = context.table.columns[step].values;
  const values = column.values;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]) && !Number.isNaN(steps[i])) return true;
  return false;
}

function assign(context: Context, role: ColumnRole, index: number, how: string): void {
  context.roles[role] = index;
  context.taken.add(index);
  context.notes.push(`${role} → "${context.table.columns[index].name}" (${how}).`);
}

/** Aliases of a role that apply to this file, normalised, in preference order. */
function activeAliases(context: Context, role: ColumnRole, tensorboardLr: boolean): string[] {
  const conditional = CONDITIONAL_ALIASES[role] ?? {};
  const aliases = ROLE_ALIASES[role].map(normaliseColumnName).filter((alias) => {
    const condition = conditional[alias];
    return condition === undefined || context.conditions.has(condition);
  });
  // A TensorBoard export of a learning-rate tag: its Value column is the lr, not the loss.
  if (tensorboardLr && role === 'lr') aliases.push('value');
  const active = tensorboardLr && role === 'loss' ? aliases.filter((a) => a !== 'value') : aliases;
  return [...new Set(active)];
}

/** First free, usable column whose name equals an alias, trying aliases in order. */
function findByAlias(context: Context, role: ColumnRole, aliases: readonly string[]): number {
  for (const alias of aliases) {
    const index = context.normalised.findIndex(
      (name, i) => name === alias && !context.taken.has(i) && usableAt(context, i, role),
    );
    if (index >= 0) return index;
  }
  return -1;
}

function assignByAlias(context: Context, role: ColumnRole, tensorboardLr: boolean): void {
  if (context.roles[role] !== undefined) return;
  const index = findByAlias(context, role, activeAliases(context, role, tensorboardLr));
  if (index < 0) return;
  // A training-loss alias ("train/loss") yields to a validation loss found by pattern ("val/my_loss").
  const preferValidation = role === 'loss' && !isValidation(context.table.columns[index].name);
  if (preferValidation && patternMatches(context, role).some((m) => isValidation(m.name))) return;
  assign(context, role, index, 'matched an alias');
}

/**
 * Free, usable columns whose name ends (or starts) with one of the role's fallback words. Loss names are matched
 * through an aggregation suffix, and ordered so that the unsuffixed and per-step names come before epoch means.
 */
function patternMatches(
  context: Context,
  role: ColumnRole,
  accept: (column: Column, index: number) => boolean = (_, index) => usableAt(context, index, role),
): { name: string; index: number; word: string }[] {
  const fallback = FALLBACK_WORDS[role];
  if (fallback === undefined) return [];
  const wordOf = (name: string): string | undefined =>
    fallback.last?.find((w) => name === w || name.endsWith(`_${w}`) || name.endsWith(`/${w}`)) ??
    fallback.first?.find((w) => name.startsWith(`${w}_`) || name.startsWith(`${w}/`));
  const matches: { name: string; index: number; word: string; rank: number }[] = [];
  context.normalised.forEach((name, index) => {
    const { base, rank } =
      role === 'loss' ? withoutAggregation(name) : { base: name, rank: role === 'step' ? stepRank(name) : 0 };
    const word = wordOf(base);
    if (word === undefined || words(name).some((w) => NOT_THE_QUANTITY.has(w))) return;
    if (role === 'step' && words(name).some((w) => NOT_A_STEP.has(w))) return;
    if (!context.taken.has(index) && accept(context.table.columns[index], index)) {
      matches.push({ name, index, word, rank });
    }
  });
  return matches.sort((a, b) => a.rank - b.rank || a.index - b.index);
}

/** Name patterns; as with the aliases, a validation loss is preferred over a training loss. */
function assignByPattern(context: Context, role: ColumnRole): void {
  if (context.roles[role] !== undefined) return;
  const matches = patternMatches(context, role);
  if (matches.length === 0) return;
  const best = (role === 'loss' ? matches.find((m) => isValidation(m.name)) : undefined) ?? matches[0];
  assign(context, role, best.index, `name has the word "${best.word}"`);
}

/**
 * Loss values a loss-curve fit needs to be shown: two per coefficient of the LR-annealing law's 4 (trust.ts,
 * FIT_VERDICT.pointsPerCoefficient; tied by a test). A validation loss with fewer is fitted, if at all, only to be
 * withheld as unsupported, while the training loss beside it could give a prediction.
 */
export const FEWEST_SUPPORTED_LOSSES = 8;

/**
 * The training and validation losses of a loss column's kind other than the chosen one, best first: candidates for
 * the other half of the choice noteLossChoice and fallBackFromSparseValidation say.
 */
function otherLosses(context: Context, chosen: number): number[] {
  const columns = context.table.columns;
  return context.normalised
    .map((name, i) => ({ name, i }))
    .filter(
      ({ name, i }) =>
        i !== chosen &&
        !context.taken.has(i) &&
        words(withoutAggregation(name).base).includes('loss') &&
        isValidation(name) !== isValidation(columns[chosen].name),
    )
    .sort((a, b) => withoutAggregation(a.name).rank - withoutAggregation(b.name).rank || a.i - b.i)
    .map(({ i }) => i);
}

/**
 * A validation loss logged too few times to fit (a trainer state four evaluations in, beside 57 training losses)
 * would leave nothing fitted while the training loss could be: the training loss is used then, and the note says
 * why and how to ask for the validation loss. True when it fell back. Only for a table fitted alone: runs fitted
 * together are one law over one metric, and a run's few validation points count among the others'.
 */
function fallBackFromSparseValidation(context: Context): boolean {
  const chosen = context.roles.loss;
  if (chosen === undefined || context.overridden.has('loss')) return false;
  const columns = context.table.columns;
  const validation = columns[chosen];
  if (!isValidation(validation.name) || validation.numericCount >= FEWEST_SUPPORTED_LOSSES) return false;
  const training = otherLosses(context, chosen).find((i) => columns[i].numericCount >= FEWEST_SUPPORTED_LOSSES);
  if (training === undefined) return false;
  context.taken.delete(chosen);
  context.roles.loss = training;
  context.taken.add(training);
  // The note of the first choice would contradict this one.
  context.notes = context.notes.filter((n) => !n.startsWith(`loss → "${validation.name}"`));
  context.notes.push(
    `loss → "${columns[training].name}": the validation loss "${validation.name}" has ${validation.numericCount} value(s), too few for a ` +
      `loss-curve fit the data supports (${FEWEST_SUPPORTED_LOSSES} at least), so the training loss "${columns[training].name}" ` +
      `(${columns[training].numericCount} values) is used; map the loss role to "${validation.name}" to fit it.`,
  );
  return true;
}

/**
 * Says which loss was chosen when both a validation and a training loss exist. A validation loss column without a
 * number (LLaMA-Factory writes `"eval_loss": null` on every training line) is said to be empty, not passed over.
 */
function noteLossChoice(context: Context): void {
  const chosen = context.roles.loss;
  if (chosen === undefined || context.overridden.has('loss')) return;
  const columns = context.table.columns;
  const candidates = otherLosses(context, chosen);
  const other = candidates.find((i) => usable(columns[i], 'loss')) ?? -1;
  const empty = candidates.find((i) => !usable(columns[i], 'loss')) ?? -1;
  if (other < 0 && empty >= 0 && !isValidation(columns[chosen].name)) {
    context.notes.push(
      `loss: the validation loss "${columns[empty].name}" has no numeric values, so the training loss ` +
        `"${columns[chosen].name}" is used.`,
    );
    return;
  }
  if (other < 0) return;
  const which = isValidation(columns[chosen].name) ? 'validation' : 'training';
  context.notes.push(
    `loss: chose the ${which} loss "${columns[chosen].name}" over "${columns[other].name}" (validation loss is preferred); ` +
      `map the loss role to "${columns[other].name}" for the other.`,
  );
}

/**
 * A downstream sweep has pretraining data and a downstream score. "tokens" and "loss" are too generic to decide
 * that on their own, so they count only next to a specific downstream name (D_p, bleu, ce...).
 */
function looksDownstream(context: Context): boolean {
  const has = (role: ColumnRole) =>
    context.roles[role] !== undefined || findByAlias(context, role, strictAliases(role)) >= 0;
  const score = has('bleu') || has('ce');
  const genericLoss = findByAlias(context, 'ce', ['loss']) >= 0;
  const genericTokens = findByAlias(context, 'pretrainData', ['tokens']) >= 0;
  return (has('pretrainData') && (score || genericLoss)) || (genericTokens && score && !has('params'));
}

function decideKind(context: Context): FileKind {
  const { roles } = context;
  if (roles.pretrainData !== undefined && (roles.bleu !== undefined || roles.ce !== undefined)) return 'downstream';
  const compute =
    roles.params !== undefined &&
    (roles.tokens !== undefined || roles.compute !== undefined) &&
    roles.loss !== undefined;
  const curve = roles.step !== undefined && roles.loss !== undefined;
  if (compute && curve) {
    // Checkpoints of one model (constant params) are a loss curve; several model sizes are decided by the data.
    const single = distinctNumbers(context.table.columns[roles.params as number]) <= 1;
    if (single) {
      context.notes.push('kind: loss-curve — the file has step and loss, and params has one value (one model).');
      return 'loss-curve';
    }
    const curves = sizesLoggedAtSeveralSteps(context.table, roles);
    context.notes.push(
      curves
        ? 'kind: loss-curve — the file has several model sizes (params), each logged at several steps: loss curves ' +
            'of several sizes (for the model-size law), not one final loss per (N, D) run; fit the (N, D) law by ' +
            'name to read it as a sweep.'
        : 'kind: compute — the file has several model sizes (params), each run at one step (one final loss per ' +
            '(N, D) run): an (N, D) sweep, though it also has a step column.',
    );
    return curves ? 'loss-curve' : 'compute';
  }
  if (compute) return 'compute';
  if (curve) return 'loss-curve';
  return 'unknown';
}

/**
 * Whether most runs of the file (rows of one model size and, with a run column, one run) are logged at several
 * steps: loss curves of several sizes. A sweep has one row per run, its final loss (the step, if any, its last). A
 * params column with one stray value in a curve is not a second size logged at several steps, and a cell that is no
 * model size at all is no run.
 */
export function sizesLoggedAtSeveralSteps(table: Table, roles: RoleAssignment['roles']): boolean {
  if (roles.params === undefined || roles.step === undefined) return false;
  const params = table.columns[roles.params];
  const steps = table.columns[roles.step].values;
  const run = roles.run === undefined ? undefined : table.columns[roles.run];
  /** Per run: its first step, and whether another step was seen. */
  const runs = new Map<number | string, { step: number; several: boolean }>();
  for (let r = 0; r < table.rowCount; r++) {
    const n = params.values[r];
    const step = steps[r];
    // A cell that is no model size (0, -1, 1e400) is no run: three such stray cells once outvoted three sizes.
    if (!isModelSize(n) || Number.isNaN(step)) continue;
    // Keyed by the size alone when there is no run column: no string per row of a long log.
    const key = run === undefined ? n : `${n}\u0000${textAt(run, r) ?? run.values[r]}`;
    const seen = runs.get(key);
    if (seen === undefined) runs.set(key, { step, several: false });
    else if (seen.step !== step) seen.several = true;
  }
  let several = 0;
  for (const seen of runs.values()) if (seen.several) several++;
  return several * 2 > runs.size;
}

function distinctNumbers(column: Column): number {
  const seen = new Set<number>();
  for (const value of column.values) {
    if (!Number.isNaN(value)) seen.add(value);
    if (seen.size > 1) break;
  }
  return seen.size;
}

function noteMissing(context: Context, kind: FileKind): void {
  const { roles, table, notes } = context;
  const found = (list: ColumnRole[]) => list.filter((r) => roles[r] !== undefined).join(', ') || 'none';
  if (kind === 'loss-curve' && roles.lr === undefined) {
    notes.push('no learning-rate column found; schedule-aware fits need one: map a column to the lr role.');
  }
  if (kind !== 'unknown') return;
  noteEpochAxis(context);
  noteStepNotNumbers(context);
  noteTokenAxis(context);
  notes.push(
    'Could not tell the kind of file: a loss curve needs step and loss (found: ' +
      found(['step', 'loss']) +
      '); ' +
      'a compute sweep needs params, loss, and tokens or compute (found: ' +
      found(['params', 'tokens', 'compute', 'loss']) +
      '); ' +
      'a downstream sweep needs pretrainData and bleu or ce (found: ' +
      found(['pretrainData', 'bleu', 'ce']) +
      '). ' +
      `Map columns to roles (columns: ${table.columns.map((c) => c.name).join(', ')}).`,
  );
}

/**
 * A log written once per epoch (Keras' CSVLogger: epoch, loss, val_loss) has no step. Epochs are not optimizer steps,
 * so the epoch column is not taken for one; the note says it is there and when mapping it is right.
 */
function noteEpochAxis(context: Context): void {
  if (context.roles.step !== undefined || context.roles.loss === undefined) return;
  const epoch = context.normalised.findIndex(
    (name, i) => isEpochCount(name) && !context.taken.has(i) && usable(context.table.columns[i], 'step'),
  );
  if (epoch < 0) return;
  context.notes.push(
    `no step column: "${context.table.columns[epoch].name}" counts epochs, not optimizer steps, so it is not taken ` +
      'as the step; map it to the step role if the learning rate was set once per epoch.',
  );
}

/**
 * A loss logged against tokens seen, with no step and no model size (a pretraining script's `tokens, loss, lr`): the
 * kind note alone read as an (N, D) sweep short of params, while the run is a loss curve on a token axis. The
 * loss-curve laws count optimizer steps (the LR-annealing law's momentum decays per step), so the token column is no
 * step as it stands: the note says what to log instead.
 */
function noteTokenAxis(context: Context): void {
  const { roles, table } = context;
  if (roles.step !== undefined || roles.params !== undefined || roles.tokens === undefined) return;
  if (roles.loss === undefined) return;
  context.notes.push(
    `no step column: the loss is logged against "${table.columns[roles.tokens].name}" (tokens seen); the loss-curve ` +
      `laws count optimizer steps (their LR areas and annealing run per step), so log the step, or the tokens ` +
      `divided by the tokens per step, beside the loss.`,
  );
}

/**
 * A column named like the step whose cells are all text (`0x64`, `100 steps`) cannot be the step, and "no step" alone
 * would hide why: the note names the column and the first cell that is not a number, where it is.
 */
function noteStepNotNumbers(context: Context): void {
  const found = textOnlyColumn(context, 'step');
  if (found === null) return;
  context.notes.push(
    `the step column looks like "${found.name}" (column ${found.index + 1}), but none of its cells is a number: ` +
      `${context.table.file}:${found.line} holds "${found.cell}"; steps must be plain numbers (no hex, no units).`,
  );
}

/** The roles whose text-only columns are reported (TextOnlyColumn): the numbers a loss curve is made of. */
const TEXT_CHECKED_ROLES: readonly ColumnRole[] = ['step', 'loss', 'lr'];

/**
 * A free column named like `role` whose cells are all text, when the role is unassigned: by alias, or for the step by
 * pattern too (for the loss and the LR a pattern also finds text columns that are not values, such as
 * lr_scheduler_type = "cosine").
 */
function textOnlyColumn(context: Context, role: ColumnRole): TextOnlyColumn | null {
  if (context.roles[role] !== undefined) return null;
  const { table } = context;
  const textOnly = (column: Column) => column.numericCount === 0 && column.textCount > 0;
  const aliases = new Set(ROLE_ALIASES[role].map(normaliseColumnName));
  const byAlias = context.normalised.findIndex(
    (n, i) => aliases.has(n) && !context.taken.has(i) && textOnly(table.columns[i]),
  );
  const byPattern = role === 'step' ? (patternMatches(context, role, textOnly)[0]?.index ?? -1) : -1;
  const index = byAlias >= 0 ? byAlias : byPattern;
  if (index < 0) return null;
  const column = table.columns[index];
  let row = 0;
  while (row < table.rowCount && textAt(column, row) === undefined) row++;
  const cell = textAt(column, row);
  return cell === undefined ? null : { role, name: column.name, index, line: table.lines[row], cell };
}

/**
 * TensorBoard names exports "run-<run>-tag-<tag>.csv"; the tag says what Value holds. Notes what was concluded.
 */
function tensorboardTagIsLr(context: Context): boolean {
  const base = context.table.file.split(/[\\/]/).pop() ?? '';
  const stem = base.replace(/\.[^.]*$/, '');
  const at = stem.lastIndexOf('-tag-');
  const tag = normaliseColumnName(at >= 0 ? stem.slice(at + 5) : stem);
  const lr = words(tag).includes('lr') || tag.includes('learning_rate');
  context.notes.push(
    `TensorBoard export of tag "${at >= 0 ? stem.slice(at + 5) : stem}": Value is read as the ${lr ? 'learning rate (lr)' : 'loss'}.`,
  );
  return lr;
}
