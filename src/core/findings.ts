// The catalogue of findings: every code a user can see, with the severities it may have, a one-line title, and the
// fixes that apply as data. Core messages say what is wrong and what it means in the user's words; they never name a
// CLI flag or an editor setting. Each shell turns the hints into its own terms (src/cli/text.ts: flags;
// src/server/hints.ts: settings and commands). README.md's Findings table documents each code under an anchor of
// the same name; test/unit/findings checks the two agree.
import type { AnalysisOptions } from './analysis/options';
import type { Finding, LawId } from './analysis/types';
import type { ColumnRole, ReadOptions, Severity } from './table/types';

/** Options a hint can point at: each is a field of AnalysisOptions or ReadOptions, which the shells expose. */
export const HINT_OPTIONS = [
  'breakTolerance',
  'fitFirst',
  'powerX',
  'fitOn',
  'maxBytes',
  'sizes',
  'sizeExponent',
  'departureSigmas',
  'departurePoints',
  'warmupSteps',
] as const satisfies readonly (keyof AnalysisOptions | keyof ReadOptions)[];
export type HintOption = (typeof HINT_OPTIONS)[number];

/** What an option is, in words both shells use before their own name for it ("Set the break tolerance ... with"). */
export const HINT_OPTION_LABELS: Record<HintOption, string> = {
  breakTolerance: 'the break tolerance (BLEU points)',
  fitFirst: 'the prefix length of the break test',
  powerX: "the power law's x column",
  fitOn: 'the curves to fit',
  maxBytes: 'the file size limit',
  sizes: 'the model size N of each curve',
  sizeExponent: 'the size exponent',
  departureSigmas: 'the distance off the law that counts (robust standard deviations)',
  departurePoints: 'the points a departure from the law must last',
  warmupSteps: 'the length of the warmup the log leaves out (steps)',
};

/** A fix the user can make outside the file, as data: the shell says how (a flag, a setting, a command). */
export type Hint =
  /** Map columns to these roles (none listed: to whichever roles the file has). */
  | { kind: 'map-role'; roles: readonly ColumnRole[] }
  /** Choose the law instead of letting the columns decide (`law`: the one that fits the case, when one does). */
  | { kind: 'choose-law'; law?: LawId | 'auto' }
  /** Change an analysis or reading option. */
  | { kind: 'set-option'; option: HintOption };

interface CatalogueEntry {
  /** The severities the code is raised with, the usual one first. */
  severities: readonly [Severity, ...Severity[]];
  title: string;
  /** The fixes that usually apply; a finding may carry more specific ones. */
  hints?: readonly Hint[];
}

const TOLERANCE: Hint = { kind: 'set-option', option: 'breakTolerance' };
const PREFIX: Hint = { kind: 'set-option', option: 'fitFirst' };

