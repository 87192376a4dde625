// Following an input no tail of its own reads incrementally (a folder of runs, a JSON document, a format whose
// source has no resumable reader yet): it is read again whole, by readSource, whenever its signature changes — the
// size, time and identity of the file, or of every file under the folder (a bounded walk). A file that could not be
// read is tried again at each update, changed or not (its permission given back changes neither). A document that
// no longer parses where the last read did (a Hugging Face trainer rewrites trainer_state.json whole at each save: a
// read can see it empty or cut short) is read again after a pause, a few times, before that read is taken; the rows
// read before stand meanwhile, and after, while the document does not parse, with a warning saying so: a run's state
// saved half is not its run cut short. An MLflow run's metric files are the exception inside such a read: of each,
// only the lines appended since the last read are read (SourceOptions.metricFiles), and their points appended to the
// run's table (SourceOptions.runTables); the rest of the run (meta.yaml, params, tags) is read whole.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readSource, type SourceOptions, type SourceRead } from '../sources';
import type { MetricFileRead } from '../sources/mlflow';
import { FileResumes } from '../sources/resume';
import type { RunTable } from '../sources/runTable';
import type { ParseProblem } from '../table/types';
import { followable, notFollowableMessage, notFound, READ_FAILURES, type Tail, type TailUpdate } from './tail';

/** Entries a folder's signature looks at, at most: a change deeper in a huge tree is found by the next read. */
const SIGNATURE_ENTRIES = 10_000;
/** Folder levels the signature descends. */
const SIGNATURE_DEPTH = 6;
/** Never descended into (as the folder scan). */
const SKIPPED = new Set(['node_modules', '.git']);
/** Reads again of a document caught mid-rewrite, and the pause before each: a writer's save takes milliseconds. */
const REREADS = 3;
const REREAD_PAUSE_MS = 200;
/** What a read says of a document it could not parse (cut short, or emptied): a mid-rewrite read says these. */
const UNPARSED = new Set<ParseProblem['code']>(['json-invalid', 'file-empty']);

/** How a whole tail reads and waits (tests inject a read that fails, and a pause that rewrites the file). */
export interface WholeTailTuning {
  read?: (path: string, options: SourceOptions) => Promise<SourceRead>;
  /** Before each read again of a document that stopped parsing. */
  pause?: () => Promise<void>;
}

export class WholeTail implements Tail {
  private signature: string | null = null;
  private read: SourceRead = { tables: [], problems: [] };
  /** The last read taken, as it read (`read` may show an earlier one): a read cut short is compared with it. */
  private taken: SourceRead = { tables: [], problems: [] };
  /** The last read of the document that parsed whole, with rows: what it shows while a rewrite leaves it cut short. */
  private whole: SourceRead | null = null;
  /** The path is a file whose last read could not read it: read again at each update until one does. */
  private unread = false;
  /** What the reads kept of each MLflow metric file, so the next reads only its appended lines. */
  private readonly metricFiles = new FileResumes<MetricFileRead>();
  /** Each MLflow run's joined table, which the next read appends those lines' points to. */
  private readonly runTables = new FileResumes<RunTable>();

  constructor(
    readonly path: string,
    private readonly options: SourceOptions = {},
    private readonly tuning: WholeTailTuning = {},
  ) {}

  current(): SourceRead {
    return this.read;
  }

  async update(): Promise<TailUpdate> {
    const signature = await signatureOf(this.path);
    const retry = signature === this.signature && this.unread;
    if (signature === this.signature && !retry) return { change: 'unchanged', rows: 0, bytes: 0 };
    const first = this.signature === null;
    this.signature = signature;
    if (signature === '') {
      this.unread = false; // gone: read again once written again, as its signature says
      if (first) {
        this.read = { tables: [], problems: [notFound(this.options.displayName ?? this.path)] };
        return { change: 'waiting', rows: 0, bytes: 0 };
      }
      return this.gone();
    }
    const info = await stat(this.path).catch(() => null);
    if (info !== null && !followable(info)) return this.notFollowable(first);
    const read = await this.readSettled(first);
    const unread = info?.isFile() === true && count(read, READ_FAILURES) > 0;
    // Still unreadable, as said at the last update: nothing new to tell.
    if (retry && unread) return { change: 'unchanged', rows: 0, bytes: 0 };
    this.unread = unread;
    this.taken = read;
    this.read = info?.isFile() === true ? this.wholeOr(read) : read;
    const { tables } = this.read;
    const rows = tables.reduce((n, t) => n + t.rowCount, 0);
    const bytes = tables.reduce((n, t) => n + t.bytesRead, 0);
    return { change: first ? 'read' : 'reread', rows, bytes };
  }

