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
 * `\xHH` / `\uHHHH`, as the command line prints them.
 */
export function shownOnOneLine(text: string): string {
  return text.replace(ANY_CONTROL, visibleEscape);
}
