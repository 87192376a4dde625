// The number typed into "Predict at...": a step, a D_p, a compute budget or a multiple of the largest D_p seen. Kept
// apart from the command (no `vscode` import) so the rule is tested on its own.
import { parseNumberCell } from '../core/table/number';
import { targetValueProblem, type PredictTarget } from '../shared/protocol';

/** "4x", "4×", "x4", "× 4": a multiple is written with its sign on either side as often as without. */
const MULTIPLE = /^\s*[x×]?\s*(.*?)\s*[x×]?\s*$/i;

/** The positive finite number the text gives for a target of this kind, or undefined when it gives none. */
export function parseTargetValue(kind: PredictTarget['kind'], text: string): number | undefined {
  const number = kind === 'dataMultiplier' ? (MULTIPLE.exec(text)?.[1] ?? text) : text;
  const value = parseNumberCell(number)?.value;
  return value !== undefined && targetValueProblem({ kind, value }) === undefined ? value : undefined;
}

/** What to say when parseTargetValue gives nothing. */
export function targetValueHint(kind: PredictTarget['kind']): string {
  return kind === 'dataMultiplier'
    ? 'Enter a positive multiple such as 4, 4x or 4×.'
    : kind === 'step'
      ? 'Enter a whole step of 1 or more; suffixes K, M, B, T are allowed.'
      : 'Enter a positive number; suffixes K, M, B, T are allowed.';
}
