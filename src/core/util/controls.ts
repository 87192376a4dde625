// Characters of file text that a display must not pass on raw, whatever the surface: C0 and C1 controls and DEL (a
// terminal acts on them), and Unicode's bidirectional formatting characters and line and paragraph separators (they
// reorder or break the text drawn around them: a right-to-left override in a run name draws a prediction backwards).

/** ALM, LRM, RLM, LRE..RLO, LRI..PDI, U+2028 and U+2029, as the inside of a regular expression's character class. */
export const BIDI_CLASS = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\u2028\\u2029';

/** A character as visible text: `\xHH` up to U+00FF, `\uHHHH` above. */
export function visibleEscape(ch: string): string {
  const code = ch.charCodeAt(0);
  return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
}

/**
 * C0 controls, DEL, C1 and the bidirectional formatting characters, but the whitespace in `keep`, as a global regular
 * expression: the one rule every surface applies, each keeping what it can show (a terminal tab and newline, a
 * Markdown hover the newline, a one-line message nothing).
 */
export function controlPattern(keep: '' | '\n' | '\t\n' = ''): RegExp {
  const ranges: string[] = [];
  for (let code = 0; code < 0x20; code++)
    if (!keep.includes(String.fromCharCode(code))) ranges.push(`\\u${code.toString(16).padStart(4, '0')}`);
  return new RegExp(`[${ranges.join('')}\\u007f-\\u009f${BIDI_CLASS}]`, 'g');
}

const ANY_CONTROL = controlPattern();

/**
 * File text on one line of plain text (a Problems-panel message, a notification, the status item): every control
 * character, tab, line feed and carriage return included, and every bidirectional formatting character shown as
 * `\xHH` / `\uHHHH`, as the command line prints them; long names in it shortened (shownText).
 */
export function shownOnOneLine(text: string): string {
  return shownText(text).replace(ANY_CONTROL, visibleEscape);
}

/** Names and unbroken cell text longer than this are shown shortened (see shownName). */
export const SHOWN_NAME_MAX = 200;
/** Characters of a shortened name kept before the ellipsis. */
const SHOWN_NAME_START = 80;

/**
 * A name (column, run, group) or a cell as shown: whole up to SHOWN_NAME_MAX characters, else its start, an ellipsis
 * and its length, so a 6 MB header shows as 100 characters instead of flooding a terminal or a hover. Only for what
 * is shown: where a name is an identifier the user passes back (`--fit-on`, `--columns`), it stays whole.
 */
export function shownName(name: string): string {
  if (name.length <= SHOWN_NAME_MAX) return name;
  // Cut before a high surrogate, never between the halves of a pair.
  const code = name.charCodeAt(SHOWN_NAME_START - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? SHOWN_NAME_START - 1 : SHOWN_NAME_START;
  return `${name.slice(0, end)}… (${name.length.toLocaleString('en-US')} characters)`;
}

/**
 * Text with names or cells inside it (a message, a hover, a whole terminal output): every stretch without whitespace
 * longer than SHOWN_NAME_MAX shortened as shownName does. A name with spaces inside a sentence cannot be told from
 * the sentence; fields that are names use shownName whole.
 */
export function shownText(text: string): string {
  // Every stretch is matched once (a bounded repeat would rescan each short stretch from each of its characters).
  return text.length <= SHOWN_NAME_MAX ? text : text.replace(/\S+/g, shownStretch);
}

const OPENING = `"'([`;
const CLOSING = `"')],.;:`;

/** A long stretch shortened, the quotes and punctuation around the name in it kept outside the ellipsis. */
function shownStretch(stretch: string): string {
  if (stretch.length <= SHOWN_NAME_MAX) return stretch;
  // At most three each side (`("name"),`), so a stretch of megabytes of `)` is itself shortened.
  let start = 0;
  while (start < 3 && OPENING.includes(stretch[start])) start++;
  let end = stretch.length;
  while (end > stretch.length - 3 && end > start && CLOSING.includes(stretch[end - 1])) end--;
  return `${stretch.slice(0, start)}${shownName(stretch.slice(start, end))}${stretch.slice(end)}`;
}
