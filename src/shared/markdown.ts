// File text inside hover Markdown. Run names, groups and column names come from files anyone can write; unescaped, a
// name like `[x](command:...)` would become a link and `![t](https://...)` would load a remote image on hover. Lens
// titles are plain text: there only invisible characters and VS Code's `$(icon)` syntax are escaped.
import { controlPattern, shownText, visibleEscape } from '../core/util/controls';

/** Controls but the line feed, DEL, C1 and the bidirectional formatting characters. */
const UNSEEN = controlPattern('\n');

/**
 * Every ASCII punctuation character backslash-escaped (CommonMark allows it for all of them), line breaks flattened,
 * controls and bidirectional formatting characters shown as `\xHH` / `\uHHHH` (see labelText), long names shortened.
 */
export function markdownText(text: string): string {
  return shownText(text)
    .replace(/[\r\n]+/g, ' ')
    .replace(UNSEEN, visibleEscape)
    .replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/**
 * Text that may hold file text (a power law's formula names its columns) as a Markdown code span: fenced by one
 * backtick more than its longest run of them (CommonMark takes no backslash escape inside a span, so a column named
 * with a backtick closed a plain one and the rest of its name, a `[x](command:...)` say, became a link), padded
 * with a space where it starts or ends with one; line breaks flattened and controls shown as in markdownText.
 */
export function markdownCode(text: string): string {
  const shown = shownText(text)
    .replace(/[\r\n]+/g, ' ')
    .replace(UNSEEN, visibleEscape);
  let longest = 0;
  for (const run of shown.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  const pad = shown.startsWith('`') || shown.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${shown}${pad}${fence}`;
}

/**
 * File text in a plain-text label (a lens's title and tooltip): controls and bidirectional formatting characters
 * shown as `\xHH` / `\uHHHH` (a right-to-left override would draw the prediction beside a run name backwards), a line
 * feed too in a one-line title, and `$(` escaped so that a name cannot draw one of VS Code's icons.
 */
export function labelText(text: string, lines: 'one' | 'many' = 'one'): string {
  const shown = shownText(text).replace(UNSEEN, visibleEscape).replace(/\$\(/g, '\\$(');
  return lines === 'one' ? shown.replace(/\n/g, visibleEscape) : shown;
}

/**
 * File text in a notification or the language status item: a one-line label (labelText), and `](` shown as `]\(`.
 * VS Code makes `[label](command:...)` (or an https: or file: target) in a notification's message a link that runs
 * the command or opens its target on a click, so a run or file named `[Open](command:...)` would offer one.
 */
export function notificationText(text: string): string {
  return labelText(text).replace(/\]\(/g, ']\\(');
}

/**
 * Markdown a hover or tooltip shows, with each hyphenated word kept on one line: a word joiner (U+2060, invisible) after
 * every hyphen between two letters or digits, escaped or not. A narrow tooltip broke "LR-" / "annealing law" and a
 * hover's table cell "misaligned-en-" / "fr" across lines.
 */
export function keepHyphenated(markdown: string): string {
  return markdown.replace(/(?<=[\p{L}\p{N}])(\\?-)(?=[\p{L}\p{N}])/gu, '$1\u2060');
}

/**
 * A Markdown table's header row and its delimiter row, every column left-aligned: a column left unaligned has its
 * header centred above cells that start at the left ("law" floated over "LR-annealing law (weight …)").
 */
export function tableHead(cells: readonly string[]): string {
  return `|${cells.map((c) => (c ? ` ${c} ` : ' ')).join('|')}|\n|${cells.map(() => ':--').join('|')}|`;
}
