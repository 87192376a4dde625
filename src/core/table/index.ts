// The run-file reader: files and editor text -> typed tables, and which column plays which role.

export type * from './types';
export { readTable, parseText, parseBytes, DEFAULT_MAX_BYTES, type ReaderTuning, type ReadTableOptions } from './read';
export { parseNumberCell, type NumberCell, type NumberCellOptions } from './number';
export { detectRoles, normaliseColumnName, ROLE_ALIASES } from './roles';
export type { ParallelMode, SplitReport } from './parallel';