/** Problems found while reading a file (Table.problems). */
const READING = {
  'file-empty': { severities: ['error'], title: 'The file is empty or has no header line' },
  'no-data-rows': { severities: ['info'], title: 'The file has a header but no data rows' },
  'file-not-text': { severities: ['error'], title: 'The file is binary, compressed or not UTF-8 text' },
  'file-too-large': {
    severities: ['error'],
    title: 'The file is over the size limit',
    hints: [{ kind: 'set-option', option: 'maxBytes' }],
  },
  'file-unreadable': { severities: ['error'], title: 'The file does not exist or cannot be opened' },
  'file-read-failed': { severities: ['error'], title: 'Reading the file failed part way' },
  'file-too-many-lines': { severities: ['error'], title: 'The file has more lines than a table can index' },
  'row-ragged': { severities: ['warning'], title: 'A row has more or fewer fields than the header' },
  'quote-unclosed': { severities: ['error'], title: 'A quote opened and never closed' },
  'cell-not-numeric': { severities: ['warning'], title: 'Text in a numeric column' },
  'jsonl-bad-line': { severities: ['warning'], title: 'A JSONL line that is not a JSON object' },
  'jsonl-value-ignored': { severities: ['info'], title: 'A JSONL value that is not a scalar' },
  'header-duplicate': { severities: ['warning'], title: 'A column name repeated in the header' },
  'header-repeated': { severities: ['info'], title: 'A line that repeats the header, left out' },
  'value-cut-off': {
    severities: ['warning'],
    title: "A number cut off at the file's end (no last line end), left out",
  },
  'header-empty-name': { severities: ['info'], title: 'A header field without a name' },
  'line-too-long': { severities: ['error'], title: 'A line too long to be a record' },
  'delimiter-invalid': { severities: ['warning'], title: 'A forced delimiter that cannot be used' },
  'delimiter-declared': { severities: ['info'], title: 'A first line "sep=;" named the delimiter (Excel)' },
  'wandb-reshaped': { severities: ['info'], title: 'A W&B chart export reshaped to one row per run' },
  'rows-joined': { severities: ['info'], title: 'Records of one step joined into one row' },
  'source-skipped': { severities: ['info'], title: 'Files in a folder that are not run files, skipped' },
  'scan-limited': { severities: ['warning'], title: 'A folder scanned only in part (too large, too deep or too slow)' },
  'folder-no-runs': { severities: ['warning'], title: 'A folder without any run in it' },
  'nul-bytes': {
    severities: ['warning', 'info'],
    title: 'A line holding NUL bytes is left out; a NUL tail is said once',
  },
  'line-ends-mixed': { severities: ['info'], title: 'Lone-CR line ends mixed with LF or CRLF' },
  'columns-capped': { severities: ['warning'], title: 'Columns or keys past the limit are left out' },
  'rows-capped': { severities: ['warning'], title: "Rows past the file's cell budget are left out" },
  'decimal-comma': {
    severities: ['info', 'warning'],
    title: 'Numbers read with decimal commas, or ambiguous comma numbers left out',
  },
  'quote-multiline': { severities: ['info'], title: 'Quoted fields hold line breaks' },
  'file-changed': { severities: ['warning', 'info'], title: 'The file changed while it was read' },
  'run-hints': { severities: ['info'], title: "What the run's configuration says about its schedule" },
  'run-config-invalid': { severities: ['warning'], title: "A run's hparams.yaml or meta.yaml that cannot be read" },
  'metric-line-invalid': {
    severities: ['warning'],
    title: 'A line of a metric log (MLflow, DVCLive, Lightning) without a usable step or value',
  },
  'mlflow-run-deleted': { severities: ['info'], title: 'MLflow runs marked deleted are left out' },
  'mlflow-lr-param': { severities: ['info'], title: "An MLflow run's constant learning-rate param used as its LR" },
  'mlflow-steps-missing': { severities: ['info'], title: 'MLflow metrics logged without steps, ordered by time' },
  'steps-are-epochs': { severities: ['warning'], title: "A run's step axis counts epochs, not optimizer steps" },
  'mlflow-db': { severities: ['error'], title: "MLflow's SQLite store (mlflow.db) is not read directly" },
  'event-record-corrupt': {
    severities: ['warning'],
    title: 'A TensorBoard event record whose CRC fails (or holds no event), skipped',
  },
  'event-record-partial': { severities: ['info'], title: 'The last TensorBoard event record is not written yet' },
  'line-unfinished': {
    severities: ['info'],
    title: 'A followed file ends in a line without its line feed (or in a quoted field still open), not read yet',
  },
  'event-values-skipped': {
    severities: ['info'],
    title: 'TensorBoard values that are not scalars of the step axis, left out',
  },
  // Raised by step-keyed sources (a metric file or log_history appended to by a resumed run) and by the curve reader.
  'steps-repeated': { severities: ['info'], title: 'A resumed run logged steps again' },
  'event-restart': { severities: ['info'], title: 'A TensorBoard run restarted: earlier points at its steps replaced' },
  'json-invalid': {
    severities: ['warning', 'error'],
    title: 'A JSON document with a syntax error or cut short; what comes before it is read',
  },
  'json-too-deep': { severities: ['warning'], title: 'A JSON value nested too deep to read, left out' },
  'json-shape': {
    severities: ['error'],
    title: 'A JSON document that is neither records, columns nor a trainer state',
  },
  'log-history': {
    severities: ['warning', 'info'],
    title: 'A trainer_state.json whose log_history is empty, or entries of it left out',
  },
  'wandb-binary': { severities: ['error'], title: 'A W&B run folder whose history is only in its binary .wandb file' },
} as const satisfies Record<string, CatalogueEntry>;

