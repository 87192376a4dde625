// Model sizes and token counts a run can have: what the file readers (telling a file's kind) and the laws (its
// points) both take as a count, and what they leave out as a stray value.

/**
 * Counts past any real sweep's: the largest models hold about 1e12 parameters and the largest corpora 1e13-1e14
 * tokens. A row beyond them holds a stray value (a 1e300) or a column that is not a count, and as a point of the
 * sweep it would set the law's reach, its targets and the default compute budget, so it is left out with a finding.
 */
export const MAX_PARAMS = 1e15;
/** A params value that is a model size N: a parameter count above 0 and at most MAX_PARAMS. */
export const isModelSize = (n: number): boolean => Number.isFinite(n) && n > 0 && n <= MAX_PARAMS;
export const MAX_TOKENS = 1e18;
