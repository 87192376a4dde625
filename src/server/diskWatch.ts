// Files the server analyses from disk (not open, or over the 50 MB VS Code never hands to extensions) are followed
// there: when one changes on disk — a run still writing its log — it is analysed again, at most once per interval
// (trailing edge), through the file cache's ordinary path. Notices come from fs.watch and polling (src/core/live/
// watch.ts); a notice leads to a re-analysis only when the file's identity, size or time changed, or when a file whose
// analysis could not read it (its permission removed) can be read again: giving it back changes neither.
import { Pacer } from '../core/live/pacer';
import { watchPaths, type WatchHandle } from '../core/live/watch';
import { signatureOf } from '../core/live/wholeTail';
import { openRegularFile } from '../core/sources/regularFile';

/** Least time between two analyses of a followed file. */
export const DISK_REFIT_MS = 1000;

/** How files are followed: tests shorten the intervals, and stand in for the check that a file can be read. */
export interface DiskWatchTiming {
  minIntervalMs?: number;
  pollMs?: number;
  readable?: (path: string) => Promise<boolean>;
}

interface Followed {
  path: string;
  signature: string | null;
  /** The signature taken when following began: a check waits for it, so no change is seen before it is known. */
  first: Promise<unknown>;
  pacer: Pacer;
  watch: Promise<WatchHandle>;
  /** Its last analysis could not read it: handed on once it can be read, changed or not. */
  unread: boolean;
}

export class DiskWatch {
  private readonly followed = new Map<string, Followed>();

  constructor(
    /** Called when a followed file changed on disk. */
    private readonly changed: (uri: string) => void,
    private readonly timing: DiskWatchTiming = {},
  ) {}

  /**
   * Follows a file analysed from disk. `before`: its signature taken before that analysis read it, so a change made
   * while it was read still counts; without it the signature is taken now (a file watched for until it appears).
   */
  follow(uri: string, path: string, before: Promise<string> = signatureOf(path)): void {
    if (this.followed.has(uri)) return;
    const entry: Followed = {
      path,
      signature: null,
      first: before.then((signature) => (entry.signature ??= signature)),
      pacer: new Pacer(this.timing.minIntervalMs ?? DISK_REFIT_MS, () => this.check(uri, entry)),
      watch: watchPaths([path], () => entry.pacer.poke(), this.timing.pollMs),
      unread: false,
    };
    this.followed.set(uri, entry);
  }

  /** The last analysis of a followed file could not read it: it is handed on at the first poll that can. */
  unreadable(uri: string): void {
    const entry = this.followed.get(uri);
    if (entry) entry.unread = true;
  }

  /** Whether the file changed (and was handed on): a poll that found it unchanged does not delay the next change. */
  private async check(uri: string, entry: Followed): Promise<boolean> {
    await entry.first;
    const signature = await signatureOf(entry.path);
    if (!this.followed.has(uri)) return false;
    const readAgain = signature === entry.signature && entry.unread && (await this.readable(entry.path));
    if (signature === entry.signature && !readAgain) return false;
    entry.signature = signature;
    entry.unread = false;
    this.changed(uri);
    return true;
  }

  private readable(path: string): Promise<boolean> {
    if (this.timing.readable) return this.timing.readable(path);
    // A FIFO in the file's place is not waited on (its open waited for a writer for good, and no check came after).
    return openRegularFile(path).then(
      (handle) => handle.close().then(() => true),
      () => false,
    );
  }

  unfollow(uri: string): void {
    const entry = this.followed.get(uri);
    if (!entry) return;
    this.followed.delete(uri);
    entry.pacer.stop();
    void entry.watch.then((w) => w.close());
  }

  dispose(): void {
    for (const uri of [...this.followed.keys()]) this.unfollow(uri);
  }
}
