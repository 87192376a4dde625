// Export Fit's document: the `fit --json` document (src/core/report/fitDocument.ts) of a file's cached analysis, so an
// export and the CLI's output read alike. Built from the cache's typed arrays row by row: no number[] copy first.
import { locatedCell } from '../core/analysis/cellColumn';
import type { Analysis, Series } from '../core/analysis/types';
import { fitDocument, type FitDocument } from '../core/report/fitDocument';

/**
 * The document of the analysis. An open document's findings still carry their cells (the server locates them on its
 * text, diagnostics.ts): they are located here on `lineText` as the CLI locates them on the file's lines, so the
 * export's findings have the CLI's columns and no `cell`. A file read from disk had its findings located already.
 */
export function exportedFit(
  analysis: Analysis<Series>,
  lineText: (file: string, line: number) => string | undefined,
): FitDocument {
  const document = fitDocument(analysis);
  return { ...document, findings: document.findings.map((f) => locatedCell(f, lineText)) };
}
