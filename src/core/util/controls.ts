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
