// Every knob of Scaling Lens in one table: its analysis option, its VS Code setting, its CLI flag, its default, the
// kind of value it takes, and its descriptions. Nothing else writes a default. From this table come DEFAULT_OPTIONS,
// the settings (their type, defaults and reading: settings.ts), package.json's `contributes.configuration`
// (manifest.ts, `npm run settings:write`) and the CLI's parsing and help (src/cli/args.ts). Like rust-analyzer's
// config table, it is plain data: the core keeps it, and the shells phrase it. It is long because it is one table (a
// row per knob with its descriptions); splitting it would scatter what the tests check as one.
import type { AnalysisOptions } from '../analysis/options';
import { MAX_PARAMS, MAX_STEP } from '../util/counts';
import type { LawId } from '../analysis/types';
import type { ColumnRole, FileFormat } from '../table/types';
import {
  autoOr,
  delimiterChar,
  nameList,
  numberIn,
  numberList,
  oneOf,
  onOff,
  optionalText,
  orNull,
  positiveNumberMap,
  roleMap,
  type ValueKind,
} from './kinds';

/** A compile-time check: `type _X = Assert<...>` fails to compile unless the condition is true. */
type Assert<T extends true> = T;

/** The VS Code settings section every setting key is relative to. */
export const SETTINGS_SECTION = 'scalingLens';

/** The settings editor's groups, in the order it shows them. */
export const SETTINGS_GROUPS = [
  'Columns and law',
  'Predictions',
  'Fitting',
  'Break detection',
  'Limits and logs',
] as const;
export type SettingsGroup = (typeof SETTINGS_GROUPS)[number];

/** The CLI help's sections (by what a flag applies to), in order; the first has no heading. */
export const CLI_SECTIONS = {
  general: '',
  loss: 'Loss curves (LR-annealing law)',
  downstream: 'Downstream sweeps (BLEU / cross-entropy vs pretraining data)',
  compute: '(N, D) sweeps',
  // Not a kind of file: the power law fits the loss against any one column, a loss curve's step included.
  power: 'The power law (--law power, any file)',
} as const;
export type CliSection = keyof typeof CLI_SECTIONS;

export interface SettingSpec<Key extends string> {
  /** Relative to SETTINGS_SECTION; a dot nests it ('fit.lambda' is `{ fit: { lambda } }` in what VS Code sends). */
  key: Key;
  group: SettingsGroup;
  /** Markdown, shown in the settings editor. */
  description: string;
  /** 'window' for a setting VS Code itself reads (the language client's trace); per file otherwise. */
  scope?: 'resource' | 'window';
}

export interface FlagSpec {
  /** Without the dashes: 'fit-first'. */
  name: string;
  section: CliSection;
  /** One line of help; "repeatable" and the default are added from the table, then `note`, in parentheses. */
  help: string;
  note?: string;
  /** The argument's placeholder when the kind's own ('N', 'X') says less: 'D_p=VALUE'. */
  metavar?: string;
}

export interface Knob<T, Key extends string = string, Option extends keyof AnalysisOptions = keyof AnalysisOptions> {
  /** The analysis option it sets, when the analysis reads it. */
  option?: Option;
  kind: ValueKind<T>;
  /** null means "not set": the analysis option is then left out. */
  default: T;
  setting?: SettingSpec<Key>;
  flag?: FlagSpec;
}

/** Any knob, for code that walks the table. */
export type AnyKnob = Knob<unknown>;

/** The analysis options a value of type T can set (null standing for an absent optional option). */
type OptionKeyFor<T> = {
  [K in keyof AnalysisOptions]-?: [Exclude<T, null>] extends [Exclude<AnalysisOptions[K], undefined>]
    ? [Exclude<AnalysisOptions[K], undefined>] extends [Exclude<T, null>]
      ? K
      : never
    : never;
}[keyof AnalysisOptions];

/** One row of the table. The value type comes from the kind; the compiler checks the default and the option fit it. */
function knob<T, const Key extends string = never, const Option extends OptionKeyFor<T> = never>(
  spec: Omit<Knob<T, Key, Option>, 'default'> & { default: NoInfer<T> },
): Knob<T, Key, Option> {
  return spec;
}

