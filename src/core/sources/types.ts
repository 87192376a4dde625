// What a source of run data is: one module per on-disk format (src/core/sources/<format>.ts), each recognising its
// files or folders by name and content and reading them into the same typed Table the text reader gives.
import type { ReadTableOptions } from '../table/tableReader';
import type { FileFormat, ParseProblem, Table } from '../table/types';
import type { MetricFileRead } from './mlflow';
import type { FileResumes } from './resume';
import type { RunTable } from './runTable';

export interface SourceOptions extends ReadTableOptions {
  /** Read every input as this format instead of recognising it ('auto' or absent: recognise). */
  format?: FileFormat | 'auto';
  /** Ends a folder scan early (the server cancels a scan whose result is no longer wanted). */
  signal?: AbortSignal;
  /** Bounds of a folder scan (scan.ts); each left at its default when absent. */
  scan?: Partial<ScanLimits>;
  /** A follower's: what the last read kept of each MLflow metric file, so only what it appended is read (mlflow.ts). */
  metricFiles?: FileResumes<MetricFileRead>;
  /** A follower's: each MLflow run's joined table, which a read appends the new points to (runTable.ts). */
  runTables?: FileResumes<RunTable>;
}

export interface ScanLimits {
  /** Directory entries looked at in all. */
  maxEntries: number;
  /** Folder levels below the one given. */
  maxDepth: number;
  /** Runs read from one folder. */
  maxRuns: number;
  /** Wall time of the scan, in milliseconds. */
  timeMs: number;
}

/**
 * A file that is a part of a run folder rather than a run (a DVCLive or MLflow metric file, one metric each): the run
 * folder it is read with, its format, and the metric's name in the run's table (`train/loss`, `loss`).
 */
export interface RunPart {
  run: string;
  format: 'dvclive' | 'mlflow';
  metric: string;
}

/** What a recogniser sees of a path: its name, and the first bytes of a file or the entry names of a folder. */
export interface Probe {
  path: string;
  /** The base name. */
  name: string;
  isDirectory: boolean;
  /** The first bytes of a file (up to PROBE_BYTES); empty for a folder. */
  head: Uint8Array;
  /** A folder's entry names (files and folders); empty for a file. */
  entries: readonly string[];
  /** Found by a folder scan rather than named by the user: a recogniser may then ask for more than content. */
  scanned: boolean;
}

/** How many bytes of a file a recogniser sees. */
export const PROBE_BYTES = 4096;

export interface Source {
  /** The format its tables report (a source may report a more specific one per table, e.g. csv and tsv). */
  format: FileFormat;
  /** Whether the path is this source: by name and content, never by extension alone. */
  recognise(probe: Probe): boolean;
  /**
   * Reads the path into tables, usually one (a run); a source whose folder holds several runs (an MLflow experiment)
   * may give one per run, each with `run` set. Never throws for bad input: problems are in each Table.problems.
   */
  read(path: string, options: SourceOptions): Promise<Table[]>;
}

/** What reading some paths gave: the tables, and problems about folders as a whole (what a scan skipped). */
export interface SourceRead {
  tables: Table[];
  problems: ParseProblem[];
}
