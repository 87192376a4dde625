// How much the reader keeps of any input, whatever its shape: work and memory grow with the bytes of the file, never
// with how many columns, keys or nesting levels it declares. Each limit, when reached, ends in a finding that says
// what was left out (tableBuilder.ts, tableReader.ts, jsonl.ts); the longest record is ReaderTuning.maxRecordBytes.

/** Columns (header fields, or distinct JSONL keys) kept; the rest are left out. Real logs have a few hundred at most. */
export const MAX_COLUMNS = 4096;

/**
 * Cells (columns x rows) a table may hold per byte of input. A cell of a delimited file takes at least one byte (its
 * delimiter), and a JSONL value several, so a table of a real file stays well inside; a file of short rows under a
 * header of thousands of columns, or a JSONL file that adds a key on every line, does not.
 */
export const CELLS_PER_BYTE = 2;

/** Cells any table may hold however small its file (32 KiB of numbers): a small file is not cut short for it. */
export const MIN_BUDGET_CELLS = 4096;

/** The cells a table of an input of `bytes` bytes may hold. */
export function cellBudget(bytes: number): number {
  return Math.max(MIN_BUDGET_CELLS, CELLS_PER_BYTE * bytes);
}

/** JSONL objects nested deeper than this are left out (W&B nests two or three levels; flattening is recursive). */
export const MAX_NESTING = 32;