/** What each law means, in a user's words: the setting's enum descriptions and the column picker's law step. */
export const LAW_CHOICES = {
  auto: 'Decide from the columns; for loss curves, choose between the LR-annealing and multi-power laws by a backtest',
  'lr-annealing': 'Loss under any LR schedule (Tissue et al. 2024)',
  mpl: 'Loss under any LR schedule, the multi-power law (Luo et al. 2025)',
  'lr-annealing-size': 'Loss under any LR schedule for models of several sizes N (Tissue et al. 2024, Eq. 7)',
  'mpl-size': 'Loss under any LR schedule for models of several sizes N, the multi-power law with size terms',
  bleu: 'BLEU (and CE) versus pretraining data (Isik et al. 2024)',
  'downstream-ce': 'Downstream cross-entropy versus pretraining data',
  chinchilla: 'L(N, D) = E + A/N^alpha + B/D^beta (Hoffmann et al. 2022)',
  power: 'L(x) = E + A*x^(-alpha) for a column you pick',
} satisfies Record<'auto' | LawId, string>;

/** The formats a user may force instead of letting the content and name decide (src/core/sources). */
const FORMAT_CHOICES = {
  auto: 'Recognise each file or folder by its name and content',
  csv: 'Comma-separated (or another delimiter) text table',
  tsv: 'Tab-separated text table',
  jsonl: 'One JSON object per line',
  tensorboard: 'TensorBoard event files (a file or a run folder)',
  'hf-trainer-state': "Hugging Face Trainer's trainer_state.json",
  json: 'A JSON document: an array of records or an object of column arrays',
  'llama-factory': "LLaMA-Factory's trainer_log.jsonl",
  lightning: "PyTorch Lightning CSVLogger's metrics.csv (with hparams.yaml)",
  mlflow: 'An MLflow file store (mlruns/) experiment or run',
  dvclive: "DVCLive's plots/metrics TSV files",
  'wandb-history': "Weights & Biases' legacy wandb-history.jsonl",
} satisfies Record<'auto' | Exclude<FileFormat, 'tensorboard-csv' | 'wandb-csv' | 'wandb'>, string>;

/** Every value of the format option, 'auto' first. */
export const FORMAT_OPTIONS = Object.keys(FORMAT_CHOICES) as (keyof typeof FORMAT_CHOICES)[];

/** Every value of the law option, 'auto' first. */
export const LAW_OPTIONS = Object.keys(LAW_CHOICES) as ('auto' | LawId)[];

/** Every column role, in the order the settings and the help list them. */
export const COLUMN_ROLES = [
  'step',
  'loss',
  'lr',
  'run',
  'group',
  'pretrainData',
  'finetuneData',
  'bleu',
  'ce',
  'params',
  'tokens',
  'compute',
] as const satisfies readonly ColumnRole[];
/** Fails to compile when a role is added to ColumnRole but not to COLUMN_ROLES. */
type _EveryRoleListed = Assert<Exclude<ColumnRole, (typeof COLUMN_ROLES)[number]> extends never ? true : false>;

const positiveNumbers = numberList({ positive: true });
/** Steps to predict at: a step below 1 rounds to step 0, where the law is undefined (it fell back to the default). */
// Steps are counted: a step 1.5 is a typo, not step 2; and a step past MAX_STEP is none a run has (as in a log).
const STEPS = { integer: true, min: 1, max: MAX_STEP };
const stepNumbers = numberList({ positive: true, ...STEPS });

/**
 * The table. Its order is the order of the settings within their group and of the flags within their help section.
 * Keys name the knobs in code (`OPTION_SCHEMA.json`); they are not part of any user-facing vocabulary.
 */
