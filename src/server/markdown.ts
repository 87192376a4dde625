// File text inside hover Markdown. Run names, groups and column names come from files anyone can write; unescaped, a
// name like `[x](command:...)` would become a link and `![t](https://...)` would load a remote image on hover.

/** Every ASCII punctuation character backslash-escaped (CommonMark allows it for all of them), line breaks flattened. */
export function markdownText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[!-/:-@[-`{-~]/g, '\\$&');
}
