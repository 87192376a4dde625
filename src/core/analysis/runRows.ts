// One run's rows of a loss curve as they are read (step, value, source line).

/**
 * Rows of one run in file order, as parallel typed arrays: a million-row log must become neither a million objects
 * nor number[]s grown by push (each growth leaves the old copy as garbage). A file's only run gets room for every
 * row at once, so the usual log's arrays become its curve's as they are; runs of a multi-run file double as they fill,
 * from a small start: a file may hold thousands of runs of a few rows each.
 */
export class RunRows {
  steps = new Float64Array(0);
  values = new Float64Array(0);
  lines = new Int32Array(0);
  length = 0;

  /** Whether a grown table's rows are appended (room to spare, kept arrays are views: see `grownTo`). */
  private growing = false;

  /** `maxRows`: the table's row count, which no run can exceed. */
  constructor(
    private maxRows: number,
    private readonly onlyRun: boolean,
  ) {}

  /**
   * The rows of a followed table that grew to `maxRows` rows are pushed next: a file's only run then grows with an
   * eighth to spare (as LiveTable does), so that the next appended rows are written in place, not copied with the rest.
   */
  grownTo(maxRows: number): void {
    this.maxRows = maxRows;
    this.growing = true;
  }

  /** Whether the rows' arrays are kept as views of their first `length` entries (a followed run's, with room). */
  get viewed(): boolean {
    return this.growing;
  }

  /** Whether every step so far is above the one before (kept as rows are pushed: a followed run's rows are not read
   * again to tell). */
  increasing = true;
  /** Whether no step so far is below the one before. */
  private sorted = true;

  push(step: number, value: number, line: number): void {
    if (this.length === this.steps.length) this.grow();
    if (this.length > 0) {
      const before = this.steps[this.length - 1];
      if (step <= before) this.increasing = false;
      if (step < before) this.sorted = false;
    }
    this.steps[this.length] = step;
    this.values[this.length] = value;
    this.lines[this.length] = line;
    this.length++;
  }

  private grow(): void {
    const whole = this.growing ? this.maxRows + (this.maxRows >> 3) : this.maxRows;
    const size = this.onlyRun ? whole : Math.min(this.maxRows, Math.max(16, 2 * this.steps.length));
    this.steps = resized(this.steps, size);
    this.values = resized(this.values, size);
    this.lines = resized(this.lines, size);
  }

  isUnsorted(): boolean {
    return !this.sorted;
  }
}

function resized<T extends Float64Array | Int32Array>(a: T, size: number): T {
  const out = new (a.constructor as new (n: number) => T)(size);
  out.set(a);
  return out;
}
