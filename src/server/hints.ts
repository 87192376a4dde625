// The editor's words for a finding's hints: the command that does it, or the `scalingLens.*` setting. The core says
// what is wrong; this says how to fix it in VS Code (the CLI says the same with flags: src/cli/text.ts). Pure
// functions, so each hint kind is tested directly.
import type { Finding } from '../core/analysis/types';
import {
  anchorOf,
  HINT_OPTION_LABELS,
  withHints,
  type FindingCode,
  type Hint,
  type HintOption,
} from '../core/findings';
import type { ColumnRole } from '../core/table/types';
import { DOCS_BASE } from '../shared/protocol';

/** The command's title as the palette shows it. */
const SELECT_COLUMNS = '"Select Columns and Law..."';

/** Where each option is set in the editor; the options without a setting say where they are set instead. */
const OPTION_PLACES: Record<HintOption, string> = {
  breakTolerance: 'with the setting scalingLens.breaks.tolerance',
  fitFirst: 'with the setting scalingLens.breaks.fitFirst',
  maxBytes: 'with the setting scalingLens.maxFileSizeMB',
  powerX: 'with the setting scalingLens.fit.powerX',
  sizes: 'with the setting scalingLens.fit.sizes',
  sizeExponent: 'with the setting scalingLens.fit.sizeExponent',
  departureSigmas: 'with the setting scalingLens.fit.departureSigmas',
  departurePoints: 'with the setting scalingLens.fit.departurePoints',
  warmupSteps: 'with the setting scalingLens.fit.warmupSteps',
  fitOn: 'on the command line (README, Command line); the extension fits every curve',
};

/** An example value of scalingLens.columns mapping these roles (a typical mapping when none is named). */
function columnsExample(roles: readonly ColumnRole[]): string {
  const pairs = roles.length
    ? roles.map((role) => `"${role}": "NAME"`)
    : ['"step": "iter"', '"loss": "val_loss"', '"lr": "learning_rate"'];
  return `{${pairs.join(', ')}}`;
}

/** One hint as a sentence of the Problems panel. */
export function editorHint(hint: Hint): string {
  switch (hint.kind) {
    case 'map-role':
      return `Map columns with ${SELECT_COLUMNS} or the setting scalingLens.columns, e.g. ${columnsExample(hint.roles)}.`;
    case 'choose-law':
      return hint.law
        ? `Or choose the law "${hint.law}" with ${SELECT_COLUMNS} or the setting scalingLens.law.`
        : `Choose the law with ${SELECT_COLUMNS} or the setting scalingLens.law.`;
    case 'set-option':
      return `Set ${HINT_OPTION_LABELS[hint.option]} ${OPTION_PLACES[hint.option]}.`;
  }
}

/** The message the Problems panel (and its hover) shows: the core's words, then how to fix it here. */
export function editorMessage(finding: Pick<Finding, 'message' | 'hints'>): string {
  return withHints(finding.message, (finding.hints ?? []).map(editorHint));
}

/** The documentation a diagnostic's code links to. */
export function findingHref(code: FindingCode): string {
  return `${DOCS_BASE}#${anchorOf(code)}`;
}

/** Code and link of the diagnostic the server shows when the analysis itself failed. */
export const ANALYSIS_FAILED = {
  code: 'analysis-failed',
  codeDescription: { href: findingHref('analysis-failed') },
} as const satisfies { code: FindingCode; codeDescription: { href: string } };
