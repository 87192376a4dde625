// The run-file reader: files and editor text -> typed tables, and which column plays which role.

export type * from './types';
export { textAt } from './types';
export { readTable, parseText, parseBytes, completeLines } from './read';
export { DEFAULT_MAX_BYTES, type ReaderTuning, type ReadTableOptions } from './tableReader';
export { parseNumberCell, type NumberCell, type NumberCellOptions } from './number';
export { detectRoles } from './roles';
export { normaliseColumnName, ROLE_ALIASES } from './roleNames';
export type { ParallelMode, SplitReport } from './parallel';
