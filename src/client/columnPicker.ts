// "Select Columns and Law...": one multi-step QuickPick (law, then a column per role the law reads, then a summary to
// confirm), with a step count in the title, a Back button, sample values under each column and the detected column
// shown once. It only collects the choice; the command stores it and tells the server.
import * as vscode from 'vscode';
import type { LawId } from '../core/analysis/types';
import { LAW_CHOICES } from '../core/options/schema';
import type { ColumnRole, FileKind } from '../core/table/types';
import type { ColumnsResult, FileOverrides } from '../shared/protocol';

type LawChoice = 'auto' | LawId;

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

const LAW_LABELS: Record<LawChoice, string> = {
  auto: 'Automatic',
  'lr-annealing': 'LR-annealing loss law',
  mpl: 'Multi-power loss law',
  'lr-annealing-size': 'LR-annealing law over model sizes',
  bleu: 'BLEU and CE vs pretraining data',
  'downstream-ce': 'Downstream CE vs pretraining data',
  chinchilla: 'Chinchilla L(N, D)',
  power: 'Power law L(x) = E + A·x^-alpha',
  'mpl-size': 'Multi-power law over model sizes',
};

/** What each role is, in the words of the picker's placeholder. */
const ROLE_NAMES: Record<ColumnRole, string> = {
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

type Step = { kind: 'law' } | { kind: 'role'; role: ColumnRole } | { kind: 'confirm' };

/** What one step answered: an item, Back, or nothing (the user pressed Escape or clicked away). */
type Answer<T> = T | 'back' | undefined;

/** Runs the steps; resolves to the choice to store, or undefined when the user cancelled. */
export async function pickColumnsAndLaw(input: ColumnPickerInput): Promise<FileOverrides | undefined> {
  let law: LawChoice = input.current?.law ?? 'auto';
  const columns: Partial<Record<ColumnRole, string>> = { ...input.current?.columns };
  let index = 0;
  // A step reached from the summary goes back to the summary when answered.
  let fromSummary = false;
  for (;;) {
    const steps = stepsOf(law, input.info.kind);
    const step = steps[index];
    const position = { step: index + 1, totalSteps: steps.length, fromSummary };
    if (step.kind === 'law') {
      const answer = await pickLaw(input, law, position);
      if (answer === undefined) return undefined;
      if (answer === 'back') {
        index = steps.length - 1;
        fromSummary = false;
        continue;
      }
      const changed = answer !== law;
      law = answer;
      index = fromSummary && !changed ? stepsOf(law, input.info.kind).length - 1 : 1;
    } else if (step.kind === 'role') {
      const answer = await pickColumn(input, step.role, columns, position);
      if (answer === undefined) return undefined;
      if (answer === 'back') index = fromSummary ? steps.length - 1 : index - 1;
      else {
        setRole(columns, step.role, answer, input);
        index = fromSummary ? steps.length - 1 : index + 1;
      }
    } else {
      const answer = await confirm(input, law, columns, steps, position);
      if (answer === undefined) return undefined;
      if (answer === 'back') index--;
      else if (answer === 'apply') return overridesOf(law, columns, input.info.kind);
      else {
        index = answer;
        fromSummary = true;
        continue;
      }
    }
    fromSummary = false;
  }
}

/** The law step, a step per role the law reads, and the summary. */
function stepsOf(law: LawChoice, kind: FileKind): Step[] {
  return [{ kind: 'law' }, ...rolesOf(law, kind).map((role) => ({ kind: 'role' as const, role })), { kind: 'confirm' }];
}

function rolesOf(law: LawChoice, kind: FileKind): ColumnRole[] {
  return law === 'auto' ? KIND_ROLES[kind] : LAW_ROLES[law];
}

interface Position {
  step: number;
  totalSteps: number;
  fromSummary: boolean;
}

interface LawItem extends vscode.QuickPickItem {
  law: LawChoice;
}

function pickLaw(input: ColumnPickerInput, current: LawChoice, position: Position): Promise<Answer<LawChoice>> {
  const detected = input.info.kind === 'unknown' ? 'not recognised' : `detected: ${input.info.kind}`;
  const items: LawItem[] = (Object.keys(LAW_LABELS) as LawChoice[]).map((law) => ({
    law,
    label: LAW_LABELS[law],
    description: law === 'auto' ? detected : undefined,
    detail: LAW_CHOICES[law],
  }));
  return showStep(
    {
      title: `Scaling Lens: ${input.file} · law`,
      placeholder: 'Which scaling law should this file be fitted with?',
      items,
      active: items.find((i) => i.law === current),
      ...position,
      // The count follows the law under the cursor: each law asks for its own columns.
      totalFor: (item) => stepsOf(item.law, input.info.kind).length,
    },
    (item) => item.law,
  );
}

interface ColumnItem extends vscode.QuickPickItem {
  /** The column's name; undefined for "no column" (the role stays unmapped). */
  column: string | undefined;
}

function pickColumn(
  input: ColumnPickerInput,
  role: ColumnRole,
  columns: Partial<Record<ColumnRole, string>>,
  position: Position,
): Promise<Answer<string | null>> {
  const { info } = input;
  const detected = info.roles[role];
  const chosen = columns[role] ?? detected;
  const takenBy = new Map(Object.entries(info.roles).map(([r, name]) => [name, r]));
  const columnItems: ColumnItem[] = info.columns.map((name, i) => ({
    column: name,
    label: name,
    description: columnNote(name, role, detected, input.current?.columns?.[role], takenBy.get(name)),
    detail: sampleLine(info.samples?.[i]),
  }));
  // The detected column comes first, once; with none, the first entry leaves the role unmapped.
  const first = columnItems.find((item) => item.column === detected);
  const none: ColumnItem = {
    column: undefined,
    label: 'No column',
    description: 'none was detected; the law goes without it',
  };
  const items = first ? [first, ...columnItems.filter((i) => i !== first)] : [none, ...columnItems];
  return showStep(
    {
      title: `Scaling Lens: ${input.file} · column for ${role}`,
      placeholder: `Which column holds ${ROLE_NAMES[role]}?`,
      items,
      active: items.find((i) => i.column === chosen) ?? items[0],
      ...position,
    },
    (item) => item.column ?? null,
  );
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
  const cut = samples.map((s) => (s.length > SAMPLE_CHARS ? `${s.slice(0, SAMPLE_CHARS - 1)}…` : s));
  return `${cut.join(', ')} …`;
}

/** Records a column answer: the detected column, not chosen before, stays automatic (it follows a renamed header). */
function setRole(
  columns: Partial<Record<ColumnRole, string>>,
  role: ColumnRole,
  answer: string | null,
  input: ColumnPickerInput,
): void {
  const automatic = answer === null || (answer === input.info.roles[role] && !input.current?.columns?.[role]);
  if (automatic) delete columns[role];
  else columns[role] = answer;
}

interface SummaryItem extends vscode.QuickPickItem {
  /** Apply, or the index of the step to change. */
  action: 'apply' | number;
}

function confirm(
  input: ColumnPickerInput,
  law: LawChoice,
  columns: Partial<Record<ColumnRole, string>>,
  steps: Step[],
  position: Position,
): Promise<Answer<'apply' | number>> {
  const lines = summaryLines(input, law, columns);
  const changes: SummaryItem[] = steps.flatMap((step, index) =>
    step.kind === 'confirm'
      ? []
      : [{ action: index, label: `$(edit) ${lines[index]}`, description: index === 0 ? 'change the law' : undefined }],
  );
  const items: (SummaryItem | vscode.QuickPickItem)[] = [
    {
      action: 'apply',
      label: '$(check) Apply and fit',
      description: `fit ${input.file} with the choices below`,
    },
    { label: 'What will be set', kind: vscode.QuickPickItemKind.Separator },
    ...changes,
  ];
  return showStep(
    {
      title: `Scaling Lens: ${input.file} · confirm`,
      placeholder: 'Apply these choices, or pick one to change it',
      items: items as SummaryItem[],
      active: items[0] as SummaryItem,
      ...position,
    },
    (item) => item.action,
  );
}

/** One line per step: the law, then "role ← column (how it was set)". */
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
      if (chosen) return `${role} ← ${chosen}`;
      return detected ? `${role} ← ${detected} (detected)` : `${role} ← no column`;
    }),
  ];
}