  /**
   * What a read of a document shows: itself when it parses, else the last read that parsed whole, its rows kept with
   * a warning saying where this one stopped (a document saved half, or emptied, is read again once it is whole).
   */
  private wholeOr(read: SourceRead): SourceRead {
    const cut = firstOf(read, UNPARSED);
    if (cut === undefined) {
      this.whole = read.tables.some((t) => t.rowCount > 0) ? read : null;
      return read;
    }
    if (this.whole === null) return read;
    const rows = this.whole.tables.reduce((n, t) => n + t.rowCount, 0);
    const { file, line, column } = cut;
    const where = cut.code === 'file-empty' ? 'is empty' : `does not parse from line ${line}, column ${column}`;
    const message = `${file} ${where} (cut short: a run may be saving it); the ${rows} rows of its last whole read are kept until it parses again`;
    const problem: ParseProblem = { code: 'file-changed', severity: 'warning', message, file, line, column };
    return { tables: this.whole.tables, problems: [...this.whole.problems, problem] };
  }

  /**
   * A read of the input; one that fails to parse where the last read parsed is taken only after REREADS more reads
   * (each after a pause, the signature taken again before it) say so too: the writer may have been mid-rewrite.
   */
  private async readSettled(first: boolean): Promise<SourceRead> {
    const options = { ...this.options, metricFiles: this.metricFiles, runTables: this.runTables };
    const read = async (): Promise<SourceRead> => {
      const done = await (this.tuning.read ?? readSource)(this.path, options);
      this.metricFiles.settle();
      this.runTables.settle();
      return done;
    };
    let next = await read();
    const parsed = count(this.taken, UNPARSED);
    for (let left = first ? 0 : REREADS; left > 0 && count(next, UNPARSED) > parsed; left--) {
      await (this.tuning.pause ?? pause)();
      this.signature = await signatureOf(this.path);
      next = await read();
    }
    return next;
  }

  /** The input is a FIFO, a device or a socket: said, never opened (see followable). */
  private notFollowable(first: boolean): TailUpdate {
    const file = this.options.displayName ?? this.path;
    const message = notFollowableMessage(file);
    this.read = {
      tables: [],
      problems: [{ code: 'file-unreadable', severity: 'error', message, file, line: 1, column: 1 }],
    };
    return { change: first ? 'waiting' : 'reread', rows: 0, bytes: 0 };
  }

  /**
   * The input is gone: the tables read before are kept, and a warning says so, as the text and event tails say it
   * (the analysis went on showing a deleted file's fit with nothing said). A read of it written again replaces both.
   */
  private gone(): TailUpdate {
    const file = this.options.displayName ?? this.path;
    const rows = this.read.tables.reduce((n, t) => n + t.rowCount, 0);
    const message = `${file} was deleted while it was followed; the ${rows} rows read before are kept until it is written again`;
    const problem: ParseProblem = { code: 'file-changed', severity: 'warning', message, file, line: 1, column: 1 };
    this.read = { tables: this.read.tables, problems: [...this.read.problems, problem] };
    return { change: 'deleted', rows: 0, bytes: 0 };
  }
}

/** The first problem of those codes in a read. */
function firstOf({ tables, problems }: SourceRead, codes: ReadonlySet<string>): ParseProblem | undefined {
  return [...problems, ...tables.flatMap((t) => t.problems)].find((p) => codes.has(p.code));
}

/** Problems of those codes in a read. */
function count({ tables, problems }: SourceRead, codes: ReadonlySet<string>): number {
  let n = problems.filter((p) => codes.has(p.code)).length;
  for (const table of tables) n += table.problems.filter((p) => codes.has(p.code)).length;
  return n;
}

function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, REREAD_PAUSE_MS));
}

/** Identity, size and time of the path (and of what a folder holds); '' when it does not exist. */
export async function signatureOf(path: string): Promise<string> {
  return [...(await stampsOf(path))].map(([at, stamp]) => `${at}:${stamp}`).join('\n');
}

/**
 * The identity, size and time of the path and of what a folder holds, by path (a bounded walk: SIGNATURE_ENTRIES,
 * SIGNATURE_DEPTH), in walk order; empty when it does not exist. `folders`, when given, gets the folders whose
 * entries the walk read.
 */
export async function stampsOf(path: string, folders?: string[]): Promise<Map<string, string>> {
  const stamps = new Map<string, string>();
  let budget = SIGNATURE_ENTRIES;
  const visit = async (at: string, depth: number): Promise<void> => {
    const info = await stat(at, { bigint: true }).catch(() => null);
    if (info === null || budget-- <= 0) return;
    stamps.set(at, `${info.ino}:${info.size}:${info.mtimeNs}`);
    if (!info.isDirectory() || depth >= SIGNATURE_DEPTH) return;
    folders?.push(at);
    const names = await readdir(at).catch(() => [] as string[]);
    for (const name of names.sort()) if (!SKIPPED.has(name)) await visit(join(at, name), depth + 1);
  };
  await visit(path, 0);
  return stamps;
}