export const OPTION_SCHEMA = {
  columns: knob({
    option: 'columns',
    kind: roleMap(COLUMN_ROLES),
    default: {},
    setting: {
      key: 'columns',
      group: 'Columns and law',
      description:
        'Map columns to roles when their names are not recognised, e.g. `{ "loss": "eval/ppl_loss", "lr": "opt/lr" }`. Roles: ' +
        COLUMN_ROLES.map((role) => `\`${role}\``).join(', ') +
        ". The recognised names are listed in [docs/column-roles.md](https://github.com/scaling-lens/scaling-lens/blob/main/docs/column-roles.md). A file's own choice (**Select Columns and Law...**) wins over this.",
    },
    flag: { name: 'columns', section: 'general', help: `map columns to roles: ${COLUMN_ROLES.join(', ')}` },
  }),
  law: knob({
    option: 'law',
    kind: oneOf(LAW_CHOICES),
    default: 'auto',
    setting: {
      key: 'law',
      group: 'Columns and law',
      description:
        'Which scaling law to fit. `auto` recognises loss curves, downstream sweeps and (N, D) sweeps from their columns, and for loss curves chooses between the LR-annealing law and the multi-power law (`mpl`) by a backtest on the fit curves; loss curves of two or more model sizes (a params column or `scalingLens.fit.sizes`) are fitted by the model-size law (`lr-annealing-size`).',
    },
    flag: { name: 'law', section: 'general', help: 'which law to fit; auto decides from the columns' },
  }),
  delimiter: knob({
    kind: orNull(delimiterChar),
    default: null,
    flag: { name: 'delimiter', section: 'general', help: `force the field delimiter: ${delimiterChar.expects}` },
  }),
  format: knob({
    kind: oneOf(FORMAT_CHOICES),
    default: 'auto',
    setting: {
      key: 'format',
      group: 'Columns and law',
      description:
        'Read run files as this format instead of recognising them by name and content (e.g. `tensorboard` for event files renamed by a tool).',
    },
    flag: { name: 'format', section: 'general', help: 'read inputs as this format instead of recognising them' },
  }),
  json: knob({
    kind: onOff,
    default: false,
    flag: { name: 'json', section: 'general', help: 'one JSON document on stdout' },
  }),
  deadline: knob({
    // A timer holds at most 2^31 - 1 ms (24.8 days): a longer one fired at once, ending the command as it began.
    kind: orNull(numberIn({ exclusiveMin: 0, max: 2_147_483 })),
    default: null,
    flag: {
      name: 'deadline',
      section: 'general',
      help: 'stop after this many seconds with exit code 3 (default: no limit)',
    },
  }),
  autoFit: knob({
    kind: onOff,
    default: true,
    setting: {
      key: 'autoFit',
      group: 'Columns and law',
      description:
        'Fit files that look like run files as soon as they are opened, and after each edit. When off, lenses and diagnostics appear after **Fit Scaling Law**.',
    },
  }),
  fitOn: knob({
    option: 'fitOn',
    kind: nameList,
    default: [],
    flag: { name: 'fit-on', section: 'loss', help: 'fit these curves only; predict and score the others' },
  }),
  predictSteps: knob({
    option: 'predictSteps',
    kind: stepNumbers,
    default: [],
    setting: {
      key: 'predict.steps',
      group: 'Predictions',
      description:
        "Steps at which CodeLens shows the predicted loss. Empty: the end of the run's planned schedule when its configuration states it (max_steps), else twice the last logged step of each curve.",
    },
    flag: {
      name: 'predict-step',
      section: 'loss',
      metavar: 'N',
      help: 'predict the loss at step N',
      note: "none given: a run's planned max steps, else twice its last step",
    },
  }),
  dataMultipliers: knob({
    option: 'dataMultipliers',
    kind: positiveNumbers,
    default: [2],
    setting: {
      key: 'predict.dataMultipliers',
      group: 'Predictions',
      description:
        'For downstream sweeps: predict BLEU and CE at these multiples of the largest pretraining amount D_p seen.',
    },
    flag: {
      name: 'predict-data-multiplier',
      section: 'downstream',
      metavar: 'K',
      help: 'predict at K x the largest D_p',
    },
  }),
  predictAt: knob({
    option: 'predictAt',
    kind: numberList({ positive: false, prefix: /^D_p\s*=/i }),
    default: [],
    flag: {
      name: 'predict-at',
      section: 'downstream',
      metavar: 'D_p=VALUE',
      help: 'predict at this D_p; suffixes K, M, B, T allowed',
    },
  }),
  computeBudgets: knob({
    option: 'computeBudgets',
    kind: positiveNumbers,
    default: [],
    setting: {
      key: 'predict.computeBudgets',
      group: 'Predictions',
      description:
        'For (N, D) sweeps: compute budgets in FLOP at which to show the compute-optimal model size, tokens and loss, e.g. `[1e21, 1e24]`. Empty: the next power of ten above the largest run.',
    },
    flag: {
      name: 'compute',
      section: 'compute',
      metavar: 'C',
      help: 'report the compute-optimal N*, D* and loss at C FLOP (default: the next power of ten above the largest run)',
    },
  }),
  lambda: knob({
    option: 'lambda',
    kind: autoOr(numberIn({ exclusiveMin: 0, exclusiveMax: 1 })),
    default: 0.999,
    setting: {
      key: 'fit.lambda',
      group: 'Fitting',
      description:
        'Decay factor λ of the annealing momentum in the LR-annealing law (the paper uses 0.999). `"auto"` picks the best of 0.99, 0.995, 0.999, 0.9995.',
    },
    flag: {
      name: 'lambda',
      section: 'loss',
      help: 'annealing momentum decay; auto picks the best of 0.99, 0.995, 0.999, 0.9995',
    },
  }),
  warmupConvention: knob({
    option: 'warmupConvention',
    kind: oneOf({
      peak: "Each law's paper: for the LR-annealing law warmup steps count as if the LR sat at its peak; the multi-power law sums the real warmup LR in S1 and starts its loss-drop sum after warmup",
      actual: 'Luo et al.: the forward area S1 sums the real warmup LR (the multi-power law: as peak)',
      repository:
        "The multi-power-law authors' code: S1 sums the real warmup LR, and the multi-power law's loss-drop sum starts at step 1 (warmup rises enter as negative drops)",
    }),
    default: 'peak',
    setting: {
      key: 'fit.warmupConvention',
      group: 'Fitting',
      description:
        "How warmup enters the loss-curve laws. `peak` is each law's paper convention; `repository` is the one the multi-power law's published parameters hold in.",
    },
    flag: {
      name: 'warmup-convention',
      section: 'loss',
      help: "how warmup enters S1 (and MPL's loss drop); peak is each law's paper's",
    },
  }),
  warmupSteps: knob({
    option: 'warmupSteps',
    kind: orNull(numberIn(STEPS)),
    default: null,
    setting: {
      key: 'fit.warmupSteps',
      group: 'Fitting',
      description:
        'A linear warmup from 0 that ended at this step, for logs whose warmup rows are absent. Empty: the LR before the first logged row is the first logged value.',
    },
    flag: {
      name: 'warmup-steps',
      section: 'loss',
      help: 'a linear warmup from 0 ended at step N, for logs without warmup rows',
    },
  }),
  lossDelta: knob({
    option: 'lossDelta',
    kind: numberIn({ exclusiveMin: 0 }),
    default: 1e-3,
    setting: {
      key: 'fit.huberDelta',
      group: 'Fitting',
      description: 'Huber δ on log residuals for the LR-annealing and power laws.',
    },
    flag: { name: 'huber-delta', section: 'loss', help: 'Huber delta on log loss' },
  }),
  sizes: knob({
    option: 'sizes',
    // No model holds more parameters than the (N, D) sweeps' bound: a 1e30 is a stray value, not a size.
    kind: positiveNumberMap(MAX_PARAMS),
    default: {},
    setting: {
      key: 'fit.sizes',
      group: 'Fitting',
      description:
        'For the model-size laws (`lr-annealing-size`, `mpl-size`, or `auto` on curves of several sizes): the model size N (parameters) of curves whose file has no params column, by curve name, by file path without extension (`csv_25/cosine_24000`) or by folder (`csv_25`: every curve of files in it), e.g. `{ "csv_25": 25e6, "csv_100": 1e8 }`. The most specific match wins.',
    },
    flag: {
      name: 'size',
      section: 'loss',
      help: 'model size N of a curve, a file (folder/name) or every file of a folder, for the model-size laws',
    },
  }),
  sizeExponent: knob({
    option: 'sizeExponent',
    kind: orNull(numberIn({ exclusiveMin: 0, max: 3 })),
    default: null,
    setting: {
      key: 'fit.sizeExponent',
      group: 'Fitting',
      description:
        'For the model-size laws: hold the size exponent (β of B·N^(-β) in `lr-annealing-size`, ε of E·N^(-ε) in `mpl-size`) at this value instead of fitting it. Curves of two model sizes cannot pin it; with it held, sizes not fitted are predicted. Empty: fitted (needs three sizes or more to predict other sizes).',
    },
    flag: {
      name: 'size-exponent',
      section: 'loss',
      help: 'hold the size exponent of the model-size laws (beta of lr-annealing-size, eps of mpl-size) at X',
    },
  }),
  departureSigmas: knob({
    option: 'departureSigmas',
    kind: numberIn({ exclusiveMin: 0 }),
    default: 4,
    setting: {
      key: 'fit.departureSigmas',
      group: 'Fitting',
      description:
        "The run-leaves-its-law finding (`law-departure`): a loss point is off its law when its log residual is more than this many robust standard deviations from the curve's typical residual.",
    },
    flag: {
      name: 'departure-sigmas',
      section: 'loss',
      metavar: 'X',
      help: 'law-departure: distance off the law that counts, in robust standard deviations',
    },
  }),
  departurePoints: knob({
    option: 'departurePoints',
    kind: numberIn({ integer: true, min: 1 }),
    default: 20,
    setting: {
      key: 'fit.departurePoints',
      group: 'Fitting',
      description:
        'The run-leaves-its-law finding (`law-departure`): the latest points must stay off the law for a stretch of at least this many logged points (80 % of them off, on the same side).',
    },
    flag: {
      name: 'departure-points',
      section: 'loss',
      metavar: 'K',
      help: 'law-departure: logged points the departure must last',
    },
  }),
  bleuDelta: knob({
    option: 'bleuDelta',
    kind: numberIn({ exclusiveMin: 0 }),
    default: 0.1,
    setting: {
      key: 'fit.bleuHuberDelta',
      group: 'Fitting',
      description: 'Huber δ on log residuals for the BLEU law.',
    },
  }),
  ceDelta: knob({
    option: 'ceDelta',
    kind: numberIn({ exclusiveMin: 0 }),
    default: 1e-3,
    setting: {
      key: 'fit.ceHuberDelta',
      group: 'Fitting',
      description: 'Huber δ on log residuals for the downstream cross-entropy law.',
    },
  }),
  chinchillaDelta: knob({
    option: 'chinchillaDelta',
    kind: numberIn({ exclusiveMin: 0 }),
    default: 1e-3,
  }),
  seed: knob({
    option: 'seed',
    kind: numberIn({ integer: true }),
    default: 1,
    flag: { name: 'seed', section: 'general', help: 'seed of the bootstrap' },
  }),
  bootstrapSamples: knob({
    option: 'bootstrapSamples',
    // Percentile bands settle within a few thousand refits; 1e9 only ran until the deadline.
    kind: numberIn({ integer: true, min: 0, max: 10_000 }),
    default: 200,
    setting: {
      key: 'fit.bootstrapSamples',
      group: 'Fitting',
      description: 'Bootstrap refits behind every uncertainty band and interval. 0 turns bands off (faster).',
    },
    flag: {
      name: 'bootstrap',
      section: 'general',
      help: 'bootstrap refits behind bands and intervals',
      note: '0 = none',
    },
  }),
  breakTolerance: knob({
    option: 'breakTolerance',
    kind: numberIn({ min: 0 }),
    default: 1.0,
    setting: {
      key: 'breaks.tolerance',
      group: 'Break detection',
      description:
        'BLEU points a drop, or a shortfall below the law, must exceed to be reported as non-monotonic BLEU or a law break. Keep it at least about 3× your run-to-run BLEU noise.',
    },
    flag: {
      name: 'break-tolerance',
      section: 'downstream',
      help: 'BLEU points a drop or shortfall must exceed to count',
    },
  }),
  fitFirst: knob({
    option: 'fitFirst',
    kind: numberIn({ integer: true, min: 3 }),
    default: 4,
    setting: {
      key: 'breaks.fitFirst',
      group: 'Break detection',
      description:
        'How many of the smallest-D_p points the law is fitted on to judge the later ones (the paper uses 4).',
    },
    flag: {
      name: 'fit-first',
      section: 'downstream',
      metavar: 'K',
      help: 'points in the prefix fit that judges later points',
    },
  }),
  powerX: knob({
    option: 'powerX',
    kind: optionalText,
    default: null,
    setting: {
      key: 'fit.powerX',
      group: 'Fitting',
      description:
        'For the law `power`: the column x of L(x) = E + A*x^(-alpha), by its name in the file (e.g. `tokens`, `epoch`). Empty: the step column of a loss curve.',
    },
    flag: {
      name: 'power-x',
      section: 'power',
      help: 'for the power law: the x column of L(x) = E + A*x^(-alpha)',
      note: 'default: the step column',
    },
  }),
  maxFileSizeMB: knob({
    kind: numberIn({ min: 1 }),
    default: 2048,
    setting: {
      key: 'maxFileSizeMB',
      group: 'Limits and logs',
      description:
        'Files larger than this are not read (a message says so). Files over 50 MB are read from disk by the server, since VS Code does not hand them to extensions.',
    },
  }),
  traceServer: knob({
    kind: oneOf({
      off: 'Log nothing',
      messages: 'Log each request and notification',
      verbose: 'Log each request and notification with its content',
    }),
    default: 'off',
    setting: {
      key: 'trace.server',
      group: 'Limits and logs',
      scope: 'window',
      description:
        'Log the messages between VS Code and the Scaling Lens server to the **Scaling Lens** output channel.',
    },
  }),
};