/** Findings of the analysis proper, and of the shells around it. */
const ANALYSIS = {
  'columns-unidentified': {
    severities: ['warning'],
    title: 'The columns match no law',
    hints: [{ kind: 'map-role', roles: [] }, { kind: 'choose-law' }],
  },
  'column-mapping-unmatched': {
    severities: ['warning'],
    title: 'A column mapping names no column of a file: the detected columns were used',
    hints: [{ kind: 'map-role', roles: [] }],
  },
  // Loss curves
  'step-negative': { severities: ['warning'], title: 'A negative step' },
  'runs-capped': { severities: ['warning'], title: 'Runs past the limit of one file are left out' },
  'step-not-integer': { severities: ['info', 'warning'], title: 'Steps that are not whole numbers were rounded' },
  'step-missing': { severities: ['info'], title: 'Rows with a loss or LR but no step' },
  'step-zero': { severities: ['info'], title: 'A step-0 row is left out of the fit' },
  'lr-zero-start': {
    severities: ['info'],
    title: 'Loss rows before the LR first rises above 0 are left out of the fit',
  },
  'step-implausible': {
    severities: ['warning'],
    title: "Steps far beyond the curve's own spacing (a token count in the step column?) are left out",
  },
  'steps-unsorted': { severities: ['info'], title: 'Rows were not in step order' },
  'loss-invalid': { severities: ['warning'], title: 'A loss the law cannot fit' },
  'loss-diverged': {
    severities: ['warning'],
    title: 'The loss is no number from some step to the end of the log (a diverged run): no prediction for it',
  },
  'lr-invalid': {
    severities: ['warning'],
    title: 'A learning rate that is not a finite non-negative number, or a stray spike far above its neighbours',
  },
  'lr-missing': {
    severities: ['error'],
    title: 'No learning rate for a curve',
    hints: [
      { kind: 'map-role', roles: ['lr'] },
      { kind: 'choose-law', law: 'power' },
    ],
  },
  'lr-all-zero': { severities: ['error'], title: 'The learning rate is 0 at every logged step' },
  'loss-scale': { severities: ['error'], title: 'Losses too small for the loss-curve laws to be fitted on' },
  'loss-missing': { severities: ['info'], title: 'A curve with an LR schedule but no loss' },
  'fit-on-unknown': {
    severities: ['error'],
    title: 'A curve to fit that does not exist',
    hints: [{ kind: 'set-option', option: 'fitOn' }],
  },
  // The model-size law
  'size-missing': {
    severities: ['warning'],
    title: 'A curve without a model size',
    hints: [
      { kind: 'set-option', option: 'sizes' },
      { kind: 'map-role', roles: ['params'] },
    ],
  },
  'data-repeated': { severities: ['warning'], title: 'A run past its first epoch, on data it has seen' },
  'warmup-falls': {
    severities: ['warning'],
    title: 'The logged LR falls before the warmup given ends',
  },
  'warmup-covers-log': {
    severities: ['error'],
    title: "The warmup given ends at or after a curve's last logged step",
    hints: [{ kind: 'set-option', option: 'warmupSteps' }],
  },
  'warmup-unfinished': {
    severities: ['error'],
    title: "A curve's logged LR still rises at its last loss point (its warmup is not over)",
  },
  'size-unmatched': {
    severities: ['warning'],
    title: 'A model size given for a name no curve, file or folder has',
    hints: [{ kind: 'set-option', option: 'sizes' }],
  },
  'size-varies': { severities: ['warning'], title: 'The params column changes within a curve' },
  'size-overridden': {
    severities: ['info'],
    title: 'A model size given for a curve that its params column gives another',
    hints: [{ kind: 'set-option', option: 'sizes' }],
  },
  'size-runs-merged': {
    severities: ['warning'],
    title: 'The steps of one model size go back, in a file of several sizes without a run column',
  },
  'size-invalid': {
    severities: ['warning'],
    title: 'A row whose params cell is no model size, in a file of several sizes, is left out',
  },
  'sizes-too-few': {
    severities: ['warning'],
    title: 'Too few model sizes to pin the size term',
    hints: [
      { kind: 'set-option', option: 'sizeExponent' },
      { kind: 'set-option', option: 'sizes' },
    ],
  },
  'sizes-range-short': {
    severities: ['warning'],
    title: 'A model size further from the fitted sizes than they span',
  },
  // Any law: too few points is an error when nothing can be fitted, information when one group of a sweep is short.
  'too-few-points': { severities: ['info', 'error'], title: 'Too few points for the law' },
  'fit-failed': { severities: ['warning', 'error'], title: 'The solver found no finite fit' },
  'fit-not-converged': { severities: ['warning'], title: 'The solver stopped before converging' },
  // The fit-quality verdict (analysis/trust.ts): the data do not support the fit, so it predicts nothing.
  'fit-points-few': { severities: ['warning'], title: 'Too few points per coefficient to trust the fit' },
  'fit-at-bounds': { severities: ['warning'], title: 'A coefficient held at the limit of its range' },
  'fit-interval-wide': { severities: ['warning'], title: 'A coefficient whose interval spans orders of magnitude' },
  'fit-r2-low': { severities: ['warning'], title: 'The law explains no more of the data than noise' },
  // Curves fitted together whose levels one law does not give (analysis/disagreement.ts): the fit predicts nothing.
  'curves-disagree': {
    severities: ['warning'],
    title: 'Curves fitted together that one law does not describe',
    hints: [
      { kind: 'set-option', option: 'sizes' },
      { kind: 'set-option', option: 'fitOn' },
    ],
  },
  'drop-unseen': {
    severities: ['warning'],
    title: 'A prediction past an LR drop the fit curves never show',
    hints: [{ kind: 'set-option', option: 'fitOn' }],
  },
  'law-departure': {
    severities: ['warning'],
    title: "A run's latest points have left its law",
    hints: [
      { kind: 'set-option', option: 'departureSigmas' },
      { kind: 'set-option', option: 'departurePoints' },
    ],
  },
  // Downstream sweeps
  'downstream-missing-column': {
    severities: ['error'],
    title: 'A column the downstream laws need is missing',
    hints: [{ kind: 'map-role', roles: ['pretrainData', 'bleu', 'ce'] }],
  },
  'dp-invalid': { severities: ['warning'], title: 'A pretraining-token count D_p that is not usable' },
  'bleu-out-of-range': { severities: ['warning'], title: 'BLEU outside [0, 100]' },
  'bleu-zero': { severities: ['info'], title: 'BLEU exactly 0, not fittable in log space' },
  'bleu-fraction-scale': { severities: ['info'], title: 'BLEU on a 0-1 scale', hints: [TOLERANCE] },
  'ce-invalid': { severities: ['warning'], title: 'A cross-entropy that is not a positive number' },
  'duplicate-dp': { severities: ['warning'], title: 'Rows of a group share a D_p and were averaged' },
  // Several suffixes are a note; small bare numbers beside suffixed ones probably mean another unit.
  'mixed-units': { severities: ['info', 'warning'], title: 'Mixed unit notation in a numeric column' },
  'bleu-non-monotonic': {
    severities: ['warning'],
    title: 'BLEU drops as pretraining grows',
    hints: [TOLERANCE],
  },
  'bleu-law-break': {
    severities: ['warning'],
    title: 'BLEU follows the law at first and then leaves it',
    hints: [TOLERANCE, PREFIX],
  },
  'ce-bleu-divergence': {
    severities: ['warning'],
    title: 'Cross-entropy improves where BLEU does not',
    hints: [TOLERANCE],
  },
  'pretraining-no-gain': {
    severities: ['warning'],
    title: 'Pretraining does not beat the not-pretrained baseline',
    hints: [TOLERANCE],
  },
  // (N, D) sweeps and the power law
  'compute-missing-column': {
    severities: ['error'],
    title: 'A column the Chinchilla law needs is missing',
    hints: [{ kind: 'map-role', roles: ['params', 'tokens', 'loss'] }],
  },
  'compute-invalid-row': { severities: ['warning'], title: 'A row with an unusable N, D, C or loss' },
  'compute-levels-few': {
    severities: ['warning'],
    title: 'Too few model sizes or token counts to pin the Chinchilla law',
  },
  'compute-range-short': {
    severities: ['warning'],
    title: 'A compute-optimal N* or D* further from the runs than they span',
  },
  'rows-excluded': { severities: ['info'], title: 'Rows flagged as excluded are left out' },
  'compute-units': {
    severities: ['warning'],
    title: 'The compute column is not 6·N·D: other units, or another count',
  },
  'power-missing-column': {
    severities: ['error'],
    title: 'The power law has no x or no loss column',
    hints: [
      { kind: 'set-option', option: 'powerX' },
      { kind: 'map-role', roles: ['loss'] },
    ],
  },
  'power-invalid-row': { severities: ['warning'], title: 'A row with an unusable x or loss' },
  'downstream-range-short': {
    severities: ['warning'],
    title: 'A BLEU or cross-entropy prediction further from the fitted D_p than they span',
  },
  'power-range-short': {
    severities: ['warning'],
    title: 'A power-law prediction further from the data than they span',
  },
  'loss-range-short': {
    severities: ['warning'],
    title: 'A loss prediction further from a late-starting log than it spans, in S1',
  },
  // Raised by the language server when the analysis itself throws.
  'analysis-failed': { severities: ['error'], title: 'The analysis itself failed (a bug)' },
} as const satisfies Record<string, CatalogueEntry>;

