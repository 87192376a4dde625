// The names a forced delimiter may be given by (ReadOptions.delimiter, the CLI's --delimiter), in one table: the
// reader resolves them and the CLI lists them in its help. Case does not matter; any other text stands for itself.

export const DELIMITER_NAMES: Readonly<Record<string, string>> = {
  comma: ',',
  semicolon: ';',
  tab: '\t',
  '\\t': '\t',
  pipe: '|',
  space: ' ',
};

/** The delimiter a name stands for ('tab' -> '\t'), or the text itself when it is not a name. */
export function delimiterFromName(value: string): string {
  return DELIMITER_NAMES[value.toLowerCase()] ?? value;
}
