// The W&B chart-panel CSV is wide: one "<run> - <metric>" column per run and metric. Everything downstream wants
// long form (a run column, one column per metric), so the reshaping happens as rows stream in: each input row
// becomes one row per run that has a value in it, at the input row's line.

import type { CellLocation, ColumnBuilder } from './columnBuilder';
import type { TableBuilder } from './tableBuilder';
import { splitWandbSeries } from './detect';
import { uniqueColumnNames } from './header';
import { CELL_EMPTY, writeCell, writeEachPlain, type PlainRows, type RecordCells, type RowSink } from './record';

/** The min/max band columns the panel adds around each smoothed series. */
const BAND = /__(MIN|MAX)$/;

interface RunSeries {
  name: string;
  /** Input field -> output metric column. */
  cells: { field: number; column: ColumnBuilder }[];
}

export class WideToLongSink implements RowSink {
  readonly fields: number;
  private readonly x: ColumnBuilder;
  private readonly run: ColumnBuilder;
  private readonly runs: RunSeries[] = [];

  /** `header`: the names read (see RecordCells); `width`: how many fields the header has. */
  constructor(
    private readonly table: TableBuilder,
    header: readonly string[],
    headerLine: number,
    where: (field: number) => CellLocation,
    readonly width = header.length,
  ) {
    this.fields = header.length;
    const runs = new Map<string, { field: number; metric: string }[]>();
    const metrics = new Map<string, number>();
    let bands = 0;
    header.forEach((name, field) => {
      const series = field === 0 ? null : splitWandbSeries(name.trim());
      if (series === null) return;
      if (BAND.test(series.metric)) {
        bands++;
        return;
      }
      if (!metrics.has(series.metric)) metrics.set(series.metric, metrics.size);
      const cells = runs.get(series.run) ?? [];
      cells.push({ field, metric: series.metric });
      runs.set(series.run, cells);
    });
    const names = uniqueColumnNames([header[0], 'run', ...metrics.keys()], table.problems, () => where(0));
    // The step and run columns always fit (two columns); a metric left out (see addColumn) leaves out its cells.
    const columns = names.map((name) => table.addColumn(name, headerLine));
    [this.x, this.run] = columns as [ColumnBuilder, ColumnBuilder];
    for (const [name, cells] of runs) {
      const kept = cells.flatMap((c) => {
        const column = columns[2 + metrics.get(c.metric)!];
        return column === null ? [] : [{ field: c.field, column }];
      });
      this.runs.push({ name, cells: kept });
    }
    table.problems.add(
      'wandb-reshaped',
      'info',
      headerLine,
      1,
      `W&B chart export: ${runs.size} run(s) × ${metrics.size} metric(s) reshaped to one row per (step, run) with a ` +
        `"run" column` +
        (bands > 0 ? `; ${bands} __MIN/__MAX band column(s) dropped (the panel's shading, not data)` : ''),
    );
  }

  get stopped(): boolean {
    return this.table.stopped;
  }

  /** Its rows are reshaped by the header's names in their order: a header in another order is not followed. */
  reordered(): RowSink | null {
    return null;
  }

  row(record: RecordCells): void {
    for (const run of this.runs) {
      let row = -1;
      for (const { field, column } of run.cells) {
        if (field >= record.count || record.kinds[field] === CELL_EMPTY) continue;
        if (row < 0) row = this.openRow(record, run.name);
        writeCell(record, field, column, row);
      }
      if (row >= 0) this.table.endRow(record.line);
    }
  }

  plainRows(rows: PlainRows): void {
    writeEachPlain(rows, this);
  }

  private openRow(record: RecordCells, run: string): number {
    const row = this.table.beginRow();
    writeCell(record, 0, this.x, row);
    this.run.setText(row, run, null);
    return row;
  }
}
