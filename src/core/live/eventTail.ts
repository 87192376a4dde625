// Following a TensorBoard event file or run folder while its writer appends: each file is read from the first byte
// its last read did not consume (a record cut short is not written yet: it is read whole by a later update), into one
// RunReader that keeps the run's tags, restarts and points, so an update costs the new records plus the join of the
// table. A new event file in the folder is read from its start. A file that shrank or was replaced (another inode),
// or a new file that comes before a known one in writer order, makes the run be read again from the start, with a
// note; a deleted file's points are kept, with a warning, as the text tail keeps a deleted log's rows.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { SourceOptions, SourceRead } from '../sources';
import { eventRunName } from '../sources/tensorboard';
import { runFiles, type EventFileRef } from '../sources/tensorboard/layout';
import { RunReader } from '../sources/tensorboard/run';
import type { Table } from '../table/types';
import { notFound, whatBecameOf, type Tail, type TailUpdate } from './tail';

/** What is known of one event file after a read: which file it was, and where its next read starts. */
interface FileRead {
  ino: bigint;
  dev: bigint;
  end: number;
}

type FileInfo = { ino: bigint; dev: bigint; size: bigint } | null;

export class EventTail implements Tail {
  private reader: RunReader | null = null;
  private readonly files = new Map<string, FileRead>();
  /** Known files found gone, or no longer files: said once each. */
  private readonly missing = new Set<string>();
  /** Files whose last read failed (permission removed): said once each, and again once a read of them works. */
  private readonly failing = new Set<string>();
  private table: Table | null = null;
  /** The followed path itself is gone: the next time it is there, it is another run, read from the start. */
  private deleted = false;
  /** Never read, and not there: said once (see notFound). */
  private absent = false;
  private readonly display: string;

  constructor(
    readonly path: string,
    private readonly options: SourceOptions = {},
    /** A run folder found in a folder of runs is named by that folder's scan (as its source leaves it unnamed). */
    private readonly scanned = false,
  ) {
    this.display = options.displayName ?? path;
  }

  current(): SourceRead {
    if (this.table === null) return { tables: [], problems: this.absent ? [notFound(this.display)] : [] };
    return { tables: [this.table], problems: [] };
  }

  async update(): Promise<TailUpdate> {
    const info = await stat(this.path).catch(() => null);
    if (info === null) return this.gone();
    this.absent = false;
    const isFolder = info.isDirectory();
    const refs: EventFileRef[] = isFolder
      ? await runFiles(this.path)
      : [{ path: this.path, shown: basename(this.path), prefix: '' }];
    const stats = await Promise.all(refs.map((r) => stat(r.path, { bigint: true }).catch(() => null)));
    const run = isFolder && !this.scanned ? basename(this.path) : eventRunName(this.path, isFolder);
    if (this.reader === null) return this.readAll(refs, stats, run, null);
    // A file read before that is no longer a file (a folder, a FIFO in its place) is away, as a deleted one: its
    // points are kept (a run read again from the start lost them all), and it is read from the start once it is back.
    const away = new Map<string, string>();
    const infos = stats.map((info, i) => {
      if (info === null || info.isFile() || !this.files.has(refs[i].path)) return info;
      away.set(refs[i].path, whatBecameOf(info));
      return null;
    });
    const why = this.deleted ? `${this.display} was written again` : this.rewritten(refs, infos);
    if (why !== null) return this.readAll(refs, infos, run, why);
    return this.readAppended(this.reader, refs, infos, run, away);
  }

  /** Reads every file from its start into a new reader: the first read, or a rewritten run's. */
  private async readAll(refs: EventFileRef[], infos: FileInfo[], run: string | undefined, why: string | null) {
    const reader = new RunReader(this.display, this.options);
    this.files.clear();
    this.missing.clear();
    this.failing.clear();
    this.deleted = false;
    let bytes = 0;
    for (let i = 0; i < refs.length; i++) {
      const info = infos[i];
      if (info === null) continue;
      const read = await reader.readFile(refs[i], 0);
      this.files.set(refs[i].path, { ino: info.ino, dev: info.dev, end: read.end });
      if (read.error !== undefined) this.failing.add(refs[i].path);
      bytes += read.end;
    }
    if (why !== null)
      reader.problems.addForFile(
        'file-changed',
        'warning',
        1,
        1,
        `${why} while it was followed: the run was read again from the start, and the points read before are replaced`,
      );
    this.reader = reader;
    this.table = reader.finish(run);
    const first = why === null;
    return { change: first ? 'read' : 'reread', rows: this.table.rowCount, bytes } satisfies TailUpdate;
  }