/** The table's rows, in order. */
export const KNOBS: readonly AnyKnob[] = Object.values(OPTION_SCHEMA);

type SchemaKnob = (typeof OPTION_SCHEMA)[keyof typeof OPTION_SCHEMA];
type ValueOfKnob<K> = K extends { default: infer T } ? T : never;
type SettingKeyOfKnob<K> = K extends { setting?: SettingSpec<infer Key> } ? Key : never;
type OptionOfKnob<K> = K extends { option?: infer O } ? Exclude<O, undefined> : never;
/** The knobs that have a setting, by their setting key ('fit.lambda'). */
export type FlatSettings = { [K in SchemaKnob as SettingKeyOfKnob<K>]: ValueOfKnob<K> };

/** Fails to compile when an analysis option has no knob, so DEFAULT_OPTIONS below is complete. */
type _EveryOptionHasAKnob = Assert<
  Exclude<keyof AnalysisOptions, OptionOfKnob<SchemaKnob>> extends never ? true : false
>;

/** Sets the knob's analysis option (none for shell-only knobs; a null value leaves it out), copying lists. */
export function assignOption(target: Partial<AnalysisOptions>, knob: AnyKnob, value: unknown): void {
  if (!knob.option || value === null || value === undefined) return;
  // The cast is checked where the row is written: knob() only accepts an option whose type is the kind's.
  (target as Record<string, unknown>)[knob.option] = structuredClone(value);
}

/** Every analysis option at its default (the source of DEFAULT_OPTIONS). */
export function analysisDefaults(): AnalysisOptions {
  const options: Partial<AnalysisOptions> = {};
  for (const k of KNOBS) assignOption(options, k, k.default);
  // Complete: _EveryOptionHasAKnob above fails to compile when an option has no row.
  return options as AnalysisOptions;
}
