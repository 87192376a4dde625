// One analysis of one file, as the server runs it: from an open document's text or from disk by path.
// Runs in a worker thread (analysisWorker.ts) so a long fit never blocks hovers, and can be cancelled by ending it.
import { analyseTables } from '../core/analysis/analyse';
import type { AnalysisOptions } from '../core/analysis/options';
import type { Analysis } from '../core/analysis/types';
import { detectRoles, parseText, readTable } from '../core/table';

export interface AnalysisJob {
  source: { kind: 'text'; text: string } | { kind: 'file' };
  /** File system path; also the name findings carry. */
  path: string;
  options: Partial<AnalysisOptions>;
  maxBytes: number;
  /** Auto-fit on open: give up quietly when the file does not look like a run file. */
  onlyIfRunFile: boolean;
}

export type JobResult = { ok: true; analysis: Analysis; skipped: boolean } | { ok: false; message: string };

export async function runJob(job: AnalysisJob): Promise<JobResult> {
  try {
    const started = performance.now();
    const read = { displayName: job.path, maxBytes: job.maxBytes };
    const table = job.source.kind === 'text' ? parseText(job.source.text, { ...read, fileName: job.path }) : await readTable(job.path, read);
    // Parsed: the text is no longer needed, and on a large file it is tens of MB held through the whole fit.
    if (job.source.kind === 'text') job.source.text = '';
    const parseMs = performance.now() - started;
    const looksLikeRunFile = detectRoles(table, job.options.columns ?? {}).kind !== 'unknown' || (job.options.law ?? 'auto') !== 'auto';
    const skipped = job.onlyIfRunFile && !looksLikeRunFile;
    const analysis = analyseTables([table], skipped ? { ...job.options, law: 'auto' } : job.options, parseMs);
    return { ok: true, analysis, skipped };
  } catch (error) {
    // The core reports bad input as findings; an exception here is a bug, reported instead of crashing the server.
    return { ok: false, message: `Scaling Lens could not analyse ${job.path}: ${(error as Error)?.message ?? String(error)}` };
  }
}