  /** Why the run must be read again from the start, or null when each known file only grew (or is gone). */
  private rewritten(refs: EventFileRef[], infos: FileInfo[]): string | null {
    const lastKnownOf = new Map<string, number>();
    refs.forEach((ref, i) => {
      if (this.files.has(ref.path)) lastKnownOf.set(ref.prefix, i);
    });
    for (let i = 0; i < refs.length; i++) {
      const known = this.files.get(refs[i].path);
      const info = infos[i];
      if (info === null) continue;
      if (known === undefined) {
        // Writer order decides restarts: a file older than one read already changes what came before.
        if ((lastKnownOf.get(refs[i].prefix) ?? -1) > i) return `${refs[i].shown} appeared before files already read`;
        continue;
      }
      // Back after it was away (its inode may be the old one's again): another file, whatever its size.
      if (this.missing.has(refs[i].path)) return `${refs[i].shown} was written again`;
      if (info.ino !== known.ino || info.dev !== known.dev) return `${refs[i].shown} was replaced`;
      if (Number(info.size) < known.end) return `${refs[i].shown} was truncated`;
    }
    return null;
  }

  /** Reads what each file appended since its last read, and any new file whole; notes files that went away. */
  private async readAppended(
    reader: RunReader,
    refs: EventFileRef[],
    infos: FileInfo[],
    run: string | undefined,
    away: ReadonlyMap<string, string>,
  ) {
    let bytes = 0;
    let noted = false;
    const present = new Set<string>();
    for (let i = 0; i < refs.length; i++) {
      const info = infos[i];
      if (info === null) continue;
      present.add(refs[i].path);
      const from = this.files.get(refs[i].path)?.end ?? 0;
      if (this.files.has(refs[i].path) && Number(info.size) === from) continue;
      const read = await reader.readFile(refs[i], from);
      this.files.set(refs[i].path, { ino: info.ino, dev: info.dev, end: read.end });
      bytes += read.end - from;
      // A read that failed consumes nothing: without this the table stood, and the failure went unsaid.
      if ((read.error !== undefined) !== this.failing.has(refs[i].path)) {
        noted = true;
        if (read.error !== undefined) this.failing.add(refs[i].path);
        else this.failing.delete(refs[i].path);
      }
    }
    for (const path of this.files.keys()) {
      if (present.has(path) || this.missing.has(path)) continue;
      this.missing.add(path);
      noted = true;
      reader.problems.addForFile(
        'file-changed',
        'warning',
        1,
        1,
        `${basename(path)} ${away.get(path) ?? 'was deleted'} while the run was followed; the points read from it are kept`,
      );
    }
    // Nothing consumed (at most a record still being written): the table stands.
    if (bytes === 0 && !noted) return { change: 'unchanged', rows: 0, bytes: 0 } satisfies TailUpdate;
    const before = this.table?.rowCount ?? 0;
    this.table = reader.finish(run);
    return { change: 'appended', rows: Math.max(0, this.table.rowCount - before), bytes } satisfies TailUpdate;
  }

  /** The followed file or folder is gone: the points read are kept, and the table says so. */
  private gone(): TailUpdate {
    if (this.reader === null) {
      // Never read: said once to be missing; unchanged after that, until it is there.
      const first = !this.absent;
      this.absent = true;
      return { change: first ? 'waiting' : 'unchanged', rows: 0, bytes: 0 };
    }
    if (this.deleted) return { change: 'unchanged', rows: 0, bytes: 0 };
    this.deleted = true;
    this.reader.problems.addForFile(
      'file-changed',
      'warning',
      1,
      1,
      `${this.display} was deleted while it was followed; the ${this.table?.rowCount ?? 0} steps read before are kept until it is written again`,
    );
    this.table = this.reader.finish(this.table?.run);
    return { change: 'deleted', rows: 0, bytes: 0 };
  }
}
