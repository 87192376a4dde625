// Following an input no tail of its own reads incrementally (a folder of runs, a JSON document, a format whose
// source has no resumable reader yet): it is read again whole, by readSource, whenever its signature changes — the
// size, time and identity of the file, or of every file under the folder (a bounded walk).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readSource, type SourceOptions, type SourceRead } from '../sources';
import type { ParseProblem } from '../table/types';
import { followable, notFollowableMessage, notFound, type Tail, type TailUpdate } from './tail';

/** Entries a folder's signature looks at, at most: a change deeper in a huge tree is found by the next read. */
const SIGNATURE_ENTRIES = 10_000;
/** Folder levels the signature descends. */
const SIGNATURE_DEPTH = 6;
/** Never descended into (as the folder scan). */
const SKIPPED = new Set(['node_modules', '.git']);

export class WholeTail implements Tail {
  private signature: string | null = null;
  private read: SourceRead = { tables: [], problems: [] };

  constructor(
    readonly path: string,
    private readonly options: SourceOptions = {},
  ) {}

  current(): SourceRead {
    return this.read;
  }

  async update(): Promise<TailUpdate> {
    const signature = await signatureOf(this.path);
    if (signature === this.signature) return { change: 'unchanged', rows: 0, bytes: 0 };
    const first = this.signature === null;
    this.signature = signature;
    if (signature === '') {
      if (first) {
        this.read = { tables: [], problems: [notFound(this.options.displayName ?? this.path)] };
        return { change: 'waiting', rows: 0, bytes: 0 };
      }
      return this.gone();
    }
    const info = await stat(this.path).catch(() => null);
    if (info !== null && !followable(info)) return this.notFollowable(first);
    this.read = await readSource(this.path, this.options);
    const { tables } = this.read;
    const rows = tables.reduce((n, t) => n + t.rowCount, 0);
    const bytes = tables.reduce((n, t) => n + t.bytesRead, 0);
    return { change: first ? 'read' : 'reread', rows, bytes };
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

/** Identity, size and time of the path (and of what a folder holds); '' when it does not exist. */
export async function signatureOf(path: string): Promise<string> {
  const parts: string[] = [];
  let budget = SIGNATURE_ENTRIES;
  const visit = async (at: string, depth: number): Promise<void> => {
    const info = await stat(at, { bigint: true }).catch(() => null);
    if (info === null || budget-- <= 0) return;
    parts.push(`${at}:${info.ino}:${info.size}:${info.mtimeNs}`);
    if (!info.isDirectory() || depth >= SIGNATURE_DEPTH) return;
    const names = await readdir(at).catch(() => [] as string[]);
    for (const name of names.sort()) if (!SKIPPED.has(name)) await visit(join(at, name), depth + 1);
  };
  await visit(path, 0);
  return parts.join('\n');
}
