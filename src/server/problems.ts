// The Problems panel as the server keeps it: several analyses may report on one file (a folder fitted from the
// explorer names the metric files of its runs; one of those files open in an editor is analysed on its own), and a
// URI's diagnostics are replaced whole by each publish, so each URI is sent what all analyses report on it together.
// An analysis that stops reporting a file (fitted again without the problem, or a closed file forgotten) clears its
// part there. Tested directly (test/server/problems.test.ts).
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver';
import { diskPath } from './uris';

export class ProblemsPanel {
  /** Per analysed URI, the diagnostics it reports, by the URI they are on. */
  private readonly byAnalysis = new Map<string, Map<string, Diagnostic[]>>();

  constructor(private readonly send: (uri: string, diagnostics: Diagnostic[]) => void) {}

  /** The analysis of `analysed` now reports these (analysisDiagnostics); every URI it reported or reports is sent. */
  report(analysed: string, byUri: Map<string, Diagnostic[]>): void {
    const before = this.byAnalysis.get(analysed);
    byUri = new Map([...byUri].map(([uri, diagnostics]) => [oneSpelling(uri), diagnostics]));
    const reported = new Map([...byUri].filter(([, diagnostics]) => diagnostics.length > 0));
    if (reported.size > 0) this.byAnalysis.set(analysed, reported);
    else this.byAnalysis.delete(analysed);
    for (const uri of new Set([...(before?.keys() ?? []), ...byUri.keys()])) this.send(uri, this.shownAt(uri));
  }

  /** Everything reported on a URI, each diagnostic once (a file open and its folder both report its bad row). */
  private shownAt(uri: string): Diagnostic[] {
    const seen = new Set<string>();
    const shown: Diagnostic[] = [];
    for (const reported of this.byAnalysis.values()) {
      for (const d of reported.get(uri) ?? []) {
        const key = JSON.stringify([d.range, d.code, d.severity, d.message]);
        if (seen.has(key)) continue;
        seen.add(key);
        shown.push(d);
      }
    }
    return shown;
  }
}

/**
 * One spelling of a file's URI: the editor's (an open document, an analysed folder) and Node's (a finding's file)
 * escape some characters differently, and the editor takes both for one file, each publish replacing the other's.
 */
function oneSpelling(uri: string): string {
  const path = diskPath(uri);
  return path === null ? uri : pathToFileURL(path).toString();
}
