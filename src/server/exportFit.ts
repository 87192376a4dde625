// Export Fit's document: the `fit --json` document of a file's cached analysis, its text made by the CLI's writer
// (src/core/report/documentText.ts) and handed to the client a page at a time, so an export and the CLI's output are
// the same bytes. Made whole, a 1,000,000-row log's document (pairs as arrays, then JSON-RPC's text of them) took the
// server from 390 MB to 1.1 GB; a page at a time, its text is never whole on either side of the connection.
import { locatedCell } from '../core/analysis/cellColumn';
import type { Analysis, Series } from '../core/analysis/types';
import { fitDocumentText } from '../core/report/documentText';
import { VERSION } from '../core/report/fitDocument';
import type { FitDocumentPage } from '../shared/protocol';

/** Characters of text a page holds at least (but the last): a few chunks of the writer's. */
const PAGE_CHARS = 1 << 20;
/** An export not asked for its next page in this long is let go (its client gone, or its save dialog left open). */
const EXPORT_IDLE_MS = 10 * 60_000;

interface Pending {
  chunks: Iterator<string, void>;
  idle: ReturnType<typeof setTimeout>;
}

/** The exports under way, each the writer of one document paused between pages. */
export class Exports {
  private readonly pending = new Map<number, Pending>();
  private lastId = 0;

  /** `idleMs`: how long a paused export is kept (shorter in tests, which cannot wait 10 minutes). */
  constructor(private readonly idleMs = EXPORT_IDLE_MS) {}

  /**
   * The document's first page. An open document's findings still carry their cells (the server locates them on its
   * text, diagnostics.ts): they are located here on `lineText` as the CLI locates them on the file's lines, so the
   * export's findings have the CLI's columns and no `cell`. A file read from disk had its findings located already.
   */
  start(analysis: Analysis<Series>, lineText: (file: string, line: number) => string | undefined): FitDocumentPage {
    const chunks = fitDocumentText(analysis, VERSION, (document) => ({
      ...document,
      findings: document.findings.map((f) => locatedCell(f, lineText)),
    }));
    const id = ++this.lastId;
    this.pending.set(id, { chunks, idle: this.idleTimer(id) });
    return this.page(id);
  }

  /** The export's next page, or null when it is not under way (finished, stopped or let go idle). */
  next(id: number | undefined): FitDocumentPage | null {
    return id !== undefined && this.pending.has(id) ? this.page(id) : null;
  }

  /** Lets an export go before its end (the client's save dialog was cancelled, or its write failed). */
  stop(id: number): void {
    const export_ = this.pending.get(id);
    if (!export_) return;
    clearTimeout(export_.idle);
    export_.chunks.return?.();
    this.pending.delete(id);
  }

  dispose(): void {
    for (const id of [...this.pending.keys()]) this.stop(id);
  }

  private page(id: number): FitDocumentPage {
    const export_ = this.pending.get(id)!;
    clearTimeout(export_.idle);
    const parts: string[] = [];
    let length = 0;
    while (length < PAGE_CHARS) {
      const chunk = this.chunk(id, export_);
      if (chunk.done) {
        this.pending.delete(id);
        return { text: parts.join('') };
      }
      parts.push(chunk.value);
      length += chunk.value.length;
    }
    export_.idle = this.idleTimer(id);
    return { text: parts.join(''), next: id };
  }

  /** The writer's next chunk; an export whose writer failed is let go (the request answers with the error). */
  private chunk(id: number, export_: Pending): IteratorResult<string, void> {
    try {
      return export_.chunks.next();
    } catch (error) {
      this.pending.delete(id);
      throw error;
    }
  }

  private idleTimer(id: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => this.stop(id), this.idleMs);
    timer.unref?.();
    return timer;
  }
}
