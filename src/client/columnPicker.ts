// "Select Columns and Law...": one multi-step QuickPick (law, then a column per role the law reads, then a summary to
// confirm), with a step count in the title, a Back button, sample values under each column and the detected column
// shown once. It only collects the choice; the command stores it and tells the server.
import * as vscode from 'vscode';
import { LAW_CHOICES } from '../core/options/schema';
import { KIND_NAMES } from '../core/analysis/lawNames';
import type { ColumnRole } from '../core/table/types';
import type { FileOverrides } from '../shared/protocol';
import {
  LAW_LABELS,
  ROLE_NAMES,
  applyDescription,
  columnItems,
  overridesOf,
  stepTitle,
  stepsOf,
  summaryLines,
  type ColumnPickerInput,
  type LawChoice,
  type Step,
} from './columnChoices';

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

interface Position {
  step: number;
  totalSteps: number;
  fromSummary: boolean;
}

interface LawItem extends vscode.QuickPickItem {
  law: LawChoice;
}

function pickLaw(input: ColumnPickerInput, current: LawChoice, position: Position): Promise<Answer<LawChoice>> {
  const detected = input.info.kind === 'unknown' ? KIND_NAMES.unknown : `detected: ${KIND_NAMES[input.info.kind]}`;
  const items: LawItem[] = (Object.keys(LAW_LABELS) as LawChoice[]).map((law) => ({
    law,
    label: LAW_LABELS[law],
    description: law === 'auto' ? detected : undefined,
    detail: LAW_CHOICES[law],
  }));
  return showStep(
    {
      title: stepTitle(input.file, 'law'),
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

function pickColumn(
  input: ColumnPickerInput,
  role: ColumnRole,
  columns: Partial<Record<ColumnRole, string>>,
  position: Position,
): Promise<Answer<string | null>> {
  const items = columnItems(input, role);
  const chosen = columns[role] ?? input.info.roles[role];
  return showStep(
    {
      title: stepTitle(input.file, `column for ${role}`),
      placeholder: `Which column holds ${ROLE_NAMES[role]}?`,
      items,
      active: items.find((i) => i.column === chosen) ?? items[0],
      ...position,
    },
    (item) => item.column ?? null,
  );
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
      description: applyDescription(input.file),
    },
    { label: 'What will be set', kind: vscode.QuickPickItemKind.Separator },
    ...changes,
  ];
  return showStep(
    {
      title: stepTitle(input.file, 'confirm'),
      placeholder: 'Apply these choices, or pick one to change it',
      items: items as SummaryItem[],
      active: items[0] as SummaryItem,
      ...position,
    },
    (item) => item.action,
  );
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
