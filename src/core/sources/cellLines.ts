// The shells' side of Finding.cell for files read from disk (the CLI's, the server's unopened files): the lines of
// the findings' cells, read from their files, so each finding shows its character column as a parse problem does.
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { locatedCell } from '../analysis/cellColumn';
import type { Finding } from '../analysis/types';

/** Files larger than this are not read again for columns: their findings keep file and line only. */
const MAX_BYTES = 256 * 2 ** 20;

/** The findings with their cells' columns found on their lines (each file read once, up to the last line wanted). */
export async function withCellColumns(findings: Finding[]): Promise<Finding[]> {
  const wanted = new Map<string, Set<number>>();
  for (const f of findings) {
    if (!f.cell || f.column !== undefined || f.line <= 0) continue;
    let lines = wanted.get(f.file);
    if (!lines) wanted.set(f.file, (lines = new Set()));
    lines.add(f.line);
  }
  const texts = new Map<string, Map<number, string>>();
  for (const [file, lines] of wanted) texts.set(file, await linesOf(file, lines));
  return findings.map((f) => locatedCell(f, (file, line) => texts.get(file)?.get(line)));
}

/** Some lines of a file (1-based), or none when it cannot be read or is over MAX_BYTES. */
async function linesOf(file: string, wanted: Set<number>): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  try {
    if (statSync(file).size > MAX_BYTES) return found;
  } catch {
    return found;
  }
  const last = Math.max(...wanted);
  const reader = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const text of reader) {
      if (wanted.has(++n)) found.set(n, text);
      if (n >= last) break;
    }
  } catch {
    // A file that went away or cannot be read: its findings keep file and line only.
  } finally {
    reader.close();
  }
  return found;
}
