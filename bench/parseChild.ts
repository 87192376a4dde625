// One parse in a fresh process, so each parser's peak RSS is its own. Bundled by bench/run.ts with esbuild (the
// same way the CLI ships) and run as `node parseChild.js <mode> <file>`; prints one JSON line.
//
// Every mode ends with the same thing: the numeric columns of the file in memory, plus a checksum of the loss column
// so the run can check that all parsers read the same numbers. Only the parse is timed (process start and module
// loading excluded); peak RSS is the whole process's (process.resourceUsage().maxRSS), the baseline mode gives the
// empty process's.
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import Papa from 'papaparse';
import { parse as csvParse } from 'csv-parse';
import { parse as csvParseSync } from 'csv-parse/sync';
import { readTable } from '../src/core/table';
import { inspectTables } from '../src/core/analysis/inspect';

export type ParseMode =
  | 'baseline'
  | 'ours'
  | 'ours-inspect'
  | 'papaparse'
  | 'papaparse-stream'
  | 'csv-parse'
  | 'csv-parse-sync'
  | 'json-lines';

export interface ParseOutcome {
  mode: ParseMode;
  ms: number;
  rows: number;
  columns: number;
  lossSum: number;
  maxRssMB: number;
  heapUsedMB: number;
}

type Row = Record<string, unknown>;

function sumKey(rows: Row[], key: string): number {
  let s = 0;
  for (const r of rows) {
    const v = r[key];
    if (typeof v === 'number') s += v;
  }
  return s;
}

async function run(
  mode: ParseMode,
  file: string,
): Promise<Omit<ParseOutcome, 'mode' | 'ms' | 'maxRssMB' | 'heapUsedMB'> & { keep: unknown }> {
  switch (mode) {
    case 'baseline':
      return { rows: 0, columns: 0, lossSum: 0, keep: null };
    case 'ours':
    case 'ours-inspect': {
      const table = await readTable(file);
      // The CLI's parse-only path (`scaling-lens inspect`): roles detected and curves extracted as well.
      if (mode === 'ours-inspect') inspectTables([table]);
      const loss = table.columns.find((c) => c.name === 'loss')!.values;
      let s = 0;
      for (let i = 0; i < table.rowCount; i++) s += loss[i];
      return { rows: table.rowCount, columns: table.columns.length, lossSum: s, keep: table };
    }
    case 'papaparse': {
      // The usual call: the whole file as a string, header row, dynamicTyping for numbers.
      const text = readFileSync(file, 'utf8');
      const result = Papa.parse<Row>(text, { header: true, dynamicTyping: true, skipEmptyLines: true });
      return {
        rows: result.data.length,
        columns: result.meta.fields?.length ?? 0,
        lossSum: sumKey(result.data, 'loss'),
        keep: result,
      };
    }
    case 'papaparse-stream': {
      // Papa's streaming mode from a file stream: typed values gathered into one array per column.
      const cols = new Map<string, number[]>();
      let rows = 0;
      await new Promise<void>((resolve, reject) => {
        Papa.parse<Row>(createReadStream(file) as unknown as File, {
          header: true,
          dynamicTyping: true,
          skipEmptyLines: true,
          step: (r) => {
            rows++;
            for (const key in r.data) {
              let c = cols.get(key);
              if (!c) cols.set(key, (c = []));
              c.push(r.data[key] as number);
            }
          },
          complete: () => resolve(),
          error: (e: Error) => reject(e),
        });
      });
      return { rows, columns: cols.size, lossSum: (cols.get('loss') ?? []).reduce((a, b) => a + b, 0), keep: cols };
    }
    case 'csv-parse-sync': {
      const text = readFileSync(file, 'utf8');
      const records = csvParseSync(text, { columns: true, cast: true, skip_empty_lines: true }) as Row[];
      return {
        rows: records.length,
        columns: records.length ? Object.keys(records[0]).length : 0,
        lossSum: sumKey(records, 'loss'),
        keep: records,
      };
    }
    case 'csv-parse': {
      // csv-parse's streaming API with cast (typed values), gathered into one array per column.
      let header: string[] | null = null;
      let cols: number[][] = [];
      let rows = 0;
      const parser = createReadStream(file).pipe(csvParse({ cast: true, skip_empty_lines: true }));
      for await (const record of parser as AsyncIterable<unknown[]>) {
        if (!header) {
          header = record.map(String);
          cols = header.map(() => []);
          continue;
        }
        rows++;
        for (let j = 0; j < record.length; j++) cols[j].push(record[j] as number);
      }
      const lossAt = header?.indexOf('loss') ?? -1;
      return {
        rows,
        columns: header?.length ?? 0,
        lossSum: lossAt >= 0 ? cols[lossAt].reduce((a, b) => a + b, 0) : 0,
        keep: cols,
      };
    }
    case 'json-lines': {
      // The usual JSONL read: a line reader and JSON.parse per line, values gathered into one array per key.
      const cols = new Map<string, number[]>();
      let rows = 0;
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
      for await (const line of lines) {
        if (!line) continue;
        const obj = JSON.parse(line) as Record<string, number>;
        rows++;
        for (const key in obj) {
          let c = cols.get(key);
          if (!c) cols.set(key, (c = []));
          c.push(obj[key]);
        }
      }
      return { rows, columns: cols.size, lossSum: (cols.get('loss') ?? []).reduce((a, b) => a + b, 0), keep: cols };
    }
  }
}

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2) as [ParseMode, string];
  const started = performance.now();
  const result = await run(mode, file);
  const ms = performance.now() - started;
  const outcome: ParseOutcome = {
    mode,
    ms,
    rows: result.rows,
    columns: result.columns,
    lossSum: result.lossSum,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    heapUsedMB: process.memoryUsage().heapUsed / 2 ** 20,
  };
  // `keep` stays referenced until here so nothing is collected before the measurement.
  if (result.keep === undefined) process.exitCode = 3;
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}

void main();