/** The stored choice: the law and the columns of the roles it reads (none others). */
function overridesOf(law: LawChoice, columns: Partial<Record<ColumnRole, string>>, kind: FileKind): FileOverrides {
  const kept: Partial<Record<ColumnRole, string>> = {};
  for (const role of rolesOf(law, kind)) if (columns[role]) kept[role] = columns[role];
  return { law, columns: kept };
}

interface StepView<T extends vscode.QuickPickItem> extends Position {
  title: string;
  placeholder: string;
  items: T[];
  active?: T;
  /** How many steps there will be if this item is chosen, when that depends on the item. */
  totalFor?: (item: T) => number;
}

/** Shows one step and waits for an item, Back, or the picker being closed. */
function showStep<T extends vscode.QuickPickItem, R>(view: StepView<T>, value: (item: T) => R): Promise<Answer<R>> {
  const pick = vscode.window.createQuickPick<T>();
  pick.title = view.title;
  pick.step = view.step;
  pick.totalSteps = view.totalSteps;
  pick.placeholder = view.placeholder;
  pick.items = view.items;
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  if (view.active) pick.activeItems = [view.active];
  pick.buttons = view.step > 1 || view.fromSummary ? [vscode.QuickInputButtons.Back] : [];
  const { totalFor } = view;
  if (totalFor) pick.onDidChangeActive(([item]) => item && (pick.totalSteps = totalFor(item)));
  return new Promise<Answer<R>>((resolve) => {
    let answered = false;
    const finish = (answer: Answer<R>) => {
      if (answered) return;
      answered = true;
      resolve(answer);
      pick.dispose();
    };
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0] ?? pick.activeItems[0];
      if (item) finish(value(item));
    });
    pick.onDidTriggerButton((button) => {
      if (button === vscode.QuickInputButtons.Back) finish('back');
    });
    pick.onDidHide(() => finish(undefined));
    pick.show();
  });
}
