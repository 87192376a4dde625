// One analysis of one file, as the server runs it: from an open document's text or from disk by path.
// Runs in a worker thread (analysisWorker.ts) so a long fit never blocks hovers, and can be cancelled by ending it.
import { collectTables, finishAnalysis, type CollectedTables } from '../core/analysis/analyse';
import type { AnalysisOptions } from '../core/analysis/options';
import type { Analysis, Series } from '../core/analysis/types';
import { detectRoles, parseBytes, parseText, readTable, type Table } from '../core/table';

export interface AnalysisJob {
  /** An open document: its text in this thread, encoded UTF-8 bytes when sent to the worker (see toWorkerJob). */
  source: { kind: 'text'; text: string } | { kind: 'bytes'; bytes: Uint8Array } | { kind: 'file' };
  /** File system path; also the name findings carry. */
  path: string;
  options: Partial<AnalysisOptions>;
  maxBytes: number;
  /** Auto-fit on open: give up quietly when the file does not look like a run file. */
  onlyIfRunFile: boolean;
}

export type JobResult = { ok: true; analysis: Analysis<Series>; skipped: boolean } | { ok: false; message: string };

// A large file's text and table are tens of MB each and neither is needed by the fit. A value stays reachable from
// every frame that passed it on until that frame returns, so each is held only by a function that returns before the
// next big step: read() holds the text, collect() the table, and runJob() neither.

export async function runJob(job: AnalysisJob): Promise<JobResult> {
  try {
    const { collected, parseMs, skipped } = await collect(job);
    return { ok: true, analysis: finishAnalysis(collected, parseMs), skipped };
  } catch (error) {
    // The core reports bad input as findings; an exception here is a bug, reported instead of crashing the server.
    return {
      ok: false,
      message: `Scaling Lens could not analyse ${job.path}: ${(error as Error)?.message ?? String(error)}`,
    };
  }
}

async function collect(job: AnalysisJob): Promise<{ collected: CollectedTables; parseMs: number; skipped: boolean }> {
  const started = performance.now();
  const table = await read(job);
  const parseMs = performance.now() - started;
  const looksLikeRunFile =
    detectRoles(table, job.options.columns ?? {}).kind !== 'unknown' || (job.options.law ?? 'auto') !== 'auto';
  const skipped = job.onlyIfRunFile && !looksLikeRunFile;
  return {
    collected: collectTables([table], skipped ? { ...job.options, law: 'auto' } : job.options),
    parseMs,
    skipped,
  };
}

/** Parses the job's file; the job lets go of its text or bytes, which are garbage once this returns. */
async function read(job: AnalysisJob): Promise<Table> {
  const options = { displayName: job.path, maxBytes: job.maxBytes, fileName: job.path };
  const { source } = job;
  job.source = { kind: 'file' };
  if (source.kind === 'text') return parseText(source.text, options);
  if (source.kind === 'bytes') return parseBytes(source.bytes, options);
  return readTable(job.path, options);
}
