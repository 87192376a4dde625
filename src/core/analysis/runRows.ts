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

  /** `maxRows`: the table's row count, which no run can exceed. */
  constructor(
    private readonly maxRows: number,
    private readonly onlyRun: boolean,
  ) {}

  push(step: number, value: number, line: number): void {
    if (this.length === this.steps.length) this.grow();
    this.steps[this.length] = step;
    this.values[this.length] = value;
    this.lines[this.length] = line;
    this.length++;
  }

  private grow(): void {
    const size = this.onlyRun ? this.maxRows : Math.min(this.maxRows, Math.max(16, 2 * this.steps.length));
    this.steps = resized(this.steps, size);
    this.values = resized(this.values, size);
    this.lines = resized(this.lines, size);
  }

  isUnsorted(): boolean {
    for (let i = 1; i < this.length; i++) if (this.steps[i] < this.steps[i - 1]) return true;
    return false;
  }
}

function resized<T extends Float64Array | Int32Array>(a: T, size: number): T {
  const out = new (a.constructor as new (n: number) => T)(size);
  out.set(a);
  return out;
}
