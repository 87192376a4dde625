// Inputs as the user names them (files and folders) -> tables. A file is one source, recognised by name and content
// (or forced with a format); a folder is either one run (a source recognises it) or a set of runs found by a scan,
// each named by its path relative to the folder. Each input stands alone: one that cannot be read gives its problem,
// and the others are read.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { readTable } from '../table/read';
import type { Table } from '../table/types';
import { recognise, sourceOf, SOURCES } from './registry';
import { findRuns, readHead, type FoundRun } from './scan';
import { textSource } from './text';
import { dvcliveRunOf } from './dvclive';
import { mlflowRunOf } from './mlflow';
import type { Probe, RunPart, Source, SourceOptions, SourceRead } from './types';

export {
  PROBE_BYTES,
  type Probe,
  type RunPart,
  type Source,
  type SourceOptions,
  type SourceRead,
  type ScanLimits,
} from './types';
import { appendAll } from '../util/arrays';
export { findRuns, type FoundRun } from './scan';
export { forceableFormats, SOURCES } from './registry';

/**
 * The run folder a file is a part of (an MLflow or DVCLive metric file, one metric each), or null: it is read with
 * its run's other files when the folder is fitted, and alone it holds no run to fit.
 */
export async function runOfPart(path: string): Promise<RunPart | null> {
  return mlflowRunOf(path) ?? (await dvcliveRunOf(path));
}

/** Runs read from a folder at once: enough to overlap disk waits, few enough to bound memory in flight. */
export const CONCURRENT_READS = 4;

/**
 * The tables a run found in folder `root` was read into, named in the folder: a source that names runs inside it (an
 * MLflow experiment) keeps them under the folder's run name; a folder given that is itself a run goes by the name its
 * source gives it (an MLflow run's name, not its id). A follower of the folder names them the same (live/folderTail).
 */
export function namedInFolder(root: string, run: FoundRun, tables: readonly Table[]): Table[] {
  const own = run.path === root;
  return tables.map((t) => ({
    ...t,
    run: t.run && own ? t.run : t.run && t.run !== run.name ? `${run.name}/${t.run}` : run.name,
  }));
}

/** Reads every input; each stands alone. */
export async function readSources(paths: readonly string[], options: SourceOptions = {}): Promise<SourceRead> {
  const reads = await Promise.all(paths.map((path) => readSource(path, options)));
  return { tables: reads.flatMap((r) => r.tables), problems: reads.flatMap((r) => r.problems) };
}

/** The sources that may be asked, under a forced format. */
export function candidates(options: SourceOptions): readonly Source[] {
  return options.format === undefined || options.format === 'auto' ? SOURCES : [sourceOf(options.format)];
}

/**
 * Whether a file whose first bytes are `head` is a text table (CSV, TSV, JSONL) rather than another source's file:
 * an editor's text is then parsed as it is, unsaved edits included.
 */
export function isTextTable(path: string, head: Uint8Array, format: SourceOptions['format']): boolean {
  const probe: Probe = { path, name: basename(path), isDirectory: false, head, entries: [], scanned: false };
  return recognise(probe, candidates({ format })) === textSource;
}

/** One input: a file, a run folder, or a folder of runs. */
export async function readSource(path: string, options: SourceOptions = {}): Promise<SourceRead> {
  const info = await stat(path).catch(() => null);
  // A path that cannot be stat'ed, or is no folder: the file reader says what it is (missing, a device, a FIFO).
  if (info === null || !info.isDirectory()) {
    const probe: Probe = {
      path,
      name: basename(path),
      isDirectory: false,
      head: info?.isFile() ? await readHead(path) : new Uint8Array(0),
      entries: [],
      scanned: false,
    };
    // A format forced on a file named by the user reads it as that format, whatever its name (a renamed log).
    const forced = options.format !== undefined && options.format !== 'auto' ? sourceOf(options.format) : null;
    const source = info?.isFile() ? (forced ?? recognise(probe, candidates(options))) : null;
    return { tables: source ? await source.read(path, options) : [await readTable(path, options)], problems: [] };
  }
  const scan = await findRuns(path, candidates(options), options);
  const tables: Table[] = [];
  for (let i = 0; i < scan.runs.length; i += CONCURRENT_READS) {
    const batch = scan.runs.slice(i, i + CONCURRENT_READS);
    const read = await Promise.all(
      batch.map(async (run) => namedInFolder(path, run, await run.source.read(run.path, options))),
    );
    for (const t of read) appendAll(tables, t);
  }
  return { tables, problems: scan.problems };
}
