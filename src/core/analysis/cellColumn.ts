// The character column of a cell on a line of text, for findings about a row's cell (Finding.cell): the parsed table
// keeps no positions, so the shells, which have the text or the file, find it on the line when they show the finding.
import type { Finding, FindingCell } from './types';

/** The 1-based character column where the cell's value starts on `line`, or undefined when it is not there. */
export function cellColumn(line: string, cell: FindingCell): number | undefined {
  return cell.field === undefined ? jsonValueColumn(line, cell.name) : fieldColumn(line, cell.field, cell.delimiter);
}

/** Where field `field` starts: delimiters inside double quotes (RFC 4180) do not count. */
function fieldColumn(line: string, field: number, delimiter = ','): number | undefined {
  if (field === 0) return 1;
  let seen = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === delimiter && ++seen === field) return i + 2;
  }
  return undefined;
}

/** Where the value of key `name` starts on a JSON line (the key as a key: followed by a colon). */
function jsonValueColumn(line: string, name: string): number | undefined {
  const key = JSON.stringify(name);
  for (let at = line.indexOf(key); at >= 0; at = line.indexOf(key, at + 1)) {
    let i = at + key.length;
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] !== ':') continue;
    i++;
    while (line[i] === ' ' || line[i] === '\t') i++;
    return i < line.length ? i + 1 : undefined;
  }
  return undefined;
}

/**
 * The finding with its cell's column found on its line's text (`lineText` of its file and line, undefined when the
 * shell cannot read it), and its `cell` dropped: the column is what the shells show.
 */
export function locatedCell(finding: Finding, lineText: (file: string, line: number) => string | undefined): Finding {
  const { cell, ...rest } = finding;
  if (!cell || finding.column !== undefined || finding.line <= 0) return rest;
  const text = lineText(finding.file, finding.line);
  const column = text === undefined ? undefined : cellColumn(text, cell);
  return column === undefined ? rest : { ...rest, column };
}
