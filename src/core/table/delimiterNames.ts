// The names a forced delimiter may be given by (ReadOptions.delimiter, the CLI's --delimiter), in one table: the
// reader resolves them and the CLI lists them in its help. Case does not matter; any other text stands for itself.
// And which forced delimiters the reader can use (validDelimiter).
import { quote, type ProblemLog } from './problems';

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

/** A forced delimiter must be one ASCII character that cannot be confused with quoting or line structure. */
export function validDelimiter(value: string | undefined, problems: ProblemLog): string | undefined {
  if (value === undefined) return undefined;
  const delimiter = delimiterFromName(value);
  if (delimiter.length === 1 && delimiter.charCodeAt(0) < 128 && !'"\r\n#'.includes(delimiter)) return delimiter;
  problems.add(
    'delimiter-invalid',
    'warning',
    1,
    1,
    `delimiter ${quote(value)} cannot be used (it must be one ASCII character other than a quote, '#' or a newline); ` +
      'the delimiter is detected instead',
  );
  return undefined;
}
