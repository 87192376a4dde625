// The shells' side of Finding.cell for files read from disk (the CLI's, the server's unopened files): the lines of
// the findings' cells, read from their files, so each finding shows its character column as a parse problem does.
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { locatedCell, OBJECT_LINES } from '../analysis/cellColumn';
import type { Finding } from '../analysis/types';

/** Files larger than this are not read again for columns: their findings keep file and line only. */
const MAX_BYTES = 256 * 2 ** 20;

/** The findings with their cells' columns found on their lines (each file read once, up to the last line wanted). */
export async function withCellColumns(findings: Finding[]): Promise<Finding[]> {
  const texts = new Map<string, Map<number, string>>();
  for (const [file, lines] of linesWanted(findings)) texts.set(file, await linesOf(file, lines));
  return findings.map((f) => locatedCell(f, (file, line) => texts.get(file)?.get(line)));
}

/**
 * withCellColumns for a followed run, analysed again at each update with the same findings of its old rows: the
 * lines read are kept (an appended file's lines stay as they were), so an update reads a file again only for a
 * finding on a line not read yet. `forget` when a file may have been rewritten.
 */
export class CellLines {
  private texts = new Map<string, Map<number, string>>();

  async located(findings: Finding[]): Promise<Finding[]> {
    const kept = new Map<string, Map<number, string>>();
    for (const [file, lines] of linesWanted(findings)) {
      const known = this.texts.get(file) ?? new Map<number, string>();
      const missing = new Set([...lines].filter((line) => !known.has(line)));
      const read = missing.size > 0 ? await linesOf(file, missing) : new Map<number, string>();
      // Only this update's lines are kept: the next asks for these again, or for new ones below the capped count.
      const texts = new Map<number, string>();
      for (const line of lines) {
        const text = known.get(line) ?? read.get(line);
        if (text !== undefined) texts.set(line, text);
      }
      kept.set(file, texts);
    }
    this.texts = kept;
    return findings.map((f) => locatedCell(f, (file, line) => kept.get(file)?.get(line)));
  }

  /** Drops every line read: a file was rewritten or replaced, its lines may have moved. */
  forget(): void {
    this.texts.clear();
  }
}

/** The lines of the findings' cells still to locate, by file (a pretty-printed object's: the lines below its `{`). */
function linesWanted(findings: Finding[]): Map<string, Set<number>> {
  const wanted = new Map<string, Set<number>>();
  for (const f of findings) {
    if (!f.cell || f.column !== undefined || f.line <= 0) continue;
    let lines = wanted.get(f.file);
    if (!lines) wanted.set(f.file, (lines = new Set()));
    const last = f.cell.inObject ? f.line + OBJECT_LINES : f.line;
    for (let line = f.line; line <= last; line++) lines.add(line);
  }
  return wanted;
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
