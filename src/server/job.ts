// One analysis of one file, as the server runs it: from an open document's text or from disk by path.
// Runs in a worker thread (analysisWorker.ts) so a long fit never blocks hovers, and can be cancelled by ending it.
import {
  collectTables,
  finishAnalysis,
  problemToFinding,
  provisionalAnalysis,
  type CollectedTables,
} from '../core/analysis/analyse';
import type { AnalysisOptions } from '../core/analysis/options';
import type { Analysis, Series } from '../core/analysis/types';
import { isTextTable, PROBE_BYTES, readSources, type SourceOptions, type SourceRead } from '../core/sources';
import { withCellColumns } from '../core/sources/cellLines';
import { detectRoles, parseBytes, parseText } from '../core/table';
import type { FileFormat } from '../core/table/types';
import { appendAll } from '../core/util/arrays';
import { addLogEnds } from '../core/chart/whatIf';

export interface AnalysisJob {
  /** An open document: its text in this thread, encoded UTF-8 bytes when sent to the worker (see toWorkerJob). */
  source: { kind: 'text'; text: string } | { kind: 'bytes'; bytes: Uint8Array } | { kind: 'file' };
  /** File system path (a file or a folder of runs); also the name findings carry. */
  path: string;
  /** A set of files and folders fitted together (several selected in the explorer): read instead of `path`. */
  paths?: string[];
  /** Read as this format instead of recognising it (the format setting). */
  format?: FileFormat | 'auto';
  options: Partial<AnalysisOptions>;
  maxBytes: number;
  /** Auto-fit on open: give up quietly when the file does not look like a run file. */
  onlyIfRunFile: boolean;
  /**
   * Post a provisional analysis first (the LR-annealing law's, finishAnalysisWith) when `law: 'auto'` is to compare
   * the laws on at least this many loss rows (PROVISIONAL_FROM_ROWS); absent: the result only.
   */
  provisionalFromRows?: number;
}

export type JobResult = { ok: true; analysis: Analysis<Series>; skipped: boolean } | { ok: false; message: string };

/** What the analysis worker posts for a job: maybe a provisional analysis first, then the job's result. */
export type WorkerMessage = { provisional: Analysis<Series> } | { result: JobResult };

/**
 * Loss rows from which an editor's first answer under `law: 'auto'` is the LR-annealing law's, provisional, while
 * the laws are compared. Measured (`fit` of the bench's cosine logs, whole process, load about 1.3): auto took 0.9 s
 * at 250 rows, 1.4 s at 500, 3.3 s at 1000 and 9-16 s from 10,000 to a million rows (two laws fitted and
 * backtested, the runner-up reported), the LR-annealing law alone 0.3-0.4 s up to 1000 rows. From here on the wait
 * for auto's first lens passes a second; below it, the extra fit would cost more than it saves.
 */
export const PROVISIONAL_FROM_ROWS = 500;

// A large file's text and table are tens of MB each and neither is needed by the fit. A value stays reachable from
// every frame that passed it on until that frame returns, so each is held only by a function that returns before the
// next big step: read() holds the text, collect() the table, and runJob() neither.

/** `provisional`: given a provisional analysis first when the job asks for one and the laws compare enough rows. */
export async function runJob(job: AnalysisJob, provisional?: (analysis: Analysis<Series>) => void): Promise<JobResult> {
  try {
    // An open document's findings are located on its text by the server (diagnostics.ts); a file's, here.
    const fromDisk = job.source.kind === 'file';
    const { collected, parseMs, skipped } = await collect(job);
    const from = job.provisionalFromRows;
    const first = provisional && from !== undefined && !skipped ? provisionalAnalysis(collected, from, parseMs) : null;
    if (first) provisional?.(first);
    const analysis = finishAnalysis(collected, parseMs);
    // The chart's sums at each log's end, here in the worker rather than on the server's thread (whatIf.ts).
    addLogEnds(analysis);
    if (fromDisk) analysis.findings = await withCellColumns(analysis.findings);
    return { ok: true, analysis, skipped };
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
  const { tables, problems } = await read(job);
  const parseMs = performance.now() - started;
  const looksLikeRunFile =
    tables.some((table) => detectRoles(table, job.options.columns ?? {}).kind !== 'unknown') ||
    (job.options.law ?? 'auto') !== 'auto';
  const skipped = job.onlyIfRunFile && !looksLikeRunFile;
  const collected = collectTables(tables, skipped ? { ...job.options, law: 'auto' } : job.options);
  appendAll(collected.out.findings, problems.map(problemToFinding));
  return { collected, parseMs, skipped };
}

/**
 * Reads the job's input; the job lets go of its text or bytes, which are garbage once this returns. An open editor's
 * text is parsed as it is (unsaved edits count) when it is a text table; a document another source reads (a
 * trainer_state.json, an event file) is read from disk by that source, as it was last saved.
 */
async function read(job: AnalysisJob): Promise<SourceRead> {
  const options: SourceOptions & { fileName: string } = {
    // A set's members go by their own paths.
    displayName: job.paths === undefined ? job.path : undefined,
    maxBytes: job.maxBytes,
    fileName: job.path,
    format: job.format,
  };
  const { source } = job;
  job.source = { kind: 'file' };
  if (source.kind !== 'file') {
    const head = source.kind === 'text' ? Buffer.from(source.text.slice(0, PROBE_BYTES), 'utf8') : source.bytes;
    if (isTextTable(job.path, head.subarray(0, PROBE_BYTES), job.format)) {
      const table = source.kind === 'text' ? parseText(source.text, options) : parseBytes(source.bytes, options);
      return { tables: [table], problems: [] };
    }
  }
  return readSources(job.paths ?? [job.path], options);
}