export const FINDINGS: Readonly<Record<FindingCode, CatalogueEntry>> = { ...READING, ...ANALYSIS };

type Catalogue = typeof READING & typeof ANALYSIS;
export type FindingCode = keyof Catalogue;
/** Codes the table reader raises (ParseProblem.code). */
export type ParseProblemCode = keyof typeof READING;
/** The severities a code may be raised with: raising it with another fails the type check. */
export type SeverityOf<C extends FindingCode> = Catalogue[C]['severities'][number];

/** The codes that may be raised with severity S. */
export type CodeWithSeverity<S extends Severity> = {
  [C in FindingCode]: S extends SeverityOf<C> ? C : never;
}[FindingCode];

export const FINDING_CODES = Object.keys(FINDINGS) as FindingCode[];

/** The README anchor documenting a code: the code itself, so links stay stable as long as codes do. */
/**
 * A finding's message followed by its hints in a shell's words (each a sentence). The core's words may end without a
 * full stop (shown alone they need none); before a hint they get one, or the two run together.
 */
export function withHints(message: string, hints: readonly string[]): string {
  const said = hints.length && !/[.!?]$/.test(message) ? `${message}.` : message;
  return [said, ...hints].join(' ');
}

export function anchorOf(code: FindingCode): string {
  return code;
}

/** The hints a finding of this code carries unless it names more specific ones. */
export function defaultHints(code: FindingCode): Hint[] {
  return [...(FINDINGS[code].hints ?? [])];
}

/** A finding of a catalogued code; it carries the catalogue's hints unless `fields` names more specific ones. */
export function finding<C extends FindingCode>(
  code: C,
  severity: SeverityOf<C>,
  fields: Omit<Finding, 'code' | 'severity'>,
): Finding {
  const { hints = defaultHints(code), ...rest } = fields;
  return hints.length ? { code, severity, ...rest, hints } : { code, severity, ...rest };
}
