// What the "Select Columns and Law..." picker asks and shows, without VS Code: the laws and the columns each reads, the
// steps, and every title and item text. Titles and items are labels that VS Code draws as text with `$(icon)` syntax,
// so every file or column name and sample in them goes through labelText (a right-to-left override in a run name
// would draw the title backwards; a newline or an escape sequence would show raw).
import type { QuickPickItem } from 'vscode';
import { LAW_NAMES } from '../core/analysis/lawNames';
import type { LawId } from '../core/analysis/types';
import type { ColumnRole, FileKind } from '../core/table/types';
import { labelText } from '../shared/markdown';
import type { ColumnsResult, FileOverrides } from '../shared/protocol';

export type LawChoice = 'auto' | LawId;

/** The columns each law reads, in the order the picker asks for them. */
const LAW_ROLES: Record<LawChoice, ColumnRole[]> = {
  auto: [],
  'lr-annealing': ['step', 'loss', 'lr', 'run'],
  mpl: ['step', 'loss', 'lr', 'run'],
  'lr-annealing-size': ['step', 'loss', 'lr', 'run', 'params'],
  bleu: ['group', 'finetuneData', 'pretrainData', 'bleu', 'ce'],
  'downstream-ce': ['group', 'finetuneData', 'pretrainData', 'ce'],
  chinchilla: ['params', 'tokens', 'compute', 'loss'],
  power: ['loss'],
  'mpl-size': ['step', 'loss', 'lr', 'run', 'params'],
};

/** With the automatic law, the roles of the kind of file that was detected can still be mapped. */
const KIND_ROLES: Record<FileKind, ColumnRole[]> = {
  'loss-curve': LAW_ROLES['lr-annealing'],
  downstream: LAW_ROLES.bleu,
  compute: LAW_ROLES.chinchilla,
  unknown: [],
};

export const LAW_LABELS: Record<LawChoice, string> = {
  auto: 'Automatic',
  // The loss-curve laws by the names every surface gives them (README: "LR-annealing law" and "MPL").
  'lr-annealing': LAW_NAMES['lr-annealing'],
  mpl: LAW_NAMES.mpl,
  'lr-annealing-size': LAW_NAMES['lr-annealing-size'],
  bleu: 'BLEU and CE vs pretraining data',
  'downstream-ce': 'Downstream CE vs pretraining data',
  chinchilla: 'Chinchilla L(N, D)',
  power: 'Power law L(x) = E + A·x^-alpha',
  'mpl-size': LAW_NAMES['mpl-size'],
};

/** What each role is, in the words of the picker's placeholder. */
export const ROLE_NAMES: Record<ColumnRole, string> = {
  step: 'the optimiser step',
  loss: 'the loss',
  lr: 'the learning rate',
  run: 'the run name (several curves in one file)',
  group: 'the pretraining mix or dataset',
  pretrainData: 'the pretraining tokens D_p',
  finetuneData: 'the fine-tuning tokens D_f',
  bleu: 'BLEU or another higher-is-better score',
  ce: 'the downstream cross-entropy',
  params: 'the model size N (parameters)',
  tokens: 'the training tokens D',
  compute: 'the training compute C (FLOP)',
};

/** The longest sample text shown under a column; a long run name would push the others out of view. */
const SAMPLE_CHARS = 24;

export interface ColumnPickerInput {
  /** The file's name as the titles show it. */
  file: string;
  info: ColumnsResult;
  /** The choice made before for this file, if any: the steps start on it. */
  current?: FileOverrides;
}

export type Step = { kind: 'law' } | { kind: 'role'; role: ColumnRole } | { kind: 'confirm' };

/** The law step, a step per role the law reads, and the summary. */
export function stepsOf(law: LawChoice, kind: FileKind): Step[] {
  return [{ kind: 'law' }, ...rolesOf(law, kind).map((role) => ({ kind: 'role' as const, role })), { kind: 'confirm' }];
}

export function rolesOf(law: LawChoice, kind: FileKind): ColumnRole[] {
  return law === 'auto' ? KIND_ROLES[kind] : LAW_ROLES[law];
}

/** Why a column is marked: detected for this role, the user's earlier choice, or detected as another role. */
function columnNote(
  name: string,
  role: ColumnRole,
  detected: string | undefined,
  chosenBefore: string | undefined,
  otherRole: string | undefined,
): string | undefined {
  if (name === chosenBefore) return 'your choice';
  if (name === detected) return 'detected';
  if (otherRole && otherRole !== role) return `now: ${otherRole}`;
  return undefined;
}

/** "0.5, 0.48, 0.47 …": the first values of a column, each cut short. */
export function sampleLine(samples: string[] | undefined): string | undefined {
  if (!samples?.length) return samples ? 'no values in the first rows' : undefined;
  const cut = samples.map((s) => labelText(s.length > SAMPLE_CHARS ? `${s.slice(0, SAMPLE_CHARS - 1)}…` : s));
  return `${cut.join(', ')} …`;
}

/** One line per step: the law, then "role ← column (how it was set)", the column's name as a label shows it. */
export function summaryLines(
  input: ColumnPickerInput,
  law: LawChoice,
  columns: Partial<Record<ColumnRole, string>>,
): string[] {
  const roles = rolesOf(law, input.info.kind);
  const lawLine =
    law === 'auto' && input.info.kind === 'unknown'
      ? 'Law: automatic (the file stays unrecognised: pick a law to map its columns)'
      : `Law: ${LAW_LABELS[law]}`;
  return [
    lawLine,
    ...roles.map((role) => {
      const chosen = columns[role];
      const detected = input.info.roles[role];
      if (chosen) return `${role} ← ${labelText(chosen)}`;
      return detected ? `${role} ← ${labelText(detected)} (detected)` : `${role} ← no column`;
    }),
  ];
}

/** The stored choice: the law and the columns of the roles it reads (none others). */
export function overridesOf(
  law: LawChoice,
  columns: Partial<Record<ColumnRole, string>>,
  kind: FileKind,
): FileOverrides {
  const kept: Partial<Record<ColumnRole, string>> = {};
  for (const role of rolesOf(law, kind)) if (columns[role]) kept[role] = columns[role];
  return { law, columns: kept };
}

/** A step's title: the file (or run) and what the step asks. */
export function stepTitle(file: string, what: string): string {
  return `Scaling Lens: ${labelText(file)} · ${what}`;
}

/** The summary's first item's description. */
export function applyDescription(file: string): string {
  return `fit ${labelText(file)} with the choices below`;
}

export interface ColumnItem extends QuickPickItem {
  /** The column's name; undefined for "no column" (the role stays unmapped). */
  column: string | undefined;
}

/**
 * The items of a role's step: the detected column first, once (with none, an item that leaves the role unmapped),
 * then every column, labelled by its name as text; the item keeps the name itself.
 */
export function columnItems(input: ColumnPickerInput, role: ColumnRole): ColumnItem[] {
  const { info } = input;
  const detected = info.roles[role];
  const takenBy = new Map(Object.entries(info.roles).map(([r, name]) => [name, r]));
  const items: ColumnItem[] = info.columns.map((name, i) => ({
    column: name,
    label: labelText(name),
    description: columnNote(name, role, detected, input.current?.columns?.[role], takenBy.get(name)),
    detail: sampleLine(info.samples?.[i]),
  }));
  const first = items.find((item) => item.column === detected);
  const none: ColumnItem = {
    column: undefined,
    label: 'No column',
    description: 'none was detected; the law goes without it',
  };
  return first ? [first, ...items.filter((i) => i !== first)] : [none, ...items];
}
