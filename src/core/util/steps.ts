// Work cut into steps: a generator that yields between them. A caller with other work to let through runs a few steps
// at a time (the language server's chart model after a fit); everyone else runs them all at once, by the same code.

/** Work in steps that ends with a T. */
export type Steps<T> = Generator<void, T, void>;

/** Runs the steps left and returns the result. */
export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Runs steps for about `ms` (it stops after the step that passes it) and returns the result when they end within
 * it, else undefined (call again for the next slice).
 */
export function runFor<T>(steps: Steps<T>, ms: number): { value: T } | undefined {
  const until = performance.now() + ms;
  do {
    const step = steps.next();
    if (step.done) return { value: step.value };
  } while (performance.now() < until);
  return undefined;
}
