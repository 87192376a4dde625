// Text bound for a terminal. Headers, run names and messages come from files anyone can write; an escape sequence in
// them could clear the screen, retitle the window or write the clipboard (OSC 52). Control characters are printed as
// visible escapes instead, so a user sees exactly what the file holds. Bidirectional formatting characters are shown
// too: a right-to-left override in a run name reorders the rest of the line as the terminal draws it (a prediction's
// digits read backwards), and line and paragraph separators break some terminals' lines.

import { BIDI_CLASS, controlPattern, shownName, shownText, visibleEscape } from '../core/util/controls';

// C0 controls except tab and newline, DEL, the C1 range (some terminals take U+009B as CSI), and the bidirectional
// formatting characters.
const CONTROL = controlPattern('\t\n');

/** Plain text for the terminal: every control character but tab and newline shown as `\xHH`, long names shortened. */
export function terminalSafe(text: string): string {
  return shownText(text).replace(CONTROL, visibleEscape);
}

/**
 * One line of text from a file (a table cell, a column or run name in a sentence): tab, newline and return shown as
 * `\xHH` too, so a JSON key holding a newline can neither break a table row nor print a line that looks like ours.
 * Every other control is escaped here as well, not only by terminalSafe on the way out: a table measures its cells
 * after this, and an ESC counted as one character but printed as four pushed the rest of its row out of line.
 */
export function oneLine(text: string): string {
  return text.replace(ONE_LINE_CONTROL, visibleEscape);
}

const ONE_LINE_CONTROL = controlPattern();

/**
 * A name from a file or the disk (a run, group or column, a file's path: Linux allows a newline or an escape in a file
 * name) on one line, long ones shortened: every place the command line prints a name goes through here.
 */
export function nameOnLine(name: string): string {
  return oneLine(shownName(name));
}

/**
 * JSON for the terminal or a pipe: JSON.stringify already escapes C0 controls; DEL, C1 and the bidirectional
 * formatting characters are valid raw in JSON strings, so they are written as \u escapes (still the same JSON value).
 */
export function jsonSafe(json: string): string {
  return json.replace(JSON_RAW, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const JSON_RAW = new RegExp(`[\\u007f-\\u009f${BIDI_CLASS}]`, 'g');

/**
 * Columns a terminal gives the text: a combining mark or a zero-width joiner or variation selector takes none, an
 * East Asian wide or full-width character or an emoji shown as one takes two. Tables pad by it, so a run named
 * `e\u0301`, `損失` or with an emoji keeps the next column in line.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += ZERO_WIDTH.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
  return width;
}

const ZERO_WIDTH = /^[\p{M}\u200b-\u200d\u2060\ufeff]$/u;
const WIDE =
  /^[\p{Emoji_Presentation}\u1100-\u115f\u2e80-\u303e\u3041-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]$/u;
