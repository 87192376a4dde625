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

/**
 * The largest step a run can have logged: past 2^53 doubles are no longer whole numbers apart, so a step there is a
 * stray value (a token count, a 1e308). The one rule for a log's step column, a step option and a request's step.
 */
export const MAX_STEP = Number.MAX_SAFE_INTEGER;
/** A step to predict at or to end a warmup at: a whole step >= 1 that a run can have (see MAX_STEP). */
export const isStepCount = (s: number): boolean => Number.isInteger(s) && s >= 1 && s <= MAX_STEP;
/** A bound as messages write it: 2^53 - 1 rather than its 16 digits. */
export const boundText = (x: number): string => (x === MAX_STEP ? '2^53 - 1' : String(x));
