// Runs a task when poked, at most once per interval, on the trailing edge: pokes while it runs or within the
// interval of its last start are gathered into one run at the end of the interval, so a run logging ten times a
// second is re-read and re-fitted once a second, and its last write is never left unanalysed. A run that found
// nothing to do (a poll of an unchanged file) does not count: the next change is analysed at once, not a second on.
export class Pacer {
  private lastStart = -Infinity;
  private running = false;
  private pending = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly minIntervalMs: number,
    /** Resolves false when it found nothing to do. */
    private readonly task: () => Promise<boolean | void>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Something changed: run the task now, or once the interval since its last start has passed. */
  poke(): void {
    if (this.stopped) return;
    this.pending = true;
    if (this.running || this.timer !== null) return;
    const wait = this.lastStart + this.minIntervalMs - this.now();
    if (wait <= 0) void this.run();
    else this.timer = setTimeout(() => void this.run(), wait);
  }

  private async run(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    this.pending = false;
    this.running = true;
    const previousStart = this.lastStart;
    this.lastStart = this.now();
    try {
      if ((await this.task()) === false) this.lastStart = previousStart;
    } finally {
      this.running = false;
      if (this.pending) {
        this.pending = false;
        this.poke();
      }
    }
  }

  /** No more runs; a run under way finishes. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
