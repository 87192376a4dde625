// The chart's data as files: CSV of every plotted series (one row per point, every raw row when exported in full)
// and JSON of the series with the fits and predictions behind them. Pure text out; the extension writes it.
import type { ChartData } from './types';

/**
 * RFC 4180 quoting: names come from the user's file and may hold commas, quotes or newlines. Text that a spreadsheet
 * would run as a formula (starting with =, +, -, @, tab or CR) gets a leading apostrophe, as OWASP's CSV-injection
 * advice has it; numbers are written as numbers, so a negative value is never touched.
 */
export function csvCell(v: string | number | undefined): string {
  if (v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '';
  const s = typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : String(v);
  return /[",\n\r\t]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function chartToCsv(data: ChartData): string {
  const rows = ['series,kind,panel,group,x,y,y_high,predicted,line'];
  for (const s of data.series) {
    for (let i = 0; i < s.x.length; i++) {
      rows.push(
        [s.label, s.kind, s.panel, s.group, s.x[i], s.y[i], s.y2?.[i], s.predicted?.[i], s.lines?.[i]]
          .map(csvCell)
          .join(','),
      );
    }
  }
  return rows.join('\n') + '\n';
}

export function chartToJson(data: ChartData, file: string): string {
  const { series, fits, predictions, markers, notes, kind } = data;
  return JSON.stringify({ file, kind, fits, predictions, markers, notes, series }, null, 2) + '\n';
}
